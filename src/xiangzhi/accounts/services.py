"""Account services: sign-in bookkeeping, role grants with 三员分立, villager activation."""

import re

from django.db import transaction

from xiangzhi.accounts.middleware import mark_login
from xiangzhi.accounts.models import RoleAssignment, User
from xiangzhi.accounts.roles import ROLES, SEPARATED_ADMIN_ROLES
from xiangzhi.audit.services import record
from xiangzhi.core import crypto
from xiangzhi.core.errors import ValidationFailed

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


def villager_username(phone: str) -> str:
    """A villager's username is derived from the keyed hash of the phone, so the phone is never stored in clear."""
    return "v-" + crypto.lookup_hash(phone, purpose="phone")[:40]


def login_username(raw: str) -> str:
    raw = (raw or "").strip()
    return villager_username(raw) if PHONE_RE.match(raw) else raw


def after_login(request, user: User) -> None:
    mark_login(request)
    record("auth.login", actor=user, object_repr=str(user), region_code="")


def before_logout(request, user: User) -> None:
    record("auth.logout", actor=user, object_repr=str(user), region_code="")


def _person_holds(user: User, role: str) -> bool:
    accounts = User.objects.filter(pk=user.pk)
    if user.person_key:
        accounts = User.objects.filter(person_key=user.person_key)
    return RoleAssignment.objects.filter(user__in=accounts, role=role, is_active=True).exists()


@transaction.atomic
def role_grant(
    *,
    user: User,
    role: str,
    region=None,
    scope_type: str = "",
    scope_id: int | None = None,
    granted_by: User | None = None,
) -> RoleAssignment:
    """Grant `role` over `region`. Refuses a second 三员 role to the same person (checked across every account
    that shares the person's key), and a region of the wrong level."""
    spec = ROLES.get(role)
    if spec is None:
        raise ValidationFailed(f"未知角色：{role}")
    if spec.level is None and region is not None:
        raise ValidationFailed(f"{spec.label}作用于全系统，不能指定辖区。")
    if spec.level is not None and (region is None or region.level != spec.level):
        if not (
            region is not None
            and role in ("grid_worker", "grid_leader")
            and region.level in ("grid", "micro_grid")
        ):
            raise ValidationFailed(f"{spec.label}须授予在“{_level_label(spec.level)}”一级的辖区上。")
    if role in SEPARATED_ADMIN_ROLES:
        for other in SEPARATED_ADMIN_ROLES:
            if other != role and _person_holds(user, other):
                raise ValidationFailed(f"三员分立：此人已担任{ROLES[other].label}，不能再担任{spec.label}。")
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user,
        role=role,
        region_code=region.code if region else "",
        scope_type=scope_type,
        scope_id=scope_id,
        defaults={"region": region, "granted_by": granted_by},
    )
    if not created and not assignment.is_active:
        assignment.is_active = True
        assignment.save(update_fields=["is_active"])
    record(
        "accounts.role_granted",
        assignment,
        region_code=assignment.region_code,
        changes={"user": user.username, "role": role, "region": assignment.region_code},
    )
    return assignment


def _level_label(level: str) -> str:
    from xiangzhi.regions.codes import LEVEL_LABELS

    return LEVEL_LABELS[level]
