"""State changes of the shared parts: the inbox's read marks, town departments."""

import re

from django.db import IntegrityError, transaction

from xiangzhi.audit.services import record
from xiangzhi.core import clock
from xiangzhi.core.errors import Conflict, ValidationFailed
from xiangzhi.core.models import Department, Notification

DEPARTMENT_CODE_RE = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")


# --- inbox ------------------------------------------------------------------------------------------------
# Read marks are the recipient's own bookkeeping, like a session's last activity: they are not audited.


def notification_mark_read(*, user, notification: Notification) -> Notification:
    if notification.user_id != user.pk:
        raise ValidationFailed("只能标记自己的消息。")
    if notification.read_at is None:
        notification.read_at = clock.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def notification_mark_all_read(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=clock.now())


# --- departments ------------------------------------------------------------------------------------------


@transaction.atomic
def department_create(*, town, name: str, code: str) -> Department:
    """A town department (司法所, 派出所 …). `code` is a short Latin slug, unique within the town."""
    name = (name or "").strip()
    code = (code or "").strip().lower()
    if town is None or town.level != "town":
        raise ValidationFailed("部门只能设在乡镇一级。", field="town")
    if not town.is_active:
        raise ValidationFailed(f"{town.name}已撤并，不能再设部门。", field="town")
    if not name:
        raise ValidationFailed("请填写部门名称。", field="name")
    if len(name) > 50:
        raise ValidationFailed("部门名称不能超过 50 个字。", field="name")
    if not DEPARTMENT_CODE_RE.match(code):
        raise ValidationFailed(
            "部门代码须以小写字母开头，只含小写字母、数字、下划线或连字符，最长 32 位。", field="code"
        )
    if Department.objects.filter(town=town, code=code).exists():
        raise ValidationFailed(f"{town.name}已有代码为 {code} 的部门。", field="code")
    if Department.objects.filter(town=town, name=name).exists():
        raise ValidationFailed(f"{town.name}已有名为“{name}”的部门。", field="name")
    try:
        with transaction.atomic():
            department = Department.objects.create(town=town, region_code=town.code, name=name, code=code)
    except IntegrityError:
        raise Conflict(f"{town.name}已有代码为 {code} 的部门。") from None
    record("departments.created", department, changes={"name": name, "code": code, "town": town.code})
    return department


@transaction.atomic
def department_staff_add(*, department: Department, user) -> None:
    """Make `user` a member of the department. Only active staff accounts; adding a member twice is refused.
    Membership says who works there; what they may do comes from their role assignments (department_staff)."""
    if user is None or not user.is_active:
        raise ValidationFailed("该账号不存在或已停用。", field="user")
    if getattr(user, "is_villager", False):
        raise ValidationFailed("村民账号不能加入乡镇部门。", field="user")
    if department.staff.filter(pk=user.pk).exists():
        raise ValidationFailed(f"{user}已是{department.name}的成员。", field="user")
    department.staff.add(user)
    record("departments.staff_added", department, changes={"user": user.username})


@transaction.atomic
def department_staff_remove(*, department: Department, user) -> None:
    if not department.staff.filter(pk=user.pk).exists():
        raise ValidationFailed(f"{user}不是{department.name}的成员。", field="user")
    department.staff.remove(user)
    record("departments.staff_removed", department, changes={"user": user.username})
