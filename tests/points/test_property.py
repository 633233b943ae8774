"""The ledger against a model, for any sequence of claims, approvals, deductions, redemptions, cancellations,
corrections and household splits: after every step each household's balance row equals the model's (累计积分 and
可用积分 computed here, independently of the services), 可用积分 is never below zero, and `points verify` passes;
then altering one ledger row (any one) makes `verify` fail and name that row.

Redemptions and their cancellations go through the store's services (`store.services.redeem` by the household's
villager, `redemption_cancel` of a pending redemption, once each): households split off have no villager account
and do not shop.

Each example runs in its own `transaction.atomic()` that is rolled back at its end, over one cast of people built
once per test; each step runs in its own savepoint, as a request would in its own transaction.
"""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.people import factories as pf
from tests.points import factories as pts
from xiangzhi.core import clock
from xiangzhi.core.errors import Conflict, ValidationFailed
from xiangzhi.people.models import Household, Resident
from xiangzhi.points import ledger, services
from xiangzhi.points import split as split_rules
from xiangzhi.points.models import Claim, LedgerEntry, PointBalance
from xiangzhi.store import services as store_services
from xiangzhi.store.models import Redemption

pytestmark = pytest.mark.django_db
BASE = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
CODES = ["HJ01", "MD01", "GY01", "KF01", "KF02"]

idx = st.integers(min_value=0, max_value=50)
OPS = st.one_of(
    # a cadre records a claim; with True it is approved and posted at once, else it waits for "approve"/"reject"
    st.tuples(st.just("claim"), idx, st.sampled_from(CODES), st.booleans()),
    st.tuples(st.just("claim"), idx, st.sampled_from(CODES[:3]), st.just(True)),  # merits, more often
    st.tuples(st.just("approve"), idx),  # review, notice, no objection: posted
    st.tuples(st.just("reject"), idx),
    st.tuples(st.just("redeem"), idx, st.integers(min_value=1, max_value=20)),  # the store takes 1-20 a time
    st.tuples(st.just("cancel"), idx),  # a redemption's cancellation (refund)
    st.tuples(st.just("correct"), idx, st.one_of(st.none(), st.integers(min_value=-30, max_value=30))),
    st.tuples(st.just("split"), idx, st.integers(min_value=1, max_value=3)),
    st.tuples(st.just("far"), st.integers(min_value=-15, max_value=15).filter(bool)),  # a second chain
)


@pytest.fixture
def c(township):
    c = pts.cast(township)
    for i, name in enumerate(["王小一", "王小二", "王小三"]):
        pf.resident(c.home, name=name, birth=dt.date(1990 + i, 1, 1))
    for i, name in enumerate(["李小一", "李小二"]):
        pf.resident(c.other, name=name, birth=dt.date(1995 + i, 1, 1))
    c.shoppers = {c.home.pk: c.villager, c.other.pk: pts.villager_of(c.other, name="李大妈")}
    store = store_services.store_create(
        user=c.secretary, region=township.village_a, name="南山村积分超市", villages=[township.village_a]
    )
    # a point each, plenty of stock: a redemption of n units spends n points
    c.goods = store_services.goods_save(
        user=c.secretary, store=store, name="火柴", unit="盒", price=1, stock=5000
    )
    return c


def _apply(model: dict, household_id: int, earned: int, available: int) -> int:
    """The ledger's rule, restated: 累计 moves by `earned`; 可用 by `available`, a debit at most down to zero.
    Returns what moved 可用积分."""
    e, a = model.get(household_id, (0, 0))
    applied = available if available >= 0 else -min(a, -available)
    model[household_id] = (e + earned, a + applied)
    return applied


class Run:
    """One example: the households in play, the claims waiting, the redemptions, and the model balances."""

    def __init__(self, c):
        self.c = c
        self.households = [c.home, c.other]
        self.pending: list[Claim] = []
        self.redemptions: list[Redemption] = []
        self.correctable: list[LedgerEntry] = []
        self.model: dict[int, tuple[int, int]] = {}
        self.split_n = 0

    def pick(self, seq, i):
        return seq[i % len(seq)] if seq else None

    def step(self, op):
        kind = op[0]
        c = self.c
        if kind == "claim":
            household = self.pick(self.households, op[1])
            if household.status != Household.STATUS_ACTIVE:
                return
            try:
                claim = services.claim_record(user=c.secretary, item=pts.item(c, op[2]), household=household)
            except ValidationFailed:  # over the item's cap this month: refused, nothing written
                return
            self.pending.append(claim)
            if op[3]:
                self.step(("approve", len(self.pending) - 1))
        elif kind in ("approve", "reject"):
            claim = self.pick(self.pending, op[1])
            if claim is None:
                return
            self.pending.remove(claim)
            if kind == "reject":
                services.claim_review(user=c.reviewer, claim=claim, decision="reject", note="不符合条件")
                return
            claim = services.claim_review(user=c.reviewer, claim=claim, decision="approve")
            clock.advance(dt.timedelta(days=claim.scheme.notice_days, minutes=1))
            entry = services.claim_post(claim)
            applied = _apply(self.model, claim.household_id, claim.points, claim.points)
            assert (entry.earned_delta, entry.available_delta) == (claim.points, applied)
            self.correctable.append(entry)
        elif kind == "redeem":
            household = self.pick(self.households, op[1])
            user, n = c.shoppers.get(household.pk), op[2]
            if user is None:
                return
            if n > self.model.get(household.pk, (0, 0))[1]:
                with pytest.raises(ValidationFailed, match="可用积分不足"), transaction.atomic():
                    store_services.redeem(user=user, goods=c.goods, quantity=n)
                return
            redemption, created = store_services.redeem(user=user, goods=c.goods, quantity=n)
            assert created and redemption.points == n
            _apply(self.model, household.pk, 0, -n)
            self.redemptions.append(redemption)
        elif kind == "cancel":
            redemption = self.pick(self.redemptions, op[1])
            if redemption is None:
                return
            self.redemptions.remove(redemption)  # once each
            done = store_services.redemption_cancel(
                user=c.shoppers[redemption.household_id], redemption=redemption
            )
            assert done.state == Redemption.CANCELLED
            _apply(self.model, redemption.household_id, 0, redemption.points)
        elif kind == "correct":
            entry = self.pick(self.correctable, op[1])
            if entry is None:
                return
            fixed = services.correction(user=c.secretary, entry=entry, reason="核查后更正", earned=op[2])
            if op[2] is None:
                earned, available = -entry.earned_delta, -entry.available_delta
            else:
                earned = available = op[2]
            applied = _apply(self.model, entry.household_id, earned, available)
            assert (fixed.earned_delta, fixed.available_delta) == (earned, applied)
            self.correctable.append(fixed)
        elif kind == "split":
            household = self.pick(self.households, op[1])
            household.refresh_from_db()
            movable = list(
                household.members.filter(status=Resident.STATUS_NORMAL)
                .exclude(pk=household.head_id)
                .order_by("id")
            )
            total = household.member_count
            moving = movable[: min(op[2], len(movable))]
            if not moving or household.status != Household.STATUS_ACTIVE:
                return
            self.split_n += 1
            result = split_rules.household_split(
                user=c.secretary,
                household=household,
                members=moving,
                new_head=moving[0],
                address=f"分户新址{self.split_n}号",
            )
            e, a = self.model.get(household.pk, (0, 0))
            share_e, share_a = max(e, 0) * len(moving) // total, a * len(moving) // total
            assert (result.earned, result.available) == (share_e, share_a)
            if share_e or share_a:
                _apply(self.model, household.pk, -share_e, -share_a)
                _apply(self.model, result.household.pk, share_e, share_a)
            self.households.append(result.household)
        elif kind == "far":
            pts.give(c.far, op[1])
            _apply(self.model, c.far.pk, op[1], op[1])

    def check(self):
        for household_id, (earned, available) in self.model.items():
            row = PointBalance.objects.get(household_id=household_id)
            assert (row.earned, row.available) == (earned, available), household_id
            assert row.available >= 0
        assert not PointBalance.objects.filter(available__lt=0).exists()


def _verify_fails_naming(entry: LedgerEntry) -> None:
    report = ledger.verify()
    assert not report.ok
    assert f"#{entry.pk}（链 {entry.chain} 第 {entry.seq} 条）" in report.problems[0], report.problems
    with pytest.raises(SystemExit) as exit_:
        call_command("points", "verify")
    assert exit_.value.code == 1


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
    ],
)
@given(
    opening=st.tuples(st.integers(0, 40), st.integers(0, 40)),
    ops=st.lists(OPS, min_size=3, max_size=20),
    data=st.data(),
)
def test_balances_equal_the_ledger_and_verify_names_an_altered_row(c, opening, ops, data):
    with transaction.atomic():
        clock.set_fixed(BASE)
        run = Run(c)
        for household, points in zip(run.households, opening, strict=True):
            if points:  # an opening balance (基础分), so that spending and splitting have something to move
                run.correctable.append(pts.give(household, points, kind=LedgerEntry.BASE))
                _apply(run.model, household.pk, points, points)
        for op in ops:
            try:
                with transaction.atomic():
                    run.step(op)
            except (ValidationFailed, Conflict) as exc:  # a refusal the model did not expect is a failure
                raise AssertionError(f"{op}: {exc.message}") from exc
            run.check()
        report = ledger.verify()
        assert report.ok, report.problems
        call_command("points", "verify")
        entries = list(LedgerEntry.objects.order_by("id"))
        if entries:
            target = data.draw(st.sampled_from(entries), label="altered entry")
            column = data.draw(st.sampled_from(["earned_delta", "available_after", "note", "occurred_on"]))
            value = {
                "earned_delta": target.earned_delta + 1,
                "available_after": target.available_after + 1,
                "note": target.note + "改",
                "occurred_on": target.occurred_on - dt.timedelta(days=1),
            }[column]
            LedgerEntry.objects.filter(pk=target.pk).update(**{column: value})
            _verify_fails_naming(target)
        transaction.set_rollback(True)
    clock.reset()
