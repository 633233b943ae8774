import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import IntegrityError
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult

from tests.core import sample_tasks
from xiangzhi.audit import services as audit
from xiangzhi.audit.models import AuditRecord
from xiangzhi.core import clock, periodic
from xiangzhi.core.models import PeriodicRun

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def registry(monkeypatch):
    """A clean registry of periodic jobs for each test."""
    fresh: dict = {}
    monkeypatch.setattr(periodic, "_registry", fresh)
    return fresh


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


@pytest.mark.parametrize(
    "every,moment,slot",
    [
        ("daily at 01:00", at(2026, 10, 1, 0, 59), "2026-09-30"),
        ("daily at 01:00", at(2026, 10, 1, 1, 0), "2026-10-01"),
        ("daily at 01:00", at(2026, 10, 1, 23, 59), "2026-10-01"),
        ("weekly on 1 at 02:00", at(2026, 10, 5, 1, 59), "2026-09-28"),  # 10-05 is a Monday
        ("weekly on 1 at 02:00", at(2026, 10, 5, 2, 0), "2026-10-05"),
        ("weekly on 1 at 02:00", at(2026, 10, 7, 9, 0), "2026-10-05"),
        ("monthly on 1 at 02:00", at(2026, 1, 1, 1, 0), "2025-12"),
        ("monthly on 1 at 02:00", at(2026, 1, 1, 2, 0), "2026-01"),
        (
            dt.timedelta(minutes=15),
            dt.datetime(2026, 10, 1, 8, 14, 59, tzinfo=dt.UTC),
            "2026-10-01T08:00:00Z",
        ),
        (dt.timedelta(minutes=15), dt.datetime(2026, 10, 1, 8, 15, tzinfo=dt.UTC), "2026-10-01T08:15:00Z"),
    ],
)
def test_slot_is_the_latest_occurrence(every, moment, slot):
    assert periodic.parse_schedule(every).slot(moment) == slot


@pytest.mark.parametrize(
    "every", ["daily at 24:00", "daily at 1", "monthly on 29 at 01:00", "hourly", dt.timedelta(seconds=30)]
)
def test_bad_schedules_are_refused(every):
    with pytest.raises(ValueError):
        periodic.parse_schedule(every)


@pytest.mark.django_db
def test_enqueue_due_once_per_slot(registry):
    job = periodic.periodic(every="daily at 01:00", key="tests.explode")(sample_tasks.explode)
    assert job is sample_tasks.explode

    first = periodic.enqueue_due(at(2026, 10, 1, 1, 0))
    again = [periodic.enqueue_due(at(2026, 10, 1, h, 30)) for h in (1, 5, 23)]
    assert first == ["tests.explode"]
    assert again == [[], [], []]
    assert DBTaskResult.objects.count() == 1
    run = PeriodicRun.objects.get()
    assert (run.job, run.slot, run.task_result_id) == (
        "tests.explode",
        "2026-10-01",
        str(DBTaskResult.objects.get().pk),
    )

    assert periodic.enqueue_due(at(2026, 10, 2, 0, 59)) == []  # still the slot of 10-01
    assert periodic.enqueue_due(at(2026, 10, 2, 1, 0)) == ["tests.explode"]
    assert DBTaskResult.objects.count() == 2


@pytest.mark.django_db
def test_a_slot_already_taken_by_another_worker_is_skipped(registry):
    """Two workers racing: the loser's insert hits the unique key and neither row of its attempt stays."""
    periodic.periodic(every="daily at 01:00", key="tests.explode")(sample_tasks.explode)
    PeriodicRun.objects.create(job="tests.explode", slot="2026-10-01")  # the other worker won
    assert periodic.enqueue_due(at(2026, 10, 1, 2, 0)) == []
    assert DBTaskResult.objects.count() == 0
    with pytest.raises(IntegrityError):
        PeriodicRun.objects.create(job="tests.explode", slot="2026-10-01")


def test_a_plain_function_is_wrapped_in_a_task(registry):
    job = periodic.periodic(every="daily at 01:00", key="tests.plain")(sample_tasks.explode.func)
    assert isinstance(job, Task)
    assert job.module_path == "tests.core.sample_tasks.explode"
    assert periodic.jobs()["tests.plain"].task is job


def test_a_key_cannot_name_two_jobs(registry):
    periodic.periodic(every="daily at 01:00", key="tests.same")(sample_tasks.explode)
    with pytest.raises(ValueError, match="used twice"):
        periodic.periodic(every="daily at 02:00", key="tests.same")(sample_tasks.write_marker)


def _running_task(started_at):
    result = sample_tasks.write_marker.enqueue("x")
    DBTaskResult.objects.filter(pk=result.id).update(
        status="RUNNING", started_at=started_at, worker_ids=["dead-worker"]
    )
    return result.id


@pytest.mark.django_db
def test_reaper_fails_tasks_left_running_and_audits_them():
    now = clock.now()
    stale = _running_task(now - dt.timedelta(seconds=3601))
    fresh = _running_task(now - dt.timedelta(seconds=3599))
    assert periodic.reap_stale(now, timeout=dt.timedelta(seconds=3600)) == 1
    assert periodic.reap_stale(now, timeout=dt.timedelta(seconds=3600)) == 0  # nothing left to reap
    row = DBTaskResult.objects.get(pk=stale)
    assert (row.status, row.exception_class_path, row.finished_at) == (
        "FAILED",
        periodic.REAPED_EXCEPTION,
        now,
    )
    assert DBTaskResult.objects.get(pk=fresh).status == "RUNNING"
    rec = AuditRecord.objects.get(action="tasks.reaped")
    assert rec.changes["task_id"] == str(stale)
    assert rec.changes["workers"] == ["dead-worker"]
    assert audit.verify() == []


@pytest.mark.django_db(transaction=True)
def test_worker_once_runs_queued_tasks_and_due_jobs(registry):
    periodic.periodic(every="daily at 01:00", key="tests.explode")(sample_tasks.explode)
    queued = sample_tasks.write_marker.enqueue("hello")
    call_command("worker", "--once")
    done = DBTaskResult.objects.get(pk=queued.id)
    assert (done.status, done.return_value) == ("SUCCESSFUL", "done:hello")
    marker = AuditRecord.objects.get(action="tests.marker")
    assert marker.actor_label == "worker"
    # The periodic job was enqueued by this pass and run by it too (it fails by design).
    job_row = DBTaskResult.objects.get(task_path="tests.core.sample_tasks.explode")
    assert job_row.status == "FAILED"
    assert PeriodicRun.objects.filter(job="tests.explode").count() == 1
    call_command("worker", "--once")
    # same slot: not enqueued again
    assert DBTaskResult.objects.filter(task_path="tests.core.sample_tasks.explode").count() == 1
