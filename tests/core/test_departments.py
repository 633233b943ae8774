import pytest

from xiangzhi.audit.models import AuditRecord
from xiangzhi.core import selectors, services
from xiangzhi.core.errors import ValidationFailed
from xiangzhi.core.models import Department


@pytest.mark.django_db
def test_department_create_and_staff(township, make_user):
    dept = services.department_create(town=township.town, name="司法所", code="justice")
    assert (dept.region_code, dept.town, dept.code) == (township.town.code, township.town, "justice")
    staff = make_user()
    services.department_staff_add(department=dept, user=staff)
    assert list(dept.staff.all()) == [staff]
    with pytest.raises(ValidationFailed, match="已是"):
        services.department_staff_add(department=dept, user=staff)
    services.department_staff_remove(department=dept, user=staff)
    assert dept.staff.count() == 0
    actions = list(AuditRecord.objects.filter(object_type="core.department").values_list("action", flat=True))
    assert actions == ["departments.created", "departments.staff_added", "departments.staff_removed"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "where,name,code,message",
    [
        ("village_a", "司法所", "justice", "乡镇一级"),
        ("town", "", "justice", "名称"),
        ("town", "司" * 51, "justice", "50"),
        ("town", "司法所", "Justice!", "部门代码"),
        ("town", "司法所", "1justice", "部门代码"),
    ],
)
def test_department_create_refuses(township, where, name, code, message):
    with pytest.raises(ValidationFailed, match=message):
        services.department_create(town=getattr(township, where), name=name, code=code)
    assert Department.objects.count() == 0


@pytest.mark.django_db
def test_department_codes_and_names_unique_per_town(township):
    from xiangzhi.regions.services import region_create

    services.department_create(town=township.town, name="司法所", code="justice")
    with pytest.raises(ValidationFailed, match="代码为 justice"):
        services.department_create(town=township.town, name="另一个", code="justice")
    with pytest.raises(ValidationFailed, match="名为"):
        services.department_create(town=township.town, name="司法所", code="justice2")
    other_town = region_create(code="141029202", name="关王庙乡", parent=township.county)
    services.department_create(town=other_town, name="司法所", code="justice")  # another town may reuse both


@pytest.mark.django_db
def test_villagers_are_not_department_staff(township, make_user):
    dept = services.department_create(town=township.town, name="民政办", code="civil")
    villager = make_user("villager", township.village_a)
    villager.kind = "villager"
    villager.save()
    with pytest.raises(ValidationFailed, match="村民"):
        services.department_staff_add(department=dept, user=villager)


@pytest.mark.django_db
def test_department_list_is_scoped(township, make_user):
    from xiangzhi.regions.services import region_create

    other_town = region_create(code="141029202", name="关王庙乡", parent=township.county)
    services.department_create(town=township.town, name="司法所", code="justice")
    services.department_create(town=other_town, name="派出所", code="police")
    leader = make_user("town_leader", township.town)
    assert [d.name for d in selectors.department_list(user=leader)] == ["司法所"]
    officer = make_user("county_officer", township.county)
    assert sorted(d.name for d in selectors.department_list(user=officer)) == ["司法所", "派出所"]
