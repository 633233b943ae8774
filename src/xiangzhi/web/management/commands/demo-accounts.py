"""`xiangzhi demo-accounts`: the demo accounts and their password, as a table (demo mode only)."""

import unicodedata

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.management.base import BaseCommand, CommandError

from xiangzhi.accounts.models import RoleAssignment, User
from xiangzhi.accounts.roles import ROLES
from xiangzhi.demo import builder, data


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, size: int) -> str:
    return text + " " * (size - width(text))


def table(header: list[str], rows: list[list[str]]) -> str:
    sizes = [max(width(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(pad(c, s) for c, s in zip(header, sizes, strict=True)).rstrip()]
    lines.append("  ".join("-" * s for s in sizes))
    lines += ["  ".join(pad(c, s) for c, s in zip(r, sizes, strict=True)).rstrip() for r in rows]
    return "\n".join(lines)


def demo_accounts() -> list[dict]:
    """Every demo account that still has the demo password, in the order of ROLES; grid workers after the first
    are folded into one line by the command."""
    users = list(User.objects.filter(username__startswith=builder.USERNAME_PREFIX))
    users += list(
        User.objects.filter(
            kind=User.KIND_VILLAGER,
            role_assignments__role="villager",
            role_assignments__region_code__startswith=data.TOWN[0],
        ).distinct()
    )
    known: dict[str, bool] = {}
    rows = []
    for user in users:
        if user.password not in known:  # every demo account shares one hash: verify it once
            known[user.password] = check_password(builder.DEMO_PASSWORD, user.password)
        if not known[user.password] or not user.is_active:
            continue
        grants = list(RoleAssignment.objects.filter(user=user, is_active=True).select_related("region"))
        if not grants:
            continue
        role = grants[0].role
        regions = [g.region.name if g.region_id else "全系统" for g in grants]
        region_text = regions[0] if len(regions) == 1 else f"{regions[0]} 等 {len(regions)} 处"
        login = user.username
        if user.is_villager and user.resident_id and user.resident.phone:
            login = str(user.resident.phone)  # villagers sign in with their phone number (fictitious here)
        rows.append(
            {
                "role": role,
                "label": ROLES[role].label,
                "login": login,
                "username": user.username,
                "name": user.full_name,
                "region": region_text,
                "region_code": grants[0].region_code,
                "privileged": ROLES[role].privileged,
            }
        )
    order = list(ROLES)
    rows.sort(key=lambda r: (order.index(r["role"]), r["region_code"], r["username"]))
    return rows


class Command(BaseCommand):
    help = "列出演示账号及其密码（仅演示模式，XIANGZHI_DEMO=1）"

    def handle(self, *args, **opts):
        if not settings.DEMO_MODE:
            raise CommandError("只有演示模式（XIANGZHI_DEMO=1）才能列出演示账号和密码。")
        rows = demo_accounts()
        if not rows:
            self.stdout.write("还没有演示账号：请先运行 xiangzhi demo。")
            return
        shown, grid_workers = [], []
        for r in rows:
            if r["role"] == "grid_worker" and r["username"] != f"{builder.USERNAME_PREFIX}grid_worker":
                grid_workers.append(r)
            else:
                shown.append(r)
        body = [
            [
                r["role"],
                r["label"] + ("（需动态口令）" if r["privileged"] else ""),
                r["login"],
                builder.DEMO_PASSWORD,
                r["name"],
                r["region"],
            ]
            for r in shown
        ]
        self.stdout.write("演示账号（数据均为虚构）：")
        self.stdout.write(table(["角色", "说明", "登录名", "密码", "姓名", "辖区"], body))
        if grid_workers:
            names = [r["username"] for r in grid_workers]
            self.stdout.write(f"另有网格员账号 {len(names)} 个：{names[0]} … {names[-1]}，密码相同。")
        self.stdout.write("村民用手机号登录（以上号码均为虚构）。")
        self.stdout.write(
            "标注“需动态口令”的账号登录时还要输入动态口令：在项目目录运行 XIANGZHI_DEMO=1 .venv/bin/xiangzhi otp-code 用户名 获取（仅演示模式）。"
        )
