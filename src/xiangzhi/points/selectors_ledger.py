"""Reading the ledger: passbooks (a household's entries and balances, its rank in the village this period) and the
village ledger list, always through the policy (`points.view` for cadres, `points.view_own` for a villager's own
household; a household out of reach is an audited 404)."""

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404

from xiangzhi import policy
from xiangzhi.core import clock
from xiangzhi.core.errors import NotFound
from xiangzhi.points import ledger, periods
from xiangzhi.points.models import HOLDER_HOUSEHOLD, PERIOD_MONTH, LedgerEntry, PointScheme
from xiangzhi.points.policy import own_household_id
from xiangzhi.regions.codes import scope_q

KIND_LABELS = dict(LedgerEntry.KIND_CHOICES)
# What counts as "earned in the period" for a rank: points given or taken for what a household did, not points
# moved between households (分户) or spent.
EARNING_KINDS = (LedgerEntry.CLAIM, LedgerEntry.CORRECTION, LedgerEntry.BASE)
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$", re.IGNORECASE)


def _households():
    from xiangzhi.people.models import Household

    return Household.objects.select_related("region", "head")


def household_get(*, user, pk: int):
    """A household whose passbook the user may read: a cadre's in scope (`points.view`) or the villager's own
    (`points.view_own`). Anything else is the same 404, audited."""
    from xiangzhi.audit.services import record_denied

    household = _households().filter(pk=pk).first()
    if household is None:
        raise Http404("未找到")
    if policy.can(user, "points.view", household) or policy.can(user, "points.view_own", household):
        return household
    record_denied("points.view", obj=household, region_code=household.region_code, detail="out_of_scope")
    raise Http404("未找到")


def own_household(*, user):
    """The household of the villager's own resident record (a NotFound in words when the account has none)."""
    pk = own_household_id(user)
    if pk is None:
        raise NotFound("您的账号还没有关联到户，请联系村委会。")
    household = _households().filter(pk=pk).first()
    if household is None:
        raise NotFound("您的账号还没有关联到户，请联系村委会。")
    policy.require(user, "points.view_own", household)
    return household


def passbook_entries(household, *, newest_first: bool = True) -> QuerySet:
    order = ("-at", "-id") if newest_first else ("at", "id")
    return LedgerEntry.objects.filter(household=household).select_related("household").order_by(*order)


def scheme_period(village_code: str) -> str:
    scheme = PointScheme.objects.filter(
        region_code=village_code, kind=HOLDER_HOUSEHOLD, status=PointScheme.ACTIVE
    ).first()
    return scheme.period if scheme else PERIOD_MONTH


@dataclass(frozen=True)
class Standing:
    earned: int
    available: int
    period_label: str
    period_points: int  # earned in this period (claims and corrections)
    rank: int  # 1 = most points this period; ties share a rank
    households: int  # active households of the village


def standing(household, *, day: dt.date | None = None) -> Standing:
    """累计/可用积分 and the household's rank in its village for the period holding `day` (default today)."""
    from xiangzhi.people.models import Household

    day = day or clock.today()
    village = household.region_code[:12]
    period = scheme_period(village)
    start, end = periods.bounds(day, period)
    earned, available = ledger.balance_of(ledger.Holder.of(household))
    sums = (
        LedgerEntry.objects.filter(
            scope_q([village]),
            household__isnull=False,
            kind__in=EARNING_KINDS,
            occurred_on__range=(start, end),
        )
        .values("household_id")
        .annotate(s=Sum("earned_delta"))
    )
    by_household = {r["household_id"]: r["s"] for r in sums}
    mine = by_household.get(household.pk, 0)
    households = Household.objects.filter(scope_q([village]), status=Household.STATUS_ACTIVE).count()
    ahead = sum(1 for s in by_household.values() if s > mine)
    if mine < 0:  # households without entries this period (0 points) stand ahead of one with deductions
        ahead += max(households - len([s for s in by_household.values()]), 0)
    return Standing(
        earned=earned,
        available=available,
        period_label=periods.label(start, period),
        period_points=mine,
        rank=ahead + 1,
        households=max(households, 1),
    )


# -- the village ledger ----------------------------------------------------------------------------------------------


def parse_period(value: str) -> tuple[dt.date, dt.date] | None:
    """ "2026-03" (a month) or "2026-Q1" (a quarter): its first and last day; None for anything else."""
    value = (value or "").strip()
    if m := _MONTH.match(value):
        year, month = int(m.group(1)), int(m.group(2))
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return periods.bounds(dt.date(year, month, 1), "month")
    if m := _QUARTER.match(value):
        year = int(m.group(1))
        if 2000 <= year <= 2100:
            return periods.bounds(dt.date(year, 3 * (int(m.group(2)) - 1) + 1, 1), "quarter")
    return None


def period_choices(*, months: int = 12) -> list[tuple[str, str]]:
    """The last `months` months and the last four quarters, for a filter."""
    today = clock.today()
    out, start = [], dt.date(today.year, today.month, 1)
    for _ in range(months):
        out.append((f"{start:%Y-%m}", periods.label(start, "month")))
        start = (start - dt.timedelta(days=1)).replace(day=1)
    q_start, _ = periods.bounds(today, "quarter")
    for _ in range(4):
        out.append((f"{q_start.year}-Q{(q_start.month - 1) // 3 + 1}", periods.label(q_start, "quarter")))
        q_start, _ = periods.previous(q_start, "quarter")
    return out


def _within(region: str | None) -> str | None:
    region = (region or "").strip()
    return region if region.isdigit() and 6 <= len(region) <= 18 else None


def ledger_list(
    *,
    user,
    region: str | None = None,
    period: str = "",
    kind: str = "",
    item: str = "",
    action: str = "points.view",
) -> QuerySet:
    """The entries the user may see (newest first), filtered by region (a village or grid code), period
    ("2026-03", "2026-Q1"), kind and item code."""
    qs = policy.scope(user, action, LedgerEntry.objects.all(), within=_within(region))
    bounds = parse_period(period)
    if bounds:
        qs = qs.filter(occurred_on__range=bounds)
    if kind in KIND_LABELS:
        qs = qs.filter(kind=kind)
    item = (item or "").strip().upper()[:20]
    if item:
        qs = qs.filter(item_code=item)
    return qs.select_related("household", "party_member", "corrects").order_by("-at", "-id")


def ledger_totals(qs: QuerySet) -> dict:
    return qs.order_by().aggregate(
        entries=Count("id"),
        earned=Sum("earned_delta"),
        available=Sum("available_delta"),
        plus=Sum("earned_delta", filter=Q(earned_delta__gt=0)),
        minus=Sum("earned_delta", filter=Q(earned_delta__lt=0)),
    )


def entry_get(*, user, pk: int, action: str = "points.view") -> LedgerEntry:
    return policy.get_scoped_or_404(
        user, action, LedgerEntry.objects.select_related("household", "party_member", "corrects"), pk=pk
    )


def item_choices(*, user) -> list[tuple[str, str]]:
    """Item codes seen in the user's ledger (for the filter), with the latest name of each."""
    qs = (
        policy.scope(user, "points.view", LedgerEntry.objects.exclude(item_code=""))
        .values_list("item_code", "item_name")
        .distinct()
        .order_by("item_code")[:200]
    )
    return list(dict(qs).items())


def villages(*, user):
    from xiangzhi.regions.models import Region

    return policy.scope(user, "points.view", Region.objects.filter(level="village"), field="code").order_by(
        "code"
    )


def grids(*, user):
    from xiangzhi.regions.models import Region

    return policy.scope(
        user, "points.view", Region.objects.filter(level__in=("village", "grid")), field="code"
    ).order_by("code")
