"""People test data, built through the real services (user=None: the system acts, as the demo seeder does)."""

import datetime as dt
import itertools

from xiangzhi.people import idnumber, services

_seq = itertools.count(1)


def id_number(*, birth: dt.date | None = None, sex: str = "M", address6: str = "141029") -> str:
    """A checksum-valid ID number, different at every call."""
    n = next(_seq)
    birth = birth or dt.date(1950, 1, 1) + dt.timedelta(days=(n * 37) % 20000)
    return idnumber.make(address6, birth, n % 500, sex)


def household(
    grid, *, head_name: str = "张三", address: str | None = None, number: str = "", user=None, **head
):
    """A household in `grid` with its head registered."""
    h = services.household_create(
        user=user, grid=grid, address=address or f"{grid.name}{next(_seq)}号", number=number
    )
    resident(h, name=head_name, relation="head", user=user, **head)
    h.refresh_from_db()
    return h


def resident(
    household, *, name: str = "李四", relation: str = "child", sex: str = "M", birth=None, user=None, **kw
):
    number = kw.pop("id_number", None) or id_number(birth=birth, sex=sex)
    return services.resident_create(
        user=user,
        household=household,
        name=name,
        id_number=number,
        birth_date=idnumber.birth_date_of(number),
        sex=idnumber.sex_of(number),
        relation=relation,
        **kw,
    )


# -- makers for tests/isolation/registry.py: make(grid) -> (url kwargs, marker text) --------------------------


def _marker(grid) -> str:
    # the full code: a suffix would be shared by grids of different towns or counties (201001 in both
    # 141029201201001 and 141029202201001), and a list test would then look for the wrong row
    return f"户主{grid.code}"


def phone() -> str:
    """A mobile number, different at every call (tests/privacy looks for the residents' phones on pages)."""
    return f"136{next(_seq):08d}"


def make_household(grid):
    h = household(grid, head_name=_marker(grid), phone=phone())
    return {"pk": h.pk}, _marker(grid)


def make_resident(grid):
    h = household(grid, head_name=_marker(grid), phone=phone())
    return {"pk": h.head_id}, _marker(grid)


def make_listed(grid):
    household(grid, head_name=_marker(grid), phone=phone())
    return {}, _marker(grid)


def make_member(grid):
    """A household (head: the marker) with a second member, a child: for the pages that act on a member who is
    not the head (设为户主, 迁出, 去世, edit)."""
    h = household(grid, head_name=_marker(grid), phone=phone())
    child = resident(h, name=f"成员{grid.code}", relation="child", birth=dt.date(1990, 6, 1), phone=phone())
    return {"pk": child.pk}, _marker(grid)
