"""`xiangzhi create-admins` — create the three administrators (三员: 系统管理员, 安全管理员, 审计管理员), three
accounts of three different people. There is no superuser: this is how an install gets its first accounts.

Interactive by default; `--usernames a,b,c --passwords x,y,z [--names 甲,乙,丙]` for scripts (in the order
system, security, audit). Each must change the password at first sign-in and enrol the TOTP second factor."""

import getpass

from django.core.management.base import BaseCommand, CommandError

ORDER = ("system_admin", "security_admin", "audit_admin")


def _three(value: str | None, what: str) -> list[str] | None:
    if value is None:
        return None
    parts = [p.strip() for p in value.split(",")]
    if len(parts) != 3 or not all(parts):
        raise CommandError(f"{what}须依次给出三个（系统管理员、安全管理员、审计管理员），用逗号分隔。")
    return parts


class Command(BaseCommand):
    help = "创建三员账号（系统管理员、安全管理员、审计管理员，须为三个不同的人）。"

    def add_arguments(self, parser):
        parser.add_argument("--usernames", help="三个用户名，逗号分隔，依次为系统、安全、审计管理员")
        parser.add_argument("--passwords", help="三个初始密码，逗号分隔（首次登录须修改）")
        parser.add_argument("--names", help="三个姓名，逗号分隔（可省略）")

    def handle(self, *args, usernames=None, passwords=None, names=None, **options):
        from xiangzhi.accounts import services
        from xiangzhi.accounts.roles import ROLES
        from xiangzhi.core.context import acting_as
        from xiangzhi.core.errors import DomainError

        users = _three(usernames, "用户名")
        secrets_ = _three(passwords, "密码")
        full_names = _three(names, "姓名")
        if (users is None) != (secrets_ is None):
            raise CommandError("--usernames 与 --passwords 须一起给出。")
        admins = []
        for i, role in enumerate(ORDER):
            label = ROLES[role].label
            if users is None:
                self.stdout.write(f"—— {label} ——")
                username = input(f"{label}用户名：").strip()
                full_name = input(f"{label}姓名：").strip()
                password = getpass.getpass(f"{label}初始密码：")
                if getpass.getpass("再输入一次：") != password:
                    raise CommandError("两次输入的密码不一致。")
            else:
                username, password = users[i], secrets_[i]
                full_name = full_names[i] if full_names else label
            admins.append({"role": role, "username": username, "full_name": full_name, "password": password})
        try:
            with acting_as(None, label="cli"):
                created = services.admin_accounts_create(admins=admins)
        except DomainError as e:
            raise CommandError(e.message) from None
        for user, role in zip(created, ORDER, strict=True):
            self.stdout.write(f"已创建{ROLES[role].label}：{user.username}")
        self.stdout.write(
            "提醒：三个账号须由三个不同的人保管；各自首次登录时须修改初始密码，"
            "并用手机身份验证器绑定动态口令（扫描 /accounts/otp/ 页面上的二维码）。"
        )
