import pytest

from tests.factories import signed_in_client
from tests.people import factories as pf
from xiangzhi.audit.models import AuditRecord
from xiangzhi.core.errors import Conflict, PermissionDenied, ValidationFailed
from xiangzhi.party import selectors, services
from xiangzhi.party.models import HouseholdLink, PartyMember

pytestmark = pytest.mark.django_db


@pytest.fixture
def orgs(township):
    town = services.party_org_create(
        user=None, name="尉庄乡党委", kind="town_committee", region=township.town
    )
    general = services.party_org_create(
        user=None,
        name="南山联村党总支",
        kind="general_branch",
        region=township.village_a,
        parent=town,
        covered_regions=[township.village_a, township.village_b],
    )
    branch = services.party_org_create(
        user=None, name="南山村党支部", kind="branch", region=township.village_a, parent=general
    )
    return town, general, branch


def test_org_tree_rules(township, orgs):
    town, general, branch = orgs
    with pytest.raises(ValidationFailed, match="党支部不能设在党小组之下"):
        group = services.party_org_create(
            user=None, name="一组", kind="group", region=township.grid_a1, parent=branch
        )
        services.party_org_create(user=None, name="x", kind="branch", region=township.village_a, parent=group)
    with pytest.raises(ValidationFailed, match="须有上级党组织"):
        services.party_org_create(user=None, name="x", kind="branch", region=township.village_a)
    with pytest.raises(ValidationFailed, match="乡镇党委的所在辖区必须是乡镇"):
        services.party_org_create(user=None, name="x", kind="town_committee", region=township.village_a)
    assert sorted(r.code for r in general.covered_regions.all()) == [
        township.village_a.code,
        township.village_b.code,
    ]
    assert AuditRecord.objects.filter(action="party.org_created").count() == 4


def test_tree_for_a_village_secretary_starts_at_what_he_sees(township, make_user, orgs):
    secretary = make_user("village_secretary", township.village_a)
    nodes = selectors.party_org_tree(user=secretary)
    assert [(n.org.name, n.depth) for n in nodes] == [("南山联村党总支", 0), ("南山村党支部", 1)]
    leader = make_user("town_leader", township.town)
    assert [n.depth for n in selectors.party_org_tree(user=leader)] == [0, 1, 2]


def test_member_add_from_a_resident(township, orgs):
    h = pf.household(township.grid_a1, head_name="张三")
    m = services.party_member_add(
        user=None, org=orgs[2], resident=h.head, status="probationary", is_mobile=True
    )
    assert (m.name, m.region_code, m.get_status_display(), m.is_mobile) == (
        "张三",
        township.grid_a1.code,
        "预备党员",
        True,
    )
    with pytest.raises(ValidationFailed, match="张三已登记为党员"):
        services.party_member_add(user=None, org=orgs[2], resident=h.head)
    with pytest.raises(ValidationFailed, match="正式党员或预备党员"):
        services.party_member_add(user=None, org=orgs[2], name="李四", status="x")


def _households(grid, n):
    return [pf.household(grid, head_name=f"户{i}") for i in range(n)]


def test_link_limit_15_then_16_refused(township, orgs):
    member = services.party_member_add(user=None, org=orgs[2], name="党员甲")
    hs = _households(township.grid_a1, 16)
    for h in hs[:15]:
        services.household_link_add(user=None, member=member, household=h)
    assert member.links.count() == 15
    with pytest.raises(ValidationFailed, match="每名党员最多联系 15 户，党员甲已联系 15 户，不能再增加。"):
        services.household_link_add(user=None, member=member, household=hs[15])
    assert HouseholdLink.objects.count() == 15
    with pytest.raises(Conflict, match="已联系"):
        services.household_link_add(user=None, member=member, household=hs[0])


def test_link_limit_is_set_per_village(township, orgs):
    township.village_a.household_link_limit = 2
    township.village_a.save()
    member = services.party_member_add(user=None, org=orgs[2], name="党员乙")
    hs = _households(township.grid_a1, 3)
    services.household_link_add(user=None, member=member, household=hs[0])
    services.household_link_add(user=None, member=member, household=hs[1])
    with pytest.raises(ValidationFailed, match="最多联系 2 户"):
        services.household_link_add(user=None, member=member, household=hs[2])


def test_link_outside_the_orgs_coverage_is_refused(township, orgs, make_user):
    member = services.party_member_add(user=None, org=orgs[2], name="党员丙")  # 南山村党支部: village A only
    (b_house,) = _households(township.grid_b1, 1)
    with pytest.raises(ValidationFailed, match="不在党员所在党组织的覆盖范围内"):
        services.household_link_add(user=None, member=member, household=b_house)
    general_member = services.party_member_add(user=None, org=orgs[1], name="党员丁")  # covers A and B
    services.household_link_add(user=None, member=general_member, household=b_house)
    worker = make_user("grid_worker", township.grid_a1)
    (a_house,) = _households(township.grid_a1, 1)
    with pytest.raises(PermissionDenied):
        services.household_link_add(user=worker, member=member, household=a_house)


def test_coverage_lists_unlinked_households_and_members_over_limit(township, orgs, make_user):
    member = services.party_member_add(user=None, org=orgs[2], name="党员甲")
    other = services.party_member_add(user=None, org=orgs[2], name="党员乙")
    hs = _households(township.grid_a1, 4)
    _households(township.grid_b1, 2)  # another village: not counted
    for h in hs[:3]:
        services.household_link_add(user=None, member=member, household=h)
    link = services.household_link_add(user=None, member=other, household=hs[0])
    township.village_a.household_link_limit = 2  # lowered after the links were made
    township.village_a.save()
    leader = make_user("town_leader", township.town)
    c = selectors.coverage(user=leader, village=township.village_a)
    assert (c.households, c.linked, c.unlinked_count) == (4, 3, 1)
    assert [h.pk for h in c.unlinked] == [hs[3].pk]
    assert [(m.name, m.link_count) for m in c.over_limit] == [("党员甲", 3)]
    services.household_link_remove(user=None, link=link)
    assert AuditRecord.objects.filter(action="party.household_unlinked").count() == 1
    PartyMember.objects.filter(pk=member.pk).update(is_active=False)
    c = selectors.coverage(user=leader, village=township.village_a)
    assert (c.linked, c.unlinked_count) == (0, 4)


def test_party_pages(township, make_user, orgs):
    member = services.party_member_add(user=None, org=orgs[2], name="党员甲")
    (h,) = _households(township.grid_a1, 1)
    services.household_link_add(user=None, member=member, household=h)
    client = signed_in_client(make_user("village_secretary", township.village_a))
    html = client.get("/party/orgs/").content.decode()
    assert "南山联村党总支" in html and "尉庄乡党委" not in html
    detail = client.get(f"/party/orgs/{orgs[2].pk}/").content.decode()
    assert "党员甲" in detail and "正式党员" in detail
    assert client.get(f"/party/orgs/{orgs[0].pk}/").status_code == 404
    cov = client.get(f"/party/coverage/{township.village_a.code}/")
    assert cov.status_code == 200 and "已有党员联系 1 户" in cov.content.decode()
    assert client.get(f"/party/coverage/{township.village_b.code}/").status_code == 404
    assert "党员甲" in client.get(f"/people/households/{h.pk}/").content.decode()
