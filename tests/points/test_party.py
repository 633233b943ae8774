"""党员积分: base score once a year, attendance claims of a meeting, the quarterly ranking, and the annual grade
proposed by the stated rule (thresholds, the 30% cap) and confirmed by the branch."""

import datetime as dt

import pytest

from tests import factories
from tests.party.factories import branch
from tests.points import factories as pts
from xiangzhi.core import clock
from xiangzhi.core.errors import Conflict, PermissionDenied, ValidationFailed
from xiangzhi.party import services as party_services
from xiangzhi.points import ledger, party, services
from xiangzhi.points.models import Claim, LedgerEntry, PartyGrade

pytestmark = pytest.mark.django_db


@pytest.fixture
def c(township):
    c = pts.cast(township)
    c.party_scheme = party.default_scheme(user=c.secretary, village=township.village_a)
    c.org = branch(township.village_a, name="南山村党支部")
    c.members = [party_services.party_member_add(user=None, org=c.org, name=f"党员{i}") for i in range(4)]
    return c


def give(member, points, *, day=None, code="DY22"):
    item = party.PointItem.objects.get(
        scheme__region_code=member.region_code[:12], scheme__kind="party", code=code
    )
    return ledger.post(
        holder=ledger.Holder.of(member),
        kind=LedgerEntry.CLAIM,
        earned=points,
        item=item,
        occurred_on=day or clock.today(),
        actor_label="tests",
    )


# -- the rule, at its boundaries ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        (90, "excellent"),
        (89, "qualified"),
        (75, "qualified"),
        (74, "basic"),
        (60, "basic"),
        (59, "unqualified"),
    ],
)
def test_grade_thresholds(score, grade):
    assert party.grade_by_score(score) == grade


@pytest.mark.parametrize(("members", "cap"), [(10, 3), (9, 2), (4, 1), (3, 0), (1, 0), (20, 6)])
def test_the_excellent_cap_is_30_percent_rounded_down(members, cap):
    assert party.excellent_cap(members) == cap


def test_the_cap_takes_the_best_scores_and_tied_members_go_together():
    # 10 members: 3 places. Four at 90 or more: 99, 95, 93, 93 -> the two at 93 do not both fit -> neither does
    scores = {1: 99, 2: 95, 3: 93, 4: 93, **{i: 80 for i in range(5, 11)}}
    out = party.propose(scores)
    assert [out[i] for i in (1, 2, 3, 4)] == ["excellent", "excellent", "qualified", "qualified"]
    scores[4] = 92  # no longer tied: the third place goes to 93
    out = party.propose(scores)
    assert [out[i] for i in (1, 2, 3, 4)] == ["excellent", "excellent", "excellent", "qualified"]
    assert "30%" in party.GRADE_RULE and "90" in party.GRADE_RULE


# -- base score ------------------------------------------------------------------------------------------------


def test_the_base_score_is_posted_once_per_member_and_year(c):
    year = clock.today().year
    first = party.base_post(user=c.secretary, org=c.org, year=year)
    assert len(first.posted) == 4 and not first.already
    again = party.base_post(user=c.secretary, org=c.org, year=year)
    assert not again.posted and len(again.already) == 4
    assert LedgerEntry.objects.filter(kind=LedgerEntry.BASE).count() == 4
    assert ledger.balance_of(ledger.Holder.of(c.members[0])) == (80, 80)
    entry = LedgerEntry.objects.filter(kind=LedgerEntry.BASE).first()
    assert entry.occurred_on == dt.date(year, 1, 1)
    # last year's is another year; the year before is refused
    assert len(party.base_post(user=c.secretary, org=c.org, year=year - 1).posted) == 4
    with pytest.raises(ValidationFailed, match="今年或去年"):
        party.base_post(user=c.secretary, org=c.org, year=year - 2)
    # a member added later gets it on the next press, the others are not paid twice
    late = party_services.party_member_add(user=None, org=c.org, name="新党员")
    assert party.base_post(user=c.secretary, org=c.org, year=year).posted == [late]
    assert ledger.verify().ok


def test_base_score_of_another_village_is_refused(township, c):
    with pytest.raises(PermissionDenied):
        party.base_post(user=c.secretary_b, org=c.org, year=clock.today().year)
    assert not LedgerEntry.objects.exists()


def test_a_member_whose_village_has_no_party_scheme_is_skipped_and_named(township, c):
    org_b = branch(township.village_b, name="北坡村党支部")
    m = party_services.party_member_add(user=None, org=org_b, name="北坡党员")
    result = party.base_post(user=c.town_leader, org=org_b, year=clock.today().year)
    assert result.skipped == [(m, "所在村没有施行中的党员积分方案")] and not result.posted


# -- attendance ------------------------------------------------------------------------------------------------


def test_attendance_of_a_meeting_records_claims_that_go_through_review(c):
    a, b, d, _e = c.members
    day = clock.today()
    result = party.attendance_post(
        user=c.secretary,
        org=c.org,
        meeting_date=day,
        kind="three_meetings",
        present_member_ids=[a.pk, b.pk],
        absent_without_leave_ids=[d.pk],
    )
    got = {cl.party_member_id: (cl.item.code, cl.points, cl.state) for cl in result.claims}
    assert got == {
        a.pk: ("DY01", 1, Claim.SUBMITTED),
        b.pk: ("DY01", 1, Claim.SUBMITTED),
        d.pk: ("DY91", -3, Claim.SUBMITTED),
    }
    # the same meeting again records nobody twice
    again = party.attendance_post(
        user=c.secretary,
        org=c.org,
        meeting_date=day,
        kind="three_meetings",
        present_member_ids=[a.pk, b.pk],
        absent_without_leave_ids=[d.pk],
    )
    assert not again.claims and len(again.already) == 3
    claim = services.claim_review(user=c.reviewer, claim=result.claims[0], decision="approve")
    clock.set_fixed(claim.notice_until)
    assert services.post_due_claims() == 1


def test_attendance_with_one_bad_member_records_nothing(township, c):
    a, b, *_ = c.members
    outsider = party_services.party_member_add(user=None, org=branch(township.village_b), name="外支部党员")
    with pytest.raises(ValidationFailed, match="不是“南山村党支部”的在册党员"):
        party.attendance_post(
            user=c.secretary,
            org=c.org,
            meeting_date=clock.today(),
            kind="theme_day",
            present_member_ids=[a.pk, outsider.pk],
        )
    with pytest.raises(ValidationFailed, match="既出席又无故缺席"):
        party.attendance_post(
            user=c.secretary,
            org=c.org,
            meeting_date=clock.today(),
            kind="theme_day",
            present_member_ids=[a.pk],
            absent_without_leave_ids=[a.pk],
        )
    # DY02 is capped at 6 a quarter (2 a meeting): the fourth meeting is refused, naming the member, for everyone
    for i in range(3):
        party.attendance_post(
            user=c.secretary,
            org=c.org,
            meeting_date=clock.today(),
            kind="theme_day",
            present_member_ids=[a.pk],
            meeting_ref=f"m{i}",
        )
    with pytest.raises(ValidationFailed, match="党员0：超过上限.*没有为任何人记分"):
        party.attendance_post(
            user=c.secretary,
            org=c.org,
            meeting_date=clock.today(),
            kind="theme_day",
            present_member_ids=[b.pk, a.pk],
            meeting_ref="m4",
        )
    assert not Claim.objects.filter(party_member=b).exists()
    assert Claim.objects.count() == 3


# -- ranking ---------------------------------------------------------------------------------------------------


def test_the_quarterly_ranking_leaves_the_base_out_and_ties_share_a_rank(c):
    clock.set_fixed(dt.datetime(2025, 5, 20, 10, tzinfo=dt.UTC))
    party.base_post(user=c.secretary, org=c.org, year=2025)
    a, b, d, e = c.members
    give(a, 5, day=dt.date(2025, 4, 2))
    give(b, 5, day=dt.date(2025, 5, 2))
    give(d, 10, day=dt.date(2025, 3, 30))  # last quarter: counts for the year only
    give(e, 2, day=dt.date(2025, 6, 30))
    r = party.ranking(user=c.secretary, year=2025, quarter=2, org=c.org)
    rows = [(row.member.name, row.rank, row.quarter_points, row.year_points) for row in r.rows]
    assert rows == [("党员0", 1, 5, 85), ("党员1", 1, 5, 85), ("党员3", 3, 2, 82), ("党员2", 4, 0, 90)]
    assert r.label == "2025年第2季度"
    assert [row.quarter_points for row in party.ranking(user=c.secretary, year=2025, quarter=1).rows][0] == 10
    # another village's secretary sees nobody of this branch
    assert party.ranking(user=c.secretary_b, year=2025, quarter=2).rows == []


# -- grades ----------------------------------------------------------------------------------------------------


def test_grades_are_proposed_by_the_rule_and_confirmed_by_the_branch(c):
    year = clock.today().year
    with pytest.raises(ValidationFailed, match="基础分"):
        party.grade_propose(user=c.secretary, org=c.org, year=year)
    party.base_post(user=c.secretary, org=c.org, year=year)
    a, b, d, e = c.members
    give(a, 10)  # 90
    give(b, 10)
    give(b, 5)  # 95
    give(d, 9)  # 89
    ledger.post(holder=ledger.Holder.of(e), kind=LedgerEntry.CLAIM, earned=-21, actor_label="t")  # 59
    result = party.grade_propose(user=c.secretary, org=c.org, year=year)
    assert (result.proposed, result.cap) == (4, 1)
    grades = {g.party_member_id: g for g in PartyGrade.objects.all()}
    assert [(grades[m.pk].score, grades[m.pk].proposed) for m in (a, b, d, e)] == [
        (90, "qualified"),  # 90 points, but the one place of four goes to 95
        (95, "excellent"),
        (89, "qualified"),
        (59, "unqualified"),
    ]
    with pytest.raises(ValidationFailed, match="理由"):
        party.grade_confirm(user=c.secretary, grade=grades[e.pk], confirmed="unqualified")
    with pytest.raises(PermissionDenied):
        party.grade_confirm(user=c.secretary_b, grade=grades[e.pk], confirmed="unqualified", note="x")
    assert party.grade_confirm_all(user=c.secretary, org=c.org, year=year) == 3  # 不合格 waits for its reason
    party.grade_confirm(
        user=c.secretary, grade=grades[e.pk], confirmed="basic", note="因病长期卧床，支部研究定为基本合格"
    )
    with pytest.raises(Conflict, match="已确定"):
        party.grade_confirm(user=c.secretary, grade=grades[e.pk], confirmed="unqualified", note="再改")
    assert dict(PartyGrade.objects.values_list("party_member_id", "confirmed")) == {
        a.pk: "qualified",
        b.pk: "excellent",
        d.pk: "qualified",
        e.pk: "basic",
    }
    # proposing again keeps what was confirmed
    assert party.grade_propose(user=c.secretary, org=c.org, year=year).kept == 4


def test_confirming_excellent_beyond_the_cap_is_refused(c):
    year = clock.today().year
    party.base_post(user=c.secretary, org=c.org, year=year)
    a, b, *_ = c.members
    give(a, 15)
    give(b, 10)
    party.grade_propose(user=c.secretary, org=c.org, year=year)
    ga, gb = PartyGrade.objects.get(party_member=a), PartyGrade.objects.get(party_member=b)
    with pytest.raises(ValidationFailed, match="理由"):
        party.grade_confirm(user=c.secretary, grade=gb, confirmed="excellent")
    party.grade_confirm(user=c.secretary, grade=ga, confirmed="excellent")
    with pytest.raises(ValidationFailed, match="名额已满"):
        party.grade_confirm(user=c.secretary, grade=gb, confirmed="excellent", note="表现突出")
    assert PartyGrade.objects.filter(confirmed="excellent").count() == 1


# -- a member's own points ---------------------------------------------------------------------------------------


def test_a_member_sees_own_points_and_claims_a_party_item(township, c):
    from xiangzhi.accounts.services import role_grant

    home = c.home
    member = party_services.party_member_add(user=None, org=c.org, resident=home.head)
    user = c.villager  # the head of `home` has the villager account
    role_grant(user=user, role="party_member", region=township.village_a)
    party.base_post(user=c.secretary, org=c.org, year=clock.today().year)
    mine = party.my_points(user=user)
    assert mine.member == member and mine.year_score == 80 and mine.quarter_points == 0
    item = next(i for i in mine.items if i.code == "DY21")
    claim = party.my_claim(user=user, item_id=item.pk, description="走访联系户3户")
    assert claim.party_member_id == member.pk and claim.source == Claim.SOURCE_SELF
    other = factories.user_with_role("villager", township.village_a)
    with pytest.raises(Exception, match="没有关联在册党员"):
        party.my_points(user=other)


# -- pages and API ---------------------------------------------------------------------------------------------


def test_the_own_points_page_shows_the_members_own_only(township, c):
    from xiangzhi.accounts.services import role_grant

    member = party_services.party_member_add(user=None, org=c.org, resident=c.home.head)
    role_grant(user=c.villager, role="party_member", region=township.village_a)
    party.base_post(user=c.secretary, org=c.org, year=clock.today().year)
    client = factories.signed_in_client(c.villager)
    page = client.get("/points/party/mine/")
    body = page.content.decode()
    assert page.status_code == 200 and member.name in body and "党员0" not in body and "80" in body
    item = c.party_scheme.items.get(code="DY21")
    bad = client.post("/points/party/mine/", {"item": item.pk, "occurred_on": "", "description": "x"})
    assert bad.status_code == 422 and "请填写发生日期" in bad.content.decode()
    done = client.post(
        "/points/party/mine/",
        {"item": item.pk, "occurred_on": clock.today().isoformat(), "description": "走访"},
    )
    assert done.status_code == 302 and Claim.objects.get().party_member_id == member.pk
    # a villager who is no member is told so
    other = factories.signed_in_client(pts.villager_of(c.other))
    assert other.get("/points/party/mine/").status_code == 404


def test_the_grades_page_states_the_rule_and_confirms_with_a_reason(c):
    year = clock.today().year
    client = factories.signed_in_client(c.secretary)
    url = f"/points/party/orgs/{c.org.pk}/grades/"
    assert client.post(url, {"action": "base", "year": year}).status_code == 302
    ledger.post(holder=ledger.Holder.of(c.members[0]), kind=LedgerEntry.CLAIM, earned=-30, actor_label="t")
    client.post(url, {"action": "propose", "year": year})
    page = client.get(url).content.decode()
    assert "优秀" in page and "30%" in page and "不合格" in page
    grade = PartyGrade.objects.get(party_member=c.members[0])
    assert grade.proposed == "unqualified"
    confirm = f"/points/party/grades/{grade.pk}/confirm/"
    refused = client.post(confirm, {"confirmed": "unqualified", "note": ""})
    assert refused.status_code == 422 and "请填写理由" in refused.content.decode()
    assert (
        client.post(confirm, {"confirmed": "unqualified", "note": "全年无故缺席组织生活"}).status_code == 302
    )
    assert PartyGrade.objects.get(pk=grade.pk).confirmed == "unqualified"


def test_the_ranking_exports_to_excel(c):
    import io

    from openpyxl import load_workbook

    party.base_post(user=c.secretary, org=c.org, year=clock.today().year)
    give(c.members[2], 5)
    client = factories.signed_in_client(c.secretary)
    resp = client.get(f"/points/party/ranking/export.xlsx?org={c.org.pk}")
    assert resp.status_code == 200
    rows = list(load_workbook(io.BytesIO(resp.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("党组织", "名次", "姓名") and rows[1][1:3] == (1, "党员2") and len(rows) == 5
    page = client.get("/points/party/ranking/").content.decode()
    assert "党员2" in page and "不含基础分" in page


def _api():
    from ninja.testing import TestClient

    from xiangzhi.points.api_party import router

    return TestClient(router)


def test_api_records_attendance_and_confirms_grades(c):
    api = _api()
    a, b, *_ = c.members
    resp = api.post(
        f"/orgs/{c.org.pk}/attendance",
        json={
            "meeting_date": clock.today().isoformat(),
            "kind": "theme_day",
            "present_member_ids": [a.pk],
            "absent_without_leave_ids": [b.pk],
        },
        auth=c.secretary,
        user=c.secretary,
    )
    assert resp.status_code == 201 and len(resp.json()["claims"]) == 2
    year = clock.today().year
    assert api.post(f"/orgs/{c.org.pk}/base", json={"year": year}, auth=c.secretary).json()["posted"] == 4
    proposed = api.post(f"/orgs/{c.org.pk}/grades/propose", json={"year": year}, auth=c.secretary).json()
    assert proposed["proposed"] == 4 and proposed["excellent_cap"] == 1
    grades = api.get(f"/orgs/{c.org.pk}/grades?year={year}", auth=c.secretary).json()
    assert grades["count"] == 4
    gid = grades["items"][0]["id"]
    done = api.post(f"/grades/{gid}/confirm", json={"confirmed": "qualified"}, auth=c.secretary).json()
    assert done["confirmed"] == "qualified"
    ranking = api.get("/ranking", auth=c.secretary).json()
    assert ranking["count"] == 4 and {r["name"] for r in ranking["items"]} == {
        "党员0",
        "党员1",
        "党员2",
        "党员3",
    }


def test_api_refuses_an_org_out_of_reach_and_writes_nothing(c):
    api = _api()
    year = clock.today().year
    for path, body in [
        (f"/orgs/{c.org.pk}/base", {"year": year}),
        (f"/orgs/{c.org.pk}/grades/propose", {"year": year}),
        (
            f"/orgs/{c.org.pk}/attendance",
            {
                "meeting_date": clock.today().isoformat(),
                "kind": "theme_day",
                "present_member_ids": [c.members[0].pk],
            },
        ),
    ]:
        assert api.post(path, json=body, auth=c.secretary_b).status_code == 404, path
    assert not LedgerEntry.objects.exists() and not Claim.objects.exists() and not PartyGrade.objects.exists()
