"""Background jobs of points, run by `xiangzhi worker`: posting claims whose public notice is over, and the
villages' 积分公示 on the public board (三务公开)."""

import datetime as dt

from django_tasks import task

from xiangzhi.core.periodic import periodic
from xiangzhi.points import services


@periodic(every=dt.timedelta(minutes=15), key="points.post_due")
@task()
def post_due() -> int:
    """Post every claim whose notice period has ended with its objections answered."""
    return services.post_due_claims()


@periodic(every=dt.timedelta(minutes=15), key="points.board")
@task()
def board_publish() -> int:
    """The day's 积分公示 of each village with claims newly on notice, on its public board."""
    return services.board_publish_due()
