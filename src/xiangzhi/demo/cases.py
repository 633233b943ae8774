"""Demo cases: a few weeks of the case loop in the demo village, made through the real services (every case has
its timeline, its audit records and its notifications), so that every state, an overdue case and the figures
have something to show. Draws come from their own random stream: the households stay as they were."""

import datetime as dt
import random

from django.db.models import Q

from xiangzhi.accounts.models import RoleAssignment, User
from xiangzhi.cases import figures, services
from xiangzhi.core import clock

# (what happened, category, 三事) — the kind of thing seeds 002 and 004 describe
REPORTS = [
    ("村口垃圾堆放多日，气味很大，无人清运。", "ENVIRONMENT", "village"),
    ("二组通往后山的路被雨水冲垮一段，三轮车过不去。", "INFRASTRUCTURE", "government"),
    ("两户人家因宅基地边界起争执，已经吵了好几次。", "DISPUTE", "civil"),
    ("老房子墙体开裂，雨季有倒塌危险，里面还住着一位老人。", "SAFETY", "government"),
    ("村里路灯坏了三盏，晚上出行不方便。", "INFRASTRUCTURE", "village"),
    ("想办理高龄津贴，不知道要带什么材料，请帮忙代办。", "LIVELIHOOD", "village"),
    ("玉米地里发现大面积虫害，请农技人员来看看。", "AGRICULTURE", "government"),
    ("邻居家的狗经常咬人，说了不听。", "DISPUTE", "civil"),
    ("自来水这几天时有时无，水质发黄。", "INFRASTRUCTURE", "government"),
    ("河边有人倾倒建筑垃圾。", "ENVIRONMENT", "government"),
]


def _one(role: str, region_code: str) -> User | None:
    grant = (
        RoleAssignment.objects.filter(role=role, is_active=True)
        .filter(Q(region_code=region_code) | Q(region_code=region_code[:12]) | Q(region_code=region_code[:9]))
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return grant.user if grant else None


def build(*, village_code: str, seed: int, days: int = 45, per_day: int = 2) -> int:
    rng = random.Random(f"cases-{seed}")
    grids = list(
        RoleAssignment.objects.filter(
            role="grid_worker", region_code__startswith=village_code, is_active=True
        )
        .order_by("region_code")
        .values_list("region_code", flat=True)
    )
    villager = _one("villager", village_code)
    secretary = _one("village_secretary", village_code)
    leader = _one("town_leader", village_code[:9])
    made = 0
    start = clock.now().replace(hour=9, minute=0, second=0, microsecond=0) - dt.timedelta(days=days)
    try:
        for day in range(days):
            for k in range(per_day):
                moment = start + dt.timedelta(days=day, hours=k * 3)
                clock.set_fixed(moment)
                grid = grids[rng.randrange(len(grids))]
                worker = _one("grid_worker", grid)
                text, category, triage = REPORTS[rng.randrange(len(REPORTS))]
                reporter = villager if rng.random() < 0.5 else worker
                case, _ = services.case_report(
                    user=reporter,
                    region_code=grid,
                    description=text,
                    category=category,
                    source="web" if reporter is villager else "patrol",
                )
                made += 1
                _progress(case, rng, worker, secretary, leader, villager, triage, moment, days - day)
    finally:
        clock.reset()
    figures.rollup(full=True)
    return made


def _at(moment: dt.datetime, hours: float) -> None:
    clock.set_fixed(moment + dt.timedelta(hours=hours))


def _progress(case, rng, worker, secretary, leader, villager, triage, moment, age_days) -> None:
    """Move the case along as far as its age and a throw of the dice say (recent cases stay open)."""
    steps = rng.randrange(0, 7) if age_days > 3 else rng.randrange(0, 3)
    if steps == 0 or worker is None:
        return
    _at(moment, 2)
    if triage == "civil":
        case = services.case_assign(user=worker, case=case, category=case.category, triage="civil")
        handler = worker
    elif triage == "village":
        case = services.case_assign(user=worker, case=case, category=case.category, triage="village")
        handler = secretary
    else:
        case = services.case_escalate(user=worker, case=case, reason="网格内无法解决，需要上级协调。")
        _at(moment, 4)
        case = services.case_escalate(
            user=secretary, case=case, reason="村里没有执法和技术力量，请镇里处理。"
        )
        _at(moment, 6)
        try:
            case = services.case_assign(user=leader, case=case, category=case.category, triage="government")
        except Exception:  # noqa: BLE001 — no department for this category in the demo town: the town keeps it
            case = services.case_accept(user=leader, case=case)
        handler = leader if case.handler != "department" else None
    if steps < 2:
        return
    if handler is None:
        from xiangzhi.cases.services import handlers_of

        staff = handlers_of(case)
        handler = staff[0] if staff else leader
    _at(moment, 24)
    case = services.case_start(user=handler, case=case)
    if steps < 3:
        return
    _at(moment, 24 * rng.randint(2, 6))
    case = services.case_resolve(user=handler, case=case, result="已到现场处理，问题已解决。")
    if steps < 4:
        return
    _at(moment, 24 * 7 + 2)
    case = services.case_verify(user=worker, case=case, passed=True, note="现场核查，情况属实，已处理到位。")
    if steps < 5:
        return
    _at(moment, 24 * 8)
    if case.reporter_id == getattr(villager, "pk", None):
        rating = rng.choice(["satisfied", "satisfied", "satisfied", "partly", "unsatisfied"])
        services.case_rate(user=villager, case=case, rating=rating)
    elif steps >= 6:
        services.case_close(user=secretary, case=case, note="网格员上报的事件，无需群众评价。")
