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
    return f"户主{grid.code[-6:]}"


def make_household(grid):
    h = household(grid, head_name=_marker(grid))
    return {"pk": h.pk}, _marker(grid)


def make_resident(grid):
    h = household(grid, head_name=_marker(grid))
    return {"pk": h.head_id}, _marker(grid)


def make_listed(grid):
    household(grid, head_name=_marker(grid))
    return {}, _marker(grid)
