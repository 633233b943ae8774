"""TOTP second factor (django-otp) for privileged roles: enrol by QR code on first use, verify on every sign-in,
nothing else reachable until then."""

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests import factories
from tests.accounts.factories import assert_staff_home
from xiangzhi.accounts import services
from xiangzhi.audit.models import AuditRecord

pytestmark = [pytest.mark.django_db]


def sign_in(username, ip="10.0.0.5"):
    client = Client(REMOTE_ADDR=ip)
    response = client.post("/accounts/login/", {"username": username, "password": factories.PASSWORD})
    assert response.status_code == 302
    return client


@pytest.fixture
def leader(township):
    return factories.user_with_role("town_leader", township.town, username="liuzhen")


@pytest.fixture
def no_throttle(settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def test_privileged_user_is_sent_to_the_otp_page_until_verified(leader):
    client = sign_in("liuzhen")
    assert client.get("/")["Location"] == "/accounts/otp/"
    assert client.get("/regions/")["Location"] == "/accounts/otp/?next=%2Fregions%2F"
    # POSTs elsewhere are refused too, and the API answers in JSON.
    assert client.post("/accounts/tokens/", {"name": "x"})["Location"] == "/accounts/otp/"
    api = client.get("/api/v1/me")
    assert api.status_code == 403 and api.json()["code"] == "otp_required"
    # Logout stays reachable.
    assert client.post("/accounts/logout/")["Location"] == "/accounts/login/"


def test_enrolment_shows_an_inline_svg_qr_code_and_confirms_on_a_right_code(leader, no_throttle):
    client = sign_in("liuzhen")
    page = client.get("/accounts/otp/?next=/regions/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in body and "扫描二维码" in body
    pending = TOTPDevice.objects.get(user=leader)
    assert pending.confirmed is False
    wrong = client.post(
        "/accounts/otp/?next=/regions/",
        {"token": "000000" if services.totp_current_code(pending) != "000000" else "111111"},
    )
    assert wrong.status_code == 200 and "不正确" in wrong.content.decode()
    right = client.post("/accounts/otp/", {"token": services.totp_current_code(pending), "next": "/regions/"})
    assert right["Location"] == "/regions/"
    pending.refresh_from_db()
    assert pending.confirmed is True
    assert_staff_home(client.get("/"), leader)
    assert list(
        AuditRecord.objects.filter(action__startswith="auth.otp")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["auth.otp_failed", "auth.otp_enrolled", "auth.otp_verified"]


def test_an_enrolled_user_verifies_without_a_qr_code_and_a_used_code_cannot_be_replayed(leader, no_throttle):
    device = services.totp_device_ensure(leader)
    first = sign_in("liuzhen")
    page = first.get("/accounts/otp/").content.decode()
    assert "<svg" not in page and "6 位数字" in page
    code = services.totp_current_code(device)
    assert first.post("/accounts/otp/", {"token": code})["Location"] == "/"
    second = sign_in("liuzhen", ip="10.0.0.6")
    assert second.get("/")["Location"] == "/accounts/otp/"
    assert second.post("/accounts/otp/", {"token": code}).status_code == 200  # replay refused
    assert second.get("/")["Location"] == "/accounts/otp/"


def test_wrong_codes_are_throttled(leader):
    device = services.totp_device_ensure(leader)
    client = sign_in("liuzhen")
    client.post("/accounts/otp/", {"token": "12345"})  # malformed: a failure all the same
    client.post(
        "/accounts/otp/", {"token": "999999" if services.totp_current_code(device) != "999999" else "888888"}
    )
    # Straight after a failure even the right code waits (django-otp's exponential back-off).
    assert client.post("/accounts/otp/", {"token": services.totp_current_code(device)}).status_code == 200
    assert client.get("/")["Location"] == "/accounts/otp/"


def test_every_privileged_role_needs_the_second_factor(township):
    from xiangzhi.accounts.roles import PRIVILEGED_ROLES, ROLES

    regions = {"county": township.county, "town": township.town, "village": township.village_a, None: None}
    for i, role in enumerate(sorted(PRIVILEGED_ROLES)):
        factories.user_with_role(role, regions[ROLES[role].level], username=f"p{i}")
        assert sign_in(f"p{i}").get("/")["Location"] == "/accounts/otp/", role


def test_unprivileged_user_goes_straight_in(township):
    gridw = factories.user_with_role("grid_worker", township.grid_a1, username="gridw")
    assert_staff_home(sign_in("gridw").get("/"), gridw)


def test_totp_device_ensure_is_idempotent(leader):
    first = services.totp_device_ensure(leader)
    assert services.totp_device_ensure(leader) == first
    assert TOTPDevice.objects.filter(user=leader).count() == 1 and first.confirmed


def test_otp_code_command_refuses_outside_demo_mode(leader, settings):
    services.totp_device_ensure(leader)
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="仅用于演示环境"):
        call_command("otp-code", "liuzhen")


def test_otp_code_command_prints_a_code_that_signs_in(leader, settings, capsys, no_throttle):
    settings.DEMO_MODE = True
    services.totp_device_ensure(leader)
    call_command("otp-code", "liuzhen")
    code = capsys.readouterr().out.strip()
    assert len(code) == 6 and code.isdigit()
    client = sign_in("liuzhen")
    assert client.post("/accounts/otp/", {"token": code})["Location"] == "/"


def test_otp_code_command_without_a_device(leader, settings):
    settings.DEMO_MODE = True
    with pytest.raises(CommandError, match="尚未绑定"):
        call_command("otp-code", "liuzhen")


def test_signed_in_client_helper_marks_the_session_verified(leader):
    client = factories.signed_in_client(leader)
    assert_staff_home(client.get("/"), leader)
    unverified = factories.signed_in_client(leader, otp_verified=False)
    assert unverified.get("/")["Location"] == "/accounts/otp/"


def test_the_second_factor_page_shows_no_menu(township):
    from tests.factories import signed_in_client, user_with_role

    cadre = user_with_role("village_secretary", township.village_a)
    page = signed_in_client(cadre, otp_verified=False).get("/accounts/otp/")
    body = page.content.decode()
    assert page.status_code == 200 and "动态口令" in body
    assert 'href="/people/households/"' not in body and 'href="/inbox/"' not in body
    verified = signed_in_client(cadre).get("/").content.decode()
    assert 'href="/people/households/"' in verified
