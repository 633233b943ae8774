"""Reading the audit log, scoped by the policy: an audit administrator (install-wide) sees every record; a role
granted `audit.view` over a region would see the records of that subtree only."""

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from xiangzhi import policy
from xiangzhi.audit.models import AuditRecord

RESULTS = [
    (AuditRecord.RESULT_OK, "成功"),
    (AuditRecord.RESULT_DENIED, "拒绝"),
    (AuditRecord.RESULT_FAILED, "失败"),
]


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def audit_record_list(
    *,
    user,
    action: str = "",
    result: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    actor: str = "",
) -> QuerySet:
    """Newest first. `action` matches a prefix ("regions." finds every regions action); dates are local days,
    both inclusive; `actor` matches the account name or label."""
    qs = policy.scope(user, "audit.view", AuditRecord.objects.all()).select_related("actor")
    if action:
        qs = qs.filter(action__startswith=action)
    if result in dict(RESULTS):
        qs = qs.filter(result=result)
    if date_from:
        qs = qs.filter(at__gte=_day_start(date_from))
    if date_to:
        qs = qs.filter(at__lt=_day_start(date_to + dt.timedelta(days=1)))
    if actor:
        qs = qs.filter(Q(actor_label__contains=actor) | Q(actor__full_name__contains=actor))
    return qs.order_by("-at", "-id")


def audit_record_get(*, user, pk: int) -> AuditRecord:
    return policy.get_scoped_or_404(user, "audit.view", AuditRecord.objects.select_related("actor"), pk=pk)
