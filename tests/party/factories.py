"""Party test data through the real services; makers for tests/isolation/registry.py."""

from xiangzhi.party import services


def branch(village, *, name: str = "党支部"):
    town = services.party_org_create(
        user=None, name=f"{village.parent.name}党委", kind="town_committee", region=village.parent
    )
    return services.party_org_create(user=None, name=name, kind="branch", region=village, parent=town)


def _marker(grid) -> str:
    return f"党支部{grid.code}"


def make_org(grid):
    org = branch(grid.parent, name=_marker(grid))
    return {"pk": org.pk}, _marker(grid)


def make_listed_org(grid):
    branch(grid.parent, name=_marker(grid))
    return {}, _marker(grid)


def make_coverage(grid):
    return {"code": grid.parent.code}, grid.parent.name


def make_member(grid):
    """A probationary member of a branch in the grid's village (so that 转正 has something to do)."""
    org = branch(grid.parent, name=f"支部{grid.code}")
    member = services.party_member_add(user=None, org=org, name=_marker(grid), status="probationary")
    return {"pk": member.pk}, _marker(grid)


def make_link(grid):
    from tests.people import factories as pf

    org = branch(grid.parent, name=f"支部{grid.code}")
    member = services.party_member_add(user=None, org=org, name=_marker(grid))
    household = pf.household(grid, head_name=f"户主{grid.code}")
    link = services.household_link_add(user=None, member=member, household=household)
    return {"pk": link.pk}, _marker(grid)


def make_member_with_household(grid):
    """A member (see make_member) and a household of the same grid not linked to anyone: `_household` is its pk."""
    from tests.people import factories as pf

    kwargs, marker = make_member(grid)
    household = pf.household(grid, head_name=f"户主{grid.code}")
    return {**kwargs, "_household": household.pk}, marker


def make_household_with_member(grid):
    """A household and an active member of its village's branch who looks after nobody yet: `_member`."""
    from tests.people import factories as pf

    org = branch(grid.parent, name=f"支部{grid.code}")
    member = services.party_member_add(user=None, org=org, name=_marker(grid))
    household = pf.household(grid, head_name=f"户主{grid.code}")
    return {"pk": household.pk, "_member": member.pk}, _marker(grid)


def make_listed_member(grid):
    """For the 党员名册 export: a resident of `grid` (with a phone, for tests/privacy to look for) registered as a
    member of the village's branch, looking after a household of the same grid. The marker is the member's name."""
    from tests.people import factories as pf

    org = branch(grid.parent, name=f"名册支部{grid.code}")
    home = pf.household(grid, head_name=f"党员{grid.code}", phone=pf.phone())
    member = services.party_member_add(user=None, org=org, resident=home.head)
    linked = pf.household(grid, head_name=f"联系户{grid.code}", phone=pf.phone())
    services.household_link_add(user=None, member=member, household=linked)
    return {}, f"党员{grid.code}"
