"""The passbook, the ledger, corrections and 分户 over the API (mounted by xiangzhi.api at /api/v1/points/): the same
selectors, services and policy as the pages. A household or entry out of reach is a 404."""

import datetime as dt
from typing import Literal

from ninja import Field, Query, Router, Schema, Status
from pydantic import StrictInt

from xiangzhi.apischema import ERRORS, MAX_PAGE, paginate
from xiangzhi.core.errors import ValidationFailed
from xiangzhi.points import excel, services
from xiangzhi.points import selectors_ledger as selectors
from xiangzhi.points import split as split_rules

router = Router(tags=["积分"])


class EntryOut(Schema):
    id: int
    occurred_on: dt.date
    at: dt.datetime
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    item_code: str
    item_name: str
    earned_delta: int = Field(description="累计积分变动")
    available_delta: int = Field(description="可用积分变动（实际扣减，最多扣到零）")
    earned_after: int = Field(description="变动后累计积分")
    available_after: int = Field(description="变动后可用积分")
    corrects_id: int | None
    note: str
    household_id: int | None
    party_member_id: int | None
    holder: str = Field(description="户（户主姓名）或党员")
    region_code: str

    @staticmethod
    def resolve_holder(obj) -> str:
        return excel.holder_label(obj)


class PassbookOut(Schema):
    household_id: int
    head_name: str
    earned: int = Field(description="累计积分")
    available: int = Field(description="可用积分")
    period: str = Field(description="本期（按本村积分方案的考核周期）")
    period_points: int
    rank: int = Field(description="本期在全村的名次（并列同名次）")
    households: int
    count: int
    page: int
    page_size: int
    items: list[EntryOut]


class PageParams(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(20, ge=1, le=100)


class LedgerFilter(PageParams):
    region: str | None = Field(None, pattern=r"^\d{6,18}$", description="只看此辖区（村或网格）")
    period: str | None = Field(None, pattern=r"^\d{4}-(\d{1,2}|[Qq][1-4])$", description="2026-03 或 2026-Q1")
    kind: Literal["claim", "redemption", "refund", "correction", "transfer", "base"] | None = None
    item: str | None = Field(None, max_length=20, description="积分项编号")


class LedgerPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[EntryOut]


class CorrectIn(Schema):
    reason: str = Field(max_length=300)
    earned: StrictInt | None = Field(
        None, ge=-services.MAX_POINTS, le=services.MAX_POINTS, description="留空则冲销原记录"
    )


class SplitIn(Schema):
    member_ids: list[StrictInt] = Field(min_length=1, max_length=30)
    new_head_id: StrictInt
    address: str = Field(max_length=200)
    grid: str | None = Field(None, pattern=r"^\d{15,18}$", description="新户所在网格（默认与原户相同）")
    number: str = Field("", max_length=32)
    earned: StrictInt | None = Field(None, ge=0, description="村两委另定的分得累计积分")
    available: StrictInt | None = Field(None, ge=0, description="村两委另定的分得可用积分")
    reason: str = Field("", max_length=300)


class SplitOut(Schema):
    household_id: int
    rule: str
    rule_earned: int
    rule_available: int
    earned: int
    available: int
    entries: list[EntryOut]


def _passbook(household, params: PageParams) -> dict:
    s = selectors.standing(household)
    page = paginate(selectors.passbook_entries(household), params.page, params.page_size)
    return {
        "household_id": household.pk,
        "head_name": household.head_name,
        "earned": s.earned,
        "available": s.available,
        "period": s.period_label,
        "period_points": s.period_points,
        "rank": s.rank,
        "households": s.households,
        **page,
    }


@router.get("/passbook/", response={200: PassbookOut, **ERRORS}, summary="本户积分存折")
def passbook_mine(request, params: Query[PageParams]):
    return _passbook(selectors.own_household(user=request.auth), params)


@router.get(
    "/households/{int:household_id}/passbook/",
    response={200: PassbookOut, **ERRORS},
    summary="某户的积分存折",
)
def passbook_of_household(request, household_id: int, params: Query[PageParams]):
    return _passbook(selectors.household_get(user=request.auth, pk=household_id), params)


@router.get("/ledger/", response={200: LedgerPage, **ERRORS}, summary="积分流水（台账）")
def ledger_entries(request, filters: Query[LedgerFilter]):
    from xiangzhi import policy

    policy.require(request.auth, "points.view")
    if filters.period and selectors.parse_period(filters.period) is None:
        raise ValidationFailed("期间不正确：请写成 2026-03（月）或 2026-Q1（季度）。", field="period")
    qs = selectors.ledger_list(
        user=request.auth,
        region=filters.region,
        period=filters.period or "",
        kind=filters.kind or "",
        item=filters.item or "",
    )
    return paginate(qs, filters.page, filters.page_size)


@router.post(
    "/ledger/{int:entry_id}/correct",
    response={201: EntryOut, **ERRORS},
    summary="更正一条积分流水（另记一笔，原记录不变）",
)
def ledger_correct(request, entry_id: int, payload: CorrectIn):
    entry = selectors.entry_get(user=request.auth, pk=entry_id)
    fixed = services.correction(user=request.auth, entry=entry, reason=payload.reason, earned=payload.earned)
    return Status(201, fixed)


@router.post(
    "/households/{int:household_id}/split",
    response={201: SplitOut, **ERRORS},
    summary="分户并按规则划转积分",
    description=split_rules.SPLIT_RULE,
)
def points_household_split(request, household_id: int, payload: SplitIn):
    from xiangzhi.people.models import Resident
    from xiangzhi.regions.models import Region

    household = selectors.household_get(user=request.auth, pk=household_id)
    ids = set(payload.member_ids)
    members = list(Resident.objects.filter(household=household, pk__in=ids))
    if len(members) != len(ids):
        raise ValidationFailed("只能分出本户的成员。", field="member_ids")
    head = next((m for m in members if m.pk == payload.new_head_id), None)
    if head is None:
        raise ValidationFailed("新户户主须是分出的成员之一。", field="new_head_id")
    grid = None
    if payload.grid:
        grid = Region.objects.filter(code=payload.grid).first()
        if grid is None:
            raise ValidationFailed("找不到该网格。", field="grid")
    result = split_rules.household_split(
        user=request.auth,
        household=household,
        members=members,
        new_head=head,
        address=payload.address,
        grid=grid,
        number=payload.number,
        earned=payload.earned,
        available=payload.available,
        reason=payload.reason,
    )
    return Status(
        201,
        {
            "household_id": result.household.pk,
            "rule": split_rules.SPLIT_RULE,
            "rule_earned": result.shares.earned,
            "rule_available": result.shares.available,
            "earned": result.earned,
            "available": result.available,
            "entries": list(result.entries),
        },
    )
