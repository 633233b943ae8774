"""Isolation of the party-member points routes (points/urls_party.py, points/api_party.py). Merged into
registry.ROUTES. The makers are here: a village party scheme, a branch and its members, made through the real
services."""

from tests.isolation.registry import Detail, Exempt, Listing, Post

API_WRITE = (
    "接口写操作（JSON）；越权的党组织、评定返回 404 且不写入，见 tests/points/test_party.py"
    "（test_api_refuses_an_org_out_of_reach_and_writes_nothing）"
)


def _renamed(made, **names):
    kwargs, marker = made
    return {new: kwargs[old] for new, old in names.items()}, marker


def _branch_with_member(grid, *, base: bool = False):
    from tests import factories
    from tests.party.factories import branch
    from xiangzhi.core import clock
    from xiangzhi.party import services as party_services
    from xiangzhi.points import party

    secretary = factories.user_with_role("village_secretary", grid.parent)
    party.default_scheme(user=secretary, village=grid.parent)
    org = branch(grid.parent, name=f"党支部{grid.code}")
    member = party_services.party_member_add(user=None, org=org, name=f"党员{grid.code}")
    if base:
        party.base_post(user=secretary, org=org, year=clock.today().year)
    return secretary, org, member


def make_member(grid):
    _s, _org, member = _branch_with_member(grid)
    return {}, member.name


def make_org(grid):
    _s, org, _m = _branch_with_member(grid)
    return {"pk": org.pk}, org.name


def make_grade(grid):
    from xiangzhi.core import clock
    from xiangzhi.points import party

    secretary, org, member = _branch_with_member(grid, base=True)
    party.grade_propose(user=secretary, org=org, year=clock.today().year)
    grade = party.PartyGrade.objects.get(party_member=member)
    return {"pk": grade.pk}, member.name


def _year() -> int:
    from xiangzhi.core import clock

    return clock.today().year


def base_posted(response, k):
    from xiangzhi.points.models import LedgerEntry

    assert response.status_code == 302, response.status_code
    assert LedgerEntry.objects.filter(kind=LedgerEntry.BASE, party_member__org_id=k["pk"]).count() == 1


def grade_confirmed(response, k):
    from xiangzhi.points.models import PartyGrade

    assert response.status_code == 302, response.status_code
    assert PartyGrade.objects.get(pk=k["pk"]).confirmed == "qualified"


ROUTES = {
    "points:party_ranking": [
        Listing("village_secretary", make_member),
        Listing("town_leader", make_member),
    ],
    "points:party_ranking_export": [
        Listing("village_secretary", make_member),
        Listing("town_leader", make_member),
    ],
    "points:party_mine": Exempt(
        "党员本人的积分与申报，只读写本人的（见 tests/points/test_party.py："
        "test_the_own_points_page_shows_the_members_own_only）"
    ),
    "points:party_grades": Detail(
        "village_secretary",
        make_org,
        post=Post(data=lambda k: {"action": "base", "year": _year()}, ok=base_posted),
    ),
    "points:party_grade_confirm": Detail(
        "village_secretary",
        make_grade,
        post=Post(data={"confirmed": "qualified", "note": ""}, ok=grade_confirmed),
    ),
}

# The API router (points/api_party.py) is registered here once the project mounts it at /api/v1/points/party/.
API_ROUTES = {
    "api:party_ranking": [
        Listing("village_secretary", make_member, api=True),
        Listing("town_leader", make_member, api=True),
    ],
    "api:party_mine": Exempt("只返回调用者本人的党员积分（见 tests/points/test_party.py）"),
    "api:party_grade_list": Detail(
        "village_secretary", lambda g: _renamed(make_org(g), org_id="pk"), api=True
    ),
    "api:party_base_post": Exempt(API_WRITE),
    "api:party_attendance_post": Exempt(API_WRITE),
    "api:party_grade_propose": Exempt(API_WRITE),
    "api:party_grade_confirm": Exempt(API_WRITE),
}


ROUTES.update(API_ROUTES)
