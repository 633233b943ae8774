"""The account gate cannot be stepped around on the API by sending an Authorization header that is not a valid
token: the browser session behind it is judged as on every other page."""

import datetime as dt

import pytest

from tests import factories
from xiangzhi.accounts import services
from xiangzhi.accounts.models import User

pytestmark = pytest.mark.django_db

BOGUS = {"HTTP_AUTHORIZATION": "Bearer xzt_not-a-token"}


@pytest.fixture
def committee(township):
    return factories.user_with_role("village_committee", township.village_a, username="zhaoli")


def test_a_user_who_must_change_the_password_gets_no_api_data_with_a_bogus_header(committee):
    User.objects.filter(pk=committee.pk).update(must_change_password=True)
    committee.refresh_from_db()
    client = factories.signed_in_client(committee)
    assert client.get("/api/v1/me").status_code == 403
    response = client.get("/api/v1/me", **BOGUS)
    assert response.status_code == 403
    assert response.json()["code"] == "password_change_required"
    assert "zhaoli" not in response.content.decode()


def test_an_expired_staff_password_gets_no_api_data_with_a_bogus_header(fixed_clock, township):
    committee = factories.user_with_role("village_committee", township.village_a, username="zhaoli")
    fixed_clock.advance(dt.timedelta(days=91))
    assert services.password_expired(committee)
    client = factories.signed_in_client(committee)
    response = client.get("/api/v1/households/", **BOGUS)
    assert response.status_code == 403
    assert response.json()["code"] == "password_change_required"


def test_the_browser_session_auth_refuses_a_user_who_must_change_the_password(committee):
    """Defence in depth: the API's session auth itself applies the gate's password rule, as it does the OTP one."""
    from django.test import RequestFactory

    from xiangzhi.api import BrowserSession

    User.objects.filter(pk=committee.pk).update(must_change_password=True)
    committee.refresh_from_db()
    request = RequestFactory().get("/api/v1/me")
    request.user = committee
    request._dont_enforce_csrf_checks = True
    assert BrowserSession().authenticate(request, None) is None


def test_a_valid_token_still_passes_next_to_a_gated_session(committee, township):
    """A valid token is judged by token_authenticate, whatever the browser session next to it."""
    other = factories.user_with_role("village_committee", township.village_a, username="sunqi")
    raw = services.token_issue(user=other, otp_verified=False, name="手机")
    User.objects.filter(pk=committee.pk).update(must_change_password=True)
    committee.refresh_from_db()
    client = factories.signed_in_client(committee)
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    assert response.json()["username"] == "sunqi"
