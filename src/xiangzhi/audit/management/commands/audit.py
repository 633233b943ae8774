import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from xiangzhi.audit import services


class Command(BaseCommand):
    help = "审计日志：verify 校验哈希链，anchor 导出链头，purge 清理超过保留期的记录"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        v = sub.add_parser("verify", help="校验每条链，指出第一条被改动或删除的记录")
        v.add_argument("--anchor", help="此前 `audit anchor` 导出的锚点文件")
        a = sub.add_parser("anchor", help="导出各链最新的序号和哈希")
        a.add_argument("--output", help="写入文件（默认打印）")
        p = sub.add_parser("purge", help="清理超过保留期（至少 180 天）的记录，留下检查点")
        p.add_argument("--older-than-days", type=int)

    def handle(self, *args, verb, **opts):
        if verb == "verify":
            anchor = None
            if opts.get("anchor"):
                anchor = json.loads(Path(opts["anchor"]).read_text())["heads"]
            problems = services.verify(anchor=anchor)
            if problems:
                for p in problems:
                    self.stderr.write(p.message)
                sys.exit(1)
            self.stdout.write("审计链校验通过。")
        elif verb == "anchor":
            data = json.dumps(services.anchor(), ensure_ascii=False, indent=2)
            if opts.get("output"):
                Path(opts["output"]).write_text(data)
                self.stdout.write(f"锚点已写入 {opts['output']}")
            else:
                self.stdout.write(data)
        elif verb == "purge":
            count = services.purge(older_than_days=opts.get("older_than_days"))
            self.stdout.write(f"已清理 {count} 条记录。")
