"""What people type into the sign-in name field: a phone written with spaces, dashes or the +86 country code is the
villager's phone (same account, same lockout); a phone or ID number typed by mistake never reaches the audit chain
or django-axes' tables in clear."""

import pytest
from axes.models import AccessAttempt, AccessLog
from django.test import Client

from xiangzhi.accounts import services
from xiangzhi.audit.models import AuditRecord

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("axes_on_clock", "fixed_clock")]

LOGIN = "/accounts/login/"
PHONE = "13912345678"
PASSWORD = "shanli2026"
ID_NUMBER = "141029196107150021"
PHONE_FORMS = [
    "139 1234 5678",
    "139-1234-5678",
    "+86 139 1234 5678",
    "+8613912345678",
    "8613912345678",
    "008613912345678",
    "+86-139-1234-5678",
]


def post(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


@pytest.fixture
def villager(township):
    user, code = services.villager_account_create(
        resident_or_name="李秀英", phone=PHONE, village=township.village_a, created_by=None
    )
    services.villager_activate(phone=PHONE, code=code, password=PASSWORD)
    return user


@pytest.mark.parametrize("typed", PHONE_FORMS)
def test_a_phone_written_another_way_signs_the_villager_in(villager, typed):
    assert services.login_username(typed) == villager.username
    client = Client(REMOTE_ADDR="10.0.0.3")
    assert post(client, typed, PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(villager.pk)


@pytest.mark.parametrize("typed", PHONE_FORMS)
def test_a_phone_written_another_way_is_locked_with_the_phone(villager, typed):
    client = Client(REMOTE_ADDR="10.0.0.3")
    for _ in range(5):
        post(client, PHONE, "wrong-Pass-1")
    assert post(client, typed, PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_counts_every_written_form_of_one_phone_together(villager):
    client = Client(REMOTE_ADDR="10.0.0.3")
    for typed in PHONE_FORMS[:5]:
        post(client, typed, "wrong-Pass-1")
    assert post(client, PHONE, PASSWORD).status_code == 429


def test_not_a_phone_stays_a_staff_name():
    assert services.login_username("wangwei") == "wangwei"
    assert services.login_username("23912345678") == "23912345678"  # not a mobile number
    assert services.login_username("+1 139 1234 5678") == "+1 139 1234 5678"


@pytest.mark.parametrize(
    "typed",
    [ID_NUMBER, ID_NUMBER[:-1] + "x", "8613812340000", "zhang13812340000", "+86 138 1234 0000"],
)
def test_a_number_typed_as_the_name_reaches_no_audit_record_and_no_axes_row(db, typed):
    """No account has these names. A phone (any written form) is recorded as a phone attempt; anything else with
    a run of six or more digits is withheld from the audit record and keyed by its hash in axes' tables."""
    client = Client(REMOTE_ADDR="10.0.0.5")
    for _ in range(5):
        post(client, typed, "wrong-Pass-1")
    digits = "".join(ch for ch in typed if ch.isdigit())
    needles = {digits, digits[-11:], digits[-10:], digits[:17], typed}
    for rec in AuditRecord.objects.filter(action__startswith="auth.").values():
        assert not any(n in str(rec) for n in needles), rec
        assert "username" not in rec["changes"]
    for row in [*AccessAttempt.objects.values(), *AccessLog.objects.values()]:
        assert not any(n in str(row) for n in needles), row
    # The lock still holds for that string from that address.
    assert AccessAttempt.objects.get().failures_since_start == 5
    assert post(client, typed, "wrong-Pass-1").status_code == 429
