"""Finding the demo's people by role: the demo parts act as the cadres the builder made."""

from xiangzhi.accounts.models import RoleAssignment, User


def role_holder(role: str, code: str) -> User | None:
    """The first active holder of `role` at exactly the region `code` (None when there is none)."""
    grant = (
        RoleAssignment.objects.filter(role=role, is_active=True, region_code=code)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return grant.user if grant else None
