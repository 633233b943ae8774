"""三资 test data through the real services."""

import datetime as dt
from types import SimpleNamespace

from tests import factories
from tests.deliberation import factories as df
from tests.people import factories as pf
from xiangzhi.assets import rules, services
from xiangzhi.deliberation import rules as drules
from xiangzhi.deliberation import services as dservices

VALID_ID = "11010519491231002X"


def passed_item(grid, *, kind: str = drules.ITEM_ORDINARY, approve: bool = True, passed: bool = True):
    """A decided item of a 村民代表会议 (5 members, all present) of the grid's village."""
    body = df.body_with_members(grid, 5)
    meeting = df.meeting(body, days=0)
    present = df.attend(meeting, 5)
    item = df.item(meeting, title=f"决议{grid.code}", kind=kind)
    df.open_votes(item, present, yes=5 if passed else 0, no=0 if passed else 5)
    item = dservices.item_decide(user=None, item=item)
    if approve and item.needs_township_approval and item.passed:
        item = dservices.item_township_approve(user=None, item=item)
    return item


def fields(**kw) -> dict:
    """A lawful lease of a member's, 10 years, with a written contract (the resolution is given by the caller)."""
    base = {
        "code": "HT-001",
        "category": rules.ASSETS,
        "matter": rules.MATTER_LEASE,
        "subject": "村委会临街门面房两间",
        "area": "0.35",
        "amount": 600000,
        "amount_basis": rules.PER_YEAR,
        "counterparty_name": "张三",
        "counterparty_type": rules.INDIVIDUAL,
        "counterparty_is_member": True,
        "counterparty_id_number": "",
        "starts_on": dt.date(2020, 1, 1),
        "ends_on": dt.date(2029, 12, 31),
        "has_written_contract": True,
        "resolution_id": None,
        "schedule": [],
        "note": "",
    }
    base.update(kw)
    return base


def contract(user, village, *, resolution=None, **kw):
    kw.setdefault("resolution_id", resolution.pk if resolution is not None else None)
    return services.contract_create(user=user, village=village, **fields(**kw))


def cast(t) -> SimpleNamespace:
    c = SimpleNamespace()
    c.secretary = factories.user_with_role("village_secretary", t.village_a)
    c.committee = factories.user_with_role("village_committee", t.village_a)
    c.secretary_b = factories.user_with_role("village_secretary", t.village_b)
    c.town_staff = factories.user_with_role("town_staff", t.village_a)
    c.supervisor = factories.user_with_role("supervisor", t.village_a)
    c.leader = factories.user_with_role("town_leader", t.town)
    c.county = factories.user_with_role("county_officer", t.county)
    c.grid_worker = factories.user_with_role("grid_worker", t.grid_a1)
    c.item = passed_item(t.grid_a1)
    return c


# -- makers for tests/isolation/routes_assets.py: make(grid) -> (url kwargs, marker text) ---------------------------

_seq = {"n": 0}


def _village(grid):
    from xiangzhi.regions.models import Region

    return Region.objects.get(code=grid.code[:12])


def make_contract(grid):
    _seq["n"] += 1
    village = _village(grid)
    secretary = factories.user_with_role("village_secretary", village)
    marker = f"合同{grid.code}"
    c = contract(
        secretary,
        village,
        code=f"M{grid.code}-{_seq['n']}",
        counterparty_name=marker,
        has_written_contract=False,
        counterparty_id_number=pf.id_number(),  # for the privacy walk: pages show it masked only
        schedule=[(dt.date(2020, 3, 1), 100000)],
    )
    return {"pk": c.pk, "_village": village.code}, marker


def make_village(grid):
    """A village with one contract (the report lists villages that have contracts), marked by its name."""
    make_contract(grid)
    return {}, _village(grid).name


def make_setting_target(grid):
    village = _village(grid)
    return {"code": village.code}, village.name
