"""Account management by the system administrator: staff accounts with an initial password that must be changed,
disabling and enabling accounts, resetting a lost second factor. Each is audited; refusals leave nothing."""

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests import factories
from tests.accounts import factories as acc
from tests.people import factories as people
from xiangzhi.accounts import services
from xiangzhi.accounts.models import ActivationCode, User
from xiangzhi.audit.models import AuditRecord
from xiangzhi.core.errors import PermissionDenied
from xiangzhi.regions.services import region_create

pytestmark = [pytest.mark.django_db]

NEW_PASSWORD = "Cun-Gan-Bu-2026"


@pytest.fixture
def sysadm(township):
    return acc.admin("system_admin", township.county, full_name="系统员", username="sys_a")


@pytest.fixture
def client(sysadm):
    return factories.signed_in_client(sysadm)


def create(client, township, **over):
    data = {
        "username": "wang.cg",
        "full_name": "王村干",
        "region": township.village_a.code,
        "id_number": "",
        "password": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        **over,
    }
    return client.post("/accounts/users/new/", data)


# ------------------------------------------------------------------------------------------------------ creating


def test_create_a_staff_account(township, sysadm, client):
    number = people.id_number()
    response = create(client, township, id_number=number)
    user = User.objects.get(username="wang.cg")
    assert response["Location"] == f"/accounts/users/{user.pk}/"
    assert user.kind == User.KIND_STAFF and user.full_name == "王村干"
    assert user.region_code == township.village_a.code
    assert user.must_change_password is True and user.check_password(NEW_PASSWORD)
    assert len(user.person_key) == 64 and number not in user.person_key
    assert not user.role_assignments.exists()  # roles are the security administrator's job
    rec = AuditRecord.objects.get(action="accounts.user_created", object_id=str(user.pk))
    assert rec.actor == sysadm and rec.region_code == township.village_a.code
    assert NEW_PASSWORD not in str(rec.changes) and number not in str(rec.changes)
    for row in User.objects.values():
        assert number not in str(row)


def test_the_new_account_must_change_its_password_at_first_sign_in(township, client):
    create(client, township)
    browser = Client(REMOTE_ADDR="10.9.9.9")
    response = browser.post("/accounts/login/", {"username": "wang.cg", "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert browser.get("/")["Location"].startswith("/accounts/password/")


@pytest.mark.parametrize(
    "password, message",
    [
        ("Short-1a", "至少"),  # 8 characters: below the staff minimum of 10
        ("alllowercaseletters", "三类"),
        ("Wang.cg-2026x", "用户名"),  # contains the username
    ],
)
def test_weak_initial_passwords_are_refused_and_nothing_is_written(township, client, password, message):
    before = User.objects.count()
    response = create(client, township, password=password, password2=password)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert User.objects.count() == before
    assert not AuditRecord.objects.filter(
        action="accounts.user_created", changes__username="wang.cg"
    ).exists()


def test_the_password_may_not_contain_six_digits_of_the_id_number(township, client):
    number = people.id_number()
    password = f"Ab-{number[6:12]}x"
    response = create(client, township, id_number=number, password=password, password2=password)
    assert "身份证号" in response.content.decode()
    assert not User.objects.filter(username="wang.cg").exists()


def test_a_bad_id_number_or_a_taken_username_is_a_form_error(township, sysadm, client):
    response = create(client, township, id_number="141029195001011235")
    assert "身份证号" in response.content.decode()
    response = create(client, township, username=sysadm.username)
    assert "已存在" in response.content.decode()
    assert not User.objects.filter(full_name="王村干").exists()


def test_region_choices_are_the_administrators_county_only(township, client):
    other = region_create(code="141030", name="大宁县")
    page = client.get("/accounts/users/new/").content.decode()
    assert township.village_a.code in page and other.code not in page and "全系统" not in page
    response = create(client, township, region=other.code)
    assert response.status_code == 200
    assert not User.objects.filter(username="wang.cg").exists()


def test_service_refuses_a_region_out_of_reach_and_audits_it(township, sysadm):
    other = region_create(code="141030", name="大宁县")
    with pytest.raises(PermissionDenied):
        services.staff_account_create(
            actor=sysadm, username="x.y", full_name="某", password=NEW_PASSWORD, region=other
        )
    with pytest.raises(PermissionDenied):
        services.staff_account_create(actor=sysadm, username="x.z", full_name="某", password=NEW_PASSWORD)
    assert not User.objects.filter(username__in=["x.y", "x.z"]).exists()
    assert (
        AuditRecord.objects.filter(
            action="accounts.manage", result="denied", changes__detail="region_out_of_scope"
        ).count()
        == 2
    )


def test_a_security_administrator_cannot_create_accounts(township):
    sec = acc.admin("security_admin", township.county)
    with pytest.raises(PermissionDenied):
        services.staff_account_create(
            actor=sec, username="x.y", full_name="某", password=NEW_PASSWORD, region=township.town
        )
    assert factories.signed_in_client(sec).get("/accounts/users/new/").status_code == 404
    assert not User.objects.filter(username="x.y").exists()


# ----------------------------------------------------------------------------------------- disabling, enabling


def test_disable_signs_the_account_out_everywhere_and_enable_restores_it(township, sysadm, client):
    target = factories.user_with_role("grid_worker", township.grid_a1)
    target_browser = factories.signed_in_client(target)
    raw = services.token_issue(user=target, otp_verified=True, name="手机")
    assert target_browser.get("/").status_code == 200
    response = client.post(f"/accounts/users/{target.pk}/active/", {"active": "0"})
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.is_active is False
    assert target_browser.get("/")["Location"].startswith("/accounts/login/")
    assert services.token_authenticate(raw) is None
    assert (
        Client()
        .post("/accounts/login/", {"username": target.username, "password": factories.PASSWORD})
        .status_code
        == 200
    )
    rec = AuditRecord.objects.get(action="accounts.user_disabled", object_id=str(target.pk))
    assert rec.actor == sysadm and rec.changes == {"is_active": [True, False]}

    client.post(f"/accounts/users/{target.pk}/active/", {"active": "1"})
    target.refresh_from_db()
    assert target.is_active is True
    assert AuditRecord.objects.filter(action="accounts.user_enabled", object_id=str(target.pk)).count() == 1


def test_disabling_twice_is_a_conflict_not_a_silent_success(township, client):
    target = factories.user_with_role("grid_worker", township.grid_a1)
    client.post(f"/accounts/users/{target.pk}/active/", {"active": "0"})
    response = client.post(f"/accounts/users/{target.pk}/active/", {"active": "0"}, follow=True)
    assert "已是停用状态" in response.content.decode()
    assert AuditRecord.objects.filter(action="accounts.user_disabled").count() == 1


def test_a_system_administrator_cannot_disable_their_own_account(sysadm, client):
    response = client.post(f"/accounts/users/{sysadm.pk}/active/", {"active": "0"}, follow=True)
    assert "不能停用或启用自己" in response.content.decode()
    sysadm.refresh_from_db()
    assert sysadm.is_active is True
    assert AuditRecord.objects.filter(result="denied", changes__detail="self_disable").count() == 1


def test_an_account_holding_a_separated_admin_role_is_disabled_only_after_revocation(township, client):
    sec = acc.admin("security_admin", township.county)
    response = client.post(f"/accounts/users/{sec.pk}/active/", {"active": "0"}, follow=True)
    assert "请先由安全管理员撤销" in response.content.decode()
    sec.refresh_from_db()
    assert sec.is_active is True
    other_sec = acc.admin("security_admin", township.county)
    services.role_revoke(actor=other_sec, assignment=sec.role_assignments.get())
    client.post(f"/accounts/users/{sec.pk}/active/", {"active": "0"})
    sec.refresh_from_db()
    assert sec.is_active is False


def test_disabling_a_villager_voids_the_open_activation_code(township, client):
    user, code = services.villager_account_create(
        resident_or_name="刘大娘", phone="13800003333", village=township.village_a, created_by=None
    )
    client.post(f"/accounts/users/{user.pk}/active/", {"active": "0"})
    assert ActivationCode.objects.get(user=user).revoked_at is not None
    with pytest.raises(services.ValidationFailed):
        services.villager_activate(phone="13800003333", code=code, password="nanshan1958")
    user.refresh_from_db()
    with pytest.raises(services.ValidationFailed, match="已停用"):
        services.activation_code_issue(user=user, issued_by=None)


def test_an_account_of_another_county_cannot_be_disabled(township, client):
    other = region_create(code="141030", name="大宁县")
    outsider = acc.staff(other)
    assert client.post(f"/accounts/users/{outsider.pk}/active/", {"active": "0"}).status_code == 404
    outsider.refresh_from_db()
    assert outsider.is_active is True


def test_a_security_administrator_cannot_disable(township):
    sec = acc.admin("security_admin", township.county)
    target = factories.user_with_role("grid_worker", township.grid_a1)
    with pytest.raises(PermissionDenied):
        services.account_set_active(actor=sec, user=target, active=False)
    target.refresh_from_db()
    assert target.is_active is True


# ----------------------------------------------------------------------------------------------- second factor


def test_reset_a_lost_second_factor(township, sysadm, client):
    leader = factories.user_with_role("town_leader", township.town)
    services.totp_device_ensure(leader)
    page = client.get(f"/accounts/users/{leader.pk}/").content.decode()
    assert "重置动态口令" in page
    response = client.post(f"/accounts/users/{leader.pk}/otp-reset/")
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=leader).exists()
    rec = AuditRecord.objects.get(action="auth.otp_reset", object_id=str(leader.pk))
    assert rec.actor == sysadm and rec.changes == {"devices_removed": 1}
    # next sign-in: password, then a fresh QR code to enrol
    browser = Client(REMOTE_ADDR="10.8.8.8")
    browser.post("/accounts/login/", {"username": leader.username, "password": factories.PASSWORD})
    assert browser.get("/")["Location"].startswith("/accounts/otp/")
    assert "<svg" in browser.get("/accounts/otp/").content.decode()


def test_reset_without_a_device_is_a_conflict(township, client):
    leader = factories.user_with_role("town_leader", township.town)
    response = client.post(f"/accounts/users/{leader.pk}/otp-reset/", follow=True)
    assert "还没有绑定动态口令" in response.content.decode()
    assert not AuditRecord.objects.filter(action="auth.otp_reset").exists()


def test_a_system_administrator_cannot_reset_their_own_second_factor(sysadm, client):
    client.post(f"/accounts/users/{sysadm.pk}/otp-reset/")
    assert TOTPDevice.objects.filter(user=sysadm).exists()  # signed_in_client enrolled one
    assert AuditRecord.objects.filter(result="denied", changes__detail="self_otp_reset").count() == 1
