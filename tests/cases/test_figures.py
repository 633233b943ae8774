"""The figures the town watches, from the rollup: each rate on a small set of cases whose answer is known."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.cases.factories import cast, reported
from xiangzhi.cases import figures, services
from xiangzhi.core import clock

pytestmark = pytest.mark.django_db


def local(*args):
    return dt.datetime(*args, tzinfo=timezone.get_current_timezone())


def handled(c, case, *, rating=None, visit=None, close=False):
    case = services.case_accept(user=c.grid_worker, case=case)
    case = services.case_start(user=c.grid_worker, case=case)
    case = services.case_resolve(user=c.grid_worker, case=case, result="已处理")
    case = services.case_verify(user=c.grid_worker, case=case, passed=True)
    if rating:
        case = services.case_rate(user=c.villager, case=case, rating=rating)
    if visit:
        case = services.case_visit(user=c.secretary, case=case, rating=visit, note="回访")
    if close:
        case = services.case_close(user=c.secretary, case=case, note="联系不上")
    return case


def test_rates_count_unrated_apart_and_late_cases_as_late(township):
    c = cast(township)
    clock.set_fixed(local(2026, 3, 2, 9, 0))  # a Monday
    a = handled(c, reported(township, c, category="ENVIRONMENT"), rating="satisfied")
    b = handled(c, reported(township, c, category="ENVIRONMENT"), visit="partly")
    d = handled(c, reported(township, c, category="ENVIRONMENT"), close=True)  # 未评价
    late = reported(township, c, category="DISPUTE")
    late = services.case_accept(user=c.grid_worker, case=late)
    late = services.case_start(user=c.grid_worker, case=late)  # five working days: the end of Monday 9 March
    clock.set_fixed(local(2026, 3, 10, 12, 0))
    services.deadline_sweep()  # late: marked overdue (escalation only after the end of 10 March)
    late = services.case_resolve(user=c.grid_worker, case=late, result="终于处理")
    assert late.closed_on_time is False
    open_late = reported(township, c, region_code=township.grid_a2.code, category="DISPUTE")
    clock.set_fixed(local(2026, 3, 25, 9, 0))
    services.deadline_sweep()  # open_late: never accepted, escalated to the village
    open_late.refresh_from_db()
    assert (open_late.level, open_late.was_overdue) == ("village", True)
    unsatisfied = handled(
        c, reported(township, c, category="ENVIRONMENT"), rating="unsatisfied"
    )  # reopened once
    assert unsatisfied.reopen_count == 1
    figures.rollup()
    f = figures.figures(user=c.town_leader, start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31))
    t = f["total"]
    assert t["received"] == 6
    assert t["closed"] == 3 and t["unrated"] == 1 and t["rated"] == 2
    assert t["satisfaction_rate"] == 1.0  # 满意 + 基本满意 over the rated two; 未评价 is not among them
    assert t["due"] == 5 and t["on_time"] == 3  # a, b, d on time; late resolved late; open_late overdue
    assert t["on_time_rate"] == 0.6
    assert t["reopened"] == 1 and t["reopen_rate"] == round(1 / 3, 4)
    assert t["to_village"] == 1 and t["to_town"] == 0
    assert {r["category"]: r["received"] for r in f["by_category"]} == {"DISPUTE": 2, "ENVIRONMENT": 4}
    assert [r["name"] for r in f["by_region"]] == ["南山村"]
    assert f["by_region"][0]["received"] == 6
    assert a.closed_at and b.rating == "partly" and d.rating == "unrated"


def test_the_rollup_reads_only_what_changed_and_figures_are_scoped(township):
    c = cast(township)
    reported(township, c)
    assert figures.rollup() == 1
    clock.advance(dt.timedelta(minutes=15))
    assert figures.rollup() == 1  # read again: it changed within the look-back before the last run's mark
    clock.advance(dt.timedelta(minutes=15))
    assert figures.rollup() == 0  # nothing changed since
    reported(township, c, region_code=township.grid_b1.code, user=c.grid_worker_b)
    assert figures.rollup() == 1
    today = clock.today()
    mine = figures.figures(user=c.secretary_b, start=today, end=today)
    assert mine["total"]["received"] == 1
    town = figures.figures(user=c.town_leader, start=today, end=today, region=township.village_a.code)
    assert town["total"]["received"] == 1
    assert figures.figures(user=c.town_leader, start=today, end=today)["total"]["received"] == 2
    rows = figures.rollup(full=True)  # the grouped rebuild writes the same rows
    assert rows == 2 and figures.figures(user=c.town_leader, start=today, end=today)["total"]["received"] == 2
