"""Party test data through the real services; makers for tests/isolation/registry.py."""

from xiangzhi.party import services


def branch(village, *, name: str = "党支部"):
    town = services.party_org_create(
        user=None, name=f"{village.parent.name}党委", kind="town_committee", region=village.parent
    )
    return services.party_org_create(user=None, name=name, kind="branch", region=village, parent=town)


def _marker(grid) -> str:
    return f"党支部{grid.code[-6:]}"


def make_org(grid):
    org = branch(grid.parent, name=_marker(grid))
    return {"pk": org.pk}, _marker(grid)


def make_listed_org(grid):
    branch(grid.parent, name=_marker(grid))
    return {}, _marker(grid)


def make_coverage(grid):
    return {"code": grid.parent.code}, grid.parent.name
