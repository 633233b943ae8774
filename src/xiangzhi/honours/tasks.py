"""Background job of the 红黑榜, run by `xiangzhi worker`: at period end, the lists of the period just ended."""

from django_tasks import task

from xiangzhi.core.periodic import periodic
from xiangzhi.honours import services


@periodic(every="daily at 01:30", key="honours.generate_due")
@task()
def generate_due() -> int:
    """Every day at 01:30: for each village with an active household scheme, the list of the period (month or
    quarter) that ended last, unless it exists (services.generate_due; idempotent). Daily rather than on the 1st
    only, so that a worker that was down at month end, or a scheme activated later, still gets its list."""
    return services.generate_due()
