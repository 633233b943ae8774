"""Town department pages: list per town, create, add and remove staff of the town."""

import re

import pytest

from tests.factories import signed_in_client
from xiangzhi.audit.models import AuditRecord
from xiangzhi.core import services
from xiangzhi.core.models import Department
from xiangzhi.regions.services import region_create


def body(resp) -> str:
    return resp.content.decode()


def field_error(html: str, field: str) -> str:
    m = re.search(rf'<p class="error" id="(?:id_)?{field}-error" role="alert">(.*?)</p>', html, re.S)
    return m.group(1) if m else ""


@pytest.fixture
def towns(township):
    township.other_town = region_create(code="141029202", name="关王庙乡", parent=township.county)
    township.other_village = region_create(code="141029202201", name="河西村", parent=township.other_town)
    return township


@pytest.mark.django_db
def test_list_is_scoped_and_filtered_by_town(towns, make_user):
    services.department_create(town=towns.town, name="司法所", code="justice")
    services.department_create(town=towns.other_town, name="派出所", code="police")
    leader = signed_in_client(make_user("town_leader", towns.town))
    page = body(leader.get("/departments/"))
    assert "司法所" in page and "派出所" not in page and "设立部门" in page
    assert 'href="/departments/"' in body(leader.get("/"))  # in the menu
    officer = signed_in_client(make_user("county_officer", towns.county))
    both = body(officer.get("/departments/"))
    assert "<h2>尉庄乡</h2>" in both and "<h2>关王庙乡</h2>" in both
    one = body(officer.get(f"/departments/?town={towns.other_town.code}"))
    assert "派出所" in one and "司法所" not in one
    staff = signed_in_client(make_user("department_staff", towns.town))
    assert "设立部门" not in body(staff.get("/departments/"))
    villager_side = signed_in_client(make_user("village_secretary", towns.village_a))
    assert "司法所" not in body(villager_side.get("/departments/"))


@pytest.mark.django_db
def test_create_page_creates_and_audits(towns, make_user):
    leader = make_user("town_leader", towns.town)
    client = signed_in_client(leader)
    page = body(client.get("/departments/new/"))
    assert "尉庄乡" in page and "关王庙乡" not in page
    resp = client.post("/departments/new/", {"town": towns.town.code, "name": "司法所", "code": "justice"})
    dept = Department.objects.get()
    assert resp.status_code == 302 and resp.url == f"/departments/{dept.pk}/"
    assert (dept.town, dept.name, dept.code) == (towns.town, "司法所", "justice")
    assert AuditRecord.objects.get(action="departments.created").actor == leader


@pytest.mark.django_db
@pytest.mark.parametrize(
    "town,name,code,field,message",
    [
        ("mine", "司法所", "Justice!", "code", "部门代码须以小写字母开头"),
        ("mine", "", "justice", "name", "请填写部门名称。"),
        ("other", "司法所", "justice", "town", "请从列表中选择您管辖的乡镇。"),
        ("", "司法所", "justice", "town", "请选择乡镇。"),
    ],
)
def test_create_refusals_next_to_the_field_with_typed_values_kept(
    towns, make_user, town, name, code, field, message
):
    client = signed_in_client(make_user("town_leader", towns.town))
    town_code = {"mine": towns.town.code, "other": towns.other_town.code, "": ""}[town]
    resp = client.post("/departments/new/", {"town": town_code, "name": name, "code": code})
    assert resp.status_code == 422
    html = body(resp)
    assert field_error(html, field).startswith(message)
    assert f'value="{name}"' in html and f'value="{code}"' in html
    assert not Department.objects.exists()


@pytest.mark.django_db
def test_create_needs_departments_change(towns, make_user):
    client = signed_in_client(make_user("department_staff", towns.town))
    assert client.get("/departments/new/").status_code == 403
    resp = client.post("/departments/new/", {"town": towns.town.code, "name": "司法所", "code": "justice"})
    assert resp.status_code == 403 and not Department.objects.exists()


@pytest.mark.django_db
def test_staff_are_added_from_the_town_and_removed(towns, make_user):
    dept = services.department_create(town=towns.town, name="司法所", code="justice")
    leader = make_user("town_leader", towns.town)
    in_town = make_user("town_staff", towns.village_a)
    elsewhere = make_user("town_staff", towns.other_village)
    villager = make_user("villager", towns.village_a)
    villager.kind = "villager"
    villager.save()
    client = signed_in_client(leader)
    page = body(client.get(f"/departments/{dept.pk}/"))
    assert f'value="{in_town.pk}"' in page and f'value="{leader.pk}"' in page
    assert f'value="{elsewhere.pk}"' not in page and f'value="{villager.pk}"' not in page

    resp = client.post(f"/departments/{dept.pk}/", {"action": "add", "user": in_town.pk})
    assert resp.status_code == 302 and list(dept.staff.all()) == [in_town]
    again = client.post(
        f"/departments/{dept.pk}/", {"action": "add", "user": in_town.pk}
    )  # no longer a choice
    assert again.status_code == 422 and field_error(body(again), "user") == "请从列表中选择本乡镇的工作人员。"
    for outsider in (elsewhere, villager):
        resp = client.post(f"/departments/{dept.pk}/", {"action": "add", "user": outsider.pk})
        assert resp.status_code == 422
        assert field_error(body(resp), "user") == "请从列表中选择本乡镇的工作人员。"
    assert list(dept.staff.all()) == [in_town]
    assert client.post(f"/departments/{dept.pk}/", {"action": "add", "user": ""}).status_code == 422

    not_member = client.post(f"/departments/{dept.pk}/", {"action": "remove", "user": leader.pk})
    assert not_member.status_code == 400 and "不是本部门的成员" in body(not_member)
    resp = client.post(f"/departments/{dept.pk}/", {"action": "remove", "user": in_town.pk})
    assert resp.status_code == 302 and dept.staff.count() == 0
    actions = list(
        AuditRecord.objects.filter(object_type="core.department")
        .order_by("seq")
        .values_list("action", "actor")
    )
    assert actions == [
        ("departments.created", None),
        ("departments.staff_added", leader.pk),
        ("departments.staff_removed", leader.pk),
    ]


@pytest.mark.django_db
def test_staff_changes_need_departments_change_and_reach(towns, make_user):
    dept = services.department_create(town=towns.town, name="司法所", code="justice")
    member = make_user("department_staff", towns.town)
    viewer = signed_in_client(member)
    page = viewer.get(f"/departments/{dept.pk}/")
    assert page.status_code == 200 and "加入工作人员" not in body(page)
    denied = AuditRecord.objects.filter(result=AuditRecord.RESULT_DENIED).count()
    resp = viewer.post(f"/departments/{dept.pk}/", {"action": "add", "user": member.pk})
    assert resp.status_code == 403 and "您没有权限执行此操作。" in body(resp)
    assert dept.staff.count() == 0
    assert AuditRecord.objects.filter(result=AuditRecord.RESULT_DENIED).count() == denied + 1
    other_leader = signed_in_client(make_user("town_leader", towns.other_town))
    assert (
        other_leader.post(f"/departments/{dept.pk}/", {"action": "add", "user": member.pk}).status_code == 404
    )
    assert dept.staff.count() == 0
