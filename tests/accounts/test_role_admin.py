"""Role management by the security administrator (/accounts/users/): scoped to the administrator's county, grants
and revocations through services, audited, 三员分立 and self-grant refusals shown as form errors with nothing
written."""

import pytest

from tests import factories
from tests.accounts import factories as acc
from tests.people import factories as people
from xiangzhi.accounts import services
from xiangzhi.accounts.models import RoleAssignment, User
from xiangzhi.audit.models import AuditRecord
from xiangzhi.core.errors import PermissionDenied, ValidationFailed
from xiangzhi.core.services import department_create
from xiangzhi.regions.services import region_create

pytestmark = [pytest.mark.django_db]

ID_A = people.id_number()


@pytest.fixture
def other_county(township):
    county = region_create(code="141030", name="大宁县")
    town = region_create(code="141030101", name="昕水镇", parent=county)
    village = region_create(code="141030101201", name="东关村", parent=town)
    return county, town, village


@pytest.fixture
def sec(township):
    """A county security administrator, identified by an ID number (so other accounts of the person are known)."""
    return acc.admin(
        "security_admin", township.county, full_name="安全员甲", id_number=ID_A, username="sec_a"
    )


@pytest.fixture
def sec_client(sec):
    return factories.signed_in_client(sec)


@pytest.fixture
def target(township):
    return acc.staff(township.village_a, full_name="王村干")


def denied(detail: str):
    return AuditRecord.objects.filter(
        result=AuditRecord.RESULT_DENIED, action="accounts.roles", changes__detail=detail
    )


# ------------------------------------------------------------------------------------------------------ the list


def test_list_shows_accounts_of_the_county_only(township, other_county, sec_client, target):
    acc.staff(other_county[2], full_name="外县人")
    acc.staff(None, full_name="全系统账号")
    page = sec_client.get("/accounts/users/").content.decode()
    assert "王村干" in page and "安全员甲" in page
    assert "外县人" not in page and "全系统账号" not in page


def test_an_install_wide_administrator_sees_every_account(township, other_county, target):
    admin = acc.admin("security_admin", None, full_name="全系统安全员")
    acc.staff(other_county[2], full_name="外县人")
    page = factories.signed_in_client(admin).get("/accounts/users/").content.decode()
    assert "王村干" in page and "外县人" in page


def test_search_role_and_region_filters(township, sec_client, target):
    b = acc.staff(township.village_b, full_name="北坡人")
    services.role_grant(user=b, role="village_committee", region=township.village_b)
    assert "北坡人" in sec_client.get("/accounts/users/?q=北坡").content.decode()
    assert "王村干" not in sec_client.get("/accounts/users/?q=北坡").content.decode()
    by_role = sec_client.get("/accounts/users/?role=village_committee").content.decode()
    assert "北坡人" in by_role and "王村干" not in by_role
    by_region = sec_client.get(f"/accounts/users/?region={township.village_a.code}").content.decode()
    assert "王村干" in by_region and "北坡人" not in by_region


def test_a_phone_finds_a_villager_account_without_the_phone_being_stored(township, sec_client):
    services.villager_account_create(
        resident_or_name="赵大娘", phone="13800001111", village=township.village_a, created_by=None
    )
    assert "赵大娘" in sec_client.get("/accounts/users/?q=13800001111").content.decode()
    assert "赵大娘" not in sec_client.get("/accounts/users/?q=13800001112").content.decode()


def test_list_is_paginated(township, sec_client):
    for i in range(31):
        acc.staff(township.village_a, full_name=f"批量{i:02d}")
    first = sec_client.get("/accounts/users/").content.decode()
    second = sec_client.get("/accounts/users/?page=2").content.decode()
    assert "第 1 / 2 页" in first and "第 2 / 2 页" in second


def test_the_pages_are_refused_to_other_roles(township):
    cadre = factories.user_with_role("village_secretary", township.village_a)
    client = factories.signed_in_client(cadre)
    before = AuditRecord.objects.filter(result=AuditRecord.RESULT_DENIED).count()
    assert client.get("/accounts/users/").status_code == 404
    assert client.get("/accounts/users/new/").status_code == 404
    assert AuditRecord.objects.filter(result=AuditRecord.RESULT_DENIED).count() == before + 2


def test_an_account_of_another_county_is_a_404(other_county, sec_client):
    outsider = acc.staff(other_county[2])
    assert sec_client.get(f"/accounts/users/{outsider.pk}/").status_code == 404
    response = sec_client.post(
        f"/accounts/users/{outsider.pk}/grant/", {"role": "village_committee", "region": other_county[2].code}
    )
    assert response.status_code == 404
    assert not RoleAssignment.objects.filter(user=outsider).exists()


# ----------------------------------------------------------------------------------------------------- granting


def test_grant_through_the_page(township, sec, sec_client, target):
    page = sec_client.get(f"/accounts/users/{target.pk}/").content.decode()
    assert "授予角色" in page and township.village_a.code in page
    response = sec_client.post(
        f"/accounts/users/{target.pk}/grant/",
        {"role": "village_committee", "region": township.village_a.code},
    )
    assert response.status_code == 302
    a = RoleAssignment.objects.get(user=target)
    assert (a.role, a.region_code, a.granted_by, a.is_active) == (
        "village_committee",
        township.village_a.code,
        sec,
        True,
    )
    rec = AuditRecord.objects.get(action="accounts.role_granted", object_id=str(a.pk))
    assert rec.actor == sec and rec.changes["role"] == "village_committee"


def test_grant_by_typed_region_code(township, sec_client, target):
    response = sec_client.post(
        f"/accounts/users/{target.pk}/grant/", {"role": "grid_worker", "region_code": township.grid_a2.code}
    )
    assert response.status_code == 302
    assert RoleAssignment.objects.get(user=target).region_code == township.grid_a2.code


def test_region_outside_the_administrators_county_is_refused_and_audited(other_county, sec_client, target):
    response = sec_client.post(
        f"/accounts/users/{target.pk}/grant/",
        {"role": "village_committee", "region_code": other_county[2].code},
    )
    assert response.status_code == 200
    assert "不在您的管理范围内" in response.content.decode()
    assert not RoleAssignment.objects.filter(user=target).exists()
    assert denied("region_out_of_scope").count() == 1


def test_a_county_administrator_cannot_grant_install_wide(sec, target):
    with pytest.raises(PermissionDenied):
        services.role_grant_as_admin(actor=sec, user=target, role="audit_admin", region=None)
    assert not RoleAssignment.objects.filter(user=target).exists()
    assert denied("region_out_of_scope").count() == 1


def test_the_install_wide_choice_is_offered_only_to_install_wide_administrators(township, sec_client, target):
    assert "全系统（仅三员）" not in sec_client.get(f"/accounts/users/{target.pk}/").content.decode()
    admin = acc.admin("security_admin", None)
    page = factories.signed_in_client(admin).get(f"/accounts/users/{target.pk}/").content.decode()
    assert "全系统（仅三员）" in page


def test_security_admin_cannot_grant_themselves(township, sec, sec_client):
    response = sec_client.post(
        f"/accounts/users/{sec.pk}/grant/", {"role": "town_leader", "region": township.town.code}
    )
    assert "不能给自己" in response.content.decode()
    assert list(RoleAssignment.objects.filter(user=sec).values_list("role", flat=True)) == ["security_admin"]
    assert denied("self_grant").count() == 1


def test_security_admin_cannot_grant_another_account_of_their_own_person(township, sec, sec_client):
    second = acc.staff(township.town, id_number=ID_A, full_name="安全员甲小号")
    response = sec_client.post(
        f"/accounts/users/{second.pk}/grant/", {"role": "town_leader", "region": township.town.code}
    )
    assert "不能给自己" in response.content.decode()
    assert not RoleAssignment.objects.filter(user=second).exists()
    assert denied("self_grant").count() == 1


def test_separation_of_duties_across_accounts_sharing_a_person_key(township, sec_client):
    id_b = people.id_number()
    first = acc.staff(township.county, id_number=id_b, full_name="张系统")
    services.role_grant(user=first, role="system_admin", region=township.county)
    second = acc.staff(township.county, id_number=id_b, full_name="张审计")
    page = sec_client.get(f"/accounts/users/{second.pk}/").content.decode()
    assert "同一人的其他账号" in page and first.username in page
    response = sec_client.post(
        f"/accounts/users/{second.pk}/grant/", {"role": "audit_admin", "region": township.county.code}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "三员分立" in body and 'class="error"' in body
    assert not RoleAssignment.objects.filter(user=second).exists()
    assert denied("separation_of_duties").count() == 1
    assert not AuditRecord.objects.filter(
        action="accounts.role_granted", changes__user=second.username
    ).exists()


def test_a_different_person_may_take_the_other_admin_role(township, sec_client):
    first = acc.staff(township.county, id_number=people.id_number())
    services.role_grant(user=first, role="system_admin", region=township.county)
    other = acc.staff(township.county, id_number=people.id_number())
    response = sec_client.post(
        f"/accounts/users/{other.pk}/grant/", {"role": "audit_admin", "region": township.county.code}
    )
    assert response.status_code == 302
    assert RoleAssignment.objects.filter(user=other, role="audit_admin", is_active=True).count() == 1


def test_wrong_level_is_a_form_error(township, sec_client, target):
    response = sec_client.post(
        f"/accounts/users/{target.pk}/grant/", {"role": "village_committee", "region": township.town.code}
    )
    assert "须授予在" in response.content.decode()
    assert not RoleAssignment.objects.filter(user=target).exists()


def test_the_same_grant_twice_is_a_conflict(township, sec_client, target):
    data = {"role": "village_committee", "region": township.village_a.code}
    assert sec_client.post(f"/accounts/users/{target.pk}/grant/", data).status_code == 302
    response = sec_client.post(f"/accounts/users/{target.pk}/grant/", data)
    assert "已有这项授权" in response.content.decode()
    assert RoleAssignment.objects.filter(user=target).count() == 1


def test_the_villager_role_and_privileged_roles_for_villagers_are_refused(township, sec):
    villager, _ = services.villager_account_create(
        resident_or_name="李大爷", phone="13800002222", village=township.village_a, created_by=None
    )
    with pytest.raises(ValidationFailed, match="村民角色随村民账号"):
        services.role_grant_as_admin(actor=sec, user=villager, role="villager", region=township.village_b)
    with pytest.raises(ValidationFailed, match="村民账号不能担任"):
        services.role_grant_as_admin(
            actor=sec, user=villager, role="village_secretary", region=township.village_a
        )
    # a non-privileged role is fine: a villager who is also a party member
    services.role_grant_as_admin(actor=sec, user=villager, role="party_member", region=township.village_a)
    assert set(RoleAssignment.objects.filter(user=villager).values_list("role", flat=True)) == {
        "villager",
        "party_member",
    }


def test_department_role_needs_a_department_of_that_town(township, sec_client, target):
    department = department_create(town=township.town, name="司法所", code="justice")
    missing = sec_client.post(
        f"/accounts/users/{target.pk}/grant/", {"role": "department_staff", "region": township.town.code}
    )
    assert "须指定对象" in missing.content.decode()
    assert not RoleAssignment.objects.filter(user=target).exists()
    ok = sec_client.post(
        f"/accounts/users/{target.pk}/grant/",
        {"role": "department_staff", "region": township.town.code, "department": str(department.pk)},
    )
    assert ok.status_code == 302
    a = RoleAssignment.objects.get(user=target)
    assert (a.scope_type, a.scope_id) == ("department", department.pk)
    assert department.staff.filter(pk=target.pk).exists()


def test_a_system_administrator_sees_accounts_but_cannot_grant(township, target):
    sysadm = factories.user_with_role("system_admin", township.county)
    client = factories.signed_in_client(sysadm)
    page = client.get(f"/accounts/users/{target.pk}/").content.decode()
    assert "王村干" in page and "授予角色" not in page
    with pytest.raises(PermissionDenied):
        services.role_grant_as_admin(
            actor=sysadm, user=target, role="village_committee", region=township.village_a
        )
    assert not RoleAssignment.objects.filter(user=target).exists()


def test_an_account_takes_the_region_of_its_first_regional_grant(township):
    user = User.objects.create_user(username="bare", password=factories.PASSWORD, full_name="无辖区")
    assert user.region_code == ""
    services.role_grant(user=user, role="grid_worker", region=township.grid_a1)
    services.role_grant(user=user, role="village_committee", region=township.village_b)
    user.refresh_from_db()
    assert user.region_code == township.grid_a1.code


# ----------------------------------------------------------------------------------------------------- revoking


def test_revoke_through_the_page(township, sec, sec_client, target):
    a = services.role_grant(user=target, role="village_committee", region=township.village_a)
    response = sec_client.post(f"/accounts/users/{target.pk}/roles/{a.pk}/revoke/")
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.is_active is False
    rec = AuditRecord.objects.get(action="accounts.role_revoked", object_id=str(a.pk))
    assert rec.actor == sec and rec.changes["is_active"] == [True, False]
    # the grant no longer counts for the policy
    target.refresh_from_db()
    assert not services.policy.can(target, "people.view")
    # a second revocation is refused, not silently accepted
    again = sec_client.post(f"/accounts/users/{target.pk}/roles/{a.pk}/revoke/", follow=True)
    assert "已经撤销" in again.content.decode()
    assert AuditRecord.objects.filter(action="accounts.role_revoked").count() == 1


def test_revoked_grant_can_be_granted_again(township, sec_client, target):
    a = services.role_grant(user=target, role="village_committee", region=township.village_a)
    sec_client.post(f"/accounts/users/{target.pk}/roles/{a.pk}/revoke/")
    response = sec_client.post(
        f"/accounts/users/{target.pk}/grant/",
        {"role": "village_committee", "region": township.village_a.code},
    )
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.is_active is True


def test_security_admin_cannot_revoke_their_own_grants(sec, sec_client):
    own = RoleAssignment.objects.get(user=sec)
    response = sec_client.post(f"/accounts/users/{sec.pk}/roles/{own.pk}/revoke/", follow=True)
    assert "不能撤销自己" in response.content.decode()
    own.refresh_from_db()
    assert own.is_active is True
    assert denied("self_revoke").count() == 1


def test_a_grant_over_a_region_outside_reach_cannot_be_revoked(township, other_county, sec_client, target):
    foreign = services.role_grant(user=target, role="village_committee", region=other_county[2])
    response = sec_client.post(f"/accounts/users/{target.pk}/roles/{foreign.pk}/revoke/", follow=True)
    assert "不在您的管理范围内" in response.content.decode()
    foreign.refresh_from_db()
    assert foreign.is_active is True
    assert denied("region_out_of_scope").count() == 1


def test_an_assignment_of_another_user_is_a_404(township, sec_client, target):
    other = acc.staff(township.village_a)
    a = services.role_grant(user=other, role="village_committee", region=township.village_a)
    assert sec_client.post(f"/accounts/users/{target.pk}/roles/{a.pk}/revoke/").status_code == 404
    a.refresh_from_db()
    assert a.is_active is True


def test_revoking_department_staff_leaves_the_department(township, sec, target):
    department = department_create(town=township.town, name="司法所", code="justice")
    a = services.role_grant_as_admin(
        actor=sec, user=target, role="department_staff", region=township.town, scope_id=department.pk
    )
    services.role_revoke(actor=sec, assignment=a)
    assert not department.staff.filter(pk=target.pk).exists()
