"""分户 and a head's death: the stated rule at its boundaries (shares in proportion to the members who move, rounded
down; a negative 累计积分 not shared; the village's own numbers within bounds, with a reason), a transfer entry on
each side, nothing half-written on a refusal; on a head's death nothing moves unless the household is closed."""

import datetime as dt
from html import unescape

import pytest

from tests.factories import signed_in_client, user_with_role
from tests.people import factories as pf
from tests.points import factories as pts
from xiangzhi.audit.models import AuditRecord
from xiangzhi.core import clock
from xiangzhi.core.errors import Conflict, PermissionDenied, ValidationFailed
from xiangzhi.people import services as people_services
from xiangzhi.people.models import Household, Resident
from xiangzhi.points import ledger
from xiangzhi.points import split as rules
from xiangzhi.points.models import LedgerEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def c(township):
    c = pts.cast(township)
    c.son = pf.resident(c.home, name="王小军", relation="child", birth=dt.date(1985, 5, 1))
    c.daughter_in_law = pf.resident(
        c.home, name="赵小芳", relation="child_in_law", sex="F", birth=dt.date(1987, 1, 1)
    )
    c.home.refresh_from_db()
    return c


def balance(h):
    return ledger.balance_of(ledger.Holder.of(h))


def households() -> int:
    return Household.objects.count()


@pytest.mark.parametrize(
    ("earned", "available", "moving", "members", "expected"),
    [
        (10, 7, 1, 3, (3, 2)),  # 3.33 → 3, 2.33 → 2
        (9, 9, 1, 3, (3, 3)),  # exact
        (2, 2, 1, 3, (0, 0)),  # 0.67 → 0
        (100, 0, 2, 3, (66, 0)),
        (-12, 5, 1, 2, (0, 2)),  # a negative 累计积分 is not shared
    ],
)
def test_the_rule_shares_in_proportion_rounded_down(earned, available, moving, members, expected):
    s = rules.compute_shares(earned=earned, available=available, moving=moving, members=members)
    assert (s.earned, s.available) == expected
    assert (s.earned_max, s.available_max) == (max(earned, 0), available)


@pytest.mark.parametrize(("moving", "members"), [(0, 3), (3, 3), (4, 3)])
def test_the_rule_needs_someone_to_move_and_someone_to_stay(moving, members):
    with pytest.raises(ValidationFailed):
        rules.compute_shares(earned=10, available=10, moving=moving, members=members)


def test_a_split_moves_the_members_and_the_shares_with_an_entry_on_each_side(c):
    pts.give(c.home, 31)
    pts.give(c.home, -1, code="KF01")  # 30 / 30
    result = rules.household_split(
        user=c.secretary,
        household=c.home,
        members=[c.son, c.daughter_in_law],
        new_head=c.son,
        address="南山村新区8号",
    )
    new = result.household
    assert (result.earned, result.available) == (20, 20)  # 30 × 2 ÷ 3
    assert balance(c.home) == (10, 10) and balance(new) == (20, 20)
    out, into = result.entries
    assert (out.kind, out.household_id, out.earned_delta, out.available_delta) == (
        "transfer",
        c.home.pk,
        -20,
        -20,
    )
    assert (into.household_id, into.earned_delta, into.source_ref) == (new.pk, 20, f"split:{new.pk}")
    new.refresh_from_db()
    c.home.refresh_from_db()
    assert (new.head_name, new.member_count, c.home.member_count) == ("王小军", 2, 1)
    assert Resident.objects.get(pk=c.daughter_in_law.pk).household_id == new.pk
    assert AuditRecord.objects.filter(action="people.household_split").count() == 1
    rec = AuditRecord.objects.get(action="points.split")
    assert rec.changes["moved"] == {"earned": 20, "available": 20} and rec.changes["decided"] is False
    assert ledger.verify().ok


def test_the_village_may_decide_other_numbers_within_bounds_with_a_reason(c):
    pts.give(c.home, 30)
    ledger.post(
        holder=ledger.Holder.of(c.home), kind=LedgerEntry.REDEMPTION, available=-18, strict_available=True
    )
    before = (households(), LedgerEntry.objects.count())
    with pytest.raises(ValidationFailed, match="决定依据"):
        rules.household_split(
            user=c.secretary, household=c.home, members=[c.son], new_head=c.son, address="新址", earned=5
        )
    with pytest.raises(ValidationFailed, match="0 到 12") as err:
        rules.household_split(
            user=c.secretary,
            household=c.home,
            members=[c.son],
            new_head=c.son,
            address="新址",
            earned=30,
            available=13,
            reason="两委会决定",
        )
    assert err.value.field == "available"
    assert (households(), LedgerEntry.objects.count()) == before  # nothing half-written
    assert Resident.objects.get(pk=c.son.pk).household_id == c.home.pk
    result = rules.household_split(
        user=c.secretary,
        household=c.home,
        members=[c.son],
        new_head=c.son,
        address="新址",
        earned=30,
        available=12,
        reason="2026年3月两委会决定",
    )
    assert balance(c.home) == (0, 0) and balance(result.household) == (30, 12)
    assert "两委会决定" in result.entries[0].note


def test_the_head_cannot_move_everyone_cannot_move_and_nothing_is_written(c):
    before = (households(), LedgerEntry.objects.count())
    pts.give(c.home, 9)
    with pytest.raises(ValidationFailed, match="户主不能分出"):
        rules.household_split(
            user=c.secretary, household=c.home, members=[c.home.head, c.son], new_head=c.son, address="新址"
        )
    with pytest.raises(ValidationFailed, match="至少要留下"):
        rules.household_split(
            user=c.secretary,
            household=c.home,
            members=[c.home.head, c.son, c.daughter_in_law],
            new_head=c.son,
            address="新址",
        )
    with pytest.raises(ValidationFailed, match="新户主须是分出的成员"):
        rules.household_split(
            user=c.secretary, household=c.home, members=[c.son], new_head=c.daughter_in_law, address="新址"
        )
    assert (households(), LedgerEntry.objects.count()) == (before[0], before[1] + 1)
    assert balance(c.home) == (9, 9)


def test_a_split_without_points_moves_no_points_and_writes_no_entry(c):
    result = rules.household_split(
        user=c.secretary, household=c.home, members=[c.son], new_head=c.son, address="新址"
    )
    assert result.entries == () and not LedgerEntry.objects.exists()
    assert result.household.member_count == 1


def test_only_village_cadres_split_and_the_refusal_is_audited(township, c):
    pts.give(c.home, 9)
    for user in (c.grid_worker, c.secretary_b):
        with pytest.raises(PermissionDenied):
            rules.household_split(
                user=user, household=c.home, members=[c.son], new_head=c.son, address="新址"
            )
    assert AuditRecord.objects.filter(action="points.split", result=AuditRecord.RESULT_DENIED).count() == 2
    assert households() == 3 and balance(c.home) == (9, 9)


# -- a head's death ---------------------------------------------------------------------------------------------------


def test_when_the_head_dies_nothing_moves_and_a_new_head_is_set(c):
    pts.give(c.home, 12)
    people_services.resident_mark_deceased(user=c.secretary, resident=c.home.head, date=clock.today())
    people_services.resident_set_head(user=c.secretary, household=c.home, resident=c.son)
    assert balance(c.home) == (12, 12) and LedgerEntry.objects.count() == 1
    with pytest.raises(Conflict, match="尚有在册成员"):
        rules.closed_household_transfer(user=c.secretary, household=c.home, target=c.other, reason="户主去世")


def test_a_closed_household_passes_its_points_to_the_household_its_members_joined(c):
    lone = pf.household(c.home.region, head_name="孙奶奶")
    pts.give(lone, 8)
    pts.give(lone, -20, code="KF02")  # 累计 -12, 可用 0: nothing to move
    people_services.resident_mark_deceased(user=c.secretary, resident=lone.head, date=clock.today())
    lone.refresh_from_db()
    assert lone.status == Household.STATUS_CLOSED
    with pytest.raises(Conflict, match="没有可转移的积分"):
        rules.closed_household_transfer(user=c.secretary, household=lone, target=c.other, reason="户主去世")
    pts.give(lone, 15)  # a late posting: 累计 3, 可用 15
    with pytest.raises(PermissionDenied):  # another village's household is out of the secretary's reach
        rules.closed_household_transfer(user=c.secretary, household=lone, target=c.far, reason="投靠")
    out, into = rules.closed_household_transfer(
        user=c.secretary, household=lone, target=c.other, reason="户主去世，积分转入其女儿家"
    )
    assert (into.earned_delta, into.available_delta) == (3, 15)
    assert balance(lone) == (0, 0) and balance(c.other) == (3, 15)
    assert ledger.verify().ok


# -- the page and the API ---------------------------------------------------------------------------------------------


def _form(c, **extra):
    return {"members": [c.son.pk], "new_head": c.son.pk, "address": "南山村新区8号", **extra}


def test_the_split_page_states_the_rule_shows_the_shares_then_confirms(c):
    pts.give(c.home, 10)
    client = signed_in_client(c.secretary)
    page = client.get(f"/points/split/{c.home.pk}/")
    body = unescape(page.content.decode())
    assert (
        page.status_code == 200 and "按迁出人数所占比例" in body and "向下取整" in body and "户主去世" in body
    )
    assert (
        "王大爷" not in body.split("分出的成员", 1)[1].split("</fieldset>", 1)[0]
    )  # the head is not offered
    preview = client.post(f"/points/split/{c.home.pk}/", _form(c, confirm="0"))
    body = unescape(preview.content.decode())
    assert preview.status_code == 200 and "新户分得累计积分 <strong>3</strong> 分" in body
    assert households() == 3  # a preview writes nothing
    bad = client.post(f"/points/split/{c.home.pk}/", _form(c, confirm="1", address=""))
    assert (
        bad.status_code == 422 and "请填写新户的住址" in unescape(bad.content.decode()) and households() == 3
    )
    bad = client.post(f"/points/split/{c.home.pk}/", _form(c, confirm="1", earned="4"))
    assert bad.status_code == 422 and "决定依据" in unescape(bad.content.decode()) and households() == 3
    done = client.post(f"/points/split/{c.home.pk}/", _form(c, confirm="1"))
    new = Household.objects.get(head=c.son)
    assert done.status_code == 302 and done["Location"] == f"/points/passbook/{new.pk}/"
    assert balance(new) == (3, 3) and balance(c.home) == (7, 7)


def test_the_split_page_is_for_village_cadres_of_the_household(c):
    assert signed_in_client(c.grid_worker).get(f"/points/split/{c.home.pk}/").status_code == 403
    assert signed_in_client(c.secretary_b).get(f"/points/split/{c.home.pk}/").status_code == 404
    committee = user_with_role("village_committee", c.home.region.parent)
    assert signed_in_client(committee).get(f"/points/split/{c.home.pk}/").status_code == 200


def test_the_api_splits_by_the_same_rule(c):
    pts.give(c.home, 10)
    client = signed_in_client(c.secretary)
    url = f"/api/v1/points/households/{c.home.pk}/split"
    bad = client.post(
        url,
        {"member_ids": [c.other.head_id], "new_head_id": c.other.head_id, "address": "x"},
        "application/json",
    )
    assert bad.status_code == 422 and households() == 3
    resp = client.post(
        url,
        {"member_ids": [c.son.pk], "new_head_id": c.son.pk, "address": "南山村新区8号"},
        "application/json",
    )
    assert resp.status_code == 201, resp.content
    data = resp.json()
    assert (data["rule_earned"], data["earned"], len(data["entries"])) == (3, 3, 2)
    assert "向下取整" in data["rule"]
    far = client.post(
        f"/api/v1/points/households/{c.far.pk}/split",
        {"member_ids": [c.far.head_id], "new_head_id": c.far.head_id, "address": "x"},
        "application/json",
    )
    assert far.status_code == 404
