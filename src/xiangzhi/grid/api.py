"""Patrols, visits and coverage over the API: scoped like the pages, the same services behind them.

Photos are not taken here yet (JSON bodies only): a phone sends them through the web form. A patrol sent again the
same day adds to that day's patrol and answers 200; the first one answers 201.
"""

import datetime as dt

from ninja import Field, Query, Router, Schema, Status

from xiangzhi import policy
from xiangzhi.apischema import ERRORS, MAX_PAGE, paginate
from xiangzhi.grid import selectors, services
from xiangzhi.grid.models import PURPOSE_CHOICES
from xiangzhi.people.models import Household
from xiangzhi.regions.models import Region

router = Router(tags=["网格工作"])

PURPOSE_PATTERN = "^(" + "|".join(code for code, _ in PURPOSE_CHOICES) + ")$"
REGION_PATTERN = r"^\d{6,18}$"


def _name(user) -> str:
    return getattr(user, "full_name", "") or getattr(user, "username", "")


class CaseIn(Schema):
    description: str = Field(..., min_length=1, max_length=2000, description="发现的问题，上报为事件")
    category: str = Field("", max_length=20, description="事件类别代码，可不填")


class PatrolIn(Schema):
    grid: str = Field(..., pattern=r"^\d{15}(\d{3})?$", description="网格（或微网格）代码")
    date: dt.date | None = Field(None, description="巡查日期，默认今天；可补录 7 天内的")
    notes: str = Field("", max_length=2000)
    route: str = Field("", max_length=200)
    started_at: dt.time | None = None
    ended_at: dt.time | None = None
    cases: list[CaseIn] = Field(default_factory=list, max_length=services.MAX_CASES)


class PatrolOut(Schema):
    id: int
    region_code: str
    grid_name: str
    worker: str
    date: dt.date
    started_at: dt.time | None
    ended_at: dt.time | None
    route: str
    notes: str
    submissions: int
    cases: list[str] = Field(description="上报事件的编号")

    @staticmethod
    def resolve_grid_name(obj):
        return obj.region.name

    @staticmethod
    def resolve_worker(obj):
        return _name(obj.worker)

    @staticmethod
    def resolve_cases(obj):
        return [c.number for c in obj.cases.all()]


class PatrolPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[PatrolOut]


class VisitIn(Schema):
    household_id: int = Field(..., strict=True, ge=1, le=2**62)
    purpose: str = Field(..., pattern=PURPOSE_PATTERN, description="routine 日常走访, policy 政策宣传, …")
    date: dt.date | None = Field(None, description="走访日期，默认今天；可补录 7 天内的")
    notes: str = Field("", max_length=2000)
    needs: str = Field("", max_length=2000, description="发现的诉求")
    follow_up_due: dt.date | None = Field(None, description="回访期限")
    parent_id: int | None = Field(None, strict=True, ge=1, le=2**62, description="回访的是哪一次走访")
    cases: list[CaseIn] = Field(default_factory=list, max_length=services.MAX_CASES)


class VisitOut(Schema):
    id: int
    region_code: str
    household_id: int
    household: str
    worker: str
    date: dt.date
    purpose: str
    notes: str
    needs: str
    follow_up_due: dt.date | None
    followed_up_at: dt.datetime | None
    parent_id: int | None
    cases: list[str]

    @staticmethod
    def resolve_household(obj):
        return str(obj.household)

    @staticmethod
    def resolve_worker(obj):
        return _name(obj.worker)

    @staticmethod
    def resolve_cases(obj):
        return [c.number for c in obj.cases.all()]


class VisitPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[VisitOut]


class ListFilter(Schema):
    region: str | None = Field(None, pattern=REGION_PATTERN, description="只看此辖区（村或网格）")
    worker: int | None = Field(None, ge=1, le=2**62, description="网格员的用户编号")
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(20, ge=1, le=100)


class VisitFilter(ListFilter):
    purpose: str | None = Field(None, pattern=PURPOSE_PATTERN)
    q: str | None = Field(None, max_length=50, description="户主姓名、拼音首字母、户号或住址")


class CoverageFilter(Schema):
    region: str | None = Field(None, pattern=REGION_PATTERN)
    start: dt.date | None = Field(None, description="默认本月第一天")
    end: dt.date | None = Field(None, description="默认本月最后一天")


class GridCoverageOut(Schema):
    region_code: str
    name: str
    households: int
    visited: int
    never_visited: int
    rate: float | None
    visits: int
    patrol_days: int
    patrols: int


class WorkerCoverageOut(Schema):
    user_id: int
    name: str
    grids: list[str]
    patrol_days: int
    patrols: int
    visits: int
    households_visited: int
    households: int
    visited_in_grids: int
    rate: float | None


class CoverageOut(Schema):
    start: dt.date
    end: dt.date
    households: int
    visited: int
    never_visited: int
    rate: float | None
    grids: list[GridCoverageOut]
    workers: list[WorkerCoverageOut]


@router.get("/patrols/", response={200: PatrolPage, **ERRORS}, summary="巡查列表")
def grid_patrol_list(request, filters: Query[ListFilter]):
    policy.require(request.auth, "grid.view")
    qs = selectors.patrol_list(
        user=request.auth,
        region_code=filters.region,
        worker_id=filters.worker,
        date_from=filters.date_from,
        date_to=filters.date_to,
    ).prefetch_related("cases")
    return paginate(qs, filters.page, filters.page_size)


@router.post(
    "/patrols/", response={200: PatrolOut, 201: PatrolOut, **ERRORS}, summary="登记巡查（当天再次提交则补充）"
)
def grid_patrol_create(request, payload: PatrolIn):
    grid = policy.get_scoped_or_404(
        request.auth, "grid.view", Region.objects.filter(level__in=("grid", "micro_grid")), code=payload.grid
    )
    patrol, created = services.patrol_record(
        user=request.auth,
        grid=grid,
        date=payload.date,
        notes=payload.notes,
        route=payload.route,
        started_at=payload.started_at,
        ended_at=payload.ended_at,
        cases=[services.CaseDraft(description=c.description, category=c.category) for c in payload.cases],
    )
    return Status(201 if created else 200, patrol)


@router.get("/visits/", response={200: VisitPage, **ERRORS}, summary="走访列表")
def grid_visit_list(request, filters: Query[VisitFilter]):
    policy.require(request.auth, "grid.view")
    qs = selectors.visit_list(
        user=request.auth,
        region_code=filters.region,
        worker_id=filters.worker,
        purpose=filters.purpose,
        date_from=filters.date_from,
        date_to=filters.date_to,
        q=filters.q,
    ).prefetch_related("cases")
    return paginate(qs, filters.page, filters.page_size)


@router.post("/visits/", response={201: VisitOut, 200: VisitOut, **ERRORS}, summary="登记走访或回访")
def grid_visit_create(request, payload: VisitIn):
    household = policy.get_scoped_or_404(
        request.auth, "grid.view", Household.objects.all(), pk=payload.household_id
    )
    parent = selectors.visit_get(user=request.auth, pk=payload.parent_id) if payload.parent_id else None
    visit = services.visit_record(
        user=request.auth,
        household=household,
        purpose=payload.purpose,
        date=payload.date,
        notes=payload.notes,
        needs=payload.needs,
        follow_up_due=payload.follow_up_due,
        parent=parent,
        cases=[services.CaseDraft(description=c.description, category=c.category) for c in payload.cases],
    )
    return Status(201, visit)


@router.get("/coverage", response={200: CoverageOut, **ERRORS}, summary="网格工作覆盖情况")
def grid_coverage(request, filters: Query[CoverageFilter]):
    policy.require(request.auth, "grid.view")
    month_start, month_end = selectors.month_period()
    start = filters.start or month_start
    end = filters.end or max(start, month_end)
    cov = selectors.coverage(user=request.auth, region=filters.region, start=start, end=end)
    return {
        "start": cov.start,
        "end": cov.end,
        "households": cov.households,
        "visited": cov.visited,
        "never_visited": cov.never_visited,
        "rate": cov.rate,
        "grids": [
            {
                "region_code": g.region.code,
                "name": g.region.name,
                "households": g.households,
                "visited": g.visited,
                "never_visited": g.never_visited,
                "rate": g.rate,
                "visits": g.visits,
                "patrol_days": g.patrol_days,
                "patrols": g.patrols,
            }
            for g in cov.grids
        ],
        "workers": [
            {
                "user_id": w.user.pk,
                "name": w.name,
                "grids": [g.code for g in w.grids],
                "patrol_days": w.patrol_days,
                "patrols": w.patrols,
                "visits": w.visits,
                "households_visited": w.households_visited,
                "households": w.households,
                "visited_in_grids": w.visited_in_grids,
                "rate": w.rate,
            }
            for w in cov.workers
        ],
    }
