"""The ledger's rules at their boundaries: 可用积分 never below zero (a deduction applies at most down to zero and
records what it applied), strict debits refuse, corrections reference what they correct, verify names the first
bad entry."""

import pytest
from django.db import IntegrityError, connection, transaction

from tests.points import factories as pts
from xiangzhi.core.errors import Conflict, ValidationFailed
from xiangzhi.points import ledger
from xiangzhi.points.models import LedgerEntry, PointBalance

pytestmark = pytest.mark.django_db


@pytest.fixture
def c(township):
    return pts.cast(township)


def test_a_deduction_lowers_available_at_most_to_zero_and_records_what_it_applied(c):
    pts.give(c.home, 7, code="HJ01")
    entry = pts.give(c.home, -20, code="KF02")
    assert (entry.earned_delta, entry.available_delta) == (-20, -7)
    assert ledger.balance_of(ledger.Holder.of(c.home)) == (-13, 0)
    # earned may go below zero; available stays at zero with the next deduction (and records 0 applied)
    entry = pts.give(c.home, -5, code="KF01")
    assert (entry.earned_delta, entry.available_delta, entry.available_after) == (-5, 0, 0)


def test_a_strict_debit_of_exactly_the_balance_passes_one_more_point_fails(c):
    pts.give(c.home, 10)
    holder = ledger.Holder.of(c.home)
    with pytest.raises(ValidationFailed, match="可用积分不足"):
        ledger.post(
            holder=holder, kind=LedgerEntry.REDEMPTION, available=-11, earned=0, strict_available=True
        )
    assert ledger.balance_of(holder) == (10, 10)
    ledger.post(holder=holder, kind=LedgerEntry.REDEMPTION, available=-10, earned=0, strict_available=True)
    assert ledger.balance_of(holder) == (10, 0)


def test_the_database_refuses_a_negative_available_balance(c):
    pts.give(c.home, 3)
    with pytest.raises(IntegrityError), transaction.atomic():
        PointBalance.objects.filter(household=c.home).update(available=-1)


def test_a_correction_undoes_an_entry_and_points_at_it(c):
    wrong = pts.give(c.home, 10, code="MD01")
    fixed = ledger.correct(entry=wrong, actor=c.secretary, reason="重复录入")
    assert fixed.corrects_id == wrong.pk and fixed.kind == LedgerEntry.CORRECTION
    assert (fixed.earned_delta, fixed.available_delta) == (-10, -10)
    assert ledger.balance_of(ledger.Holder.of(c.home)) == (0, 0)
    with pytest.raises(ValidationFailed):
        ledger.correct(entry=wrong, actor=c.secretary, reason="  ")


def test_a_redemption_is_not_corrected_on_the_ledger(c):
    pts.give(c.home, 10)
    spent = ledger.post(
        holder=ledger.Holder.of(c.home), kind=LedgerEntry.REDEMPTION, available=-4, strict_available=True
    )
    with pytest.raises(Conflict):
        ledger.correct(entry=spent, actor=c.secretary, reason="退货")


def test_transfer_moves_both_balances_with_an_entry_on_each_side(c):
    pts.give(c.home, 30)
    pts.give(c.home, -5, code="KF01")
    source, target = ledger.Holder.of(c.home), ledger.Holder.of(c.other)
    out, into = ledger.transfer(
        source=source,
        target=target,
        earned=10,
        available=10,
        actor=c.secretary,
        note="分户",
        source_ref="split:1",
    )
    assert (out.earned_delta, into.earned_delta) == (-10, 10)
    assert ledger.balance_of(source) == (15, 15) and ledger.balance_of(target) == (10, 10)
    with pytest.raises(ValidationFailed):
        ledger.transfer(
            source=source,
            target=target,
            earned=0,
            available=16,
            actor=None,
            note="分户",
            source_ref="split:2",
        )


def test_verify_passes_on_an_honest_ledger(c):
    for n in (5, -3, 10, -20, 7):
        pts.give(c.home, n)
    pts.give(c.far, 4)
    report = ledger.verify()
    assert report.ok, report.problems
    assert (report.entries, report.chains, report.balances) == (6, 2, 2)


@pytest.mark.parametrize("column", ["earned_delta", "note", "occurred_on"])
def test_verify_names_the_first_altered_entry(c, column):
    entries = [pts.give(c.home, n) for n in (5, 6, 7)]
    target = entries[1]
    value = {"earned_delta": 60, "note": "改过", "occurred_on": target.occurred_on.replace(year=2020)}[column]
    LedgerEntry.objects.filter(pk=target.pk).update(**{column: value})
    report = ledger.verify()
    assert not report.ok
    assert f"#{target.pk}（链 {target.chain} 第 2 条）" in report.problems[0]


def test_verify_notices_a_deleted_entry_and_a_balance_that_disagrees(c):
    entries = [pts.give(c.home, n) for n in (5, 6, 7)]
    with connection.cursor() as cur:
        cur.execute("DELETE FROM points_ledgerentry WHERE id = %s", [entries[2].pk])
    report = ledger.verify()
    assert any("链头" in p for p in report.problems)
    assert any(f"积分余额 #{PointBalance.objects.get(household=c.home).pk}" in p for p in report.problems)
