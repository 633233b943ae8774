"""`xiangzhi otp-code USERNAME` — demo only: print the current TOTP code of a user's confirmed device, so that a
demo can sign in as a privileged user without a phone. Refuses unless settings.DEMO_MODE (XIANGZHI_DEMO=1,
never in production)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "演示用：显示某账号当前的动态口令（仅 XIANGZHI_DEMO=1 时可用）。"

    def add_arguments(self, parser):
        parser.add_argument("username", help="用户名（村民可填手机号）")

    def handle(self, *args, username, **options):
        if not settings.DEMO_MODE:
            raise CommandError("此命令仅用于演示环境（XIANGZHI_DEMO=1）；正式环境请使用手机上的身份验证器。")
        from xiangzhi.accounts import services
        from xiangzhi.accounts.models import User

        user = User.objects.filter(username=services.login_username(username)).first()
        if user is None:
            raise CommandError("没有这个账号。")
        device = services.totp_device_confirmed(user)
        if device is None:
            raise CommandError("该账号尚未绑定动态口令。")
        self.stdout.write(services.totp_current_code(device))
