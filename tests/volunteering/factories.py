"""Volunteering test data through the real services; makers for tests/isolation/routes_volunteering.py."""

import itertools
from types import SimpleNamespace

from tests import factories
from tests.people import factories as pf
from tests.points import factories as pts
from xiangzhi.core import clock
from xiangzhi.volunteering import services

ITEMS = [
    ("ZY01", "志愿服务（每小时）", 2, {"category": "volunteering", "cap_per_period": 10}),
    ("HJ01", "庭院整洁", 5, {"category": "environment"}),
]


def cast(t) -> SimpleNamespace:
    """Village B with a household scheme holding 志愿服务, a team, two households (the first with two members)."""
    secretary = factories.user_with_role("village_secretary", t.village_b)
    scheme = pts.scheme(t.village_b, secretary, items=ITEMS)
    home = pf.household(t.grid_b1, head_name="赵大哥")
    son = pf.resident(home, name="赵小弟")
    other = pf.household(t.grid_b1, head_name="钱大姐")
    team = services.team_create(user=secretary, village=t.village_b, name="应急救助队", kind="emergency")
    members = [
        services.team_member_add(user=secretary, team=team, resident=r, is_leader=i == 0)
        for i, r in enumerate([home.head, son, other.head])
    ]
    return SimpleNamespace(
        secretary=secretary,
        reviewer=factories.user_with_role("points_reviewer", t.village_b),
        scheme=scheme,
        item=scheme.items.get(code="ZY01"),
        home=home,
        son=son,
        other=other,
        team=team,
        members=members,
    )


def activity(c, *, item=True, title="清理河道"):
    return services.activity_create(
        user=c.secretary, team=c.team, title=title, date=clock.today(), item=c.item if item else None
    )


# -- makers: make(grid) -> (url kwargs, marker) ---------------------------------------------------------------------


def _secretary(grid):
    return factories.user_with_role("village_secretary", grid.parent)


_made = itertools.count(1)


def _marker(grid) -> str:
    return f"志愿队{grid.code}"


def _team_name(grid) -> str:
    """Team names are unique in a village; a route walk makes several teams for one grid."""
    return f"{_marker(grid)}-{next(_made)}"


def make_team(grid):
    team = services.team_create(user=_secretary(grid), village=grid.parent, name=_team_name(grid))
    return {"pk": team.pk}, _marker(grid)


def make_team_with_resident(grid):
    """A team and a resident of its village who is not a member yet (`_resident`)."""
    kwargs, marker = make_team(grid)
    h = pf.household(grid, head_name=f"居民{grid.code}")
    return {**kwargs, "_resident": h.head_id}, marker


def make_member(grid):
    user = _secretary(grid)
    team = services.team_create(user=user, village=grid.parent, name=_team_name(grid))
    h = pf.household(grid, head_name=f"队员{grid.code}")
    member = services.team_member_add(user=user, team=team, resident=h.head)
    return {"pk": member.pk}, _marker(grid)


def make_activity(grid, *, with_item: bool = False):
    user = _secretary(grid)
    item = None
    if with_item:
        scheme = pts.scheme(grid.parent, user, items=ITEMS)
        item = scheme.items.get(code="ZY01")
    team = services.team_create(user=user, village=grid.parent, name=f"队{grid.code}-{next(_made)}")
    h = pf.household(grid, head_name=f"队员{grid.code}")
    member = services.team_member_add(user=user, team=team, resident=h.head)
    a = services.activity_create(user=user, team=team, title=_marker(grid), date=clock.today(), item=item)
    return {"pk": a.pk, "_volunteer": member.pk, "_household": h.pk}, _marker(grid)


def make_activity_with_hours(grid):
    kwargs, marker = make_activity(grid, with_item=True)
    from xiangzhi.volunteering.models import Activity, Volunteer

    services.participant_set(
        user=_secretary(grid),
        activity=Activity.objects.get(pk=kwargs["pk"]),
        volunteer=Volunteer.objects.get(pk=kwargs["_volunteer"]),
        minutes=90,
    )
    return kwargs, marker


def make_participation(grid):
    kwargs, marker = make_activity_with_hours(grid)
    from xiangzhi.volunteering.models import Participation

    return {"pk": Participation.objects.get(activity_id=kwargs["pk"]).pk}, marker


def make_listed_activity(grid):
    _kwargs, marker = make_activity(grid)
    return {}, marker


def make_team_to_create(grid):
    """For the team form: the village (`_village`) whose team would be created; the listed marker is a team."""
    kwargs, marker = make_team(grid)
    return {"_village": grid.parent.code, "_name": f"新队{grid.code}"}, marker
