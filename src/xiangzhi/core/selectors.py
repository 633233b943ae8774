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


def department_get(*, user, pk: int, action: str = "departments.view") -> Department:
    """One department the user may `action`; anything else is an audited 404."""
    return policy.get_scoped_or_404(user, action, Department.objects.select_related("town"), pk=pk)


def department_towns(*, user, action: str = "departments.view") -> QuerySet:
    """The active towns in which the user may `action` departments."""
    from xiangzhi.regions.models import Region

    qs = Region.objects.filter(level="town", is_active=True)
    return policy.scope(user, action, qs, field="code").order_by("code")


def department_staff_candidates(*, department: Department) -> QuerySet:
    """Staff accounts of the department's town (an active role somewhere in its subtree) not yet members."""
    from xiangzhi.accounts.models import User
    from xiangzhi.regions.codes import scope_q

    return (
        User.objects.filter(is_active=True, kind=User.KIND_STAFF)
        .filter(
            scope_q([department.town.code], field="role_assignments__region_code"),
            role_assignments__is_active=True,
        )
        .exclude(pk__in=department.staff.values("pk"))
        .distinct()
        .order_by("full_name", "username")
    )
