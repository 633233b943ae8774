"""Periodic jobs on top of Django's tasks framework, and the reaper of tasks a killed worker left running.

A periodic job is a django-tasks task with a schedule, declared in an app's ``tasks.py``::

    @periodic(every="daily at 01:00", key="cases.deadline_sweep")
    @task()
    def deadline_sweep(): ...

Schedules: a ``timedelta`` (every 15 minutes: slots aligned on the Unix epoch), ``"daily at HH:MM"``,
``"weekly on <1-7> at HH:MM"`` (1 = Monday) or ``"monthly on <1-28> at HH:MM"``, in local time (Asia/Shanghai).

``enqueue_due(now)`` enqueues each job at most once per time slot: the slot is the latest occurrence of the
schedule at or before ``now``, and the unique ``PeriodicRun(job, slot)`` row is inserted in the same transaction
as the task row. Two workers calling it at once both try the insert; the database lets one through and the other
gets an IntegrityError and skips. A worker that was down at 01:00 enqueues the missed slot once when it comes back
(only the latest missed slot, never a backlog).

The task row is written inside that transaction on purpose: with the database backend the task cannot be seen by a
worker before the commit, and a failed commit takes both rows away.

``xiangzhi worker`` calls ``autodiscover()`` to import every installed app's ``tasks`` module.
"""

import datetime as dt
import logging
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from xiangzhi.core import clock
from xiangzhi.core.models import PeriodicRun

logger = logging.getLogger(__name__)

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_DAILY = re.compile(r"^daily at (\d{1,2}):(\d{2})$")
_WEEKLY = re.compile(r"^weekly on ([1-7]) at (\d{1,2}):(\d{2})$")
_MONTHLY = re.compile(r"^monthly on (\d{1,2}) at (\d{1,2}):(\d{2})$")


@dataclass(frozen=True)
class Schedule:
    """When a job is due. `slot(now)` names the latest occurrence at or before `now`."""

    kind: str  # "interval", "daily", "weekly", "monthly"
    interval: dt.timedelta | None = None
    hour: int = 0
    minute: int = 0
    day: int = 0  # weekday 1-7 for weekly, day of month 1-28 for monthly

    def slot(self, now: dt.datetime) -> str:
        if self.kind == "interval":
            step = int(self.interval.total_seconds())
            n = int((now - _EPOCH).total_seconds()) // step
            start = _EPOCH + dt.timedelta(seconds=n * step)
            return start.strftime("%Y-%m-%dT%H:%M:%SZ")
        local = timezone.localtime(now)
        at = local.replace(hour=self.hour, minute=self.minute, second=0, microsecond=0)
        if self.kind == "daily":
            if at > local:
                at -= dt.timedelta(days=1)
            return at.strftime("%Y-%m-%d")
        if self.kind == "weekly":
            at -= dt.timedelta(days=(at.isoweekday() - self.day) % 7)
            if at > local:
                at -= dt.timedelta(days=7)
            return at.strftime("%Y-%m-%d")
        # monthly
        at = at.replace(day=self.day)
        if at > local:
            year, month = (at.year, at.month - 1) if at.month > 1 else (at.year - 1, 12)
            at = at.replace(year=year, month=month)
        return at.strftime("%Y-%m")


def parse_schedule(every: dt.timedelta | str) -> Schedule:
    if isinstance(every, dt.timedelta):
        seconds = every.total_seconds()
        if seconds < 60 or seconds != int(seconds):
            raise ValueError("a periodic interval must be whole seconds, at least one minute")
        return Schedule("interval", interval=every)
    text = " ".join(str(every).strip().lower().split())
    if m := _DAILY.match(text):
        return Schedule("daily", hour=_hour(m[1]), minute=_minute(m[2]))
    if m := _WEEKLY.match(text):
        return Schedule("weekly", day=int(m[1]), hour=_hour(m[2]), minute=_minute(m[3]))
    if m := _MONTHLY.match(text):
        day = int(m[1])
        if not 1 <= day <= 28:
            raise ValueError("monthly jobs run on day 1-28 (every month has those days)")
        return Schedule("monthly", day=day, hour=_hour(m[2]), minute=_minute(m[3]))
    raise ValueError(
        f"unknown schedule {every!r}: use a timedelta, 'daily at HH:MM', 'weekly on N at HH:MM' "
        "or 'monthly on D at HH:MM'"
    )


def _hour(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 23:
        raise ValueError(f"hour {value} out of range")
    return value


def _minute(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 59:
        raise ValueError(f"minute {value} out of range")
    return value


@dataclass(frozen=True)
class PeriodicJob:
    key: str
    task: object  # a django-tasks Task
    schedule: Schedule


_registry: dict[str, PeriodicJob] = {}


def periodic(*, every: dt.timedelta | str, key: str):
    """Register a task as a periodic job. Put it above ``@task()``; a plain module-level function is wrapped
    with ``task()`` for you. The job takes no arguments. `key` is stable: renaming it re-runs the current slot."""
    schedule = parse_schedule(every)
    if not key or len(key) > PeriodicRun._meta.get_field("job").max_length:
        raise ValueError("a periodic job needs a key of at most 100 characters")

    def decorate(obj):
        from django_tasks import task
        from django_tasks.base import Task

        the_task = obj if isinstance(obj, Task) else task()(obj)
        existing = _registry.get(key)
        if existing is not None and existing.task.module_path != the_task.module_path:
            raise ValueError(f"periodic job key {key!r} is used twice")
        _registry[key] = PeriodicJob(key=key, task=the_task, schedule=schedule)
        return the_task

    return decorate


def jobs() -> dict[str, PeriodicJob]:
    return dict(_registry)


def autodiscover() -> None:
    """Import every installed app's ``tasks`` module, where periodic jobs are declared."""
    autodiscover_modules("tasks")


def enqueue_due(now: dt.datetime | None = None) -> list[str]:
    """Enqueue every job whose current slot has not been enqueued yet; return the keys enqueued.
    Safe to call from several workers at once, and as often as you like."""
    now = now or clock.now()
    enqueued = []
    for key, job in sorted(_registry.items()):
        slot = job.schedule.slot(now)
        try:
            with transaction.atomic():
                run = PeriodicRun.objects.create(job=key, slot=slot, enqueued_at=now)
                result = job.task.enqueue()
                run.task_result_id = str(result.id)
                run.save(update_fields=["task_result_id"])
        except IntegrityError:
            continue  # another call enqueued this slot already
        logger.info("periodic.enqueued", extra={"job": key, "slot": slot})
        enqueued.append(key)
    return enqueued


# --- the reaper -------------------------------------------------------------------------------------------

REAPED_EXCEPTION = "xiangzhi.core.periodic.WorkerLost"


class WorkerLost(Exception):
    """Stored as the failure of a task whose worker died while running it."""


def reap_stale(now: dt.datetime | None = None, *, timeout: dt.timedelta | None = None) -> int:
    """Mark tasks left RUNNING longer than `timeout` (a worker was killed under them) as FAILED, and audit each.

    Failed, not re-queued: a task killed half-way may already have committed part of its work (sent
    notifications, written rows), and our tasks are not all idempotent, so running it again could do things
    twice. A periodic job runs again at its next slot anyway; a one-off task shows up as failed for a person to
    look at. The timeout (XIANGZHI_TASK_TIMEOUT_SECONDS, one hour by default) must exceed the longest task:
    a task still alive past it is marked failed and, should it finish after all, overwrites that with success.
    """
    from django_tasks_db.models import DBTaskResult

    from xiangzhi.audit.services import record

    now = now or clock.now()
    if timeout is None:
        timeout = dt.timedelta(seconds=getattr(settings, "TASK_RUNNING_TIMEOUT_SECONDS", 3600))
    reaped = 0
    stale = DBTaskResult.objects.running().filter(started_at__lt=now - timeout)
    for row in stale.only("id", "task_path", "started_at", "worker_ids"):
        with transaction.atomic():
            # Conditional update: a worker finishing the task this very moment wins.
            changed = DBTaskResult.objects.filter(pk=row.pk, status="RUNNING").update(
                status="FAILED",
                finished_at=now,
                exception_class_path=REAPED_EXCEPTION,
                traceback=f"{REAPED_EXCEPTION}: 任务运行超过 {int(timeout.total_seconds())} 秒未结束，"
                "执行它的工作进程已中止。\n",
                return_value=None,
            )
            if not changed:
                continue
            record(
                "tasks.reaped",
                region_code="",
                object_repr=row.task_path[:200],
                changes={
                    "task_id": str(row.pk),
                    "task": row.task_path,
                    "started_at": row.started_at.isoformat(),
                    "workers": list(row.worker_ids or []),
                },
            )
        reaped += 1
        logger.warning("tasks.reaped", extra={"task_id": str(row.pk), "task": row.task_path})
    return reaped
