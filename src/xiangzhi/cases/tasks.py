"""Background jobs of cases, run by `xiangzhi worker`: the deadline sweep (督) and the figures rollup."""

import datetime as dt

from django_tasks import task

from xiangzhi.cases import figures, services
from xiangzhi.core.periodic import periodic


@periodic(every=dt.timedelta(minutes=10), key="cases.deadline_sweep")
@task()
def deadline_sweep() -> dict:
    """Warn before deadlines, mark 超期 after them, escalate after the grace period (services.deadline_sweep)."""
    return services.deadline_sweep()


@periodic(every=dt.timedelta(minutes=5), key="cases.rollup")
@task()
def rollup() -> int:
    """Fold the cases changed since the last run into the monthly figures."""
    return figures.rollup()
