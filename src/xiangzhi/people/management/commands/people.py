"""`xiangzhi people template [--output PATH]` writes the 户籍台账 template (by default the committed copy in
people/data/); `xiangzhi people import FILE --village CODE [--all-or-nothing]` imports a register as the system."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xiangzhi.core import context
from xiangzhi.people import excel, services
from xiangzhi.regions.models import Region


class Command(BaseCommand):
    help = "户籍台账：template 生成模板，import 导入台账"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        t = sub.add_parser("template", help="生成台账模板 .xlsx")
        t.add_argument("--output", default=str(excel.TEMPLATE_PATH))
        i = sub.add_parser("import", help="导入台账")
        i.add_argument("file")
        i.add_argument("--village", required=True, help="村的 12 位区划代码")
        i.add_argument("--all-or-nothing", action="store_true", help="有任何错误行则全部不导入")

    def handle(self, *args, verb, **opts):
        if verb == "template":
            path = excel.write_template(Path(opts["output"]))
            self.stdout.write(f"模板已写入 {path}")
            return
        village = Region.objects.filter(code=opts["village"], level="village").first()
        if village is None:
            raise CommandError(f"找不到村 {opts['village']}。")
        with context.acting_as(label="cli"), open(opts["file"], "rb") as fh:
            result = services.register_import(
                user=None, file=fh, village=village, all_or_nothing=opts["all_or_nothing"]
            )
        if result.file_error:
            raise CommandError(result.file_error)
        self.stdout.write(
            f"读取 {result.rows} 行，导入 {result.imported_rows} 行，新建 {result.households_created} 户，"
            f"未导入 {result.skipped_rows} 行。"
        )
        for e in result.errors:
            self.stderr.write(f"第 {e.row} 行 {e.column or ''}：{e.reason}")
        if result.errors:
            sys.exit(1)
