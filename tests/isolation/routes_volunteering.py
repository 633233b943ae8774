"""Isolation of the volunteering routes (makers in tests/volunteering/factories.py). Merged into registry.ROUTES."""

from tests.isolation.registry import Detail, Exempt, Listing, Post

API_WRITE = "接口写操作（JSON）；越权的队伍、队员、活动返回 404 且不写入，见 tests/volunteering/test_api.py"
Q = {"q": ("marker",)}


def _vf():
    from tests.volunteering import factories

    return factories


def _renamed(made, **names):
    kwargs, marker = made
    return {new: kwargs[old] for new, old in names.items()}, marker


def _today() -> str:
    from xiangzhi.core import clock

    return clock.today().isoformat()


def _village_named(grid):
    """The team form offers the viewer's villages: the marker is the village's name."""
    return {"_village": grid.parent.code, "_name": f"新队{grid.code}"}, grid.parent.name


def team_created(response, k):
    from xiangzhi.volunteering.models import VolunteerTeam

    assert response.status_code == 302, response.status_code
    assert VolunteerTeam.objects.filter(region_code=k["_village"], name=k["_name"]).exists()


def member_added(response, k):
    from xiangzhi.volunteering.models import Volunteer

    assert response.status_code == 302, response.status_code
    assert Volunteer.objects.filter(team_id=k["pk"], resident_id=k["_resident"], is_active=True).exists()


def member_removed(response, k):
    from xiangzhi.volunteering.models import Volunteer

    assert response.status_code == 302, response.status_code
    assert Volunteer.objects.get(pk=k["pk"]).is_active is False


def activity_created(response, k):
    from xiangzhi.volunteering.models import Activity

    assert response.status_code == 302, response.status_code
    assert Activity.objects.filter(team_id=k["pk"], title="清理河道").exists()


def hours_recorded(response, k):
    from xiangzhi.volunteering.models import Participation

    assert response.status_code == 302, response.status_code
    assert Participation.objects.get(activity_id=k["pk"], volunteer_id=k["_volunteer"]).minutes == 150


def activity_confirmed(response, k):
    from xiangzhi.points.models import Claim
    from xiangzhi.volunteering.models import Activity

    assert response.status_code == 302, response.status_code
    assert Activity.objects.get(pk=k["pk"]).state == Activity.CONFIRMED
    assert Claim.objects.get(household_id=k["_household"]).points == 4  # 90 minutes: two started hours × 2


def participation_removed(response, k):
    from xiangzhi.volunteering.models import Participation

    assert response.status_code == 302, response.status_code
    assert not Participation.objects.filter(pk=k["pk"]).exists()


ROUTES = {
    "volunteering:team_list": [
        Listing("village_secretary", lambda g: _vf().make_team(g), filters=Q),
        Listing("town_leader", lambda g: _vf().make_team(g), filters=Q),
    ],
    "volunteering:team_create": Listing(
        "village_secretary",
        _village_named,
        post=Post(
            data=lambda k: {"village": k["_village"], "name": k["_name"], "kind": "daily"}, ok=team_created
        ),
    ),
    "volunteering:team_detail": Detail(
        "village_secretary",
        lambda g: _vf().make_team_with_resident(g),
        post=Post(data=lambda k: {"resident": k["_resident"]}, ok=member_added),
    ),
    "volunteering:member_remove": Detail(
        "village_secretary", lambda g: _vf().make_member(g), method="post", post=Post(ok=member_removed)
    ),
    "volunteering:activity_create": Detail(
        "village_secretary",
        lambda g: _vf().make_team(g),
        post=Post(data=lambda k: {"title": "清理河道", "date": _today()}, ok=activity_created),
    ),
    "volunteering:activity_list": [
        Listing("village_secretary", lambda g: _vf().make_listed_activity(g)),
        Listing("town_leader", lambda g: _vf().make_listed_activity(g)),
    ],
    "volunteering:activity_detail": Detail(
        "village_secretary",
        lambda g: _vf().make_activity(g),
        post=Post(
            data=lambda k: {"volunteer": k["_volunteer"], "hours": 2, "minutes": 30}, ok=hours_recorded
        ),
    ),
    "volunteering:activity_confirm": Detail(
        "village_secretary",
        lambda g: _vf().make_activity_with_hours(g),
        method="post",
        post=Post(ok=activity_confirmed),
    ),
    "volunteering:participant_remove": Detail(
        "village_secretary",
        lambda g: _vf().make_participation(g),
        method="post",
        post=Post(ok=participation_removed),
    ),
    # API
    "api:volunteer_team_list": [
        Listing("village_committee", lambda g: _vf().make_team(g), api=True, filters=Q),
        Listing("town_leader", lambda g: _vf().make_team(g), api=True, filters=Q),
    ],
    "api:volunteer_team_detail": Detail(
        "village_committee", lambda g: _renamed(_vf().make_team(g), team_id="pk"), api=True
    ),
    "api:volunteer_activity_list": Listing(
        "village_committee", lambda g: _vf().make_listed_activity(g), api=True
    ),
    "api:volunteer_activity_detail": Detail(
        "village_committee", lambda g: _renamed(_vf().make_activity(g), activity_id="pk"), api=True
    ),
    "api:volunteer_team_create": Exempt(API_WRITE),
    "api:volunteer_member_add": Exempt(API_WRITE),
    "api:volunteer_member_remove": Exempt(API_WRITE),
    "api:volunteer_activity_create": Exempt(API_WRITE),
    "api:volunteer_participant_set": Exempt(API_WRITE),
    "api:volunteer_activity_confirm": Exempt(API_WRITE),
}
