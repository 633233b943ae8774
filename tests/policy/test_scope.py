import pytest

from xiangzhi import policy
from xiangzhi.regions.models import Region


@pytest.mark.django_db
def test_within_narrows_and_never_widens(township, make_user):
    staff = make_user("town_staff", township.village_a)
    regions = Region.objects.all()
    codes = lambda qs: sorted(qs.values_list("code", flat=True))  # noqa: E731
    assert codes(
        policy.scope(staff, "regions.view", regions, field="code", within=township.grid_a1.code)
    ) == [township.grid_a1.code]
    # a subtree outside the grant gives nothing, a wider one gives only the grant
    assert (
        codes(policy.scope(staff, "regions.view", regions, field="code", within=township.village_b.code))
        == []
    )
    assert codes(
        policy.scope(staff, "regions.view", regions, field="code", within=township.town.code)
    ) == codes(policy.scope(staff, "regions.view", regions, field="code"))
    sql = str(policy.scope(staff, "regions.view", regions, field="code", within=township.grid_a1.code).query)
    assert sql.count(">=") == 1  # one narrow range, not a wide one and a narrow one


@pytest.mark.django_db
def test_no_grant_sees_nothing_and_can_nothing(township, make_user):
    nobody = make_user()
    assert not policy.scope(nobody, "people.view", Region.objects.all(), field="code").exists()
    assert not policy.can(nobody, "people.view")
    with pytest.raises(LookupError):
        policy.can(nobody, "no.such.action")


@pytest.mark.django_db
def test_audit_region_keeps_to_the_users_reach(township, make_user):
    staff = make_user("village_secretary", township.village_a)
    assert policy.audit_region(staff, "people.export", township.grid_a1.code) == township.grid_a1.code
    # a code typed for somewhere else files the record under the user's own grant, not there
    assert policy.audit_region(staff, "people.export", "141030101201") == township.village_a.code
    assert policy.audit_region(staff, "people.export") == township.village_a.code
