"""Makers for the every-route isolation test (tests/isolation/registry.py)."""

from xiangzhi.regions.models import Region
from xiangzhi.regions.services import region_create


def make_merge_pair(grid):
    """The grid's village as the source and a new sibling village as the target of a 撤并."""
    village = Region.objects.get(code=grid.code[:12])
    town = Region.objects.get(code=grid.code[:9])
    sibling = Region.objects.filter(code=town.code + "298").first() or region_create(
        code=town.code + "298", name=f"{town.name}新村", parent=town
    )
    return {"source": village.code, "target": sibling.code}, village.name


def town_of(grid):
    return {}, Region.objects.get(code=grid.code[:9]).name
