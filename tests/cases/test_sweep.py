"""督: the deadline sweep with the movable clock, across a weekend, a public holiday and their make-up working
days (National Day 2025: 1-8 October off; Sunday 28 September and Saturday 11 October worked)."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from tests.cases.factories import cast, reported
from xiangzhi.cases import services
from xiangzhi.cases.models import Case, CaseEvent
from xiangzhi.core import clock
from xiangzhi.core.models import Notification

pytestmark = pytest.mark.django_db


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def accepted(township):
    """A civil case accepted by its grid on Friday 26 September 2025 at 10:00: five working days, counted
    Sun 28 Sep (make-up), Mon 29, Tue 30, then after the holiday Thu 9 and Fri 10 October."""
    c = cast(township)
    clock.set_fixed(local(2025, 9, 26, 9, 0))
    case = reported(township, c)
    clock.set_fixed(local(2025, 9, 26, 10, 0))
    case = services.case_assign(user=c.grid_worker, case=case, category="DISPUTE", triage="civil")
    return c, case


def sweep_at(*args):
    clock.set_fixed(local(*args))
    return services.deadline_sweep()


def test_the_deadline_counts_working_days_across_the_weekend_and_the_holiday(accepted):
    _, case = accepted
    assert case.deadline == local(2025, 10, 11, 0, 0)  # the end of Friday 10 October


def test_warning_overdue_and_escalation_at_their_boundaries(accepted, django_capture_on_commit_callbacks):
    c, case = accepted
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_at(2025, 10, 3, 12, 0) == {"warned": 0, "overdue": 0, "escalated": 0}  # mid-holiday
        assert sweep_at(2025, 10, 9, 23, 59) == {"warned": 0, "overdue": 0, "escalated": 0}
        assert sweep_at(2025, 10, 10, 0, 0)["warned"] == 1  # 24 hours before the deadline
        assert sweep_at(2025, 10, 10, 23, 59)["overdue"] == 0
        assert sweep_at(2025, 10, 11, 0, 0)["overdue"] == 1
        # the grace period is one working day: Saturday 11 October is a make-up working day
        assert sweep_at(2025, 10, 11, 23, 59)["escalated"] == 0
        assert sweep_at(2025, 10, 12, 0, 0)["escalated"] == 1
    case = Case.objects.get(pk=case.pk)
    assert (case.state, case.level) == (Case.REPORTED, "village")
    events = list(CaseEvent.objects.filter(case=case).order_by("seq").values_list("action", "actor_label"))
    assert events[-3:] == [("warn", "系统"), ("overdue", "系统"), ("auto_escalate", "系统")]
    told = set(Notification.objects.values_list("user_id", "event"))
    assert {
        (c.grid_worker.pk, "case.deadline_warning"),
        (c.grid_worker.pk, "case.overdue"),
        (c.secretary.pk, "case.escalated"),
    } <= told


def test_a_friday_deadline_escalates_after_the_weekend(township):
    c = cast(township)
    clock.set_fixed(local(2025, 11, 13, 9, 0))  # Thursday
    case = reported(township, c)  # intake: 1 working day → the end of Friday 14 November
    assert case.deadline == local(2025, 11, 15, 0, 0)
    assert sweep_at(2025, 11, 15, 0, 0)["overdue"] == 1
    assert sweep_at(2025, 11, 16, 23, 59)["escalated"] == 0  # Saturday and Sunday are not working days
    assert sweep_at(2025, 11, 18, 0, 0)["escalated"] == 1  # the end of Monday 17 November


def test_the_sweep_run_twice_does_each_thing_once(accepted):
    _, case = accepted
    for _ in range(3):
        sweep_at(2025, 10, 11, 0, 0)
    actions = list(CaseEvent.objects.filter(case=case).values_list("action", flat=True))
    assert actions.count("overdue") == 1 and actions.count("warn") == 0  # past the deadline: no late warning


def test_suspended_cases_are_not_swept(accepted):
    c, case = accepted
    clock.set_fixed(local(2025, 9, 29, 9, 0))
    case = services.case_start(user=c.grid_worker, case=case)
    case = services.case_suspend(user=c.grid_worker, case=case, reason="等待司法鉴定")
    assert sweep_at(2025, 10, 20, 0, 0) == {"warned": 0, "overdue": 0, "escalated": 0}


def test_an_extension_moves_the_deadline_and_clears_the_overdue_mark(accepted):
    c, case = accepted
    sweep_at(2025, 10, 11, 1, 0)
    case = Case.objects.get(pk=case.pk)
    assert case.is_overdue
    ext = services.extension_request(
        user=c.grid_worker, case=case, new_deadline=local(2025, 10, 20, 0, 0), reason="当事人外出"
    )
    services.extension_decide(user=c.secretary, extension=ext, approve=True)
    case = Case.objects.get(pk=case.pk)
    assert not case.is_overdue and case.deadline == local(2025, 10, 20, 0, 0)
    assert sweep_at(2025, 10, 12, 0, 0)["escalated"] == 0


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_escalate_once(township):
    if connection.vendor != "postgresql":
        pytest.skip("row locks across connections: PostgreSQL (SQLite serialises writers anyway)")
    c = cast(township)
    clock.set_fixed(local(2025, 11, 13, 9, 0))
    cases = [reported(township, c) for _ in range(5)]
    clock.set_fixed(local(2025, 11, 20, 0, 0))
    results, barrier = [], threading.Barrier(2)

    def run():
        from django.db import connection as conn

        try:
            barrier.wait()
            results.append(services.deadline_sweep())
        finally:
            conn.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sum(r["escalated"] for r in results) == 5
    for case in cases:
        assert CaseEvent.objects.filter(case=case, action="auto_escalate").count() == 1


def test_a_sweep_cut_off_midway_is_finished_by_the_next_run(township):
    """A worker killed mid-sweep: each case is its own transaction, so what was done stays done once, and the
    next run (the next slot, or the reaper's retry) does the rest. `batch=2` stops the first run after two."""
    c = cast(township)
    clock.set_fixed(local(2025, 11, 13, 9, 0))
    cases = [reported(township, c) for _ in range(5)]
    clock.set_fixed(local(2025, 11, 15, 1, 0))
    assert services.deadline_sweep(batch=2)["overdue"] == 2
    assert services.deadline_sweep()["overdue"] == 3
    for case in cases:
        assert CaseEvent.objects.filter(case=case, action="overdue").count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_sweep_and_the_rollup(township):
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    from xiangzhi.cases.models import CaseStat

    c = cast(township)
    clock.set_fixed(local(2025, 11, 13, 9, 0))
    case = reported(township, c)
    clock.set_fixed(local(2025, 11, 18, 0, 5))
    call_command("worker", "--once")
    ran = dict(DBTaskResult.objects.values_list("task_path", "status"))
    assert ran["xiangzhi.cases.tasks.deadline_sweep"] == "SUCCESSFUL"
    assert ran["xiangzhi.cases.tasks.rollup"] == "SUCCESSFUL"
    case.refresh_from_db()
    assert case.level == "village" and case.was_overdue
    assert CaseStat.objects.filter(region_code=township.grid_a1.code).exists()
    event = CaseEvent.objects.get(case=case, action="auto_escalate")
    assert event.actor_id is None and event.actor_label == "系统"
