"""Password rules: staff complexity and maximum age (must change before anything else); villagers by length and
a trivial-password check, with no expiry."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from tests import factories
from xiangzhi.accounts import services
from xiangzhi.accounts.models import User
from xiangzhi.accounts.passwords import password_validate
from xiangzhi.audit.models import AuditRecord
from xiangzhi.core.errors import ValidationFailed

pytestmark = [pytest.mark.django_db]

NEW = "Shan-Li-2026-new"


def sign_in(username, password=factories.PASSWORD):
    client = Client(REMOTE_ADDR="10.0.0.8")
    assert client.post("/accounts/login/", {"username": username, "password": password}).status_code == 302
    return client


@pytest.fixture
def worker(fixed_clock, township):
    return factories.user_with_role("grid_worker", township.grid_a1, username="sunli")


def test_every_password_change_is_stamped(fixed_clock, db):
    user = User.objects.create_user(username="stamp", password=factories.PASSWORD, full_name="盖章")
    assert user.password_changed_at == fixed_clock.now()
    fixed_clock.advance(dt.timedelta(days=3))
    services.password_change(user=user, old_password=factories.PASSWORD, new_password=NEW)
    user.refresh_from_db()
    assert user.password_changed_at == fixed_clock.now()
    assert user.check_password(NEW)
    assert AuditRecord.objects.filter(action="auth.password_changed", object_id=str(user.pk)).count() == 1
    assert NEW not in str(list(AuditRecord.objects.values()))


def test_staff_password_age_boundary(worker, fixed_clock, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 90
    fixed_clock.advance(dt.timedelta(days=90))
    assert services.password_expired(worker) is False
    assert sign_in("sunli").get("/").status_code == 200
    fixed_clock.advance(dt.timedelta(seconds=1))
    assert services.password_expired(worker) is True
    client = sign_in("sunli")
    assert client.get("/")["Location"] == "/accounts/password/"
    assert client.get("/regions/")["Location"] == "/accounts/password/?next=%2Fregions%2F"
    page = client.get("/accounts/password/")
    assert page.status_code == 200 and "已使用超过规定期限" in page.content.decode()
    response = client.post(
        "/accounts/password/?next=/regions/",
        {"old_password": factories.PASSWORD, "new_password": NEW, "new_password2": NEW},
    )
    assert response["Location"] == "/regions/"
    assert client.get("/").status_code == 200  # still signed in (session hash updated), and free to go
    worker.refresh_from_db()
    assert worker.password_changed_at == fixed_clock.now()


def test_villagers_passwords_never_expire(township, fixed_clock):
    user, code = services.villager_account_create(
        resident_or_name="王大爷", phone="13800001111", village=township.village_a, created_by=None
    )
    services.villager_activate(phone="13800001111", code=code, password="nanshan88")
    fixed_clock.advance(dt.timedelta(days=3650))
    user.refresh_from_db()
    assert services.password_expired(user) is False
    assert sign_in("13800001111", "nanshan88").get("/").status_code == 200


def test_must_change_password_flag_is_honoured(worker):
    User.objects.filter(pk=worker.pk).update(must_change_password=True)
    client = sign_in("sunli")
    assert client.get("/")["Location"] == "/accounts/password/"
    assert "初始密码" in client.get("/accounts/password/").content.decode()
    client.post(
        "/accounts/password/", {"old_password": factories.PASSWORD, "new_password": NEW, "new_password2": NEW}
    )
    worker.refresh_from_db()
    assert worker.must_change_password is False
    assert client.get("/").status_code == 200


def test_password_change_refusals(worker):
    with pytest.raises(ValidationFailed, match="原密码不正确"):
        services.password_change(user=worker, old_password="nope", new_password=NEW)
    with pytest.raises(ValidationFailed, match="不能与原密码相同"):
        services.password_change(
            user=worker, old_password=factories.PASSWORD, new_password=factories.PASSWORD
        )
    with pytest.raises(ValidationFailed, match="至少三类"):
        services.password_change(user=worker, old_password=factories.PASSWORD, new_password="onlylowercase")
    worker.refresh_from_db()
    assert worker.check_password(factories.PASSWORD)


def test_password_page_shows_mismatch_and_rule_errors(worker):
    client = sign_in("sunli")
    mismatch = client.post(
        "/accounts/password/",
        {"old_password": factories.PASSWORD, "new_password": NEW, "new_password2": NEW + "x"},
    )
    assert "两次输入的新密码不一致" in mismatch.content.decode()
    weak = client.post(
        "/accounts/password/",
        {"old_password": factories.PASSWORD, "new_password": "short", "new_password2": "short"},
    )
    assert weak.status_code == 200 and 'class="error"' in weak.content.decode()


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("Abcdef-12x", True),  # 10 characters, three classes
        ("Abcdef-12", False),  # 9: too short
        ("abcdefgh-12", True),  # lower, digits, symbol: three classes
        ("abcdefgh123", False),  # two classes
    ],
)
def test_staff_length_and_classes_boundaries(password, ok, db):
    user = User(username="staffer", full_name="员工")
    if ok:
        password_validate(password, user)
    else:
        with pytest.raises(ValidationError):
            password_validate(password, user)


def villager(phone="13912340000"):
    return User(kind=User.KIND_VILLAGER, username=services.villager_username(phone), phone_hash=_hash(phone))


def _hash(phone):
    from xiangzhi.core import crypto

    return crypto.lookup_hash(phone, purpose="phone")


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("shan2026", True),  # 8 characters: the minimum
        ("shan202", False),  # 7: too short
        ("88888888", False),  # one character repeated
        ("12345678", False),  # a run
        ("87654321", False),  # a run backwards
        ("abcdefgh", False),
        ("qwertyui", False),  # a keyboard row
        ("12121212", False),  # a unit repeated
        ("19560312", False),  # a date
        ("19561332", True),  # not a date
        ("password", False),  # Django's common list
        ("woaini1314", False),  # a common Chinese password
        ("13912340000", False),  # the phone itself
        ("nanshan1958", True),
    ],
)
def test_villager_rules(password, ok, db, settings):
    settings.VILLAGER_PASSWORD_MIN_LENGTH = 8
    if ok:
        password_validate(password, villager())
    else:
        with pytest.raises(ValidationError):
            password_validate(password, villager())


def test_villager_rules_skip_staff_complexity(db):
    # All lowercase and digits would fail the staff rule; a villager may choose it.
    password_validate("nanshan1958", villager())
    with pytest.raises(ValidationError):
        password_validate("nanshan1958", User(username="staff2", full_name="员工"))
