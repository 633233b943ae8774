"""API tokens: only the SHA-256 of the key is stored, the key is shown once, a privileged user needs an
OTP-verified session to issue one; revoked or expired tokens authenticate nobody."""

import datetime as dt
import hashlib

import pytest
from django.test import Client

from tests import factories
from xiangzhi.accounts import services
from xiangzhi.accounts.models import ApiToken, User
from xiangzhi.audit.models import AuditRecord
from xiangzhi.core.errors import PermissionDenied, ValidationFailed

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def worker(fixed_clock, township):
    return factories.user_with_role("grid_worker", township.grid_a1, username="gw")


@pytest.fixture
def leader(fixed_clock, township):
    return factories.user_with_role("town_leader", township.town, username="tl")


def test_issue_stores_only_the_hash_and_authenticates(worker, fixed_clock):
    raw = services.token_issue(user=worker, otp_verified=False, name="我的手机")
    token = ApiToken.objects.get()
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str(ApiToken.objects.values().get())
    assert token.expires_at == fixed_clock.now() + dt.timedelta(days=services.API_TOKEN_DAYS)
    assert services.token_authenticate(raw) == worker
    token.refresh_from_db()
    assert token.last_used_at == fixed_clock.now()
    rec = AuditRecord.objects.get(action="accounts.token_issued")
    assert rec.changes == {"name": "我的手机", "user": "gw"}
    assert raw not in str(rec.__dict__)


@pytest.mark.parametrize("raw", [None, "", "xzt_unknown", "nope", "xzt_" + "a" * 300])
def test_unknown_keys_authenticate_nobody(raw, worker):
    services.token_issue(user=worker, otp_verified=False, name="a")
    assert services.token_authenticate(raw) is None


def test_expiry_boundary(worker, fixed_clock):
    raw = services.token_issue(user=worker, otp_verified=False, name="a")
    fixed_clock.advance(dt.timedelta(days=services.API_TOKEN_DAYS) - dt.timedelta(seconds=1))
    assert services.token_authenticate(raw) == worker
    fixed_clock.advance(dt.timedelta(seconds=1))
    assert services.token_authenticate(raw) is None


def test_revoked_token_and_disabled_account_authenticate_nobody(worker):
    raw = services.token_issue(user=worker, otp_verified=False, name="a")
    services.token_revoke(token=ApiToken.objects.get(), by=worker)
    assert services.token_authenticate(raw) is None
    raw2 = services.token_issue(user=worker, otp_verified=False, name="b")
    User.objects.filter(pk=worker.pk).update(is_active=False)
    assert services.token_authenticate(raw2) is None


def test_staff_with_an_expired_password_must_change_it_first(worker, fixed_clock, settings):
    raw = services.token_issue(user=worker, otp_verified=False, name="a")
    fixed_clock.advance(dt.timedelta(days=settings.PASSWORD_MAX_AGE_DAYS, seconds=1))
    assert services.token_authenticate(raw) is None


def test_privileged_user_needs_a_verified_session(leader):
    with pytest.raises(PermissionDenied, match="动态口令"):
        services.token_issue(user=leader, otp_verified=False, name="a")
    assert ApiToken.objects.count() == 0
    assert AuditRecord.objects.filter(action="accounts.token_issue_refused").count() == 1
    raw = services.token_issue(user=leader, otp_verified=True, name="a")
    assert services.token_authenticate(raw) == leader


def test_name_and_count_limits(worker):
    with pytest.raises(ValidationFailed):
        services.token_issue(user=worker, otp_verified=False, name="  ")
    with pytest.raises(ValidationFailed):
        services.token_issue(user=worker, otp_verified=False, name="x" * 61)
    for i in range(services.API_TOKEN_MAX_ACTIVE):
        services.token_issue(user=worker, otp_verified=False, name=f"t{i}")
    with pytest.raises(ValidationFailed, match="最多"):
        services.token_issue(user=worker, otp_verified=False, name="one too many")
    services.token_revoke(token=ApiToken.objects.first(), by=worker)
    services.token_issue(user=worker, otp_verified=False, name="after a revoke")


def test_token_page_shows_the_key_once_and_revokes_only_ones_own(worker, township):
    client = factories.signed_in_client(worker)
    page = client.post("/accounts/tokens/", {"name": "手机"})
    body = page.content.decode()
    token = ApiToken.objects.get()
    raw = next(w for w in body.split() if w.startswith(">xzt_") or w.startswith("xzt_") or "xzt_" in w)
    raw = raw[raw.index("xzt_") :].split("<")[0]
    assert services.token_authenticate(raw) == worker
    assert page["Cache-Control"] == "no-store"
    again = client.get("/accounts/tokens/").content.decode()
    assert raw not in again and "手机" in again
    other = factories.user_with_role("grid_worker", township.grid_a2, username="gw2")
    other_client = factories.signed_in_client(other)
    assert other_client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    assert services.token_authenticate(raw) == worker
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/")["Location"] == "/accounts/tokens/"
    assert services.token_authenticate(raw) is None


def test_token_page_for_privileged_user_with_verified_session(leader):
    client = factories.signed_in_client(leader)
    assert "xzt_" in client.post("/accounts/tokens/", {"name": "平板"}).content.decode()


def test_api_accepts_the_bearer_token(worker):
    raw = services.token_issue(user=worker, otp_verified=False, name="a")
    response = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200 and response.json()["username"] == "gw"
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION="Bearer xzt_wrong").status_code == 401
