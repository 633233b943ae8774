"""Demo data of 三资 contracts, made through the real services: about ten contracts of the demo village's collective
(land, a fish pond, shop fronts, a construction-land lease, a threshing ground…), their schedules and payments, the
village's 二轮延包 period end and a 合同清理 campaign, with the problems a 清理 finds in real villages: a contract
without a written text, one without a resolution, rent in arrears, a lease past twenty years, a land contract past
the land period, land let to an outsider on an ordinary resolution.

The approving resolutions are the village's own: when the village has no passed items yet, a 村民代表会议 of five
members is called through the deliberation services and decides two (an ordinary one, and the 2/3 item for land to
an outsider, approved by the township). Call after the households and accounts exist. Builds once per village."""

import datetime as dt

from xiangzhi.assets import rules, services
from xiangzhi.assets.models import Contract
from xiangzhi.core import clock
from xiangzhi.demo.roles import role_holder
from xiangzhi.regions.models import Region

Y = rules.PER_YEAR


def _resolutions(village: Region):
    """(ordinary, land-to-outsider) passed items of the village, made when missing."""
    from xiangzhi.deliberation import rules as drules
    from xiangzhi.deliberation import services as ds
    from xiangzhi.deliberation.models import Body, Item
    from xiangzhi.people.models import Resident

    passed = Item.objects.filter(region_code__startswith=village.code, passed=True)
    ordinary = passed.filter(kind=drules.ITEM_ORDINARY).order_by("pk").first()
    outsider = (
        passed.filter(kind=drules.ITEM_LAND_CONTRACT_OUTSIDER, township_approved_at__isnull=False)
        .order_by("pk")
        .first()
    )
    if ordinary and outsider:
        return ordinary, outsider
    members = list(
        Resident.objects.filter(region_code__startswith=village.code, status=Resident.STATUS_NORMAL).order_by(
            "pk"
        )[:5]
    )
    if len(members) < 5:
        return ordinary, outsider
    # the village's 村民代表会议 (the bodies demo makes it); a village without one gets a small one here
    body = Body.objects.filter(region_code=village.code, kind=drules.REPRESENTATIVES, is_active=True).first()
    if body is None:
        body = ds.body_create(
            user=None, village=village, kind=drules.REPRESENTATIVES, name=f"{village.name}村民代表会议"
        )
        for i, r in enumerate(members):
            ds.body_member_add(
                user=None, body=body, resident=r, role="committee_member" if i < 3 else "representative"
            )
    meeting = ds.meeting_call(user=None, body=body, title="村集体资产发包议定会", held_on=clock.today())
    for entry in meeting.roll.all():
        ds.attendance_record(user=None, meeting=meeting, entry=entry, present=True)
    made = []
    for title, kind in (
        ("村集体门面房、晒场出租方案", drules.ITEM_ORDINARY),
        ("南梁机动地发包给外村合作社", drules.ITEM_LAND_CONTRACT_OUTSIDER),
    ):
        item = ds.vote_open(user=None, item=ds.item_add(user=None, meeting=meeting, title=title, kind=kind))
        for entry in meeting.roll.all():
            ds.open_vote_record(user=None, item=item, entry=entry, choice="yes")
        item = ds.item_decide(user=None, item=item)
        if item.needs_township_approval:
            item = ds.item_township_approve(user=None, item=item)
        made.append(item)
    return ordinary or made[0], outsider or made[1]


def build(village: Region) -> int:
    """The village's demo contracts (once); returns how many were made."""
    if Contract.objects.filter(region=village).exists():
        return 0
    secretary = role_holder("village_secretary", village.code)
    if secretary is None:
        return 0
    today = clock.today()
    year = today.year
    ordinary, outsider = _resolutions(village)
    services.setting_save(
        user=secretary,
        village=village,
        land_period_ends_on=dt.date(2057, 12, 31),
        review_starts_on=today - dt.timedelta(days=60),
        review_ends_on=today + dt.timedelta(days=30),
    )

    def yearly(start: dt.date, end: dt.date, fen: int):
        month = max(start.month, 3)
        days = [dt.date(y, month, 1) for y in range(start.year, end.year + 1)]
        return [(day, fen) for day in days if start <= day <= min(end, today + dt.timedelta(days=366))]

    def d(y, m, dd):
        return dt.date(y, m, dd)

    specs = [
        # (code, category, matter, subject, area, amount 分/年, counterparty, member?, start, end, written, resolution)
        (
            "ZY-001",
            rules.RESOURCES,
            rules.MATTER_LAND,
            "南梁机动地 1-3 号地块",
            "86.40",
            2592000,
            "尉庄种植专业合作社",
            False,
            d(year - 3, 1, 1),
            d(year + 7, 12, 31),
            True,
            outsider,
        ),
        (
            "ZY-002",
            rules.RESOURCES,
            rules.MATTER_LAND,
            "东沟四荒地（治理开发）",
            "120.00",
            600000,
            "刘建国",
            True,
            d(year - 6, 1, 1),
            d(2060, 12, 31),
            True,
            ordinary,
        ),
        (
            "ZY-003",
            rules.RESOURCES,
            rules.MATTER_LAND,
            "西坡果园",
            "45.50",
            1365000,
            "外村客商陈某",
            False,
            d(year - 2, 3, 1),
            d(year + 8, 2, 28),
            True,
            ordinary,
        ),
        (
            "ZY-004",
            rules.RESOURCES,
            rules.MATTER_LEASE,
            "村东鱼塘",
            "12.30",
            800000,
            "王有福",
            True,
            d(year - 4, 4, 1),
            d(year, 12, 31),
            False,
            None,
        ),
        (
            "ZC-001",
            rules.ASSETS,
            rules.MATTER_LEASE,
            "村委会临街门面房两间",
            "0.12",
            960000,
            "李小梅",
            True,
            d(year - 1, 1, 1),
            d(year + 3, 12, 31),
            True,
            ordinary,
        ),
        (
            "ZC-002",
            rules.ASSETS,
            rules.MATTER_LEASE,
            "原村小学校舍",
            "3.20",
            1200000,
            "乡宁县某养殖有限公司",
            False,
            d(year - 2, 7, 1),
            d(year + 23, 6, 30),
            True,
            ordinary,
        ),
        (
            "ZC-003",
            rules.ASSETS,
            rules.MATTER_LEASE,
            "集体晒场",
            "2.80",
            300000,
            "张德顺",
            True,
            d(year - 3, 5, 1),
            today + dt.timedelta(days=45),
            True,
            ordinary,
        ),
        (
            "ZC-004",
            rules.RESOURCES,
            rules.MATTER_CONSTRUCTION_LAND,
            "村北集体经营性建设用地（加工厂）",
            "8.00",
            4000000,
            "尉庄农产品加工厂",
            False,
            d(year - 1, 1, 1),
            d(year + 14, 12, 31),
            True,
            ordinary,
        ),
        (
            "ZJ-001",
            rules.FUNDS,
            rules.MATTER_OTHER,
            "村集体闲置资金委托乡农经站代管",
            "0",
            0,
            "尉庄乡农村经济经营管理站",
            False,
            d(year - 1, 1, 1),
            d(year + 1, 12, 31),
            True,
            ordinary,
        ),
        (
            "ZC-005",
            rules.ASSETS,
            rules.MATTER_LEASE,
            "村部旧仓库",
            "0.40",
            240000,
            "赵二虎",
            True,
            d(year - 5, 1, 1),
            d(year + 1, 12, 31),
            False,
            None,
        ),
    ]
    made = {}
    for code, cat, matter, subject, area, fen, who, member, start, end, written, res in specs:
        kind = rules.ORGANISATION if any(w in who for w in ("社", "公司", "厂", "站")) else rules.INDIVIDUAL
        made[code] = services.contract_create(
            user=secretary,
            village=village,
            code=code,
            category=cat,
            matter=matter,
            subject=subject,
            area=area,
            amount=fen,
            amount_basis=Y,
            counterparty_name=who,
            counterparty_type=kind,
            counterparty_is_member=member,
            starts_on=start,
            ends_on=end,
            has_written_contract=written,
            resolution_id=res.pk if res else None,
            schedule=yearly(start, end, fen) if fen else [],
        )
    # payments: most pay on time; the fish pond and the old warehouse owe; two debts were recovered in the campaign
    recovered_on = today - dt.timedelta(days=20)
    n = 0
    for code, c in made.items():
        for inst in c.instalments.filter(due_on__lt=today).order_by("due_on"):
            late = code in ("ZY-004", "ZC-005") and inst.due_on.year >= year - 1
            recovered = code in ("ZC-002", "ZY-003") and inst.due_on.year == year - 1
            if late:
                continue
            paid_on = recovered_on if recovered else min(inst.due_on + dt.timedelta(days=10), today)
            n += 1
            services.payment_record(
                user=secretary,
                contract=c,
                amount=inst.amount,
                paid_on=paid_on,
                receipt_no=f"SJ{year}-{n:04d}",
            )
    return len(made)
