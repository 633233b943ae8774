"""What success looks like for each POST of the every-route isolation test (tests/isolation/registry.py).

Each `ok(response, kwargs)` is handed the response to the POST on the viewer's own object and the maker's kwargs,
and asserts the effect by reading the database, so that a redirect back with an error, or a form re-shown,
cannot pass for a success. The `*_form` helpers build the POSTed form from the kwargs."""

import datetime as dt

from xiangzhi.core import clock


def _redirected(response, to: str | None = None):
    assert response.status_code == 302, f"expected a redirect after success, got {response.status_code}"
    if to is not None:
        assert response["Location"] == to, response["Location"]


def _slip(response):
    assert response.status_code == 200, response.status_code
    assert "激活码" in response.content.decode()


# -- accounts ---------------------------------------------------------------------------------------------------


def role_granted(response, k):
    from xiangzhi.accounts.models import RoleAssignment

    _redirected(response, f"/accounts/users/{k['pk']}/")
    assert RoleAssignment.objects.filter(
        user_id=k["pk"], role="grid_worker", region_code=k["_grid"], is_active=True
    ).exists()


def role_revoked(response, k):
    from xiangzhi.accounts.models import RoleAssignment

    _redirected(response, f"/accounts/users/{k['pk']}/")
    assert RoleAssignment.objects.get(pk=k["assignment_pk"]).is_active is False


def account_disabled(response, k):
    from xiangzhi.accounts.models import User

    _redirected(response, f"/accounts/users/{k['pk']}/")
    assert User.objects.get(pk=k["pk"]).is_active is False


def otp_reset(response, k):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    _redirected(response, f"/accounts/users/{k['pk']}/")
    assert not TOTPDevice.objects.filter(user_id=k["pk"]).exists()


def villager_opened(response, k):
    from xiangzhi.accounts.models import ActivationCode, User

    _slip(response)
    user = User.objects.get(resident_id=k["pk"], kind=User.KIND_VILLAGER)
    assert (
        ActivationCode.objects.filter(user=user, used_at__isnull=True, revoked_at__isnull=True).count() == 1
    )


def activation_code_issued(response, k):
    from xiangzhi.accounts.models import ActivationCode

    _slip(response)
    codes = ActivationCode.objects.filter(user_id=k["pk"])
    assert codes.count() == 2, "a new code is issued"
    assert codes.filter(revoked_at__isnull=True, used_at__isnull=True).count() == 1, "and the old one revoked"


# -- people -----------------------------------------------------------------------------------------------------


def revealed(response, k):
    from xiangzhi.audit.models import AuditRecord
    from xiangzhi.people.models import Resident

    assert response.status_code == 200, response.status_code
    resident = Resident.objects.get(pk=k["pk"])
    assert resident.id_number in response.content.decode()
    assert AuditRecord.objects.filter(object_id=str(resident.pk), action__contains="reveal").exists()


HOUSEHOLD_EDIT = {"address": "改后的住址1号", "number": "H-9", "group_name": "九组", "tags": []}


def household_edited(response, k):
    from xiangzhi.people.models import Household

    _redirected(response, f"/people/households/{k['pk']}/")
    h = Household.objects.get(pk=k["pk"])
    assert (h.address, h.number, h.group_name) == ("改后的住址1号", "H-9", "九组")


BORN = dt.date(1991, 4, 5)


def resident_create_form(k):
    from tests.people import factories as pf

    return {
        "name": "新登记成员",
        "sex": "F",
        "birth_date": BORN.isoformat(),
        "id_number": pf.id_number(birth=BORN, sex="F"),
        "phone": "",
        "relation": "child",
        "residence": "registered",
        "tags": [],
    }


def resident_created(response, k):
    from xiangzhi.people.models import Resident

    _redirected(response, f"/people/households/{k['pk']}/")
    assert Resident.objects.filter(household_id=k["pk"], name="新登记成员").count() == 1


def resident_edit_form(k):
    from xiangzhi.people.models import Resident

    r = Resident.objects.get(pk=k["pk"])
    return {
        "name": "改过的名字",
        "sex": r.sex,
        "relation": r.relation,
        "residence": "migrant_worker",
        "id_number": "",
        "birth_date": "",
        "phone": "",
        "tags": [],
    }


def resident_edited(response, k):
    from xiangzhi.people.models import Resident

    _redirected(response, f"/people/residents/{k['pk']}/")
    r = Resident.objects.get(pk=k["pk"])
    assert (r.name, r.residence) == ("改过的名字", "migrant_worker")


def head_set(response, k):
    from xiangzhi.people.models import Resident

    r = Resident.objects.select_related("household").get(pk=k["pk"])
    _redirected(response, f"/people/households/{r.household_id}/")
    assert r.household.head_id == r.pk and r.relation == "head"


def leave_form(k):
    return {"date": clock.today().isoformat(), "confirmed": "1"}


def resident_status(status: str):
    def ok(response, k):
        from xiangzhi.people.models import Resident

        _redirected(response, f"/people/residents/{k['pk']}/")
        r = Resident.objects.get(pk=k["pk"])
        assert (r.status, r.status_date) == (status, clock.today())

    ok.__name__ = f"resident_{status}"
    return ok


# -- party ------------------------------------------------------------------------------------------------------

MEMBER_ADD = {"source": "name", "name": "新登记党员", "status": "full"}


def member_added(response, k):
    from xiangzhi.party.models import PartyMember

    member = PartyMember.objects.get(org_id=k["pk"], name="新登记党员")
    _redirected(response, f"/party/members/{member.pk}/")


def member_full(response, k):
    from xiangzhi.party.models import PartyMember

    _redirected(response, f"/party/members/{k['pk']}/")
    assert PartyMember.objects.get(pk=k["pk"]).status == PartyMember.STATUS_FULL


def member_inactive(response, k):
    from xiangzhi.party.models import PartyMember

    _redirected(response, f"/party/members/{k['pk']}/")
    assert PartyMember.objects.get(pk=k["pk"]).is_active is False


def member_linked(response, k):
    from xiangzhi.party.models import HouseholdLink

    _redirected(response, f"/party/members/{k['pk']}/")
    assert HouseholdLink.objects.filter(member_id=k["pk"], household_id=k["_household"]).exists()


def household_linked(response, k):
    from xiangzhi.party.models import HouseholdLink

    _redirected(response, f"/people/households/{k['pk']}/")
    assert HouseholdLink.objects.filter(member_id=k["_member"], household_id=k["pk"]).exists()


def link_removed(response, k):
    from xiangzhi.party.models import HouseholdLink

    assert response.status_code == 302, response.status_code
    assert not HouseholdLink.objects.filter(pk=k["pk"]).exists()


# -- regions and departments ------------------------------------------------------------------------------------


def region_renamed(response, k):
    from xiangzhi.regions.models import Region

    _redirected(response, f"/regions/{k['code']}/")
    assert Region.objects.get(code=k["code"]).name == "改名网格"


def region_child_created(response, k):
    from xiangzhi.regions.models import Region

    code = k["code"] + "009"
    _redirected(response, f"/regions/{code}/")
    child = Region.objects.get(code=code)
    assert (child.name, child.parent.code) == ("新微网格", k["code"])


def merge_form(k):
    from xiangzhi.regions import selectors
    from xiangzhi.regions.models import Region

    plan = selectors.region_merge_plan(
        source=Region.objects.get(code=k["source"]), target=Region.objects.get(code=k["target"])
    )
    return {"plan": plan.fingerprint}


def merged(response, k):
    from xiangzhi.regions.models import Region

    _redirected(response, f"/regions/{k['target']}/")
    source = Region.objects.get(code=k["source"])
    assert source.is_active is False and source.merged_into.code == k["target"]


def department_staff_added(response, k):
    from xiangzhi.core.models import Department

    _redirected(response, f"/departments/{k['pk']}/")
    assert Department.objects.get(pk=k["pk"]).staff.filter(pk=k["_user"]).exists()


def department_form(k):
    return {"town": k["_town"], "name": f"综合执法队{k['_town']}", "code": "enforcement"}


def department_created(response, k):
    from xiangzhi.core.models import Department

    department = Department.objects.get(town__code=k["_town"], name=f"综合执法队{k['_town']}")
    _redirected(response, f"/departments/{department.pk}/")
