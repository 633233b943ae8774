"""Demo data for enforcement (行政执法), through the real services.

`build(town, village=None)`: the town's 综合行政执法队 inspects five times (two in the demo village): one fine
decided and published on the town's board (执法公示, the person shown as 刘某), one warning decided and waiting
for its 公示 (still within its 7 working days), one major decision (责令停产停业) waiting for the 司法所's 法制审核,
and two inspections that found nothing. Expects the demo's town leader, a 司法所 with a staff account, and a
综合行政执法队 (the demo builder makes them); does nothing without them, or when the town has inspections already.
"""

import datetime as dt

from xiangzhi.accounts.models import RoleAssignment
from xiangzhi.core import clock
from xiangzhi.core.models import Department
from xiangzhi.enforcement import services
from xiangzhi.enforcement.models import Inspection
from xiangzhi.enforcement.policy import is_legal_office

INSPECTORS = "王建军、李卫东"


def _town_leader(town):
    grant = (
        RoleAssignment.objects.filter(role="town_leader", region_code=town.code, is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return grant.user if grant else None


def _reviewer(town):
    departments = {d.pk: d for d in Department.objects.filter(town=town)}
    for grant in (
        RoleAssignment.objects.filter(role="department_staff", region_code=town.code, is_active=True)
        .select_related("user")
        .order_by("pk")
    ):
        if is_legal_office(departments.get(grant.scope_id)):
            return grant.user
    return None


def _enforcement_department(town):
    return (
        Department.objects.filter(town=town, code="zhifa").first()
        or Department.objects.filter(town=town, name__contains="执法").first()
    )


def build(town, village=None) -> int:
    """Returns the number of inspections made (0 when it did nothing)."""
    leader, reviewer, zhifa = _town_leader(town), _reviewer(town), _enforcement_department(town)
    if leader is None or reviewer is None or zhifa is None:
        return 0
    if Inspection.objects.filter(town=town).exists():
        return 0
    today = clock.today()
    year = today.year

    def inspect(days_ago, **kw):
        return services.inspection_create(
            user=leader,
            town=town,
            department=zhifa,
            date=today - dt.timedelta(days=days_ago),
            inspectors=INSPECTORS,
            **kw,
        )

    fined = inspect(
        6,
        village=village,
        place="村东河滩",
        subject_kind="person",
        subject_name="刘建国",
        findings="当事人在禁烧区露天焚烧秸秆约 2 亩，现场已扑灭。",
        problem_found=True,
    )
    services.entry_add(user=leader, inspection=fined, note="制作现场检查笔录，当事人签字确认。")
    d = services.decision_propose(
        user=leader,
        inspection=fined,
        kind="fine",
        amount_fen=200_000,
        legal_basis="《中华人民共和国大气污染防治法》第七十七条、第一百一十九条第一款",
        facts="刘建国在禁烧区内露天焚烧秸秆。",
    )
    d = services.decision_make(
        user=leader,
        decision=d,
        case_number=f"{town.name}罚〔{year}〕1号",
        decided_on=today - dt.timedelta(days=2),
    )
    services.decision_publish(user=leader, decision=d)

    warned = inspect(
        3,
        place="集镇主街",
        subject_kind="organisation",
        subject_name="兴旺建材经营部",
        findings="占道堆放建材，影响通行。",
        problem_found=True,
    )
    d = services.decision_propose(
        user=leader,
        inspection=warned,
        kind="warning",
        amount_fen=0,
        legal_basis="《城市市容和环境卫生管理条例》第三十六条",
        facts="兴旺建材经营部占用道路堆放建材。",
    )
    services.decision_make(
        user=leader, decision=d, case_number=f"{town.name}罚〔{year}〕2号", decided_on=today
    )

    major = inspect(
        1,
        place="工业园区",
        subject_kind="organisation",
        subject_name="宏达石料加工厂",
        findings="未取得环评手续擅自生产，粉尘污染严重。",
        problem_found=True,
    )
    services.decision_propose(
        user=leader,
        inspection=major,
        kind="suspend",
        amount_fen=0,
        legal_basis="《中华人民共和国环境影响评价法》第三十一条",
        facts="宏达石料加工厂未依法报批环境影响评价文件擅自开工生产。",
        is_major=True,
    )

    for days_ago, place, name in ((10, "村委会周边商户", "便民超市"), (15, "农资门市", "丰收农资店")):
        inspect(
            days_ago,
            village=village,
            place=place,
            subject_kind="organisation",
            subject_name=name,
            findings="检查经营资质和消防设施，未发现问题。",
            problem_found=False,
        )
    return 5
