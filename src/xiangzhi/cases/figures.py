"""The figures the town and county watch (督、评), from a monthly rollup.

`CaseStat` holds one row per (region of the case, month it was reported, category): counts and sums. `rollup()`
rebuilds the rows of every (region, month) that has a case changed since its last run — a handful of GROUP BY
queries over one region-month each — and the figures are sums over those rows, so a town's year is a few thousand
rows whatever the number of cases. The figures lag the cases by at most one run of the job (5 minutes); the
page says when the rollup last ran.

Definitions (the issue's): 按期办结率 = closed on time / due (due = resolved, or ever past a deadline); mean
time to close = from report to the handler's result, over resolved cases; reopen rate = reopened / closed;
satisfaction = (满意 + 基本满意) / rated, with 未评价 counted apart and never as satisfied; escalations by the
highest level a case reached.
"""

import datetime as dt

from django.db import transaction
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import Substr, TruncMonth
from django.utils import timezone

from xiangzhi import policy
from xiangzhi.cases.models import CATEGORY_LABELS, Case, CaseStat, RollupMark
from xiangzhi.core import clock

MARK = "case_stats"
COUNTERS = (
    "received",
    "closed",
    "resolved",
    "due",
    "on_time",
    "close_seconds",
    "reopened",
    "satisfied",
    "partly",
    "unsatisfied",
    "unrated",
    "to_village",
    "to_town",
    "to_county",
)


def _month(moment: dt.datetime) -> dt.date:
    local = timezone.localtime(moment)
    return local.date().replace(day=1)


def _month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(month, dt.time.min, tzinfo=tz)
    nxt = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return start, dt.datetime.combine(nxt, dt.time.min, tzinfo=tz)


def _grouped(qs) -> list[CaseStat]:
    """CaseStat rows for the cases of `qs`, one per (region, month reported, category), in one grouped query."""
    closed = Q(state=Case.CLOSED)
    resolved = Q(resolved_at__isnull=False)
    rows = (
        qs.annotate(m=TruncMonth("reported_at"))
        .values("region_code", "m", "category")
        .annotate(
            received=Count("id"),
            closed=Count("id", filter=closed),
            resolved=Count("id", filter=resolved),
            due=Count("id", filter=resolved | Q(was_overdue=True)),
            on_time=Count("id", filter=Q(closed_on_time=True)),
            reopened=Count("id", filter=Q(reopen_count__gt=0)),
            satisfied=Count("id", filter=closed & Q(rating="satisfied")),
            partly=Count("id", filter=closed & Q(rating="partly")),
            unsatisfied=Count("id", filter=closed & Q(rating="unsatisfied")),
            unrated=Count("id", filter=closed & Q(rating="unrated")),
            to_village=Count("id", filter=Q(max_level="village")),
            to_town=Count("id", filter=Q(max_level="town")),
            to_county=Count("id", filter=Q(max_level="county")),
            close=Sum(
                ExpressionWrapper(F("resolved_at") - F("reported_at"), output_field=DurationField()),
                filter=resolved,
            ),
        )
        .order_by()
    )
    stats = []
    for r in rows.iterator(chunk_size=20_000):
        m, close = r.pop("m"), r.pop("close")
        month = (m.date() if isinstance(m, dt.datetime) else m).replace(day=1)
        stats.append(CaseStat(month=month, close_seconds=int(close.total_seconds()) if close else 0, **r))
    return stats


def rebuild(region_code: str, month: dt.date) -> None:
    """Recompute the rows of one region and month from the cases themselves."""
    start, end = _month_bounds(month)
    base = Case.objects.filter(region_code=region_code, reported_at__gte=start, reported_at__lt=end)
    with transaction.atomic():
        CaseStat.objects.filter(region_code=region_code, month=month).delete()
        CaseStat.objects.bulk_create(_grouped(base))


# A case changed by a transaction that began before a run and committed after it carries an `updated_at` earlier
# than the run's mark: each run looks back this far past the mark, so no such change is missed.
OVERLAP = dt.timedelta(minutes=10)


def rollup(*, now: dt.datetime | None = None, full: bool = False) -> int:
    """Rebuild the region-months touched since the last run; with `full`, every row from one grouped query over
    all cases. Returns how many region-months (or, with `full`, rows) were written. Safe to run twice at once:
    the mark row is locked for the run."""
    now = now or clock.now()
    with transaction.atomic():
        mark, _ = RollupMark.objects.select_for_update().get_or_create(
            name=MARK, defaults={"upto": dt.datetime(2000, 1, 1, tzinfo=dt.UTC)}
        )
        if full:
            stats = _grouped(Case.objects.all())
            CaseStat.objects.all().delete()
            CaseStat.objects.bulk_create(stats, batch_size=5_000)
            done = len(stats)
        else:
            changed = Case.objects.filter(updated_at__gte=mark.upto - OVERLAP)
            pairs = set(
                changed.order_by()
                .annotate(m=TruncMonth("reported_at"))
                .values_list("region_code", "m")
                .distinct()
            )
            for region_code, m in pairs:
                rebuild(region_code, (m.date() if isinstance(m, dt.datetime) else m).replace(day=1))
            done = len(pairs)
        mark.upto = now
        mark.save(update_fields=["upto"])
    return done


def last_rollup() -> dt.datetime | None:
    mark = RollupMark.objects.filter(name=MARK).first()
    return mark.upto if mark else None


def _rates(t: dict) -> dict:
    def ratio(a, b):
        return round(a / b, 4) if b else None

    rated = t["satisfied"] + t["partly"] + t["unsatisfied"]
    return {
        **t,
        "rated": rated,
        "on_time_rate": ratio(t["on_time"], t["due"]),
        "close_rate": ratio(t["closed"], t["received"]),
        "reopen_rate": ratio(t["reopened"], t["closed"]),
        "satisfaction_rate": ratio(t["satisfied"] + t["partly"], rated),
        "mean_hours_to_close": round(t["close_seconds"] / 3600 / t["resolved"], 1)
        if t.get("resolved")
        else None,
    }


def figures(*, user, region: str = "", start: dt.date, end: dt.date, category: str = "") -> dict:
    """Figures over the cases reported in the months from `start` to `end` (inclusive, by month), within the
    user's reach (and `region` when given): the totals, by category, and by the regions one level down."""
    from xiangzhi.regions.models import Region

    qs = policy.scope(user, "cases.figures", CaseStat.objects.all(), within=region or None)
    qs = qs.filter(month__gte=start.replace(day=1), month__lte=end.replace(day=1))
    if category:
        qs = qs.filter(category=category)
    sums = {k: Sum(k) for k in COUNTERS}
    total = {k: (v or 0) for k, v in qs.aggregate(**sums).items()}
    by_category = [
        _rates({k: row[k] or 0 for k in COUNTERS})
        | {"category": row["category"], "label": CATEGORY_LABELS.get(row["category"], "未分类")}
        for row in qs.values("category").annotate(**sums).order_by("category")
    ]
    # one level down from the region asked for (or from the user's widest grant)
    base = region or min(policy.region_prefixes(user, "cases.figures") or [""], key=len)
    child_len = {6: 9, 9: 12, 12: 15, 15: 18}.get(len(base), 0)
    by_region = []
    if child_len:
        rows = (
            qs.annotate(child=Substr("region_code", 1, child_len))
            .values("child")
            .annotate(**sums)
            .order_by("child")
        )
        names = dict(Region.objects.filter(code__in=[r["child"] for r in rows]).values_list("code", "name"))
        by_region = [
            _rates({k: row[k] or 0 for k in COUNTERS})
            | {"region_code": row["child"], "name": names.get(row["child"], row["child"])}
            for row in rows
        ]
    return {
        "total": _rates(total),
        "by_category": by_category,
        "by_region": by_region,
        "as_of": last_rollup(),
    }
