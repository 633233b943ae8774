"""Background jobs of the audit log."""

from django_tasks import task

from xiangzhi.audit import services
from xiangzhi.core.periodic import periodic


@periodic(every="daily at 03:30", key="audit.purge")
@task()
def purge_expired() -> int:
    """Purge records past the retention period (never younger than 180 days), leaving checkpoints."""
    return services.purge()
