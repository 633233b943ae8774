"""Isolation of the passbook, ledger, correction and split routes (merged into registry.ROUTES). The makers are
here: a household in the grid whose head's name is the marker, with an entry on the ledger.

A village secretary reads any household's passbook and the ledger of the village, corrects entries and splits
households there, and gets an audited 404 on another village's. The villager's own passbook has no id to guess.
The API's writes take JSON, which this harness does not post: their isolation is tested in tests/points."""

import datetime as dt

from tests.isolation.registry import Detail, Exempt, Listing, Post

LEDGER_FILTERS = {"region": ("region",)}


def _marker(grid) -> str:
    return f"积分户{grid.code}"


def _household(grid, *, points: int = 7):
    from tests.people import factories as pf
    from xiangzhi.points import ledger
    from xiangzhi.points.models import LedgerEntry

    h = pf.household(grid, head_name=_marker(grid))
    entry = ledger.post(
        holder=ledger.Holder.of(h),
        kind=LedgerEntry.CLAIM,
        earned=points,
        note="入户评议",
        actor_label="tests",
    )
    return h, entry


def make_passbook(grid):
    h, _ = _household(grid)
    return {"pk": h.pk}, _marker(grid)


def make_passbook_api(grid):
    h, _ = _household(grid)
    return {"household_id": h.pk}, _marker(grid)


def make_listed_entry(grid):
    _household(grid)
    return {}, _marker(grid)


def make_entry(grid):
    _, entry = _household(grid)
    return {"pk": entry.pk}, _marker(grid)


def make_household_to_split(grid):
    from tests.people import factories as pf

    h, _ = _household(grid, points=9)
    member = pf.resident(h, name=f"成员{grid.code}", relation="child", birth=dt.date(1990, 6, 1))
    return {"pk": h.pk, "_member": member.pk}, _marker(grid)


def corrected(response, k):
    from xiangzhi.points.models import LedgerEntry

    assert response.status_code == 302, response.status_code
    assert LedgerEntry.objects.filter(corrects_id=k["pk"], note="重复录入").count() == 1


def split_done(response, k):
    from xiangzhi.people.models import Resident
    from xiangzhi.points.models import LedgerEntry

    assert response.status_code == 302, response.status_code
    moved = Resident.objects.get(pk=k["_member"])
    assert moved.household_id != k["pk"]
    assert LedgerEntry.objects.filter(
        household_id=moved.household_id, kind="transfer", earned_delta=4
    ).exists()


ROUTES = {
    "points:passbook_own": Exempt(
        "只显示本人所在户的存折，无编号可猜（见 tests/points/test_passbook.py："
        "test_a_cadre_opens_any_household_of_the_village_and_gets_a_404_beyond_it）"
    ),
    "points:passbook_own_pdf": Exempt(
        "只打印本人所在户的存折，无编号可猜（见 tests/points/test_passbook.py）"
    ),
    "points:passbook_household": [
        Detail("village_secretary", make_passbook),
        Detail("town_leader", make_passbook),
    ],
    "points:passbook_household_pdf": Detail("village_secretary", make_passbook),
    "points:ledger_list": [
        Listing("village_secretary", make_listed_entry, filters=LEDGER_FILTERS),
        Listing("town_leader", make_listed_entry, filters=LEDGER_FILTERS),
        Listing("grid_worker", make_listed_entry),
    ],
    "points:ledger_export": [
        Listing("village_secretary", make_listed_entry, filters=LEDGER_FILTERS),
        Listing("town_leader", make_listed_entry, filters=LEDGER_FILTERS),
    ],
    "points:correct_entry": Detail(
        "village_secretary", make_entry, post=Post(data={"reason": "重复录入"}, ok=corrected)
    ),
    "points:split_household": Detail(
        "village_secretary",
        make_household_to_split,
        post=Post(
            data=lambda k: {
                "members": [k["_member"]],
                "new_head": k["_member"],
                "address": "分户新址1号",
                "confirm": "1",
            },
            ok=split_done,
        ),
    ),
}


ROUTES.update(
    {
        "api:passbook_mine": Exempt("只返回调用者本人所在户的存折（见 tests/points/test_passbook.py）"),
        "api:passbook_of_household": Detail("village_committee", make_passbook_api, api=True),
        "api:ledger_entries": [
            Listing("village_committee", make_listed_entry, api=True, filters=LEDGER_FILTERS),
            Listing("town_leader", make_listed_entry, api=True, filters=LEDGER_FILTERS),
        ],
        "api:ledger_correct": Exempt(
            "POST（JSON）：越权流水返回 404、不写入（见 tests/points/test_passbook.py："
            "test_the_api_lists_and_corrects_the_ledger）"
        ),
        "api:points_household_split": Exempt(
            "POST（JSON）：越权的户返回 404、不写入（见 tests/points/test_split.py："
            "test_the_api_splits_by_the_same_rule）"
        ),
    }
)
