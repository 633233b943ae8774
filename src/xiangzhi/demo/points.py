"""Demo points: the town publishes a template scheme, the demo village adopts it, and three months of household
inspections and villagers' claims go through the real services (review, notice, posting). Draws come from their
own random stream: the households stay as they were."""

import datetime as dt
import random

from django.db.models import Q

from xiangzhi.accounts.models import RoleAssignment, User
from xiangzhi.core import clock
from xiangzhi.people.models import Household
from xiangzhi.points import services
from xiangzhi.regions.models import Region

# (code, name, points, category, cap a month, evidence, violation, 村规民约条款) — as the seeds' schemes read
ITEMS = [
    ("HJ01", "庭院整洁、房前屋后无杂物", 5, "environment", 10, False, False, "第三章 人居环境 第八条"),
    ("HJ02", "垃圾分类投放", 2, "environment", 6, False, False, "第三章 人居环境 第九条"),
    ("GY01", "参加村里义务劳动", 3, "public_works", 12, True, False, "第四章 公共建设 第十二条"),
    ("MD01", "孝老爱亲、照顾老人", 10, "family_virtue", 10, False, False, "第五章 家庭美德 第十五条"),
    ("YF01", "红白事简办", 10, "customs", 10, False, False, "第六章 移风易俗 第十八条"),
    ("XY01", "发展产业带动乡邻", 15, "enterprise", None, True, False, "第七章 兴业致富 第二十一条"),
    ("ZY01", "志愿服务（每次）", 2, "volunteering", 10, False, False, "第八章 志愿服务 第二十三条"),
    ("KF01", "乱堆乱放、污水乱排", -5, "environment", None, False, True, "第三章 人居环境 第十条"),
    ("KF02", "大操大办、高价彩礼", -20, "customs", None, False, True, "第六章 移风易俗 第十九条"),
    ("KF03", "邻里纠纷中无理取闹", -10, "law_abiding", None, False, True, "第九章 遵纪守法 第二十六条"),
]


def _one(role: str, code: str) -> User | None:
    grant = (
        RoleAssignment.objects.filter(role=role, is_active=True)
        .filter(Q(region_code=code) | Q(region_code=code[:12]) | Q(region_code=code[:9]))
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return grant.user if grant else None


def build(*, village_code: str, seed: int, months: int = 3) -> int:
    """Returns the number of claims made."""
    rng = random.Random(f"points-{seed}")
    village = Region.objects.get(code=village_code)
    leader = _one("town_leader", village_code[:9])
    secretary = _one("village_secretary", village_code)
    reviewer = _one("points_reviewer", village_code)
    template = services.scheme_create(
        user=leader,
        region=village.parent,
        name=f"{village.parent.name}新时代文明实践积分方案（模板）",
        is_template=True,
        note="依据各村村规民约制定，各村可采用后修改。",
    )
    for sort, (code, name, points, category, cap, evidence, violation, article) in enumerate(ITEMS):
        services.item_save(
            user=leader,
            scheme=template,
            code=code,
            name=name,
            points=points,
            category=category,
            cap_per_period=cap,
            evidence_required=evidence,
            is_violation=violation,
            source_article=article,
            sort=sort,
        )
    services.scheme_activate(user=leader, scheme=template)
    scheme = services.scheme_copy(
        user=secretary, source=template, region=village, name=f"{village.name}文明积分方案"
    )
    services.scheme_activate(user=secretary, scheme=scheme)
    items = {i.code: i for i in scheme.items.all()}
    households = list(
        Household.objects.filter(region_code__startswith=village_code, status="active").order_by("pk")
    )
    # the households of villagers with accounts are looked after well: the demo villager has points to spend
    with_accounts = set(
        User.objects.filter(
            kind=User.KIND_VILLAGER, resident__household__region_code__startswith=village_code
        ).values_list("resident__household_id", flat=True)
    )
    made = 0
    start = clock.now().replace(hour=10, minute=0, second=0, microsecond=0) - dt.timedelta(days=30 * months)
    try:
        for month in range(months):
            moment = start + dt.timedelta(days=30 * month)
            clock.set_fixed(moment)
            for household in households:
                worker = _one("grid_worker", household.region_code)
                draw = rng.random()
                code = (
                    "HJ01"
                    if draw < 0.5
                    else "HJ02"
                    if draw < 0.7
                    else "MD01"
                    if draw < 0.78
                    else "KF01"
                    if draw < 0.83
                    else "KF02"
                    if draw < 0.85
                    else None
                )
                if household.pk in with_accounts:
                    code = "MD01"
                if code is None or worker is None:
                    continue
                claim = services.claim_record(
                    user=worker,
                    item=items[code],
                    household=household,
                    description="月度入户检查",
                    batch=f"demo-{month}",
                )
                made += 1
                if rng.random() < 0.04:
                    services.claim_review(
                        user=reviewer, claim=claim, decision="reject", note="经评议小组核实不符合条件"
                    )
                else:
                    services.claim_review(user=reviewer, claim=claim, decision="approve")
            clock.set_fixed(moment + dt.timedelta(days=scheme.notice_days, hours=1))
            services.post_due_claims()
    finally:
        clock.reset()
    # this week's inspection: still in review or on notice, so the queue and the board have something to show
    for household in households[:12]:
        worker = _one("grid_worker", household.region_code)
        if worker is None:
            continue
        claim = services.claim_record(
            user=worker, item=items["HJ01"], household=household, description="本周入户检查"
        )
        made += 1
        if household.pk % 2:
            services.claim_review(user=reviewer, claim=claim, decision="approve")
    return made
