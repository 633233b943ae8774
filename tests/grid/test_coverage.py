"""Coverage of a period: exact numbers on a small village, scoped, in a fixed number of queries."""

import datetime as dt
from types import SimpleNamespace

import pytest

from tests.grid import factories as gf
from tests.people import factories as pf
from xiangzhi.core import clock
from xiangzhi.core.errors import ValidationFailed
from xiangzhi.grid import selectors, services

pytestmark = pytest.mark.django_db

MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
TODAY = dt.datetime(2026, 3, 18, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai


@pytest.fixture
def work(township):
    """a1: 3 households, a2: 2, b1: 1. 王网格 works a1 and a2, 李网格 works b1."""
    t = township
    h = SimpleNamespace(
        a1=[pf.household(t.grid_a1, head_name=f"南一{i}") for i in range(3)],
        a2=[pf.household(t.grid_a2, head_name=f"南二{i}") for i in range(2)],
        b1=[pf.household(t.grid_b1, head_name="北一0")],
    )
    wang = gf.worker(t.grid_a1, t.grid_a2, full_name="王网格")
    li = gf.worker(t.grid_b1, full_name="李网格")
    with clock.frozen(dt.datetime(2026, 2, 20, 2, 0, tzinfo=dt.UTC)):
        # February: outside the period, so a1's third household counts as never visited in March
        services.visit_record(user=wang, household=h.a1[2], purpose="routine")
        services.patrol_record(user=wang, grid=t.grid_a1, notes="二月巡查")
    with clock.frozen(TODAY):
        yesterday = clock.today() - dt.timedelta(days=1)
        services.patrol_record(user=wang, grid=t.grid_a1, notes="昨天", date=yesterday)
        services.patrol_record(user=wang, grid=t.grid_a1, notes="今天")
        services.patrol_record(user=wang, grid=t.grid_a1, notes="今天又一次")  # adds to today's
        services.patrol_record(user=wang, grid=t.grid_a2, notes="今天二网格")
        services.patrol_record(user=li, grid=t.grid_b1, notes="北坡")
        services.visit_record(user=wang, household=h.a1[0], purpose="routine", date=yesterday)
        services.visit_record(user=wang, household=h.a1[0], purpose="policy")
        services.visit_record(user=wang, household=h.a1[1], purpose="safety")
        services.visit_record(user=wang, household=h.a2[0], purpose="assistance")
    return SimpleNamespace(t=t, h=h, wang=wang, li=li)


def _grid(cov, grid):
    return next(g for g in cov.grids if g.region.code == grid.code)


def _worker(cov, user):
    return next(w for w in cov.workers if w.user.pk == user.pk)


def test_coverage_per_grid_and_per_worker(work):
    t = work.t
    town = gf.worker(t.town, role="town_leader")
    cov = selectors.coverage(user=town, start=MARCH[0], end=MARCH[1])
    a1, a2, b1 = _grid(cov, t.grid_a1), _grid(cov, t.grid_a2), _grid(cov, t.grid_b1)
    assert (a1.households, a1.visited, a1.never_visited, a1.visits, a1.patrol_days, a1.patrols) == (
        3,
        2,
        1,
        3,
        2,
        2,
    )
    assert (a2.households, a2.visited, a2.never_visited, a2.visits, a2.patrol_days) == (2, 1, 1, 1, 1)
    assert (b1.households, b1.visited, b1.never_visited, b1.patrol_days) == (1, 0, 1, 1)
    assert a1.rate == pytest.approx(2 / 3) and a1.rate_text == "66.7%" and b1.rate == 0
    assert (cov.households, cov.visited, cov.never_visited) == (6, 3, 3)

    wang = _worker(cov, work.wang)  # two grids: a patrol day in both counts once
    assert [g.code for g in wang.grids] == [t.grid_a1.code, t.grid_a2.code]
    assert (wang.patrol_days, wang.patrols, wang.visits, wang.households_visited) == (2, 3, 4, 3)
    assert (wang.households, wang.visited_in_grids, wang.never_visited, wang.rate) == (5, 3, 2, 0.6)
    li = _worker(cov, work.li)
    assert (li.patrol_days, li.visits, li.households, li.rate) == (1, 0, 1, 0)

    never = list(selectors.never_visited(user=town, start=MARCH[0], end=MARCH[1]))
    assert never == [work.h.a1[2], work.h.a2[1], work.h.b1[0]]


def test_february_is_another_period(work):
    town = gf.worker(work.t.town, role="town_leader")
    cov = selectors.coverage(user=town, start=dt.date(2026, 2, 1), end=dt.date(2026, 2, 28))
    a1 = _grid(cov, work.t.grid_a1)
    assert (a1.visited, a1.patrol_days) == (1, 1)
    assert [
        h.pk for h in selectors.never_visited(user=town, start=dt.date(2026, 2, 1), end=dt.date(2026, 2, 28))
    ][:2] == [work.h.a1[0].pk, work.h.a1[1].pk]


def test_coverage_is_scoped_and_narrowed_by_region(work):
    t = work.t
    secretary = gf.worker(t.village_a, role="village_secretary")
    cov = selectors.coverage(user=secretary, start=MARCH[0], end=MARCH[1])
    assert [g.region.code for g in cov.grids] == [t.grid_a1.code, t.grid_a2.code]
    assert [w.user.pk for w in cov.workers] == [work.wang.pk]
    # a region typed for the other village gives nothing of it
    other = selectors.coverage(user=secretary, region=t.village_b.code, start=MARCH[0], end=MARCH[1])
    assert other.grids == [] and other.workers == [] and other.households == 0
    assert list(selectors.never_visited(user=secretary, region=t.grid_b1, start=MARCH[0], end=MARCH[1])) == []
    # the town narrowed to one grid
    town = gf.worker(t.town, role="town_leader")
    one = selectors.coverage(user=town, region=t.grid_a2, start=MARCH[0], end=MARCH[1])
    assert [g.region.code for g in one.grids] == [t.grid_a2.code]
    wang = _worker(one, work.wang)
    assert (wang.households, wang.visited_in_grids, wang.patrol_days) == (2, 1, 1)
    # a grid worker sees his own grids
    mine = selectors.coverage(user=work.li, start=MARCH[0], end=MARCH[1])
    assert [g.region.code for g in mine.grids] == [t.grid_b1.code]


def test_coverage_takes_the_same_number_of_queries_however_much_data(work, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    town = gf.worker(work.t.town, role="town_leader")

    def count():
        town._xz_assignments = None
        with CaptureQueriesContext(connection) as ctx:
            selectors.coverage(user=town, start=MARCH[0], end=MARCH[1])
        return len(ctx.captured_queries)

    before = count()
    more = gf.worker(work.t.grid_b1, full_name="新网格员")
    with clock.frozen(TODAY):
        for i in range(4):
            h = pf.household(work.t.grid_b1, head_name=f"北新{i}")
            services.visit_record(user=more, household=h, purpose="routine")
        services.patrol_record(user=more, grid=work.t.grid_b1, notes="巡查")
    assert count() == before <= 8


def test_period_is_checked():
    with pytest.raises(ValidationFailed, match="结束日期不能早于"):
        selectors.check_period(dt.date(2026, 3, 2), dt.date(2026, 3, 1))
    with pytest.raises(ValidationFailed, match="最长"):
        selectors.check_period(dt.date(2025, 1, 1), dt.date(2026, 3, 1))
    assert selectors.month_period(dt.date(2026, 2, 11)) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
