"""Test data built through the real services, never raw inserts that skip the rules."""

from types import SimpleNamespace

from xiangzhi.accounts import services as account_services
from xiangzhi.accounts.models import User
from xiangzhi.regions.services import region_create

PASSWORD = "Xz-test-Pass-2026"


def township() -> SimpleNamespace:
    county = region_create(code="141029", name="乡宁县")
    town = region_create(code="141029201", name="尉庄乡", parent=county)
    village_a = region_create(code="141029201201", name="南山村", parent=town)
    village_b = region_create(code="141029201202", name="北坡村", parent=town)
    grid_a1 = region_create(code="141029201201001", name="南山村第一网格", parent=village_a)
    grid_a2 = region_create(code="141029201201002", name="南山村第二网格", parent=village_a)
    grid_b1 = region_create(code="141029201202001", name="北坡村第一网格", parent=village_b)
    return SimpleNamespace(
        county=county,
        town=town,
        village_a=village_a,
        village_b=village_b,
        grid_a1=grid_a1,
        grid_a2=grid_a2,
        grid_b1=grid_b1,
    )


_counter = {"n": 0}


def user_with_role(role: str | None = None, region=None, *, username: str | None = None, **grant) -> User:
    _counter["n"] += 1
    username = username or f"user{_counter['n']}"
    user = User.objects.create_user(username=username, password=PASSWORD, full_name=f"测试{_counter['n']}")
    if role:
        account_services.role_grant(user=user, role=role, region=region, **grant)
    return user


def signed_in_client(user: User, *, ip: str = "10.1.1.1", otp_verified: bool = True):
    """A test client signed in as `user` (force_login). With `otp_verified` the session carries a confirmed TOTP
    device the way django-otp marks it, so a privileged user is not sent to /accounts/otp/ first."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    from xiangzhi.accounts.services import totp_device_ensure

    client = Client(REMOTE_ADDR=ip)
    client.force_login(user)
    if otp_verified:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = totp_device_ensure(user).persistent_id
        session.save()
    return client
