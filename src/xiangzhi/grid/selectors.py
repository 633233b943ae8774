"""Reading patrols, visits and coverage, always scoped to what the user may see (`grid.view`).

Coverage of a period (`coverage`) is a handful of aggregate queries whatever the number of grids, workers and
households: patrol days per grid and per worker, households visited per grid and per worker, households in each
grid. Only households on the register (在册) count: a closed household (已销户) is neither to visit nor unvisited.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Substr

from xiangzhi import policy
from xiangzhi.accounts.roles import GRID_STAFF
from xiangzhi.core import clock
from xiangzhi.core.errors import ValidationFailed
from xiangzhi.grid.models import PURPOSE_LABELS, Patrol, Visit
from xiangzhi.people.models import Household
from xiangzhi.people.selectors import prefix_range
from xiangzhi.regions.codes import LENGTHS, minimal_prefixes
from xiangzhi.regions.models import Region

GRID_LENGTH = LENGTHS["grid"]
MAX_PERIOD_DAYS = 366


# -- patrols ----------------------------------------------------------------------------------------------------


def patrol_list(
    *,
    user,
    region_code: str | None = None,
    worker_id: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet:
    qs = policy.scope(user, "grid.view", Patrol.objects.all(), within=region_code).select_related(
        "worker", "region"
    )
    if worker_id:
        qs = qs.filter(worker_id=worker_id)
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    return qs.annotate(
        case_count=Count("cases", distinct=True), photo_count=Count("photos", distinct=True)
    ).order_by("-date", "-id")


def patrol_get(*, user, pk) -> Patrol:
    return policy.get_scoped_or_404(
        user, "grid.view", Patrol.objects.select_related("worker", "region"), pk=pk
    )


def patrol_of_day(*, user, grid: Region, date: dt.date | None = None) -> Patrol | None:
    """The user's own patrol of `grid` on `date` (today), if one was sent already."""
    return (
        Patrol.objects.filter(worker=user, region=grid, date=date or clock.today())
        .prefetch_related("cases")
        .first()
    )


def patrol_grid_choices(*, user) -> QuerySet:
    """The grids the user may patrol (`grid.record`), in use."""
    return (
        policy.scope(
            user,
            "grid.record",
            Region.objects.filter(level__in=("grid", "micro_grid"), is_active=True),
            field="code",
        )
        .select_related("parent")
        .order_by("code")
    )


# -- visits -----------------------------------------------------------------------------------------------------


def visit_list(
    *,
    user,
    region_code: str | None = None,
    worker_id: int | None = None,
    purpose: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    q: str | None = None,
    household_id: int | None = None,
) -> QuerySet:
    qs = policy.scope(user, "grid.view", Visit.objects.all(), within=region_code).select_related(
        "worker", "household"
    )
    if worker_id:
        qs = qs.filter(worker_id=worker_id)
    if purpose in PURPOSE_LABELS:
        qs = qs.filter(purpose=purpose)
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    if household_id:
        qs = qs.filter(household_id=household_id)
    if q and q.strip():
        qs = qs.filter(household__in=_household_match(q.strip()))
    return qs.annotate(case_count=Count("cases")).order_by("-date", "-id")


def visit_get(*, user, pk) -> Visit:
    return policy.get_scoped_or_404(
        user, "grid.view", Visit.objects.select_related("worker", "household", "parent"), pk=pk
    )


def follow_up_list(*, user, region_code: str | None = None, overdue_only: bool = False) -> QuerySet:
    """Visits whose follow-up (回访) is due and not yet done, soonest first."""
    qs = policy.scope(
        user,
        "grid.view",
        Visit.objects.filter(follow_up_due__isnull=False, followed_up_at__isnull=True),
        within=region_code,
    ).select_related("worker", "household")
    if overdue_only:
        qs = qs.filter(follow_up_due__lt=clock.today())
    return qs.order_by("follow_up_due", "id")


def _household_match(q: str) -> Q:
    """Households by head's name, pinyin initials, 户号 or part of the address."""
    if q.isascii() and q.isalpha():
        match = prefix_range("head_initials", q.lower())
    else:
        match = Q(head_name__contains=q) | Q(number=q) | Q(address__contains=q)
    return Household.objects.filter(match).values("pk")


def visit_household_choices(*, user, q: str | None = None) -> QuerySet:
    """Households on the register in the user's own grids (`grid.record`), for the visit form's search."""
    qs = policy.scope(
        user, "grid.record", Household.objects.filter(status=Household.STATUS_ACTIVE)
    ).select_related("region")
    if q and q.strip():
        qs = qs.filter(pk__in=_household_match(q.strip()))
    return qs.order_by("region_code", "id")


def visit_household_get(*, user, pk) -> Household | None:
    """A household the user may visit, or None (the form says why)."""
    if not str(pk).isdigit():
        return None
    return visit_household_choices(user=user).filter(pk=int(pk)).first()


def worker_choices(*, user, region_code: str | None = None) -> list:
    """The grid workers and leaders assigned within the user's reach, for the list filters (one query)."""
    from xiangzhi.accounts.models import RoleAssignment, User

    ids = policy.scope(
        user,
        "grid.view",
        RoleAssignment.objects.filter(is_active=True, role__in=GRID_STAFF),
        within=region_code,
    ).values("user_id")
    return list(
        User.objects.filter(pk__in=ids).only("id", "username", "full_name").order_by("full_name", "id")
    )


# -- coverage ---------------------------------------------------------------------------------------------------


def month_period(day: dt.date | None = None) -> tuple[dt.date, dt.date]:
    day = day or clock.today()
    start = day.replace(day=1)
    nxt = (start + dt.timedelta(days=32)).replace(day=1)
    return start, nxt - dt.timedelta(days=1)


def check_period(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise ValidationFailed("结束日期不能早于开始日期。", field="end")
    if (end - start).days >= MAX_PERIOD_DAYS:
        raise ValidationFailed(f"统计期最长 {MAX_PERIOD_DAYS} 天。", field="end")


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


@dataclass
class GridRow:
    region: Region
    households: int = 0
    visited: int = 0
    visits: int = 0
    patrol_days: int = 0
    patrols: int = 0

    @property
    def never_visited(self) -> int:
        return self.households - self.visited

    @property
    def rate(self) -> float | None:
        return _rate(self.visited, self.households)

    @property
    def rate_text(self) -> str:
        return percent(self.rate)


@dataclass
class WorkerRow:
    user: object
    grids: list = field(default_factory=list)  # the grids (Regions) assigned within the region
    patrol_days: int = 0
    patrols: int = 0
    visits: int = 0
    households_visited: int = 0  # distinct households the worker visited, anywhere in the region
    households: int = 0  # households on the register in the worker's grids
    visited_in_grids: int = 0  # of those, visited by the worker

    @property
    def never_visited(self) -> int:
        return self.households - self.visited_in_grids

    @property
    def rate(self) -> float | None:
        return _rate(self.visited_in_grids, self.households)

    @property
    def rate_text(self) -> str:
        return percent(self.rate)

    @property
    def grid_names(self) -> str:
        return "、".join(g.name for g in self.grids)

    @property
    def name(self) -> str:
        return getattr(self.user, "full_name", "") or getattr(self.user, "username", "")


@dataclass
class Coverage:
    start: dt.date
    end: dt.date
    region_code: str | None
    grids: list[GridRow]
    workers: list[WorkerRow]

    @property
    def households(self) -> int:
        return sum(g.households for g in self.grids)

    @property
    def visited(self) -> int:
        return sum(g.visited for g in self.grids)

    @property
    def never_visited(self) -> int:
        return self.households - self.visited

    @property
    def rate(self) -> float | None:
        return _rate(self.visited, self.households)

    @property
    def rate_text(self) -> str:
        return percent(self.rate)

    @property
    def visits(self) -> int:
        return sum(g.visits for g in self.grids)

    @property
    def patrols(self) -> int:
        return sum(g.patrols for g in self.grids)


def _code(region) -> str | None:
    if region is None or region == "":
        return None
    return region if isinstance(region, str) else region.code


def _under(by_code: dict[str, int], prefixes) -> int:
    return sum(n for code, n in by_code.items() if any(code.startswith(p) for p in prefixes))


def coverage(*, user, region=None, start: dt.date, end: dt.date, action: str = "grid.view") -> Coverage:
    """Coverage of `region` (a Region, a code, or None: all the user may see) from `start` to `end` inclusive,
    per grid and per grid worker. Seven queries, whatever the size of the region."""
    from xiangzhi.accounts.models import RoleAssignment, User

    check_period(start, end)
    within = _code(region)

    def scoped(qs, **kw):
        return policy.scope(user, action, qs, within=within, **kw)

    grids = list(scoped(Region.objects.filter(level="grid", is_active=True), field="code").order_by("code"))
    rows = {g.code: GridRow(region=g) for g in grids}

    households_by_code = dict(
        scoped(Household.objects.filter(status=Household.STATUS_ACTIVE))
        .values_list("region_code")
        .annotate(n=Count("id"))
        .order_by()
    )
    in_period = Q(date__gte=start, date__lte=end)
    visited_active = Count("household", distinct=True, filter=Q(household__status=Household.STATUS_ACTIVE))
    visits_by_code = list(
        scoped(Visit.objects.filter(in_period))
        .values("region_code")
        .annotate(visits=Count("id"), visited=visited_active)
        .order_by()
    )
    patrols_by_grid = list(
        scoped(Patrol.objects.filter(in_period))
        .annotate(grid=Substr("region_code", 1, GRID_LENGTH))
        .values("grid")
        .annotate(days=Count("date", distinct=True), patrols=Count("id"))
        .order_by()
    )
    for code, n in households_by_code.items():
        if code[:GRID_LENGTH] in rows:
            rows[code[:GRID_LENGTH]].households += n
    for v in visits_by_code:
        row = rows.get(v["region_code"][:GRID_LENGTH])
        if row is not None:
            row.visits += v["visits"]
            row.visited += v["visited"]  # a household lies in one code: the sum over codes stays distinct
    for p in patrols_by_grid:
        row = rows.get(p["grid"])
        if row is not None:
            row.patrol_days, row.patrols = p["days"], p["patrols"]

    # workers: those assigned within the region, and any who patrolled or visited there since
    assignments = list(
        scoped(RoleAssignment.objects.filter(is_active=True, role__in=GRID_STAFF)).select_related("user")
    )
    patrols_by_worker = {
        p["worker"]: p
        for p in scoped(Patrol.objects.filter(in_period))
        .values("worker")
        .annotate(days=Count("date", distinct=True), patrols=Count("id"))
        .order_by()
    }
    visits_by_worker_code = list(
        scoped(Visit.objects.filter(in_period))
        .values("worker", "region_code")
        .annotate(visits=Count("id"), visited=visited_active)
        .order_by()
    )
    workers: dict[int, WorkerRow] = {}
    prefixes: dict[int, list[str]] = defaultdict(list)
    for a in assignments:
        w = workers.setdefault(a.user_id, WorkerRow(user=a.user))
        prefixes[a.user_id].append(a.region_code)
    missing = ({*patrols_by_worker} | {v["worker"] for v in visits_by_worker_code}) - set(workers)
    if missing:
        for u in User.objects.filter(pk__in=missing).only("id", "username", "full_name"):
            workers[u.pk] = WorkerRow(user=u)
    grid_by_code = {g.code: g for g in grids}
    for uid, w in workers.items():
        mine = minimal_prefixes(prefixes.get(uid, []))
        w.grids = [grid_by_code.get(p[:GRID_LENGTH]) for p in mine if p[:GRID_LENGTH] in grid_by_code]
        w.households = _under(households_by_code, mine)
        p = patrols_by_worker.get(uid)
        if p:
            w.patrol_days, w.patrols = p["days"], p["patrols"]
    for v in visits_by_worker_code:
        w = workers[v["worker"]]
        w.visits += v["visits"]
        w.households_visited += v["visited"]
        if any(v["region_code"].startswith(p) for p in prefixes.get(v["worker"], [])):
            w.visited_in_grids += v["visited"]
    ordered = sorted(workers.values(), key=lambda w: (w.grids[0].code if w.grids else "~", w.name, w.user.pk))
    return Coverage(start=start, end=end, region_code=within, grids=list(rows.values()), workers=ordered)


def never_visited(*, user, region=None, start: dt.date, end: dt.date, action: str = "grid.view") -> QuerySet:
    """Households on the register in `region` that nobody visited from `start` to `end` (paginate it)."""
    check_period(start, end)
    seen = Visit.objects.filter(household=OuterRef("pk"), date__gte=start, date__lte=end)
    return (
        policy.scope(
            user, action, Household.objects.filter(status=Household.STATUS_ACTIVE), within=_code(region)
        )
        .filter(~Exists(seen))
        .select_related("region")
        .order_by("region_code", "id")
    )
