import datetime as dt

import pytest

from xiangzhi.accounts.models import RoleAssignment
from xiangzhi.accounts.services import role_grant
from xiangzhi.audit import services as audit
from xiangzhi.audit.models import AuditRecord
from xiangzhi.core.errors import ValidationFailed
from xiangzhi.core.models import Notification
from xiangzhi.party.models import HouseholdLink, PartyMember, PartyOrg
from xiangzhi.party.services import household_link_add, party_member_add, party_org_create
from xiangzhi.people import idnumber
from xiangzhi.people.models import Household, Resident
from xiangzhi.people.services import household_create, resident_create
from xiangzhi.regions.models import Region
from xiangzhi.regions.services import region_code_models, region_create, region_merge


def _people(grid, n, seq):
    hh = household_create(user=None, grid=grid, address=f"{grid.name}{n}号")
    resident_create(
        user=None,
        household=hh,
        name=f"居民{seq}",
        id_number=idnumber.make("141029", dt.date(1970, 1, 1), seq, "M"),
        relation="head",
    )
    return hh


@pytest.fixture
def villages(township, make_user):
    """Village B (北坡村, one grid with a micro-grid) is merged into village A (南山村, grids 001 and 002)."""
    t = township
    t.micro_b = region_create(code=t.grid_b1.code + "001", name="北坡一网格微网格", parent=t.grid_b1)
    t.hh_a = _people(t.grid_a1, 1, 1)
    t.hh_b = _people(t.grid_b1, 1, 2)
    t.hh_micro = _people(t.micro_b, 2, 3)
    town_org = party_org_create(user=None, name="尉庄乡党委", kind="town_committee", region=t.town)
    t.org_b = party_org_create(
        user=None, name="北坡村党支部", kind="branch", region=t.village_b, parent=town_org
    )
    t.general = party_org_create(
        user=None,
        name="联村党总支",
        kind="general_branch",
        region=t.village_a,
        parent=town_org,
        covered_regions=[t.village_a, t.village_b],
    )
    t.member_b = party_member_add(user=None, org=t.org_b, name="党员乙")
    household_link_add(user=None, member=t.member_b, household=t.hh_b)
    t.secretary_b = make_user("village_secretary", t.village_b)
    t.worker_b = make_user("grid_worker", t.grid_b1)
    t.both = make_user("village_committee", t.village_a)
    role_grant(user=t.both, role="village_committee", region=t.village_b)
    return t


@pytest.mark.django_db
def test_merge_moves_grids_and_rewrites_every_region_code(villages, make_user):
    t = villages
    officer = make_user("county_officer", t.county)
    records_before = AuditRecord.objects.count()
    result = region_merge(source=t.village_b, target=t.village_a, actor=officer)

    new_grid = t.village_a.code + "003"  # the next free number after 001, 002
    assert result.grid_codes == {t.grid_b1.code: new_grid}
    grid = Region.objects.get(pk=t.grid_b1.pk)
    assert (grid.code, grid.parent_id) == (new_grid, t.village_a.pk)
    assert Region.objects.get(pk=t.micro_b.pk).code == new_grid + "001"
    source = Region.objects.get(pk=t.village_b.pk)
    assert (source.is_active, source.merged_into_id) == (False, t.village_a.pk)

    assert Household.objects.get(pk=t.hh_b.pk).region_code == new_grid
    assert Household.objects.get(pk=t.hh_micro.pk).region_code == new_grid + "001"
    assert set(
        Resident.objects.filter(household__in=[t.hh_b, t.hh_micro]).values_list("region_code", flat=True)
    ) == {
        new_grid,
        new_grid + "001",
    }
    assert (
        Household.objects.get(pk=t.hh_a.pk).region_code == t.grid_a1.code
    )  # the target's own rows untouched
    org_b = PartyOrg.objects.get(pk=t.org_b.pk)
    assert (org_b.region_code, org_b.region_id) == (t.village_a.code, t.village_a.pk)
    assert PartyMember.objects.get(pk=t.member_b.pk).region_code == t.village_a.code
    assert HouseholdLink.objects.get(member=t.member_b).region_code == new_grid
    assert list(PartyOrg.objects.get(pk=t.general.pk).covered_regions.values_list("code", flat=True)) == [
        t.village_a.code
    ]
    secretary = RoleAssignment.objects.get(user=t.secretary_b)
    assert (secretary.region_code, secretary.region_id) == (t.village_a.code, t.village_a.pk)
    assert RoleAssignment.objects.get(user=t.worker_b).region_code == new_grid
    assert RoleAssignment.objects.filter(user=t.both).count() == 1  # the duplicate role was folded
    # Nothing is left under the old village code, in any model that carries one.
    for model in region_code_models():
        assert not model._default_manager.filter(region_code__startswith=t.village_b.code).exists(), model

    merged = AuditRecord.objects.get(action="regions.merged")
    assert AuditRecord.objects.count() == records_before + 1  # one record for the whole merger
    assert (merged.actor, merged.region_code) == (officer, t.village_a.code)
    assert merged.changes["grids"] == {t.grid_b1.code: new_grid}
    assert merged.changes["rows"]["people.household"] == 2
    assert merged.changes["rows"]["people.resident"] == 2
    assert merged.changes["rows"]["accounts.roleassignment.duplicates_removed"] == 1
    # Old audit records moved with their rows, and the chain still verifies (region_code is outside the hash).
    assert (
        AuditRecord.objects.filter(object_type="people.household", object_id=str(t.hh_b.pk)).get().region_code
        == new_grid
    )
    assert audit.verify() == []


@pytest.mark.django_db
def test_merge_picks_numbers_after_the_highest_grid(villages):
    t = villages
    region_create(code=t.village_a.code + "007", name="南山村第七网格", parent=t.village_a)
    assert region_merge(source=t.village_b, target=t.village_a).grid_codes == {
        t.grid_b1.code: t.village_a.code + "008"
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    "source,target,message",
    [
        ("village_b", "village_b", "自己"),
        ("grid_b1", "village_a", "村（社区）之间"),
        ("village_b", "town", "村（社区）之间"),
    ],
)
def test_merge_refuses(villages, source, target, message):
    t = villages
    with pytest.raises(ValidationFailed, match=message):
        region_merge(source=getattr(t, source), target=getattr(t, target))
    assert Region.objects.get(pk=t.village_b.pk).is_active
    assert Household.objects.get(pk=t.hh_b.pk).region_code == t.grid_b1.code


@pytest.mark.django_db
def test_merge_refuses_across_towns_and_twice(villages):
    t = villages
    other_town = region_create(code="141029202", name="关王庙乡", parent=t.county)
    far = region_create(code="141029202201", name="河西村", parent=other_town)
    with pytest.raises(ValidationFailed, match="同一乡镇"):
        region_merge(source=t.village_b, target=far)
    region_merge(source=t.village_b, target=t.village_a)
    with pytest.raises(ValidationFailed, match="已撤并"):
        region_merge(source=t.village_b, target=t.village_a)
    with pytest.raises(ValidationFailed, match="已撤并"):
        region_create(
            code=t.village_b.code + "009", name="新网格", parent=Region.objects.get(pk=t.village_b.pk)
        )


@pytest.mark.django_db
def test_rows_under_the_village_but_no_grid_refuse_the_whole_merge(
    villages, django_capture_on_commit_callbacks
):
    t = villages
    Notification.objects.create(
        user=t.secretary_b, event="x", title="孤儿", region_code=t.village_b.code + "555"
    )
    with pytest.raises(ValidationFailed, match="不属于任何网格"):
        region_merge(source=t.village_b, target=t.village_a)
    assert Household.objects.get(pk=t.hh_b.pk).region_code == t.grid_b1.code  # everything rolled back
    assert Region.objects.get(pk=t.grid_b1.pk).code == t.grid_b1.code
    assert not AuditRecord.objects.filter(action="regions.merged").exists()
