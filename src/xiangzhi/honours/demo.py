"""Demo 红黑榜 for one village, through the real services, after the demo points (xiangzhi.demo.points): the list of
the period before last, told a week ago and published today; the list of the period just ended, told today (its
appeal window open). Does nothing for a village without an active household scheme or a village secretary."""

import datetime as dt

from xiangzhi.accounts.models import RoleAssignment
from xiangzhi.core import clock
from xiangzhi.honours import services
from xiangzhi.honours.models import HonourList
from xiangzhi.points import periods


def build(village) -> None:
    scheme = services.active_scheme(village.code)
    grant = (
        RoleAssignment.objects.filter(role="village_secretary", is_active=True, region_code=village.code)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if scheme is None or grant is None:
        return
    secretary = grant.user
    last_start, _ = periods.previous(clock.today(), scheme.period)
    before_start, _ = periods.previous(last_start, scheme.period)
    older = HonourList.objects.filter(
        region_code=village.code, period=scheme.period, period_start=before_start
    ).first()
    if older is None or older.state == HonourList.DRAFT:
        older = services.list_generate(user=secretary, village=village, day=before_start)
    if older.state == HonourList.DRAFT:
        with clock.frozen(clock.now() - dt.timedelta(days=services.appeal_days_default() + 2)):
            older = services.list_notify(user=secretary, honour_list=older)
    if older.state == HonourList.NOTIFIED:
        services.list_publish(user=secretary, honour_list=older)
    latest = HonourList.objects.filter(
        region_code=village.code, period=scheme.period, period_start=last_start
    ).first()
    if latest is None or latest.state == HonourList.DRAFT:
        latest = services.list_generate(user=secretary, village=village, day=last_start)
    if latest.state == HonourList.DRAFT and latest.entries.exists():
        services.list_notify(user=secretary, honour_list=latest)
