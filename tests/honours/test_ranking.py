"""The lists as computed from the ledger: the red list's tie rule and size, the period's edges, the lawful black
list (violations only, net of corrections, worst first; never the lowest scorers)."""

import datetime as dt

import pytest

from tests.honours import factories as hf
from tests.people import factories as pf
from tests.points import factories as pts
from xiangzhi.honours import ranking, services
from xiangzhi.honours.models import BLACK, RED, HonourEntry
from xiangzhi.points import ledger
from xiangzhi.points.models import LedgerEntry

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def c(township):
    hf.in_april()
    return hf.cast(township)


def generate(c, t, day=hf.MARCH):
    return services.list_generate(user=c.secretary, village=t.village_a, day=day)


def names(hl, kind):
    return [
        (e.head_name, e.rank, e.points)
        for e in HonourEntry.objects.filter(honour_list=hl, kind=kind).order_by("rank", "id")
    ]


def test_the_red_list_shares_ranks_and_takes_everyone_tied_at_the_last_place(township, c):
    a, b, d, e, f, g = hf.households(township.grid_a1, 6)
    for h, pts_ in ((a, 30), (b, 20), (d, 20), (e, 20), (f, 10), (g, 5)):
        pts.give(h, pts_, day=D(2026, 3, 10))
    hl = services.list_generate(user=c.secretary, village=township.village_a, day=hf.MARCH)
    # size 5 … but with size 2 the three tied at 20 all come in at rank 2
    assert names(hl, RED) == [("户0", 1, 30), ("户1", 2, 20), ("户2", 2, 20), ("户3", 2, 20), ("户4", 5, 10)]
    scores = ranking.scores([township.village_a.code], D(2026, 3, 1), D(2026, 3, 31))[township.village_a.code]
    assert [(r.rank, r.score.earned) for r in ranking.red_list(scores, 2)] == [
        (1, 30),
        (2, 20),
        (2, 20),
        (2, 20),
    ]
    assert [(r.rank, r.score.earned) for r in ranking.red_list(scores, 1)] == [(1, 30)]


def test_ties_at_the_top_share_rank_one_and_the_next_rank_skips(township, c):
    a, b, d = hf.households(township.grid_a1, 3)
    for h in (a, b):
        pts.give(h, 10, day=D(2026, 3, 2))
    pts.give(d, 5, day=D(2026, 3, 2))
    scores = ranking.scores([township.village_a.code], D(2026, 3, 1), D(2026, 3, 31))[township.village_a.code]
    assert [(r.rank, r.score.earned) for r in ranking.red_list(scores, 2)] == [(1, 10), (1, 10)]
    assert [(r.rank, r.score.earned) for r in ranking.red_list(scores, 3)] == [(1, 10), (1, 10), (3, 5)]


def test_nobody_with_zero_or_fewer_points_is_on_the_red_list(township, c):
    pts.give(c.home, 5, day=D(2026, 3, 2))
    pts.give(c.home, -5, day=D(2026, 3, 3))  # a deduction that is no violation: net 0
    pts.give(c.other, -3, day=D(2026, 3, 3))
    hl = generate(c, township)
    assert names(hl, RED) == [] and names(hl, BLACK) == []


@pytest.mark.parametrize(
    ("day", "counted"),
    [(D(2026, 2, 28), False), (D(2026, 3, 1), True), (D(2026, 3, 31), True), (D(2026, 4, 1), False)],
)
def test_the_month_runs_from_its_first_to_its_last_day(township, c, day, counted):
    hf.in_april()
    pts.give(c.home, 10, day=day)
    pts.give(c.home, -5, code="KF01", day=day)
    hl = generate(c, township)
    assert bool(names(hl, RED)) is counted and bool(names(hl, BLACK)) is counted


@pytest.mark.parametrize(
    ("day", "counted"),
    [(D(2025, 12, 31), False), (D(2026, 1, 1), True), (D(2026, 3, 31), True), (D(2026, 4, 1), False)],
)
def test_a_quarterly_scheme_ranks_the_quarter(township, day, counted):
    from tests import factories

    hf.in_april()
    secretary = factories.user_with_role("village_secretary", township.village_b)
    pts.scheme(township.village_b, secretary, period="quarter", red_list_size=3)
    h = pf.household(township.grid_b1, head_name="季度户")
    pts.give(h, 10, day=day)
    hl = services.list_generate(user=secretary, village=township.village_b, day=D(2026, 2, 15))
    assert (hl.period, hl.period_start, hl.period_end, hl.red_list_size) == (
        "quarter",
        D(2026, 1, 1),
        D(2026, 3, 31),
        3,
    )
    assert hl.period_label == "2026年第1季度"
    assert bool(names(hl, RED)) is counted


def test_the_black_list_names_violations_never_the_lowest_scorers(township, c):
    """A household far in the red without any violation (the old, the sick, those working away) is not on it; a
    household with a violation is, however many points it earned besides."""
    poor = pf.household(township.grid_a2, head_name="外出务工户")
    pts.give(poor, -30, day=D(2026, 3, 4))  # a deduction that is not a violation of the 村规民约
    idle = pf.household(township.grid_a2, head_name="卧病老人户")  # no entry at all
    pts.give(c.home, 50, code="MD01", day=D(2026, 3, 2))
    pts.give(c.home, -5, code="KF01", day=D(2026, 3, 9))
    hl = generate(c, township)
    black = names(hl, BLACK)
    assert black == [("王大爷", 1, -5)]
    listed = set(HonourEntry.objects.filter(honour_list=hl).values_list("household_id", flat=True))
    assert poor.pk not in listed and idle.pk not in listed
    assert LedgerEntry.objects.filter(household=poor).get().earned_after == -30  # truly the lowest total


def test_the_black_list_is_worst_first_then_by_number_of_violations(township, c):
    a, b, d = hf.households(township.grid_a1, 3, prefix="违")
    pts.give(a, -5, code="KF01", day=D(2026, 3, 2))  # -5, 1 violation
    pts.give(b, -20, code="KF02", day=D(2026, 3, 2))  # -20, 1 violation
    for _ in range(4):
        pts.give(d, -5, code="KF01", day=D(2026, 3, 3))  # -20, 4 violations
    hl = generate(c, township)
    rows = list(HonourEntry.objects.filter(honour_list=hl, kind=BLACK).order_by("rank", "id"))
    assert [(e.head_name, e.rank, e.points, e.violations) for e in rows] == [
        ("违2", 1, -20, 4),
        ("违1", 2, -20, 1),
        ("违0", 3, -5, 1),
    ]
    assert rows[0].violation_summary == "乱堆乱放×4（-20分）"


def test_violations_count_net_of_their_corrections(township, c):
    undone, halved, redone = hf.households(township.grid_a1, 3, prefix="更正")
    v1 = pts.give(undone, -5, code="KF01", day=D(2026, 3, 2))
    ledger.correct(entry=v1, actor=c.secretary, reason="认定有误")  # undone in full
    v2 = pts.give(halved, -20, code="KF02", day=D(2026, 3, 2))
    ledger.correct(entry=v2, actor=c.secretary, reason="情节较轻", earned=10)  # -20 + 10
    v3 = pts.give(redone, -5, code="KF01", day=D(2026, 3, 2))
    back = ledger.correct(entry=v3, actor=c.secretary, reason="误撤")
    ledger.correct(entry=back, actor=c.secretary, reason="更正的更正：确有违规")
    hl = generate(c, township)
    assert names(hl, BLACK) == [("更正1", 1, -10), ("更正2", 2, -5)]


def test_redemptions_and_transfers_are_not_points_earned_in_the_period(township, c):
    pts.give(c.home, 10, day=D(2026, 3, 2))
    pts.give(c.other, 8, day=D(2026, 3, 2))
    ledger.post(
        holder=ledger.Holder.of(c.home),
        kind=LedgerEntry.REDEMPTION,
        earned=0,
        available=-5,
        occurred_on=D(2026, 3, 3),
        actor_label="tests",
    )
    ledger.transfer(
        source=ledger.Holder.of(c.other),
        target=ledger.Holder.of(c.home),
        earned=8,
        available=8,
        actor=None,
        note="分户",
        source_ref="split:1",
    )
    hl = generate(c, township)
    assert names(hl, RED)[0] == ("王大爷", 1, 10)


def test_another_villages_entries_are_not_counted(township, c):
    pts.scheme(township.village_b, c.secretary_b)
    pts.give(c.far, 100, day=D(2026, 3, 2))
    pts.give(c.far, -5, code="KF01", day=D(2026, 3, 2))
    hl = generate(c, township)
    assert names(hl, RED) == [] and names(hl, BLACK) == [] and hl.households_ranked == 0
