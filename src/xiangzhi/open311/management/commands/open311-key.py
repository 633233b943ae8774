"""`xiangzhi open311-key`: API keys of Open311 clients.

- `open311-key create --name N --region CODE`  issue a key for a client filing into a county or town; the key is
  printed once and only its keyed hash is kept;
- `open311-key list`  the clients, their regions and whether they are active (never a key);
- `open311-key revoke --name N`  disable a client's key.
"""

from django.core.management.base import BaseCommand, CommandError

from xiangzhi.core import context
from xiangzhi.core.errors import DomainError
from xiangzhi.open311 import services
from xiangzhi.open311.models import Open311Client


class Command(BaseCommand):
    help = "Open311 接入方的 api_key：create 签发，list 列出，revoke 停用"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        c = sub.add_parser("create", help="签发 api_key（只显示这一次）")
        c.add_argument("--name", required=True, help="接入方名称")
        c.add_argument("--region", required=True, help="可上报的县或乡镇区划代码")
        sub.add_parser("list", help="列出接入方")
        r = sub.add_parser("revoke", help="停用接入方的 api_key")
        r.add_argument("--name", required=True, help="接入方名称")

    def handle(self, *args, verb, **opts):
        try:
            with context.acting_as(label="cli"):
                if verb == "create":
                    client, raw = services.client_create(name=opts["name"], region_code=opts["region"])
                    self.stdout.write(f"已为“{client.name}”签发 api_key（可上报辖区 {client.region_code}）：")
                    self.stdout.write(raw)
                    self.stdout.write("请立即交给接入方妥善保存：本平台只保存其摘要，无法再次显示。")
                elif verb == "revoke":
                    client = services.client_revoke(name=opts["name"])
                    self.stdout.write(f"已停用“{client.name}”的 api_key。")
                else:
                    for client in Open311Client.objects.all():
                        state = "有效" if client.is_active else "已停用"
                        self.stdout.write(
                            f"{client.name}\t{client.region_code}\t{state}\t{client.created_at:%Y-%m-%d}"
                        )
        except DomainError as e:
            raise CommandError(e.message) from None
