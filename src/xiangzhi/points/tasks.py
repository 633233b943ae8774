"""Background jobs of points, run by `xiangzhi worker`: posting claims whose public notice is over."""

import datetime as dt

from django_tasks import task

from xiangzhi.core.periodic import periodic
from xiangzhi.points import services


@periodic(every=dt.timedelta(minutes=15), key="points.post_due")
@task()
def post_due() -> int:
    """Post every claim whose notice period has ended with its objections answered."""
    return services.post_due_claims()
