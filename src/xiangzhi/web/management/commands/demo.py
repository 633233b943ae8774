"""`xiangzhi demo`: build the demo township (乡宁县尉庄乡, fictitious residents) from a seed."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from xiangzhi.demo import builder
from xiangzhi.demo.generate import DEFAULT_HOUSEHOLDS, DEFAULT_SEED


class Command(BaseCommand):
    help = "生成演示数据：乡宁县尉庄乡（11 个村、144 个网格、虚构的住户和居民）及各角色的演示账号"

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"随机种子（默认 {DEFAULT_SEED}）")
        parser.add_argument(
            "--households", type=int, default=DEFAULT_HOUSEHOLDS, help=f"户数（默认 {DEFAULT_HOUSEHOLDS}）"
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="演示县已存在时什么也不做（保留已有数据）"
        )

    def handle(self, *args, seed, households, if_empty, **opts):
        if settings.PRODUCTION:
            raise CommandError("生产环境不能生成演示数据（演示账号的密码是公开的）。")
        if households < 11:
            raise CommandError("户数至少为 11（每个村至少一户）。")
        if builder.demo_exists():
            if if_empty:
                self.stdout.write("演示数据已存在，保留不动。")
                return
            raise CommandError(
                "演示县（乡宁县 141029）已存在。如需重建，请先删除数据库文件 var/xiangzhi.sqlite3。"
            )
        self.stdout.write(f"正在生成演示数据（种子 {seed}，{households} 户）…")
        result = builder.build(seed=seed, households=households, progress=self.stdout.write)
        self.stdout.write(
            self.style.SUCCESS(
                f"完成：{result.households} 户、{result.residents} 名居民、{result.party_members} 名党员"
                f"（联户 {result.household_links} 户）、{result.accounts} 个账号，用时 {result.seconds} 秒。"
            )
        )
        self.stdout.write("查看演示账号：xiangzhi demo-accounts（需 XIANGZHI_DEMO=1）")
