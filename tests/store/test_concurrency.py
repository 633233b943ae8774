"""Many phones press 兑换 at the same moment: no item is sold twice and no balance goes below zero.

Real threads, each with its own database connection, released together by a barrier. On PostgreSQL the row locks
(goods → balance → chain head) decide; on SQLite the writers queue for the database's write lock
(transaction_mode=IMMEDIATE). SQLite's in-memory test database cannot be shared by threads (its shared cache
answers "table is locked" at once instead of waiting), so under it the same tests run again in a child pytest
with a file-backed SQLite test database (`test_the_same_tests_run_on_a_sqlite_file`)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests.concurrency import at_once
from tests.people import factories as pf
from tests.points import factories as pts
from tests.store import factories as sf
from xiangzhi.core.errors import Conflict, ValidationFailed
from xiangzhi.points import ledger
from xiangzhi.points.models import LedgerEntry
from xiangzhi.store import services
from xiangzhi.store.models import Goods, Redemption

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def threads_share_the_db():
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("in-memory SQLite cannot be shared by threads: run again on a file by the test below")


def _redeemer(user, goods):
    return lambda: services.redeem(user=user, goods=goods)[0]


def _outcomes(results):
    wins = [r for r in results if isinstance(r, Redemption)]
    refusals = [r for r in results if isinstance(r, Conflict | ValidationFailed)]
    others = [r for r in results if not isinstance(r, Redemption | Conflict | ValidationFailed)]
    return wins, refusals, others


def test_fifty_households_race_for_the_last_three_items(threads_share_the_db, township):
    c = sf.cast(township)
    grids = [township.grid_a1, township.grid_a2]
    households = [pf.household(grids[i % 2], head_name=f"抢购{i:02d}") for i in range(50)]
    villagers = [pts.villager_of(h) for h in households]
    for h in households:
        pts.give(h, 100)
    last = sf.goods(c.secretary, c.store, name="电饭煲", price=60, stock=3)
    entries_before = LedgerEntry.objects.count()

    results = at_once(*[_redeemer(v, last) for v in villagers])

    wins, refusals, others = _outcomes(results)
    assert not others, others[:3]  # no deadlock, no "database is locked", no constraint error
    assert len(wins) == 3 and len(refusals) == 47
    assert all(isinstance(r, Conflict) and "库存不足" in r.message for r in refusals)
    assert Goods.objects.get(pk=last.pk).stock == 0
    assert Redemption.objects.filter(goods=last).count() == 3
    winners = {r.household_id for r in wins}
    for h in households:
        expected = 40 if h.pk in winners else 100
        assert ledger.balance_of(ledger.Holder.of(h)) == (100, expected), h
    # no entry lost: 3 redemptions on the chain, every balance equal to the sum of its entries, chain unbroken
    assert LedgerEntry.objects.count() == entries_before + 3
    assert LedgerEntry.objects.filter(kind=LedgerEntry.REDEMPTION).count() == 3
    report = ledger.verify()
    assert report.ok, report.problems


def test_one_household_presses_twenty_times_with_points_for_two(threads_share_the_db, township):
    c = sf.cast(township)
    pts.give(c.home, 25)  # two soaps at 10
    services.restock(user=c.keeper, goods=c.soap, quantity=100)

    results = at_once(*[_redeemer(c.villager, c.soap) for _ in range(20)])

    wins, refusals, others = _outcomes(results)
    assert not others, others[:3]
    assert len(wins) == 2 and len(refusals) == 18
    assert all(isinstance(r, ValidationFailed) and "可用积分不足" in r.message for r in refusals)
    assert ledger.balance_of(ledger.Holder.of(c.home)) == (25, 5)
    assert Goods.objects.get(pk=c.soap.pk).stock == 105 - 2
    assert LedgerEntry.objects.filter(household=c.home, kind=LedgerEntry.REDEMPTION).count() == 2
    report = ledger.verify()
    assert report.ok, report.problems


def test_a_redemption_and_its_cancellation_race_with_new_redemptions(threads_share_the_db, township):
    """Cancellations (goods → redemption → balance) and redemptions (goods → balance) of the same goods at once:
    no deadlock, and stock and points add up afterwards."""
    c = sf.cast(township)
    pts.give(c.home, 200)
    pts.give(c.other, 200)
    services.restock(user=c.keeper, goods=c.soap, quantity=5)  # 10 on the shelf
    first = [services.redeem(user=c.villager, goods=c.soap)[0] for _ in range(4)]
    calls = [lambda r=r: services.redemption_cancel(user=c.keeper, redemption=r) for r in first]
    calls += [_redeemer(c.villager_other, c.soap) for _ in range(6)]

    results = at_once(*calls)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert Goods.objects.get(pk=c.soap.pk).stock == 10 - 6
    assert ledger.balance_of(ledger.Holder.of(c.home))[1] == 200
    assert ledger.balance_of(ledger.Holder.of(c.other))[1] == 200 - 60
    assert ledger.verify().ok


def test_the_same_tests_run_on_a_sqlite_file(tmp_path):
    """Under the in-memory SQLite test database, run this module again in a child pytest whose test database is a
    file, so that the threads really run against SQLite too."""
    if not (connection.vendor == "sqlite" and connection.is_in_memory_db()):
        pytest.skip("the tests above ran here with real threads")
    env = {**os.environ, "DJANGO_TEST_DB_NAME": str(tmp_path / "store_concurrency.sqlite3")}
    env.pop("DATABASE_URL", None)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            str(Path(__file__)),
            "-k",
            "not sqlite_file",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    tail = (proc.stdout + proc.stderr)[-3000:]
    assert proc.returncode == 0, tail
    assert "3 passed" in proc.stdout and "skipped" not in proc.stdout, tail
