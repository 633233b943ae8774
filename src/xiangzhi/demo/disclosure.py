"""Demo 三务公开, through the real services, after the points and honours demos: the demo village's 党务, 村务 and
财务 notices (the financial one signed off by the 村务监督委员会), a villager's question answered in public, the
day's 积分公示 published by the points job; and a second village three months behind on its financial
notices (党务 and 村务 kept up), so that the town's page flags it. Idempotent: a village that already has notices
is left as it is.

The builder calls, after `demo_honours.build(...)`:
    demo_disclosure.build(places.villages[DEMO_VILLAGE_INDEX], behind=places.villages[1])
"""

import datetime as dt

from xiangzhi.accounts import services as account_services
from xiangzhi.accounts.models import User
from xiangzhi.accounts.roles import ROLES
from xiangzhi.audit.services import record
from xiangzhi.core import clock
from xiangzhi.demo.roles import role_holder
from xiangzhi.disclosure import services
from xiangzhi.disclosure.models import Notice
from xiangzhi.points import services as points_services

BEHIND_DAYS = 100  # the second village's last financial notice: more than a quarter ago


def _supervisor_of(village) -> User | None:
    """The second village's 村务监督委员会 member: a demo account of its own (same password hash as the other demo
    accounts, copied from demo_supervisor), so that its financial notice can be signed off."""
    found = role_holder("supervisor", village.code)
    model = User.objects.filter(username="demo_supervisor").first()
    if found is not None or model is None:
        return found
    user = User(
        username=f"demo_supervisor_{village.code[-3:]}",
        full_name=f"{village.name}监委会主任",
        kind=User.KIND_STAFF,
        password=model.password,
        password_changed_at=clock.now(),
    )
    user.save()
    record("accounts.created", user, region_code="", changes={"username": user.username, "kind": user.kind})
    account_services.role_grant(user=user, role="supervisor", region=village)
    if ROLES["supervisor"].privileged:
        account_services.totp_device_ensure(user)
    return user


def _publish(user, village, *, kind: str, title: str, body: str, supervisor=None, **kw) -> Notice:
    n = services.notice_draft(user=user, village=village, kind=kind, title=title, body=body, **kw)
    if kind == "finance":
        n = services.notice_sign_off(user=supervisor, notice=n)
    return services.notice_publish(user=user, notice=n)


def _quarter(day: dt.date) -> str:
    return f"{day.year}年第{(day.month - 1) // 3 + 1}季度"


def _month(day: dt.date) -> str:
    return f"{day.year}年{day.month}月"


def build(village, *, behind=None) -> int:
    """Returns the number of notices published."""
    made = 0
    points_services.board_publish_due()  # the 积分公示 of the claims the points demo put on notice today
    if not Notice.objects.filter(region_code=village.code, kind__in=("party", "village", "finance")).exists():
        made += _demo_village(village)
    if behind is not None and not Notice.objects.filter(region_code=behind.code).exists():
        made += _behind_village(behind)
    return made


def _demo_village(village) -> int:
    secretary = role_holder("village_secretary", village.code)
    supervisor = role_holder("supervisor", village.code)
    villager = role_holder("villager", village.code)
    if secretary is None or supervisor is None:
        return 0
    today = clock.today()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    _publish(
        secretary,
        village,
        kind="party",
        title=f"{_quarter(today)}党务公开",
        body=(
            "一、党费收缴：本季度应缴党费党员 42 名，已全部按时足额缴纳。\n"
            "二、发展党员：确定入党积极分子 2 名，经支部委员会研究、公示无异议。\n"
            "三、主题党日：组织开展“我为群众办实事”主题党日 3 次，党员参加 118 人次。\n"
            "四、党员联户：党员中心户走访联系户 260 户次，收集意见建议 17 条，已办结 15 条。"
        ),
    )
    _publish(
        secretary,
        village,
        kind="village",
        title=f"{_quarter(today)}村务公开",
        body=(
            "一、村内主干道硬化 1.2 公里，经村民代表会议表决通过，已完工并验收。\n"
            "二、低保对象动态调整：新增 2 户，退出 1 户，名单已经民主评议。\n"
            "三、人居环境整治：清理房前屋后杂物 86 处，新增垃圾分类投放点 6 个。\n"
            "四、张三反映的灌溉水渠渗漏问题，已由村委会组织维修。"
        ),
        mask_names=["张三"],
    )
    finance = _publish(
        secretary,
        village,
        kind="finance",
        title=f"{_month(last_month)}村级财务收支公开",
        body=(
            "一、收入合计 86,400.00 元：集体土地租金 52,000.00 元，上级转移支付 34,400.00 元。\n"
            "二、支出合计 61,250.00 元：道路维修 38,000.00 元，保洁员工资 12,000.00 元，"
            "办公费 3,250.00 元，村干部误工补贴 8,000.00 元。\n"
            "三、本月结余 25,150.00 元。以上收支经村务监督委员会审核。"
        ),
        supervisor=supervisor,
    )
    if villager is not None:
        q = services.question_ask(user=villager, notice=finance, text="道路维修的 38000 元是哪一段路？")
        services.question_answer(
            user=secretary,
            question=q,
            answer="是村东头到小学门口的一段，约 600 米，维修合同和验收单在村委会可以查阅。",
        )
    return 3


def _behind_village(village) -> int:
    """党务 and 村务 up to date, finances last published more than a quarter ago: flagged on the town's page."""
    cadre = role_holder("village_secretary", village.code) or role_holder("town_staff", village.code)
    supervisor = _supervisor_of(village)
    if cadre is None:
        return 0
    old = clock.now() - dt.timedelta(days=BEHIND_DAYS)
    made = 0
    if supervisor is not None:
        with clock.frozen(old):
            _publish(
                cadre,
                village,
                kind="finance",
                title=f"{_month(old.date())}村级财务收支公开",
                body="收入合计 12,000.00 元，支出合计 9,800.00 元，结余 2,200.00 元。",
                supervisor=supervisor,
            )
        made += 1
    today = clock.today()
    _publish(
        cadre, village, kind="party", title=f"{_quarter(today)}党务公开", body="本季度党费已全部按时收缴。"
    )
    _publish(cadre, village, kind="village", title=f"{_quarter(today)}村务公开", body="本季度村务正常开展。")
    return made + 2
