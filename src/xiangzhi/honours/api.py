"""红黑榜 over the API (/api/v1/honours/): the same selectors and services as the pages, scoped alike (a list out of
reach is a 404). The public board is a page (/honours/board/<village>/), not an API route."""

import datetime as dt
from typing import Literal

from ninja import Field, Query, Router, Schema, Status
from pydantic import StrictBool, StrictInt

from xiangzhi.apischema import ERRORS, MAX_PAGE, paginate
from xiangzhi.core import clock
from xiangzhi.honours import selectors, services
from xiangzhi.honours.models import LAWFUL_NOTE, TIE_RULE, HonourList

router = Router(tags=["红黑榜"])


class ListOut(Schema):
    id: int
    number: str
    region_code: str
    village: str = Field(alias="region.name")
    period: str
    period_label: str
    period_start: dt.date
    period_end: dt.date
    red_list_size: int
    state: str
    state_label: str = Field(alias="get_state_display")
    generated_at: dt.datetime
    households_ranked: int
    notified_at: dt.datetime | None
    appeal_until: dt.datetime | None
    published_at: dt.datetime | None
    version: int


class ListPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ListOut]


class EntryOut(Schema):
    id: int
    household_id: int
    head_name: str
    kind: str
    rank: int
    points: int
    violations: int
    violation_summary: str
    removed: bool
    removed_reason: str


class ListDetailOut(ListOut):
    red: list[EntryOut]
    black: list[EntryOut]
    tie_rule: str
    lawful_note: str


class AppealOut(Schema):
    id: int
    entry_id: int
    text: str
    raised_at: dt.datetime
    state: str
    state_label: str = Field(alias="get_state_display")
    reason: str
    decided_at: dt.datetime | None


class MineOut(EntryOut):
    list_id: int = Field(alias="honour_list_id")
    list_title: str
    list_state: str
    appeal_until: dt.datetime | None


class FlagOut(Schema):
    household_id: int
    on: dt.date
    barred: bool
    reason: str = Field(description="为何不能参加评先评优（上过哪一期黑榜）；不影响分红等财产权利")


class ListFilter(Schema):
    region: str | None = Field(None, pattern=r"^\d{6,18}$", description="只看此辖区（乡镇、村或网格）")
    state: Literal["draft", "notified", "published"] | None = None
    year: int | None = Field(None, ge=2000, le=2100)
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(20, ge=1, le=100)


class GenerateIn(Schema):
    village_code: str = Field(pattern=r"^\d{12}$")
    day: dt.date = Field(description="考核期内的任一天")


class VersionIn(Schema):
    version: StrictInt | None = None


class NotifyIn(VersionIn):
    appeal_days: StrictInt | None = Field(None, ge=1, le=services.MAX_APPEAL_DAYS)


class AppealIn(Schema):
    text: str = Field(max_length=1000)


class DecisionIn(Schema):
    upheld: StrictBool
    reason: str = Field(max_length=1000)


class FlagQuery(Schema):
    on: dt.date | None = None


def _detail(hl: HonourList) -> dict:
    entries = selectors.entries_of(hl)
    return {
        **ListOut.from_orm(hl).model_dump(by_alias=True),
        "red": entries["red"],
        "black": entries["black"],
        "tie_rule": TIE_RULE,
        "lawful_note": LAWFUL_NOTE,
    }


@router.get("/", response={200: ListPage, **ERRORS}, summary="红黑榜列表")
def honours_list(request, filters: Query[ListFilter]):
    qs = selectors.list_list(
        user=request.auth, region=filters.region, state=filters.state or "", year=filters.year
    )
    return paginate(qs, filters.page, filters.page_size)


@router.post("/", response={201: ListDetailOut, **ERRORS}, summary="生成（或重新生成草稿）某村某期红黑榜")
def honours_generate(request, payload: GenerateIn):
    village = selectors.village_get(user=request.auth, code=payload.village_code)
    hl = services.list_generate(user=request.auth, village=village, day=payload.day)
    return Status(201, _detail(selectors.list_get(user=request.auth, pk=hl.pk)))


@router.get("/{int:list_id}", response={200: ListDetailOut, **ERRORS}, summary="红黑榜详情")
def honours_detail(request, list_id: int):
    return _detail(selectors.list_get(user=request.auth, pk=list_id))


@router.post(
    "/{int:list_id}/regenerate", response={200: ListDetailOut, **ERRORS}, summary="按最新积分流水重新生成草稿"
)
def honours_regenerate(request, list_id: int, payload: VersionIn):
    hl = selectors.list_get(user=request.auth, pk=list_id)
    services.list_regenerate(user=request.auth, honour_list=hl, version=payload.version)
    return _detail(selectors.list_get(user=request.auth, pk=list_id))


@router.post(
    "/{int:list_id}/notify", response={200: ListDetailOut, **ERRORS}, summary="告知上榜农户，开始申诉期"
)
def honours_notify(request, list_id: int, payload: NotifyIn):
    hl = selectors.list_get(user=request.auth, pk=list_id)
    services.list_notify(
        user=request.auth, honour_list=hl, appeal_days=payload.appeal_days, version=payload.version
    )
    return _detail(selectors.list_get(user=request.auth, pk=list_id))


@router.post(
    "/{int:list_id}/publish",
    response={200: ListDetailOut, **ERRORS},
    summary="公布（申诉期满且申诉均已处理）",
)
def honours_publish(request, list_id: int, payload: VersionIn):
    hl = selectors.list_get(user=request.auth, pk=list_id)
    services.list_publish(user=request.auth, honour_list=hl, version=payload.version)
    return _detail(selectors.list_get(user=request.auth, pk=list_id))


@router.get("/{int:list_id}/appeals", response={200: list[AppealOut], **ERRORS}, summary="本期申诉")
def honours_appeals(request, list_id: int):
    return selectors.appeals_of(selectors.list_get(user=request.auth, pk=list_id))


@router.post(
    "/appeals/{int:appeal_id}/decision",
    response={200: AppealOut, **ERRORS},
    summary="处理申诉（成立则从榜单撤下）",
)
def honours_appeal_decide(request, appeal_id: int, payload: DecisionIn):
    appeal = selectors.appeal_get(user=request.auth, pk=appeal_id)
    return services.appeal_decide(
        user=request.auth, appeal=appeal, upheld=payload.upheld, reason=payload.reason
    )


@router.get("/mine", response={200: list[MineOut], **ERRORS}, summary="本户上榜情况（村民）")
def honours_mine(request):
    return [
        {
            **EntryOut.from_orm(e).model_dump(),
            "honour_list_id": e.honour_list_id,
            "list_title": str(e.honour_list),
            "list_state": e.honour_list.state,
            "appeal_until": e.honour_list.appeal_until,
        }
        for e in selectors.my_entries(user=request.auth)
    ]


@router.post(
    "/mine/{int:entry_id}/appeals", response={201: AppealOut, **ERRORS}, summary="对本户上榜提出申诉"
)
def honours_appeal_raise(request, entry_id: int, payload: AppealIn):
    entry = selectors.my_entry_get(user=request.auth, pk=entry_id)
    return Status(201, services.appeal_raise(user=request.auth, entry=entry, text_=payload.text))


@router.get(
    "/flag/{int:household_id}",
    response={200: FlagOut, **ERRORS},
    summary="评先评优资格：近几期是否上过已公布的黑榜",
)
def honours_flag(request, household_id: int, params: Query[FlagQuery]):
    from xiangzhi.people import selectors as people_selectors

    household = people_selectors.household_get(user=request.auth, pk=household_id)
    on = params.on or clock.today()
    reason = selectors.honours_flag(household, on=on)
    return {"household_id": household.pk, "on": on, "barred": bool(reason), "reason": reason or ""}
