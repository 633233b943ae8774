"""Accounts test data through the real services, and makers for tests/isolation/registry.py
(make(grid) -> (url kwargs, marker text))."""

import itertools

from tests import factories
from tests.people import factories as people
from xiangzhi.accounts import services
from xiangzhi.regions.models import Region

_seq = itertools.count(1)


def staff(region=None, *, full_name: str | None = None, id_number: str = "", username: str | None = None):
    """A staff account created the way the system administrator does (the system acting: actor=None)."""
    n = next(_seq)
    return services.staff_account_create(
        actor=None,
        username=username or f"staff{n}",
        full_name=full_name or f"职员{n}",
        password=factories.PASSWORD,
        region=region,
        id_number=id_number,
    )


READY_PASSWORD = "Xz-ready-Pass-2026"


def ready(user):
    """The first sign-in's password change done (staff_account_create flags it), as the user would do it."""
    services.password_change(user=user, old_password=factories.PASSWORD, new_password=READY_PASSWORD)
    return user


def admin(role: str, region=None, **kw):
    """An administrator account made like any staff account, with the role granted and the password changed."""
    user = staff(region, **kw)
    services.role_grant(user=user, role=role, region=region)
    return ready(user)


def phone(n: int | None = None) -> str:
    return f"139{(n if n is not None else next(_seq)):08d}"


def village_of(grid) -> Region:
    return Region.objects.get(code=grid.code[:12])


def _marker(grid) -> str:
    return f"账号{grid.code}"


def make_account(grid):
    user = staff(grid, full_name=_marker(grid))
    return {"pk": user.pk}, _marker(grid)


def make_account_with_grant(grid):
    user = staff(grid, full_name=_marker(grid))
    assignment = services.role_grant(user=user, role="grid_worker", region=grid)
    return {"pk": user.pk, "assignment_pk": assignment.pk}, _marker(grid)


def make_account_with_otp(grid):
    user = staff(grid, full_name=_marker(grid))
    services.totp_device_ensure(user)
    return {"pk": user.pk}, _marker(grid)


def make_village(grid):
    village = village_of(grid)
    return {"code": village.code}, village.name


def make_village_resident(grid):
    marker = f"居民{grid.code}"
    people.household(grid, head_name=marker)
    return {"code": grid.code[:12]}, marker


def make_resident_with_phone(grid):
    marker = f"居民{grid.code}"
    h = people.household(grid, head_name=marker, phone=phone())
    return {"pk": h.head_id}, marker


def make_villager(grid):
    marker = f"村民{grid.code}"
    user, _code = services.villager_account_create(
        resident_or_name=marker, phone=phone(), village=village_of(grid), created_by=None
    )
    return {"pk": user.pk}, marker


def assert_staff_home(response, user) -> None:
    """`response` is the staff home page as only `user`, signed in (and verified where the role asks for a second
    factor), sees it: greeted by name, their roles listed. A login page or the second-factor page fails this."""
    from xiangzhi.accounts.models import RoleAssignment

    assert response.status_code == 200, response.status_code
    page = response.content.decode()
    assert f"您好，{user.full_name}" in page and "您的身份" in page, "not the signed-in home page"
    roles = RoleAssignment.objects.filter(user=user, is_active=True)
    assert roles.exists()
    for assignment in roles:
        assert assignment.get_role_display() in page, assignment.role
