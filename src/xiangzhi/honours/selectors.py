"""Reading the 红黑榜, scoped to the user through the policy; the public board (published lists only); the honours
flag other modules read (评先评优)."""

import datetime as dt

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from xiangzhi import policy
from xiangzhi.core import clock
from xiangzhi.core.calendar import end_of_day
from xiangzhi.honours import ranking
from xiangzhi.honours.models import BLACK, RED, Appeal, HonourEntry, HonourList
from xiangzhi.points import periods
from xiangzhi.points.policy import own_household_id
from xiangzhi.regions import codes
from xiangzhi.regions.models import Region

DEFAULT_BAR_PERIODS = 4


def _within(region: str | None) -> str | None:
    region = (region or "").strip()
    return region if region.isdigit() else None


def list_list(*, user, region: str | None = None, state: str = "", year: int | None = None) -> QuerySet:
    """The lists the user may see (drafts included), newest period first, with their entry counts."""
    within = _within(region)
    qs = policy.scope(user, "honours.view", HonourList.objects.all())
    if within and len(within) > 12:
        # a grid: its village's lists that name a household of the grid
        named = HonourEntry.objects.filter(codes.scope_q([within])).values("honour_list_id")
        qs = qs.filter(region_code=within[:12], pk__in=named)
    elif within:
        qs = qs.filter(codes.scope_q([within]))
    if state in dict(HonourList.STATE_CHOICES):
        qs = qs.filter(state=state)
    if year:
        qs = qs.filter(period_start__year=year)
    return (
        qs.select_related("region")
        .annotate(
            red=Count("entries", filter=Q(entries__kind=RED, entries__removed=False)),
            black=Count("entries", filter=Q(entries__kind=BLACK, entries__removed=False)),
            open_appeals=Count("entries__appeals", filter=Q(entries__appeals__state=Appeal.OPEN)),
        )
        .order_by("-period_start", "region_code", "-id")
    )


def list_get(*, user, pk: int, action: str = "honours.view") -> HonourList:
    return policy.get_scoped_or_404(
        user, action, HonourList.objects.select_related("region", "published_by"), pk=pk
    )


def entries_of(honour_list: HonourList, *, public: bool = False) -> dict[str, list[HonourEntry]]:
    """{"red": [...], "black": [...]} in rank order; the public board leaves removed entries out. Appeals come
    with each entry (one query)."""
    qs = honour_list.entries.order_by("rank", "id")
    if public:
        qs = qs.filter(removed=False)
    else:
        qs = qs.prefetch_related(
            Prefetch(
                "appeals", queryset=Appeal.objects.select_related("raised_by", "decided_by").order_by("id")
            )
        )
    out: dict[str, list[HonourEntry]] = {RED: [], BLACK: []}
    for e in qs:
        out[e.kind].append(e)
    return out


def appeals_of(honour_list: HonourList) -> list[Appeal]:
    return list(
        Appeal.objects.filter(entry__honour_list=honour_list)
        .select_related("entry", "raised_by", "decided_by")
        .order_by("state", "raised_at", "id")
    )


def appeal_get(*, user, pk: int, action: str = "honours.decide") -> Appeal:
    appeal = policy.get_scoped_or_404(
        user,
        "honours.view",
        Appeal.objects.select_related("entry", "entry__honour_list", "entry__honour_list__region"),
        pk=pk,
    )
    return appeal


def villages(*, user, action: str = "honours.view") -> QuerySet:
    from xiangzhi.regions import selectors as region_selectors

    return region_selectors.region_list(user=user, action=action, level=codes.VILLAGE).filter(is_active=True)


def village_get(*, user, code: str, action: str = "honours.generate") -> Region:
    from xiangzhi.regions import selectors as region_selectors

    return region_selectors.region_get(user=user, code=code, action=action, level=codes.VILLAGE)


# -- a villager's own household --------------------------------------------------------------------------------


def my_entries(*, user) -> list[HonourEntry]:
    """The own household's entries on lists that were told or published (never drafts), newest first."""
    household_id = own_household_id(user)
    if household_id is None:
        return []
    qs = policy.scope(user, "honours.view_own", HonourEntry.objects.all()).filter(
        household_id=household_id, honour_list__state__in=(HonourList.NOTIFIED, HonourList.PUBLISHED)
    )
    return list(
        qs.select_related("honour_list", "honour_list__region")
        .prefetch_related(Prefetch("appeals", queryset=Appeal.objects.order_by("id")))
        .order_by("-honour_list__period_start", "kind", "id")
    )


def my_entry_get(*, user, pk: int) -> HonourEntry:
    """One own entry (told or published), else an audited 404."""
    qs = HonourEntry.objects.filter(
        honour_list__state__in=(HonourList.NOTIFIED, HonourList.PUBLISHED)
    ).select_related("honour_list", "honour_list__region")
    return policy.get_scoped_or_404(user, "honours.view_own", qs, pk=pk)


# -- the public board (no login) ---------------------------------------------------------------------------------


def board_village(code: str) -> Region:
    village = Region.objects.filter(code=code, level=codes.VILLAGE, is_active=True).first()
    if village is None:
        raise Http404("未找到")
    return village


def board_lists(village: Region) -> QuerySet:
    """The village's published lists, newest period first: all the public ever sees."""
    return HonourList.objects.filter(region_code=village.code, state=HonourList.PUBLISHED).order_by(
        "-period_start", "-id"
    )


def board_list_get(village: Region, pk: int) -> HonourList:
    hl = board_lists(village).filter(pk=pk).select_related("region").first()
    if hl is None:
        raise Http404("未找到")
    return hl


# -- the Excel ranking -----------------------------------------------------------------------------------------


def period_ranking(honour_list: HonourList) -> list[tuple[ranking.Ranked, str, str]]:
    """Every household with ledger entries in the list's village and period, ranked by points earned, as the ledger
    says now: [(ranked, head's name, household number)]."""
    from xiangzhi.people.models import Household

    by_household = ranking.scores(
        [honour_list.region_code], honour_list.period_start, honour_list.period_end
    )[honour_list.region_code]
    ranked = ranking.full_ranking(by_household)
    names = {
        pk: (name, number)
        for pk, name, number in Household.objects.filter(
            pk__in=[r.score.household_id for r in ranked]
        ).values_list("pk", "head_name", "number")
    }
    return [(r, *names.get(r.score.household_id, ("", ""))) for r in ranked]


# -- the honours flag (评先评优) -----------------------------------------------------------------------------------


def bar_periods_default() -> int:
    return int(getattr(settings, "HONOURS_BAR_PERIODS", DEFAULT_BAR_PERIODS))


def _periods_between(earlier: dt.date, later: dt.date, period: str) -> int:
    """How many periods the period holding `later` comes after the one starting at `earlier` (0: the same)."""
    later_start, _ = periods.bounds(later, period)
    months = (later_start.year - earlier.year) * 12 + later_start.month - earlier.month
    return months // (3 if period == "quarter" else 1)


def honours_flag(household, *, on: dt.date | None = None, periods_back: int | None = None) -> bool | str:
    """Whether a published black-list entry bars `household` from honours (评先评优) on `on` (default today):
    False when nothing bars it, else the reason in Chinese (a true value), naming the list and what was done.

    An entry bars when its list was published by the end of `on` and its period is at most `periods_back`
    periods before the one holding `on` (settings.HONOURS_BAR_PERIODS, default 4; the list's own
    period kind, month or quarter). Removed entries (upheld appeals) never bar.

    This flag is about honours only. It must never be used to withhold or reduce a household's lawful property
    rights, such as its share of collective income or dividends (村民委员会组织法 Art. 27). The caller fetched
    `household` through its own scoped selector; nothing here reads more than that household's entries."""
    on = on or clock.today()
    n = bar_periods_default() if periods_back is None else int(periods_back)
    entries = (
        HonourEntry.objects.filter(
            household_id=household.pk,
            kind=BLACK,
            removed=False,
            honour_list__state=HonourList.PUBLISHED,
            honour_list__published_at__lt=end_of_day(on),
            honour_list__period_end__lte=on,
        )
        .select_related("honour_list", "honour_list__region")
        .order_by("-honour_list__period_start")
    )
    for e in entries:
        hl = e.honour_list
        if _periods_between(hl.period_start, on, hl.period) <= n:
            what = f"（{e.violation_summary}）" if e.violation_summary else ""
            return f"{hl.region.name}{hl.period_label}黑榜{what}"
    return False
