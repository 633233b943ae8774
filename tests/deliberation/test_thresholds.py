"""Every threshold at its exact boundary (issue 5, item 2)."""

import datetime as dt

import pytest

from tests.deliberation import factories as f
from tests.people import factories as pf
from xiangzhi.core import clock
from xiangzhi.core.errors import Conflict, ValidationFailed
from xiangzhi.deliberation import rules, services
from xiangzhi.deliberation.models import Ballot, Item, OpenVote, RollEntry, SecretTally, VoteMark
from xiangzhi.people import services as people_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def reps30(township):
    """村民代表会议 of 30 members (5 村委会成员 + 25 村民代表)."""
    return f.body_with_members(township.grid_a1, 30)


def _decide_refused(item, text: str):
    with pytest.raises(ValidationFailed) as err:
        services.item_decide(user=None, item=item)
    assert text in err.value.message
    item.refresh_from_db()
    assert item.vote_status == Item.VOTE_OPEN and item.passed is None and item.decided_at is None


# -- 村民代表会议 (Art. 26) ------------------------------------------------------------------------------------------


def test_representatives_quorum_is_two_thirds_of_members(reps30):
    m = f.meeting(reps30)
    assert m.roll.count() == 30
    present = f.attend(m, 19)
    it = f.item(m)
    f.open_votes(it, present, yes=19)
    _decide_refused(it, "未达到法定人数")  # 19 of 30: short of 2/3
    assert not services.has_quorum(m)
    extra = m.roll.filter(present=False).first()
    services.attendance_record(user=None, meeting=m, entry=extra, present=True)
    assert services.has_quorum(m)  # 20 of 30: exactly 2/3, held
    decided = services.item_decide(user=None, item=it)
    assert decided.passed is True and decided.present_count == 20


@pytest.mark.parametrize(("yes", "passed"), [(11, True), (10, False)])
def test_representatives_decide_by_more_than_half_of_those_present(reps30, yes, passed):
    m = f.meeting(reps30)
    present = f.attend(m, 20)
    it = f.item(m)
    f.open_votes(it, present, yes=yes, no=20 - yes)
    decided = services.item_decide(user=None, item=it)
    assert decided.passed is passed
    assert (decided.yes, decided.no, decided.abstain) == (yes, 20 - yes, 0)  # computed from the votes
    assert decided.base_count == 20


# -- 党员大会 (支部工作条例) -------------------------------------------------------------------------------------


@pytest.fixture
def party31(township):
    return f.party_assembly(township.grid_a1, full=31, probationary=3)


def test_party_assembly_quorum_counts_members_with_a_vote_only(party31):
    m = f.meeting(party31)
    assert m.roll.count() == 34 and m.roll.filter(can_vote=True).count() == 31
    for e in m.roll.filter(can_vote=False):  # 预备党员 attend, without a vote and without counting
        services.attendance_record(user=None, meeting=m, entry=e, present=True)
    present = f.attend(m, 15)
    it = f.item(m)
    f.open_votes(it, present, yes=15)
    _decide_refused(it, "未达到法定人数")
    services.attendance_record(
        user=None, meeting=m, entry=m.roll.filter(can_vote=True, present=False)[0], present=True
    )
    assert services.item_decide(user=None, item=it).passed is False  # 15 yes of 31 due: not more than half


@pytest.mark.parametrize(("yes", "passed"), [(16, True), (15, False)])
def test_party_assembly_passes_by_more_than_half_of_voting_members_due(party31, yes, passed):
    m = f.meeting(party31)
    present = f.attend(m, 25)
    it = f.item(m)
    f.open_votes(it, present, yes=yes, no=25 - yes)
    decided = services.item_decide(user=None, item=it)
    assert decided.passed is passed and decided.base_count == 31


def test_a_probationary_member_has_no_vote(party31):
    m = f.meeting(party31)
    f.attend(m, 16)
    prob = m.roll.filter(can_vote=False).first()
    services.attendance_record(user=None, meeting=m, entry=prob, present=True)
    it = f.item(m)
    with pytest.raises(ValidationFailed, match="没有表决权"):
        services.open_vote_record(user=None, item=it, entry=prob, choice="yes")
    assert not OpenVote.objects.exists()


# -- land contracting to outsiders (农村土地承包法 Art. 52), construction land (土地管理法 Art. 63) ---------------


@pytest.mark.parametrize(("yes", "passed"), [(20, True), (19, False)])
def test_land_contract_to_an_outsider_needs_two_thirds_of_all_representatives(reps30, yes, passed):
    m = f.meeting(reps30)
    present = f.attend(m, 25)
    it = f.item(m, kind=rules.ITEM_LAND_CONTRACT_OUTSIDER)
    f.open_votes(it, present, yes=yes, no=25 - yes)  # 19 of 25 present is a majority, yet short of 20 of 30
    decided = services.item_decide(user=None, item=it)
    assert decided.passed is passed and decided.base_count == 30
    assert decided.needs_township_approval
    if passed:
        approved = services.item_township_approve(user=None, item=decided)
        assert approved.township_approved_at is not None
    else:
        with pytest.raises(ValidationFailed):
            services.item_township_approve(user=None, item=decided)


def test_construction_land_also_needs_two_thirds_and_only_assemblies_decide_it(township, reps30):
    m = f.meeting(reps30)
    present = f.attend(m, 30)
    it = f.item(m, kind=rules.ITEM_CONSTRUCTION_LAND)
    f.open_votes(it, present, yes=19, no=11)
    assert services.item_decide(user=None, item=it).passed is False
    committees = f.body_with_members(township.grid_a2, 5, kind=rules.COMMITTEES)
    with pytest.raises(ValidationFailed, match="须由村民会议或村民代表会议决定"):
        services.item_add(
            user=None, meeting=f.meeting(committees), title="出租", kind=rules.ITEM_CONSTRUCTION_LAND
        )


# -- 村民会议 (Art. 21, 22) ---------------------------------------------------------------------------------------


@pytest.fixture
def village_people(township):
    """Voters of 南山村 on the meeting day: 6 adults in 3 households; plus a 17-year-old, one moved away, one in
    another village."""
    clock.set_fixed(dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC))
    adults = f.residents(township.grid_a1, 6, per_household=2)
    h = adults[0].household
    minor = pf.resident(h, name="未成年", birth=dt.date(2008, 3, 12))  # 18 on 2026-03-12
    moved = pf.resident(h, name="迁出者", birth=dt.date(1970, 1, 1))
    people_services.resident_move_away(user=None, resident=moved, date=dt.date(2026, 2, 1))
    pf.household(township.grid_b1, head_name="外村人", birth=dt.date(1970, 1, 1))
    return adults, minor


def test_villagers_assembly_roll_and_quorum_by_persons(township, village_people):
    adults, minor = village_people
    body = services.body_create(user=None, village=township.village_a, kind=rules.VILLAGERS_ASSEMBLY)
    m = f.meeting(body)  # held 2026-03-11: the minor is still 17
    assert m.roll.count() == 6 and not m.roll.filter(resident=minor).exists()
    later = f.meeting(body, days=11)  # 2026-03-12: 18 that day
    assert later.roll.filter(resident=minor).exists() and later.roll.count() == 7
    present = f.attend(m, 3)
    it = f.item(m)
    f.open_votes(it, present, yes=3)
    _decide_refused(it, "未达到法定人数")  # 3 of 6 is half, not more than half
    services.attendance_record(user=None, meeting=m, entry=m.roll.filter(present=False)[0], present=True)
    assert services.item_decide(user=None, item=it).passed is True  # 3 yes of 4 present


def test_villagers_assembly_by_household_representatives(township, village_people):
    adults, _ = village_people
    body = services.body_create(user=None, village=township.village_a, kind=rules.VILLAGERS_ASSEMBLY)
    m = f.meeting(body, quorum_basis=rules.QUORUM_HOUSEHOLDS)
    assert m.roll.count() == 3  # three households with a voter
    lines = list(m.roll.order_by("id"))
    for line in lines[:1]:
        rep = line.household.members.filter(name__startswith="户主").first()
        services.attendance_record(user=None, meeting=m, entry=line, present=True, representative=rep)
    with pytest.raises(ValidationFailed, match="本户成员"):
        services.attendance_record(
            user=None, meeting=m, entry=lines[1], present=True, representative=adults[0]
        )
    it = f.item(m)
    services.open_vote_record(user=None, item=it, entry=lines[0], choice="yes")
    _decide_refused(it, "未达到法定人数")  # 1 of 3 households
    rep = lines[1].household.members.first()
    services.attendance_record(user=None, meeting=m, entry=lines[1], present=True, representative=rep)
    assert services.has_quorum(m)  # 2 of 3 households: exactly 2/3
    assert services.item_decide(user=None, item=it).passed is False  # 1 yes of 2 present: not more than half


def test_villagers_assembly_needs_ten_days_notice(township):
    f.residents(township.grid_a1, 1)
    body = services.body_create(user=None, village=township.village_a, kind=rules.VILLAGERS_ASSEMBLY)
    with pytest.raises(ValidationFailed, match="提前10天通知"):
        f.meeting(body, days=9)
    assert f.meeting(body, days=10).roll.count() == 1


# -- frozen roll, committees, Art. 24 ---------------------------------------------------------------------------


def test_the_roll_is_frozen_when_the_meeting_is_called(township):
    body = f.body_with_members(township.grid_a1, 3, kind=rules.COMMITTEES)
    m = f.meeting(body, days=1)
    first = body.members.first().resident
    newcomer = f.residents(township.grid_a2, 1)[0]
    services.body_member_add(user=None, body=body, resident=newcomer)
    services.body_member_remove(user=None, body=body, resident=first)
    assert set(m.roll.values_list("resident_id", flat=True)) == {
        first.pk,
        *body.members.exclude(resident__in=[first, newcomer]).values_list("resident_id", flat=True),
    }
    assert not m.roll.filter(resident=newcomer).exists()
    assert f.meeting(body, days=2).roll.filter(resident=newcomer).exists()


def test_committees_default_more_than_half_of_members_and_configurable(township):
    body = f.body_with_members(township.grid_a1, 7, kind=rules.COMMITTEES)
    m = f.meeting(body, days=1)
    present = f.attend(m, 6)
    it = f.item(m)
    f.open_votes(it, present, yes=3, no=3)
    assert (
        services.item_decide(user=None, item=it).passed is False
    )  # 3 of 7 members, though half of those present
    it2 = f.item(m)
    f.open_votes(it2, present, yes=4, no=2)
    assert services.item_decide(user=None, item=it2).passed is True

    strict = f.body_with_members(township.grid_a2, 6, kind=rules.BRANCH_COMMITTEE, passing=(2, 3, False))
    m2 = f.meeting(strict, days=1)
    present = f.attend(m2, 6)
    it3 = f.item(m2)
    f.open_votes(it3, present, yes=4, no=2)
    assert services.item_decide(user=None, item=it3).passed is True  # 4 of 6: exactly 2/3
    with pytest.raises(ValidationFailed, match="由法律规定"):
        services.body_create(
            user=None, village=township.village_a, kind=rules.REPRESENTATIVES, passing=(2, 3, False)
        )


def test_art24_items_need_the_villagers_assembly_authorisation(reps30, township):
    m = f.meeting(reps30)
    present = f.attend(m, 20)
    it = f.item(m, art24=True)
    f.open_votes(it, present, yes=20)
    _decide_refused(it, "未授权")
    services.authorisation_grant(
        user=None, village=township.village_a, scope="村集体经济项目立项", valid_from=clock.today()
    )
    assert services.item_decide(user=None, item=it).passed is True


# -- bad input: refused in Chinese, nothing changed ------------------------------------------------------------


def test_a_vote_from_off_the_roll_twice_or_absent_is_refused(township, reps30):
    m = f.meeting(reps30)
    present = f.attend(m, 20)
    it = f.item(m)
    other = f.meeting(f.body_with_members(township.grid_b1, 2, kind=rules.COMMITTEES), days=1)
    stranger = other.roll.first()
    with pytest.raises(ValidationFailed, match="不在本次会议的名单上"):
        services.open_vote_record(user=None, item=it, entry=stranger, choice="yes")
    absent = m.roll.filter(present=False).first()
    with pytest.raises(ValidationFailed, match="未登记到会"):
        services.open_vote_record(user=None, item=it, entry=absent, choice="yes")
    services.open_vote_record(user=None, item=it, entry=present[0], choice="yes")
    with pytest.raises(Conflict, match="已经投过票"):
        services.open_vote_record(user=None, item=it, entry=present[0], choice="no")
    with pytest.raises(ValidationFailed, match="赞成、反对或弃权"):
        services.open_vote_record(user=None, item=it, entry=present[1], choice="maybe")
    assert list(OpenVote.objects.values_list("entry_id", "choice")) == [(present[0].pk, "yes")]
    with pytest.raises(Conflict, match="不能改为缺席"):
        services.attendance_record(user=None, meeting=m, entry=present[0], present=False)
    assert RollEntry.objects.get(pk=present[0].pk).present


def test_a_secret_vote_off_the_roll_or_twice_is_refused(township, reps30):
    m = f.meeting(reps30)
    present = f.attend(m, 20)
    it = f.item(m, secret=True)
    services.secret_vote_cast(user=None, item=it, entry=present[0], choice="yes")
    with pytest.raises(Conflict, match="已经投过票"):
        services.secret_vote_cast(user=None, item=it, entry=present[0], choice="no")
    with pytest.raises(Conflict, match="已经投过票"):
        services.paper_ballot_issue(user=None, item=it, entry=present[0])
    with pytest.raises(ValidationFailed, match="不在本次会议的名单上"):
        services.secret_vote_cast(user=None, item=it, entry=RollEntry(pk=10**6, meeting_id=0), choice="no")
    assert VoteMark.objects.count() == 1
    assert SecretTally.objects.get(item=it).yes == 1
    assert not Ballot.objects.exists()
