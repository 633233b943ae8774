"""Volunteer teams, activities and hours; confirmed hours become claims for each participant's household."""

import datetime as dt

import pytest

from tests import factories
from tests.people import factories as pf
from tests.volunteering import factories as vf
from xiangzhi.core import clock
from xiangzhi.core.errors import Conflict, PermissionDenied, ValidationFailed
from xiangzhi.points import services as points_services
from xiangzhi.points.models import Claim
from xiangzhi.volunteering import selectors, services
from xiangzhi.volunteering.models import Activity, Participation

pytestmark = pytest.mark.django_db


@pytest.fixture
def c(township):
    return vf.cast(township)


@pytest.mark.parametrize(("minutes", "points"), [(1, 2), (60, 2), (61, 4), (120, 4), (121, 6)])
def test_points_per_started_hour(c, minutes, points):
    assert services.points_for(c.item, minutes) == points


def test_a_team_takes_residents_of_its_village_only(township, c):
    stranger = pf.household(township.grid_a1, head_name="外村人")
    with pytest.raises(ValidationFailed, match="不是本村居民"):
        services.team_member_add(user=c.secretary, team=c.team, resident=stranger.head)
    with pytest.raises(Conflict, match="已是本队队员"):
        services.team_member_add(user=c.secretary, team=c.team, resident=c.son)
    services.team_member_remove(user=c.secretary, member=c.members[1])
    assert [v.resident.name for v in selectors.team_members(team=c.team)] == ["赵大哥", "钱大姐"]
    services.team_member_add(user=c.secretary, team=c.team, resident=c.son)  # rejoins
    other_secretary = factories.user_with_role("village_secretary", township.village_a)
    with pytest.raises(PermissionDenied):
        services.team_create(user=other_secretary, village=township.village_b, name="越权队")
    with pytest.raises(ValidationFailed, match="已有"):
        services.team_create(user=c.secretary, village=township.village_b, name="应急救助队")


def test_confirmed_hours_become_one_claim_per_household(c):
    a = vf.activity(c)
    father, son, neighbour = c.members
    services.participant_set(user=c.secretary, activity=a, volunteer=father, minutes=60)
    services.participant_set(user=c.secretary, activity=a, volunteer=son, minutes=61)
    services.participant_set(user=c.secretary, activity=a, volunteer=neighbour, minutes=30)
    services.participant_set(user=c.secretary, activity=a, volunteer=neighbour, minutes=45)  # corrected
    claims = services.activity_confirm(user=c.secretary, activity=a)
    got = {cl.household_id: (cl.points, cl.state, cl.source) for cl in claims}
    assert got == {
        c.home.pk: (2 + 4, Claim.SUBMITTED, Claim.SOURCE_RECORDED),
        c.other.pk: (2, Claim.SUBMITTED, Claim.SOURCE_RECORDED),
    }
    assert "赵小弟 1 小时 1 分钟" in claims[0].description
    parts = {p.volunteer_id: (p.points, p.claim_id) for p in Participation.objects.all()}
    assert parts[son.pk] == (4, claims[0].pk) and parts[neighbour.pk] == (2, claims[1].pk)
    a.refresh_from_db()
    assert a.state == Activity.CONFIRMED
    with pytest.raises(Conflict, match="已确认"):
        services.participant_set(user=c.secretary, activity=a, volunteer=father, minutes=10)
    with pytest.raises(Conflict, match="已确认"):
        services.activity_confirm(user=c.secretary, activity=a)
    # the claims take the usual path
    claim = points_services.claim_review(user=c.reviewer, claim=claims[0], decision="approve")
    assert claim.state == Claim.NOTICE


def test_a_cap_overflow_names_the_household_and_records_nothing_for_anyone(c):
    a = vf.activity(c)
    father, son, neighbour = c.members
    services.participant_set(user=c.secretary, activity=a, volunteer=neighbour, minutes=60)
    services.participant_set(user=c.secretary, activity=a, volunteer=father, minutes=120)  # 4
    services.participant_set(user=c.secretary, activity=a, volunteer=son, minutes=181)  # 8: 12 > 10
    with pytest.raises(ValidationFailed) as err:
        services.activity_confirm(user=c.secretary, activity=a)
    assert "赵大哥户" in err.value.message and "超过上限" in err.value.message
    assert "没有为任何人记分" in err.value.message
    assert not Claim.objects.exists()
    a.refresh_from_db()
    assert a.state == Activity.OPEN and not Participation.objects.exclude(points=0).exists()
    # at the cap exactly (4 + 6 = 10) it goes through
    services.participant_set(user=c.secretary, activity=a, volunteer=son, minutes=180)
    claims = services.activity_confirm(user=c.secretary, activity=a)
    assert sorted(cl.points for cl in claims) == [2, 10]


def test_an_activity_without_an_item_confirms_hours_only(c):
    a = vf.activity(c, item=False)
    with pytest.raises(ValidationFailed, match="还没有登记"):
        services.activity_confirm(user=c.secretary, activity=a)
    services.participant_set(user=c.secretary, activity=a, volunteer=c.members[0], minutes=90)
    assert services.activity_confirm(user=c.secretary, activity=a) == []
    assert selectors.team_members(team=c.team)[0].minutes == 90


def test_bad_input_is_refused_with_nothing_written(township, c):
    a = vf.activity(c)
    for minutes in (0, 24 * 60 + 1, "一小时"):
        with pytest.raises(ValidationFailed, match="服务时长"):
            services.participant_set(user=c.secretary, activity=a, volunteer=c.members[0], minutes=minutes)
    assert services.participant_set(user=c.secretary, activity=a, volunteer=c.members[0], minutes=24 * 60)
    other_team = services.team_create(user=c.secretary, village=township.village_b, name="日常服务队")
    outsider = services.team_member_add(user=c.secretary, team=other_team, resident=c.other.head)
    with pytest.raises(ValidationFailed, match="本队"):
        services.participant_set(user=c.secretary, activity=a, volunteer=outsider, minutes=30)
    negative = c.scheme.items.create(code="KF09", name="扣分项", points=-5)
    with pytest.raises(ValidationFailed, match="加分项"):
        services.activity_create(user=c.secretary, team=c.team, title="x", date=clock.today(), item=negative)
    future = services.activity_create(
        user=c.secretary, team=c.team, title="明天", date=clock.today() + dt.timedelta(days=1), item=c.item
    )
    services.participant_set(user=c.secretary, activity=future, volunteer=c.members[0], minutes=30)
    with pytest.raises(ValidationFailed, match="还没有开展"):
        services.activity_confirm(user=c.secretary, activity=future)


def test_the_town_leader_may_manage_but_not_confirm_into_points(township, c):
    leader = factories.user_with_role("town_leader", township.town)
    a = vf.activity(c)
    services.participant_set(user=leader, activity=a, volunteer=c.members[0], minutes=30)
    with pytest.raises(PermissionDenied):
        services.activity_confirm(user=leader, activity=a)
    assert not Claim.objects.exists()
