"""Session limits on the server (SessionLimitMiddleware), measured with the movable clock: 30 minutes idle,
12 hours absolute; background polls do not count as activity."""

import datetime as dt

import pytest
from django.test import Client

from tests import factories
from tests.accounts.factories import assert_staff_home
from xiangzhi.accounts.models import User
from xiangzhi.audit.models import AuditRecord

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def client(fixed_clock, township):
    factories.user_with_role("grid_worker", township.grid_a1, username="zhaogang")
    c = Client(REMOTE_ADDR="10.0.0.9")
    assert (
        c.post("/accounts/login/", {"username": "zhaogang", "password": factories.PASSWORD}).status_code
        == 302
    )
    return c


def minutes(n):
    return dt.timedelta(minutes=n)


def test_29_minutes_idle_is_still_signed_in(client, fixed_clock):
    fixed_clock.advance(minutes(29))
    assert_staff_home(client.get("/"), User.objects.get(username="zhaogang"))


def test_31_minutes_idle_signs_out_with_the_reason(client, fixed_clock):
    fixed_clock.advance(minutes(31))
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?expired=idle"
    assert "_auth_user_id" not in client.session
    rec = AuditRecord.objects.get(action="auth.session_expired")
    assert rec.changes == {"reason": "idle"}
    page = client.get(response["Location"])
    assert "30 分钟未操作" in page.content.decode()


def test_activity_restarts_the_idle_count(client, fixed_clock):
    fixed_clock.advance(minutes(29))
    assert_staff_home(client.get("/"), User.objects.get(username="zhaogang"))
    fixed_clock.advance(minutes(29))  # 58 minutes after sign-in, 29 after the last request
    assert_staff_home(client.get("/"), User.objects.get(username="zhaogang"))


def test_background_polls_do_not_count_as_activity(client, fixed_clock):
    fixed_clock.advance(minutes(20))
    assert client.get("/", HTTP_X_BACKGROUND_POLL="1").status_code == 200
    fixed_clock.advance(minutes(11))  # 31 minutes after the last real activity, 11 after the poll
    response = client.get("/")
    assert response["Location"] == "/accounts/login/?expired=idle"


def test_htmx_requests_get_a_401_when_the_session_expired(client, fixed_clock):
    fixed_clock.advance(minutes(31))
    response = client.get("/", HTTP_HX_REQUEST="true")
    assert response.status_code == 401
    assert response.json()["code"] == "session_expired"


def test_absolute_limit_11h59_with_activity_ok_12h01_out(client, fixed_clock):
    for _ in range(24):  # 24 × 29 min = 11 h 36 min, active all along
        fixed_clock.advance(minutes(29))
        assert client.get("/").status_code == 200
    fixed_clock.advance(minutes(23))  # 11 h 59 min
    assert client.get("/").status_code == 200
    fixed_clock.advance(minutes(2))  # 12 h 01 min
    response = client.get("/")
    assert response["Location"] == "/accounts/login/?expired=absolute"
    assert "_auth_user_id" not in client.session


def test_a_page_view_within_the_granularity_does_not_rewrite_the_session(client, fixed_clock):
    """Activity is recorded at most every 15 s, so quick successive page views do not each write the session."""
    from xiangzhi.accounts.middleware import ACTIVITY_GRANULARITY, SESSION_LAST_ACTIVE

    first = client.session[SESSION_LAST_ACTIVE]  # stamped at sign-in
    fixed_clock.advance(dt.timedelta(seconds=ACTIVITY_GRANULARITY - 1))
    client.get("/")
    assert client.session[SESSION_LAST_ACTIVE] == first
    fixed_clock.advance(dt.timedelta(seconds=2))
    client.get("/")
    assert client.session[SESSION_LAST_ACTIVE] == first + ACTIVITY_GRANULARITY + 1
