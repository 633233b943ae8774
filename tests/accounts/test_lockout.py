"""Lockout (django-axes): 5 failures of one username from one address lock that pair for 30 minutes; the 5th
failure itself answers 429. Every success, failure and lock is audited; no phone number reaches axes' tables."""

import datetime as dt

import pytest
from axes.models import AccessAttempt, AccessLog
from django.test import Client

from tests import factories
from xiangzhi.accounts import services
from xiangzhi.audit.models import AuditRecord

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("axes_on_clock", "fixed_clock")]

LOGIN = "/accounts/login/"
PHONE = "13912345678"


def post(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def fail(client, username, times):
    return [post(client, username, "wrong-Pass-1").status_code for _ in range(times)]


@pytest.fixture
def staff(db):
    return factories.user_with_role(username="wangwei")


def test_four_failures_then_the_fifth_answers_429(staff):
    client = Client(REMOTE_ADDR="10.0.0.1")
    assert fail(client, "wangwei", 4) == [200, 200, 200, 200]
    fifth = post(client, "wangwei", "wrong-Pass-1")
    assert fifth.status_code == 429
    assert "已锁定 30 分钟" in fifth.content.decode()
    # Locked: even the right password is refused, and no session is made.
    right = post(client, "wangwei", factories.PASSWORD)
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session


def test_four_failures_do_not_lock(staff):
    client = Client(REMOTE_ADDR="10.0.0.1")
    fail(client, "wangwei", 4)
    ok = post(client, "wangwei", factories.PASSWORD)
    assert ok.status_code == 302
    # A success clears the failures: four more do not lock either.
    client.post("/accounts/logout/")
    assert fail(client, "wangwei", 4) == [200] * 4


def test_lock_holds_at_29_minutes_and_clears_after_30(staff, fixed_clock):
    client = Client(REMOTE_ADDR="10.0.0.1")
    fail(client, "wangwei", 5)
    fixed_clock.advance(dt.timedelta(minutes=29))
    assert post(client, "wangwei", factories.PASSWORD).status_code == 429
    # The probe at 29 minutes did not extend the lock (a fixed lock, not a sliding one).
    fixed_clock.advance(dt.timedelta(minutes=1, seconds=1))
    assert post(client, "wangwei", factories.PASSWORD).status_code == 302


def test_another_address_is_not_locked(staff):
    fail(Client(REMOTE_ADDR="10.0.0.1"), "wangwei", 5)
    other = Client(REMOTE_ADDR="10.0.0.2")
    assert post(other, "wangwei", factories.PASSWORD).status_code == 302


def test_a_forged_forwarded_for_header_neither_escapes_nor_moves_the_lock(staff):
    """Without a trusted proxy (XIANGZHI_PROXY_COUNT=0) X-Forwarded-For is ignored: rotating it does not reset
    the count, and nobody can lock a villager out by claiming the villager's address."""
    client = Client(REMOTE_ADDR="10.0.0.1")
    for i in range(4):
        client.post(LOGIN, {"username": "wangwei", "password": "x"}, HTTP_X_FORWARDED_FOR=f"203.0.113.{i}")
    assert (
        client.post(
            LOGIN, {"username": "wangwei", "password": "x"}, HTTP_X_FORWARDED_FOR="203.0.113.99"
        ).status_code
        == 429
    )
    victim = Client(REMOTE_ADDR="10.0.0.7")
    assert post(victim, "wangwei", factories.PASSWORD).status_code == 302


def test_another_username_from_the_same_address_is_not_locked(staff):
    factories.user_with_role(username="lina")
    client = Client(REMOTE_ADDR="10.0.0.1")
    fail(client, "wangwei", 5)
    assert post(client, "lina", factories.PASSWORD).status_code == 302


def _villager(township, phone=PHONE):
    user, code = services.villager_account_create(
        resident_or_name="李秀英", phone=phone, village=township.village_a, created_by=None
    )
    services.villager_activate(phone=phone, code=code, password="shanli2026")
    return user


def test_villager_lockout_is_keyed_on_the_mapped_username_and_no_phone_is_stored(township):
    villager = _villager(township)
    client = Client(REMOTE_ADDR="10.0.0.3")
    assert fail(client, PHONE, 4) == [200] * 4
    assert post(client, PHONE, "wrong-Pass-1").status_code == 429
    attempt = AccessAttempt.objects.get()
    assert attempt.username == villager.username == services.villager_username(PHONE)
    assert attempt.failures_since_start == 5
    # Neither the username column nor the stored form data holds the phone in clear.
    for row in AccessAttempt.objects.values():
        assert PHONE not in str(row)
    assert "shanli2026" not in attempt.post_data and "wrong-Pass-1" not in attempt.post_data
    # Another address can still sign the villager in (by phone).
    assert post(Client(REMOTE_ADDR="10.0.0.4"), PHONE, "shanli2026").status_code == 302
    for row in AccessLog.objects.values():
        assert PHONE not in str(row)
    for rec in AuditRecord.objects.values():
        assert PHONE not in str(rec)


def test_villager_signs_in_with_phone_and_password(township):
    villager = _villager(township)
    client = Client(REMOTE_ADDR="10.0.0.3")
    response = post(client, f" {PHONE} ", "shanli2026")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(villager.pk)


# ------------------------------------------------------------------------------------------------------ audit


def actions():
    return list(
        AuditRecord.objects.filter(action__startswith="auth.").order_by("id").values_list("action", flat=True)
    )


def test_success_failure_and_lock_are_audited_without_the_password(staff):
    client = Client(REMOTE_ADDR="10.0.0.1")
    post(client, "wangwei", factories.PASSWORD)
    client.post("/accounts/logout/")
    fail(client, "wangwei", 5)
    post(client, "wangwei", factories.PASSWORD)  # refused while locked
    assert actions() == [
        "auth.login",
        "auth.logout",
        *["auth.login_failed"] * 5,
        "auth.locked",
        "auth.locked",
    ]
    login = AuditRecord.objects.get(action="auth.login")
    assert login.actor == staff and login.ip == "10.0.0.1"
    failure = AuditRecord.objects.filter(action="auth.login_failed").first()
    assert failure.result == AuditRecord.RESULT_FAILED
    assert failure.actor is None
    assert (failure.object_type, failure.object_id) == ("accounts.user", str(staff.pk))
    assert failure.changes == {"login_kind": "username", "username": "wangwei"}
    assert failure.ip == "10.0.0.1"
    locks = AuditRecord.objects.filter(action="auth.locked").order_by("id")
    assert [r.changes["event"] for r in locks] == ["locked", "refused_while_locked"]
    assert all(r.result == AuditRecord.RESULT_DENIED for r in locks)
    for rec in AuditRecord.objects.values():
        assert "wrong-Pass-1" not in str(rec) and factories.PASSWORD not in str(rec)


def test_a_failed_phone_login_records_no_username(township):
    _villager(township)
    post(Client(REMOTE_ADDR="10.0.0.3"), PHONE, "wrong-Pass-1")
    failure = AuditRecord.objects.get(action="auth.login_failed")
    assert failure.changes == {"login_kind": "phone"}
    assert PHONE not in str(failure.__dict__)


def test_an_unknown_name_is_recorded_only_when_it_cannot_be_a_password(db):
    client = Client(REMOTE_ADDR="10.0.0.1")
    post(client, "admin", "x")
    post(client, "My-Secret-Pass-1", "x")  # a password typed into the name field
    first, second = AuditRecord.objects.filter(action="auth.login_failed").order_by("id")
    assert first.changes == {"login_kind": "username", "username": "admin"}
    assert second.changes == {"login_kind": "username", "username_withheld": True}
    assert "My-Secret-Pass-1" not in str(second.__dict__)


def test_session_key_rotates_at_login(staff):
    client = Client(REMOTE_ADDR="10.0.0.1")
    session = client.session
    session["probe"] = 1
    session.save()
    before = session.session_key
    from django.conf import settings

    client.cookies[settings.SESSION_COOKIE_NAME] = before
    assert post(client, "wangwei", factories.PASSWORD).status_code == 302
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after and after != before
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=before).exists()
