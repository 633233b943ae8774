"""Two of everything at every level, so that each role has a region it may see and one it may not."""

from types import SimpleNamespace

from tests import factories
from xiangzhi.accounts.roles import ROLES
from xiangzhi.regions.services import region_create


def build() -> SimpleNamespace:
    c1 = region_create(code="141029", name="乡宁县")
    c2 = region_create(code="141030", name="大宁县")
    t1 = region_create(code="141029201", name="尉庄乡", parent=c1)
    t2 = region_create(code="141029202", name="关王庙乡", parent=c1)
    t3 = region_create(code="141030101", name="昕水镇", parent=c2)
    va = region_create(code="141029201201", name="南山村", parent=t1)
    vb = region_create(code="141029201202", name="北坡村", parent=t1)
    vc = region_create(code="141029202201", name="河西村", parent=t2)
    vd = region_create(code="141030101201", name="东关村", parent=t3)
    a1 = region_create(code="141029201201001", name="南山一网格", parent=va)
    a2 = region_create(code="141029201201002", name="南山二网格", parent=va)
    b1 = region_create(code="141029201202001", name="北坡一网格", parent=vb)
    c_1 = region_create(code="141029202201001", name="河西一网格", parent=vc)
    d1 = region_create(code="141030101201001", name="东关一网格", parent=vd)
    return SimpleNamespace(
        home={"county": c1, "town": t1, "village": va, "grid": a1, None: None},
        home_grid=a1,
        sibling_grid=a2,  # in reach of every viewer above grid level, holding none of the makers' objects
        # a grid outside the viewer's reach, for a viewer assigned at each level
        other_grid={"county": d1, "town": c_1, "village": b1, "grid": a2, None: None},
        regions=[c1, c2, t1, t2, t3, va, vb, vc, vd, a1, a2, b1, c_1, d1],
    )


def viewer(world, role: str, *, level: str | None = None, **grant):
    level = level or ROLES[role].level
    return factories.user_with_role(role, world.home[level], **grant)
