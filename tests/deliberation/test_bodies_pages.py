"""The bodies pages: list, create, roster with the Art. 25 warnings, calling a meeting; authorisations; the town's
approval queue and quarterly check. 200 / 403 / 404 / 422, and nothing written on a refusal."""

import datetime as dt

import pytest

from tests import factories as tf
from tests.deliberation import factories as f
from tests.deliberation.test_bodies_rules import db_state, unchanged
from tests.factories import signed_in_client
from tests.people import factories as pf
from xiangzhi.core import clock
from xiangzhi.deliberation import rules, services
from xiangzhi.deliberation.models import Authorisation, Body, BodyMember, Meeting

pytestmark = pytest.mark.django_db
B = "/deliberation/bodies/"


@pytest.fixture
def sec(township):
    return signed_in_client(tf.user_with_role("village_secretary", township.village_a))


def test_the_list_is_scoped_filtered_and_paginated(township, sec):
    for i in range(21):
        services.body_create(
            user=None, village=township.village_a, kind=rules.COMMITTEES, name=f"两委会{i:02d}"
        )
    services.body_create(user=None, village=township.village_a, kind=rules.REPRESENTATIVES, name="代表会议甲")
    services.body_create(user=None, village=township.village_b, kind=rules.COMMITTEES, name="北坡两委")
    first = sec.get(B).content.decode()
    assert "第 1 / 2 页" in first and "北坡两委" not in first
    only = sec.get(B + "?kind=representatives").content.decode()
    assert "代表会议甲" in only and "两委会00" not in only
    assert "北坡两委" not in sec.get(B + f"?region={township.village_b.code}").content.decode()


def test_creating_a_body(township, sec):
    r = sec.post(B + "new/", {"village": township.village_a.code, "kind": "committees", "quorum": "2/3/0"})
    assert r.status_code == 302
    body = Body.objects.get(kind="committees")
    assert (body.quorum_num, body.quorum_den, body.quorum_strict) == (2, 3, False)
    assert body.rules().decision.describe() == rules.MORE_THAN_HALF_ROLL.describe()
    # the others are fixed by law, and the page says so
    state = db_state()
    r = sec.post(
        B + "new/", {"village": township.village_a.code, "kind": "representatives", "quorum": "2/3/0"}
    )
    assert r.status_code == 422 and "由法律规定，不能自行设置" in r.content.decode()
    r = sec.post(B + "new/", {"village": township.village_a.code, "kind": "party_assembly"})
    assert r.status_code == 422 and "须指定党支部" in r.content.decode()
    # a village out of reach: 404, nothing written
    r = sec.post(B + "new/", {"village": township.village_b.code, "kind": "committees"})
    assert r.status_code == 404
    assert unchanged(state) == []
    page = sec.get(B + "new/").content.decode()
    assert "法律规定的机构" in page and township.village_b.name not in page
    # a villager may not create one
    villager = signed_in_client(tf.user_with_role("villager", township.village_a))
    assert villager.get(B + "new/").status_code == 403


def test_the_roster_warns_under_article_25_and_takes_members(township, sec):
    body = f.body_with_members(
        township.grid_a1, 6, kind=rules.REPRESENTATIVES
    )  # 5 committee + 1 representative
    page = sec.get(f"{B}{body.pk}/").content.decode()
    assert (
        "第二十五条" in page and "不足五分之四" in page and "妇女村民代表0人" in page and "村民小组" in page
    )
    h = pf.household(township.grid_a1, head_name="王秀英", sex="F")
    other = pf.household(township.grid_b1, head_name="外村人")
    found = sec.get(f"{B}{body.pk}/?cq=秀英").content.decode()
    assert "王秀英" in found
    r = sec.post(f"{B}{body.pk}/members/add/", {"resident": h.head_id, "role": "representative"})
    assert r.status_code == 302
    assert "妇女村民代表1人" in sec.get(f"{B}{body.pk}/").content.decode()
    state = db_state()
    r = sec.post(f"{B}{body.pk}/members/add/", {"resident": h.head_id, "role": "representative"})
    assert r.status_code == 409 and "已是" in r.content.decode()
    r = sec.post(f"{B}{body.pk}/members/add/", {"resident": h.head_id, "role": "chair"})
    assert r.status_code in (409, 422)
    r = sec.post(f"{B}{body.pk}/members/add/", {"resident": other.head_id, "role": "representative"})
    assert r.status_code == 422 and "本村的居民" in r.content.decode()
    assert unchanged(state) == []
    assert sec.post(f"{B}{body.pk}/members/remove/", {"resident": h.head_id}).status_code == 302
    assert not BodyMember.objects.get(body=body, resident_id=h.head_id).is_active
    r = sec.post(f"{B}{body.pk}/members/remove/", {"resident": h.head_id})
    assert r.status_code == 422 and "不是" in r.content.decode()
    # the members list filters by role and name
    reps = sec.get(f"{B}{body.pk}/?role=representative").content.decode()
    assert reps.count('data-label="身份">村民代表') == 1
    # another village's body: 404
    other_body = f.body_with_members(township.grid_b1, 2, kind=rules.COMMITTEES)
    assert sec.get(f"{B}{other_body.pk}/").status_code == 404


def test_calling_a_meeting_of_the_villagers_assembly_needs_ten_days(township, sec):
    f.residents(township.grid_a1, 4)
    body = services.body_create(user=None, village=township.village_a, kind=rules.VILLAGERS_ASSEMBLY)
    page = sec.get(f"{B}{body.pk}/").content.decode()
    assert "提前10天通知" in page and 'name="quorum_basis"' in page
    state = db_state()
    nine = (clock.today() + dt.timedelta(days=9)).isoformat()
    r = sec.post(f"{B}{body.pk}/meetings/new/", {"title": "村民会议", "held_on": nine})
    assert r.status_code == 422 and "须提前10天通知" in r.content.decode()
    r = sec.post(f"{B}{body.pk}/meetings/new/", {"title": "村民会议", "held_on": "明天"})
    assert r.status_code == 422 and "格式不对" in r.content.decode()
    assert unchanged(state) == []
    ten = (clock.today() + dt.timedelta(days=10)).isoformat()
    r = sec.post(
        f"{B}{body.pk}/meetings/new/", {"title": "村民会议", "held_on": ten, "quorum_basis": "households"}
    )
    m = Meeting.objects.get(body=body)
    assert r.status_code == 302 and r["Location"] == f"/deliberation/{m.pk}/"
    assert m.quorum_basis == "households" and m.roll.count() == 1  # the four live in one household


def test_minutes_close_and_the_printable_record(township, sec):
    body = f.body_with_members(township.grid_a1, 3, kind=rules.COMMITTEES)
    m = f.meeting(body, days=0, title="两委会例会")
    lines = f.attend(m, 2)
    it = f.item(m, title="修村道", secret=True)
    for e in lines:
        services.secret_vote_cast(user=None, item=it, entry=e, choice="yes")
    r = sec.post(f"/deliberation/{m.pk}/close/")
    assert r.status_code == 422 and "正在表决" in r.content.decode()
    services.item_decide(user=None, item=it)
    state = db_state()
    assert sec.post(f"/deliberation/{m.pk}/minutes/", {"minutes": "  "}).status_code == 422
    assert unchanged(state) == []
    assert (
        sec.post(f"/deliberation/{m.pk}/minutes/", {"minutes": "到会二人，讨论修村道。"}).status_code == 302
    )
    assert sec.post(f"/deliberation/{m.pk}/close/").status_code == 302
    r = sec.post(f"/deliberation/{m.pk}/minutes/", {"minutes": "改写"})
    assert r.status_code == 422 and Meeting.objects.get(pk=m.pk).minutes == "到会二人，讨论修村道。"
    record = sec.get(f"/deliberation/{m.pk}/record/").content.decode()
    assert (
        "到会二人" in record and "通过" in record and "计票人：" in record and "名单（召集时确定）" in record
    )
    assert lines[0].name in record
    villager = signed_in_client(tf.user_with_role("villager", township.village_a))
    seen = villager.get(f"/deliberation/{m.pk}/record/").content.decode()
    assert "到会二人" in seen and "名单（召集时确定）" not in seen
    other = signed_in_client(tf.user_with_role("villager", township.village_b))
    assert other.get(f"/deliberation/{m.pk}/record/").status_code == 404


def test_authorisations_are_recorded_listed_and_revoked(township, sec):
    A = B + "authorisations/"
    today = clock.today().isoformat()
    state = db_state()
    r = sec.post(A, {"village": township.village_a.code, "scope": "", "valid_from": today})
    assert r.status_code == 422 and "请填写授权事项" in r.content.decode()
    r = sec.post(
        A,
        {
            "village": township.village_a.code,
            "scope": "修路",
            "valid_from": today,
            "valid_until": "2020-01-01",
        },
    )
    assert r.status_code == 422 and "截止日期不能早于生效日期" in r.content.decode()
    assert unchanged(state) == []
    assert (
        sec.post(
            A, {"village": township.village_a.code, "scope": "村内道路修缮", "valid_from": today}
        ).status_code
        == 302
    )
    auth = Authorisation.objects.get()
    assert "村内道路修缮" in sec.get(A + "?status=active").content.decode()
    assert "村内道路修缮" not in sec.get(A + "?status=revoked").content.decode()
    assert sec.post(f"{A}{auth.pk}/revoke/").status_code == 302
    r = sec.post(f"{A}{auth.pk}/revoke/")
    assert r.status_code == 409 and "已撤销" in r.content.decode()
    # the supervisor reads, cannot revoke
    sup = signed_in_client(tf.user_with_role("supervisor", township.village_a))
    assert "村内道路修缮" in sup.get(A).content.decode()
    auth2 = services.authorisation_grant(
        user=None, village=township.village_a, scope="其他", valid_from=clock.today()
    )
    assert sup.post(f"{A}{auth2.pk}/revoke/").status_code == 403
    assert not Authorisation.objects.get(pk=auth2.pk).revoked


def _land_item(grid, *, yes: int):
    body = f.body_with_members(grid, 3)
    m = f.meeting(body, days=0)
    lines = f.attend(m, 3)
    it = f.item(m, title=f"发包{grid.code}", kind=rules.ITEM_LAND_CONTRACT_OUTSIDER)
    f.open_votes(it, lines, yes=yes)
    return services.item_decide(user=None, item=it)


def test_the_town_approves_land_contracting_to_outsiders(township):
    passed = _land_item(township.grid_a1, yes=2)  # 2 of 3: exactly two thirds of all representatives
    failed = _land_item(township.grid_a2, yes=1)
    assert passed.passed and not failed.passed
    leader = signed_in_client(tf.user_with_role("town_leader", township.town))
    page = leader.get(B + "approvals/").content.decode()
    assert passed.title in page and failed.title not in page
    assert leader.post(f"{B}approvals/{passed.pk}/approve/").status_code == 302
    leader.get(B + "approvals/")  # shows (and consumes) the success message, which names the item
    assert passed.title not in leader.get(B + "approvals/").content.decode()
    assert passed.title in leader.get(B + "approvals/?status=approved").content.decode()
    r = leader.post(f"{B}approvals/{passed.pk}/approve/")
    assert r.status_code == 409 and "已经乡镇批准" in r.content.decode()
    sec = signed_in_client(tf.user_with_role("village_secretary", township.village_a))
    assert sec.get(B + "approvals/").status_code == 403
    staff_b = signed_in_client(tf.user_with_role("town_staff", township.village_b))
    assert staff_b.post(f"{B}approvals/{failed.pk}/approve/").status_code == 404


NANSHAN = 'data-label="村">南山村'  # the village's row (its name is also in the region switcher)


def test_the_quarterly_check_at_its_boundary(township):
    start = dt.datetime(2026, 6, 3, 9, 0, tzinfo=dt.UTC)
    with clock.frozen(start):
        body = f.body_with_members(township.grid_a1, 3)
        f.meeting(body, days=0)
    leader = signed_in_client(tf.user_with_role("town_leader", township.town))
    with clock.frozen(dt.datetime(2026, 9, 3, 9, 0, tzinfo=dt.UTC)):  # exactly three months later: on time
        page = leader.get(B + "quarterly/").content.decode()
        assert NANSHAN not in page and '村">北坡村' in page  # 北坡村 has no 村民代表会议 at all
        assert NANSHAN in leader.get(B + "quarterly/?show=all").content.decode()
    with clock.frozen(dt.datetime(2026, 9, 4, 9, 0, tzinfo=dt.UTC)):  # a day more: late
        leader = signed_in_client(tf.user_with_role("town_leader", township.town))  # (a day idle: signed out)
        page = leader.get(B + "quarterly/").content.decode()
        assert NANSHAN in page and "2026-06-03" in page
        staff = signed_in_client(tf.user_with_role("town_staff", township.village_b))
        assert NANSHAN not in staff.get(B + "quarterly/").content.decode()
    sec = signed_in_client(tf.user_with_role("village_secretary", township.village_a))
    assert sec.get(B + "quarterly/").status_code == 403


def test_the_meeting_list_filters_by_body(township, sec):
    one = f.body_with_members(township.grid_a1, 2, kind=rules.COMMITTEES, name="甲两委")
    two = f.body_with_members(township.grid_a1, 2, kind=rules.BRANCH_COMMITTEE, name="乙支委")
    f.meeting(one, days=0, title="甲的会议")
    f.meeting(two, days=0, title="乙的会议")
    page = sec.get(f"/deliberation/?body={one.pk}").content.decode()
    assert "甲的会议" in page and "乙的会议" not in page
    assert f"/deliberation/?body={one.pk}" in sec.get(f"{B}{one.pk}/").content.decode()


def test_the_roster_exports_to_excel(township, sec):
    import io

    from openpyxl import load_workbook

    from xiangzhi.audit.models import AuditRecord

    body = f.body_with_members(township.grid_a1, 6, kind=rules.REPRESENTATIVES, name="代表会议")
    r = sec.get(f"{B}{body.pk}/export/?role=representative")
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment")
    rows = [list(row) for row in load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True)]
    assert rows[0][0] == "代表会议成员名册" and rows[1][:4] == ["序号", "姓名", "性别", "身份"]
    assert [row[3] for row in rows[2:3]] == ["村民代表"]
    assert any(row[0] and str(row[0]).startswith("提醒：") for row in rows)
    rec = AuditRecord.objects.filter(action="deliberation.roster_exported").get()
    assert rec.changes["rows"] == 1
    other = f.body_with_members(township.grid_b1, 2, kind=rules.COMMITTEES)
    assert sec.get(f"{B}{other.pk}/export/").status_code == 404
