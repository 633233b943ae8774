"""Background job of 三资, run by `xiangzhi worker`: the daily arrears and expiry alerts."""

from django_tasks import task

from xiangzhi.assets import services
from xiangzhi.core.periodic import periodic


@periodic(every="daily at 06:30", key="assets.alerts_notify")
@task()
def alerts_notify() -> int:
    """Every day at 06:30: tell the village's managers which contracts fell into arrears yesterday and which end
    in 90 or 30 days (services.alerts_notify; each alert is said on one day only)."""
    return services.alerts_notify()
