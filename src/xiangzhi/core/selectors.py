"""Reading the shared parts: a user's inbox, departments."""

from django.db.models import QuerySet

from xiangzhi import policy
from xiangzhi.core.models import Department, Notification


def notification_list(*, user, unread_only: bool = False) -> QuerySet:
    """The user's own notifications, newest first. Nobody reads another person's inbox."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    qs = Notification.objects.filter(user=user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs


def notification_unread_count(*, user) -> int:
    return notification_list(user=user, unread_only=True).count()


def notification_get(*, user, pk: int) -> Notification:
    """One of the user's own notifications; another person's is simply not found."""
    from xiangzhi.core.errors import NotFound

    obj = notification_list(user=user).filter(pk=pk).first()
    if obj is None:
        raise NotFound("未找到该消息。")
    return obj


def department_list(*, user, town_code: str | None = None) -> QuerySet:
    qs = policy.scope(user, "departments.view", Department.objects.select_related("town"))
    if town_code:
        qs = qs.filter(region_code=town_code)
    return qs
