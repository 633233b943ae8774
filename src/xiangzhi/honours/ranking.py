"""Computing the 红黑榜 from the points ledger: one grouped query for many villages of one period.

The query reads `points_ledgerentry` through its index (region_code, occurred_on): the villages' region codes are
listed (`region_code IN (…)`, one index descent per grid) rather than given as a prefix range, because a range on
the first column would read every period of the whole subtree before filtering the dates. It groups by village and
household, and keeps apart, one row each, the entries that matter to the black list (violations and corrections),
so that both lists come out of a single pass:

- 本期积分 (points earned in the period) = claim entries + their corrections, deductions included; redemptions,
  refunds, transfers (分户) and base scores are not "earned in the period";
- violation points = the violation entries (`is_violation`) plus every correction whose chain of `corrects` leads
  to one (a correction belongs to the period of the entry it corrects); a violation undone in full no longer
  counts, one undone in part still does.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Case, F, IntegerField, Max, Q, Sum, Value, When
from django.db.models.functions import Substr

from xiangzhi.points.models import LedgerEntry
from xiangzhi.regions.models import Region

EARNING_KINDS = (LedgerEntry.CLAIM, LedgerEntry.CORRECTION)


@dataclass
class Score:
    household_id: int
    earned: int = 0  # 本期积分
    violation_points: int = 0  # ≤ 0
    violations: int = 0
    items: dict[str, list[int]] = field(default_factory=dict)  # item name -> [count, points]

    @property
    def summary(self) -> str:
        parts = [
            f"{name}×{n}（{pts}分）" for name, (n, pts) in sorted(self.items.items(), key=lambda x: x[1][1])
        ]
        return "；".join(parts)[:500]


@dataclass
class Ranked:
    score: Score
    rank: int


def region_codes(village_codes) -> dict[str, list[str]]:
    """Every region code at or below each village (the village itself, grids, micro-grids), in one query per
    county: {village code: [codes]}."""
    wanted = set(village_codes)
    by_village: dict[str, list[str]] = {v: [] for v in wanted}
    counties = sorted({v[:6] for v in wanted})
    for county in counties:
        rows = Region.objects.filter(
            code__gte=county, code__lt=county + "~", level__in=("village", "grid", "micro_grid")
        )
        for code in rows.values_list("code", flat=True):
            if code[:12] in wanted:
                by_village[code[:12]].append(code)
    return by_village


def scores(village_codes, start: dt.date, end: dt.date) -> dict[str, dict[int, Score]]:
    """{village code: {household id: Score}} for the households with ledger entries in [start, end]."""
    codes = [c for cs in region_codes(village_codes).values() for c in cs]
    result: dict[str, dict[int, Score]] = {v: {} for v in village_codes}
    if not codes:
        return result
    black_side = Q(is_violation=True) | Q(kind=LedgerEntry.CORRECTION)
    rows = (
        LedgerEntry.objects.filter(
            region_code__in=codes, occurred_on__range=(start, end), household__isnull=False
        )
        .values(
            village=Substr("region_code", 1, 12),
            hid=F("household_id"),
            key=Case(When(black_side, then=F("id")), default=Value(None), output_field=IntegerField()),
        )
        .annotate(
            earned=Sum(
                Case(When(kind__in=EARNING_KINDS, then=F("earned_delta")), default=Value(0)),
                output_field=IntegerField(),
            ),
            item=Max("item_name"),
            corrects=Max("corrects_id"),
            violation=Max(Case(When(is_violation=True, then=Value(1)), default=Value(0))),
        )
        .order_by()
    )
    # black-side rows: id -> (village, household, item, delta, corrects, is_violation)
    singles: dict[int, tuple] = {}
    for r in rows.iterator(chunk_size=5000):
        by_household = result.setdefault(r["village"], {})
        s = by_household.get(r["hid"])
        if s is None:
            s = by_household[r["hid"]] = Score(household_id=r["hid"])
        s.earned += r["earned"] or 0
        if r["key"] is not None:
            singles[r["key"]] = (
                r["village"],
                r["hid"],
                r["item"],
                r["earned"] or 0,
                r["corrects"],
                r["violation"],
            )
    _fold_violations(singles, result)
    return result


def _fold_violations(singles: dict[int, tuple], result: dict[str, dict[int, Score]]) -> None:
    net: dict[int, int] = {}
    for pk, (_v, _h, _item, delta, _corrects, violation) in singles.items():
        if violation:
            net[pk] = net.get(pk, 0) + delta
    for _pk, (_v, _h, _item, delta, corrects, violation) in singles.items():
        if violation or corrects is None:
            continue
        root, seen = corrects, set()
        while root in singles and not singles[root][5] and root not in seen:  # a correction of a correction
            seen.add(root)
            root = singles[root][4]
        if root in singles and singles[root][5]:
            net[root] = net.get(root, 0) + delta
    for root, points in net.items():
        if points >= 0:
            continue  # undone in full (or more)
        village, hid, item, _delta, _c, _v = singles[root]
        s = result[village][hid]
        s.violation_points += points
        s.violations += 1
        counted = s.items.setdefault(item or "违规扣分", [0, 0])
        counted[0] += 1
        counted[1] += points


def red_list(by_household: dict[int, Score], size: int) -> list[Ranked]:
    """Most points first; equal points share a rank (1, 1, 3 …); every household tied at the last place is in;
    nobody with ≤ 0 points. Within a rank, by household id (stable, as registered)."""
    ordered = sorted(
        (s for s in by_household.values() if s.earned > 0), key=lambda s: (-s.earned, s.household_id)
    )
    out: list[Ranked] = []
    for i, s in enumerate(ordered):
        rank = out[-1].rank if out and out[-1].score.earned == s.earned else i + 1
        if rank > size:
            break
        out.append(Ranked(s, rank))
    return out


def black_list(by_household: dict[int, Score]) -> list[Ranked]:
    """Every household with (net) violation points, worst first: most violation points, then most violations;
    equal on both share a rank."""
    ordered = sorted(
        (s for s in by_household.values() if s.violation_points < 0),
        key=lambda s: (s.violation_points, -s.violations, s.household_id),
    )
    out: list[Ranked] = []
    for i, s in enumerate(ordered):
        prev = out[-1].score if out else None
        same = prev is not None and (prev.violation_points, prev.violations) == (
            s.violation_points,
            s.violations,
        )
        out.append(Ranked(s, out[-1].rank if same else i + 1))
    return out


def full_ranking(by_household: dict[int, Score]) -> list[Ranked]:
    """Every household with entries in the period, by points earned (the Excel ranking), competition ranks."""
    ordered = sorted(by_household.values(), key=lambda s: (-s.earned, s.household_id))
    out: list[Ranked] = []
    for i, s in enumerate(ordered):
        out.append(Ranked(s, out[-1].rank if out and out[-1].score.earned == s.earned else i + 1))
    return out
