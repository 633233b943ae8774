"""From claim to ledger: the scheme decides what may be claimed, the cap bounds it, the review group decides, the
notice period lets anyone object, and only then do the points post."""

import datetime as dt

import pytest

from tests.cases.factories import photo
from tests.points import factories as pts
from xiangzhi.core import clock
from xiangzhi.core.errors import Conflict, PermissionDenied, ValidationFailed
from xiangzhi.points import ledger, services
from xiangzhi.points.models import Claim, LedgerEntry, Objection, PointScheme

pytestmark = pytest.mark.django_db


@pytest.fixture
def c(township):
    return pts.cast(township)


def test_a_villager_claims_for_their_own_household_with_the_photo_the_item_asks_for(c):
    item = pts.item(c, "GY01")
    with pytest.raises(ValidationFailed, match="须附照片"):
        services.claim_submit(user=c.villager, item=item, household=c.home)
    claim = services.claim_submit(user=c.villager, item=item, household=c.home, photos=[photo()])
    assert claim.state == Claim.SUBMITTED and claim.evidence.count() == 1 and claim.points == 3
    with pytest.raises(PermissionDenied):
        services.claim_submit(user=c.villager, item=item, household=c.other, photos=[photo()])


def test_a_household_does_not_claim_a_deduction_for_itself(c):
    with pytest.raises(ValidationFailed, match="不能自己申报"):
        services.claim_submit(user=c.villager, item=pts.item(c, "KF01"), household=c.home)
    assert not Claim.objects.exists()


def test_an_item_of_another_village_or_of_a_retired_version_cannot_be_claimed(township, c):
    other_scheme = pts.scheme(township.village_b, c.secretary_b)
    with pytest.raises(ValidationFailed, match="没有这一项"):
        services.claim_record(user=c.grid_worker, item=other_scheme.items.first(), household=c.home)
    old_item = pts.item(c, "HJ01")
    draft = services.scheme_copy(user=c.secretary, source=c.scheme, region=township.village_a)
    services.scheme_activate(user=c.secretary, scheme=draft)
    assert PointScheme.objects.get(pk=c.scheme.pk).status == PointScheme.RETIRED
    with pytest.raises(ValidationFailed, match="没有这一项"):
        services.claim_record(user=c.grid_worker, item=old_item, household=c.home)


def test_a_new_scheme_version_never_rewrites_what_was_posted(township, c):
    entry = pts.give(c.home, 5, code="HJ01")
    draft = services.scheme_copy(user=c.secretary, source=c.scheme, region=township.village_a)
    services.item_save(user=c.secretary, scheme=draft, code="HJ01", name="房前屋后整洁", points=8)
    services.scheme_activate(user=c.secretary, scheme=draft)
    entry.refresh_from_db()
    assert (entry.item_name, entry.earned_delta) == ("庭院整洁", 5)
    assert ledger.verify().ok
    with pytest.raises(Conflict):
        services.item_save(user=c.secretary, scheme=draft, code="HJ02", name="新项", points=1)


def test_the_cap_per_period_at_its_boundary(c):
    item = pts.item(c, "HJ01")  # 5 points, at most 10 a month
    services.claim_record(user=c.grid_worker, item=item, household=c.home)
    services.claim_record(user=c.grid_worker, item=item, household=c.home)  # 10: exactly the cap
    with pytest.raises(ValidationFailed, match="超过上限") as err:
        services.claim_record(user=c.grid_worker, item=item, household=c.home)
    assert "还可计 0 分" in err.value.message
    assert Claim.objects.filter(household=c.home).count() == 2
    # another household has its own cap
    services.claim_record(user=c.secretary, item=item, household=c.other)


def test_points_beyond_the_item_or_of_the_wrong_sign_are_refused(c):
    with pytest.raises(ValidationFailed, match="同为加分或同为扣分"):
        services.claim_record(user=c.grid_worker, item=pts.item(c, "KF01"), household=c.home, points=5)
    with pytest.raises(ValidationFailed, match="超过上限"):
        services.claim_record(user=c.grid_worker, item=pts.item(c, "HJ01"), household=c.home, points=11)
    with pytest.raises(ValidationFailed, match="晚于今天"):
        services.claim_record(
            user=c.grid_worker,
            item=pts.item(c, "MD01"),
            household=c.home,
            occurred_on=clock.today() + dt.timedelta(1),
        )
    assert not Claim.objects.exists()


def test_review_then_notice_then_posting_at_the_notice_boundary(c):
    from xiangzhi.accounts.services import role_grant

    role_grant(user=c.reviewer, role="grid_worker", region=c.home.region)
    own = services.claim_record(user=c.reviewer, item=pts.item(c, "HJ01"), household=c.home)
    with pytest.raises(Conflict, match="自己"):
        services.claim_review(user=c.reviewer, claim=own, decision="approve")
    with pytest.raises(PermissionDenied):
        services.claim_review(user=c.grid_worker, claim=own, decision="approve")
    claim = services.claim_record(user=c.grid_worker, item=pts.item(c, "MD01"), household=c.home)
    start = clock.now()
    clock.set_fixed(start)
    claim = services.claim_review(
        user=c.reviewer, claim=claim, decision="adjust", points=8, note="只照顾了半月"
    )
    assert claim.state == Claim.NOTICE and claim.points == 8 and claim.claimed_points == 10
    assert claim.notice_until == start + dt.timedelta(days=7)
    clock.set_fixed(claim.notice_until - dt.timedelta(seconds=1))
    assert services.post_due_claims() == 0
    clock.set_fixed(claim.notice_until)
    assert services.post_due_claims() == 1
    assert services.post_due_claims() == 0  # idempotent
    claim.refresh_from_db()
    assert claim.state == Claim.POSTED and claim.entry.earned_delta == 8
    assert ledger.balance_of(ledger.Holder.of(c.home)) == (8, 8)


def test_an_objection_holds_the_posting_until_answered_and_is_refused_after_the_notice(c):
    claim = pts.approved(c, code="MD01")
    neighbour = pts.villager_of(c.other, name="李大妈")
    objection = services.objection_raise(user=neighbour, claim=claim, text_="他家老人是邻居在照顾。")
    clock.set_fixed(claim.notice_until)
    assert services.post_due_claims() == 0  # an open objection holds it
    with pytest.raises(Conflict, match="公示期已过"):
        services.objection_raise(user=neighbour, claim=claim, text_="再提一次")
    services.objection_answer(user=c.reviewer, objection=objection, upheld=False, answer="经核实属实。")
    assert services.post_due_claims() == 1
    assert Objection.objects.get().state == Objection.DISMISSED


def test_an_upheld_objection_sends_the_claim_back_to_review(c):
    claim = pts.approved(c, code="MD01")
    objection = services.objection_raise(user=c.secretary, claim=claim, text_="情况不实")
    services.objection_answer(
        user=c.reviewer, objection=objection, upheld=True, answer="异议成立，重新评议。"
    )
    claim.refresh_from_db()
    assert claim.state == Claim.SUBMITTED and claim.notice_until is None
    claim = services.claim_review(user=c.reviewer, claim=claim, decision="reject", note="经核实不属实")
    clock.set_fixed(clock.now() + dt.timedelta(days=30))
    assert services.post_due_claims() == 0
    assert not LedgerEntry.objects.exists()


def test_a_rejection_needs_a_reason_and_a_stale_version_is_refused(c):
    claim = services.claim_record(user=c.grid_worker, item=pts.item(c, "MD01"), household=c.home)
    with pytest.raises(ValidationFailed, match="评议意见"):
        services.claim_review(user=c.reviewer, claim=claim, decision="reject")
    with pytest.raises(Conflict, match="刷新"):
        services.claim_review(user=c.reviewer, claim=claim, decision="approve", version=claim.version + 1)
