"""Matter pages and API: the same services; refusals in Chinese with nothing written; villagers propose and
support on a phone; the supervisor objects on a step; the 决议公告 PDF read back with pdftotext."""

import re
import shutil
import subprocess

import pytest

from tests import factories as tf
from tests.cases import factories as cf
from tests.deliberation import factories as f
from tests.deliberation import matter_factories as mf
from tests.factories import signed_in_client
from tests.isolation.test_every_route import changed_tables, db_state
from xiangzhi.audit.models import AuditRecord
from xiangzhi.cases import services as case_services
from xiangzhi.cases.models import Case
from xiangzhi.core import clock
from xiangzhi.core.errors import ValidationFailed
from xiangzhi.deliberation import matter_rules, matters
from xiangzhi.deliberation.models import Item, Matter, MatterStep, StepObjection

pytestmark = pytest.mark.django_db
API = "/api/v1/deliberation/matters"


def _text(resp) -> str:
    return re.sub(r"\s+", " ", resp.content.decode())


def _pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF")
    out = subprocess.run(
        [shutil.which("pdftotext"), "-layout", "-", "-"], input=content, capture_output=True, check=True
    )
    return re.sub(r"\s+", "", out.stdout.decode())


def _nothing_but_audit(before) -> None:
    assert [t for t in changed_tables(before, db_state()) if not t.startswith(("audit.", "sessions."))] == []


def _villagers(township, n: int) -> list:
    out = []
    for r in f.residents(township.grid_a1, n):
        u = tf.user_with_role("villager", township.village_a)
        u.resident_id = r.pk
        u.save()
        out.append(u)
    return out


@pytest.fixture
def b(township):
    return mf.village_bodies(township.grid_a1)


def test_a_villager_proposes_on_the_phone_and_neighbours_support_it(township):
    proposer, *others = _villagers(township, matter_rules.MIN_SUPPORTERS + 1)
    c = signed_in_client(proposer)
    page = c.get("/deliberation/matters/new/")
    assert page.status_code == 200 and "我有一个提议" in _text(page)
    before = db_state()
    r = c.post(
        "/deliberation/matters/new/",
        {"village": township.village_a.code, "title": "", "kind": "public_works"},
    )
    assert r.status_code == 422 and "请填写议题名称" in _text(r) and "请填写议题内容" in _text(r)
    _nothing_but_audit(before)
    r = c.post(
        "/deliberation/matters/new/",
        {
            "village": township.village_a.code,
            "title": "修村口排水沟",
            "description": "雨天积水",
            "kind": "public_works",
        },
    )
    m = Matter.objects.get(title="修村口排水沟")
    assert r.status_code == 302 and m.status == Matter.COLLECTING and m.source == "villager"
    own = _text(c.get(f"/deliberation/matters/{m.pk}/"))
    assert "附议 0 人" in own and "我附议" not in own  # not for one's own proposal
    for u in others:
        nc = signed_in_client(u)
        assert "我附议" in _text(nc.get(f"/deliberation/matters/{m.pk}/"))
        assert nc.post(f"/deliberation/matters/{m.pk}/support/").status_code == 302
    m.refresh_from_db()
    assert m.status == Matter.ACTIVE
    again = signed_in_client(others[0]).post(f"/deliberation/matters/{m.pk}/support/")
    assert again.status_code == 422 and "不在征集附议阶段" in _text(again)


def test_the_list_filters_and_pages(township, b):
    mf.matter(township.village_a, title="光伏收益分配")
    mf.matter(township.village_a, kind="civil", title="停车秩序")
    mf.matter(township.village_b, title="北坡村的议题")
    c = signed_in_client(tf.user_with_role("village_committee", township.village_a))
    text = _text(c.get("/deliberation/matters/"))
    assert "光伏收益分配" in text and "停车秩序" in text and "北坡村的议题" not in text
    text = _text(c.get("/deliberation/matters/?path=consultation"))
    assert "停车秩序" in text and "光伏收益分配" not in text
    text = _text(c.get("/deliberation/matters/?kind=collective_income&status=active"))
    assert "光伏收益分配" in text and "停车秩序" not in text


def test_a_cadre_walks_the_six_steps_on_the_pages_and_prints_the_notice(township, b):
    cadre = tf.user_with_role("village_committee", township.village_a)
    c = signed_in_client(cadre)
    r = c.post(
        "/deliberation/matters/new/",
        {
            "village": township.village_a.code,
            "title": "光伏收益分配",
            "description": "收益十二万元。",
            "kind": "collective_income",
        },
    )
    m = Matter.objects.get(title="光伏收益分配")
    assert r.status_code == 302 and m.status == Matter.ACTIVE and m.source == "branch"
    today = clock.today().isoformat()
    for body in (b.branch, b.committees, b.party, b.reps):
        page = _text(c.get(f"/deliberation/matters/{m.pk}/"))
        assert "召集本步骤的会议" in page and body.name in page
        r = c.post(
            f"/deliberation/matters/{m.pk}/call/",
            {"body": body.pk, "title": f"{body.name}会议", "held_on": today},
        )
        assert r.status_code == 302
        meeting = body.meetings.get()
        assert f"/deliberation/matters/{m.pk}/" in _text(c.get(f"/deliberation/{meeting.pk}/"))
        item = mf.vote(meeting)
        r = c.post(f"/deliberation/matters/{m.pk}/complete/", {"item": item.pk})
        assert r.status_code == 302, _text(r)
    # the PDF is refused before the resolution is public
    assert c.get(f"/deliberation/matters/{m.pk}/resolution.pdf").status_code == 422
    r = c.post(
        f"/deliberation/matters/{m.pk}/resolution/",
        {
            "title": "关于光伏收益分配的决议",
            "body": "收益用于修缮村道，由王小明负责。",
            "mask_names": "王小明",
        },
    )
    assert r.status_code == 302
    r = c.post(f"/deliberation/matters/{m.pk}/result/", {"result": ""})
    assert r.status_code == 422 and "请填写实施结果" in _text(r)
    r = c.post(f"/deliberation/matters/{m.pk}/result/", {"result": "村道已修缮完工，支出八万元。"})
    assert r.status_code == 302
    m.refresh_from_db()
    assert m.status == Matter.DONE
    page = _text(c.get(f"/deliberation/matters/{m.pk}/"))
    assert page.count("已完成") >= 6 and "决议公告（PDF）" in page
    pdf = c.get(f"/deliberation/matters/{m.pk}/resolution.pdf")
    text = _pdf_text(pdf.content)
    assert (
        "决议公告" in text
        and "关于光伏收益分配的决议" in text
        and "王某负责" in text
        and "王小明" not in text
    )
    assert "党员大会审议" in text and "村道已修缮完工" in text
    # the board, without signing in
    board = _text(signed_in_client(tf.user_with_role()).get(f"/board/{township.village_a.code}/"))
    assert "关于光伏收益分配的决议" in board


def test_a_failed_vote_is_refused_on_the_page_and_nothing_changes(township, b):
    m = mf.matter(township.village_a)
    c = signed_in_client(tf.user_with_role("village_secretary", township.village_a))
    meeting = matters.step_meeting_call(
        user=None, matter=m, body=b.branch, title="支委会", held_on=clock.today()
    )
    item = mf.vote(meeting, yes=1, no=2)
    before = db_state()
    r = c.post(f"/deliberation/matters/{m.pk}/complete/", {"item": item.pk})
    assert r.status_code == 422 and "表决未通过" in _text(r)
    _nothing_but_audit(before)
    r = c.post(f"/deliberation/matters/{m.pk}/resolution/", {"title": "决议", "body": "x"})
    assert r.status_code == 422 and "不能跳过或调换步骤" in _text(r)
    r = c.post(
        f"/deliberation/matters/{m.pk}/call/",
        {"body": b.party.pk, "title": "党员大会", "held_on": clock.today().isoformat()},
    )
    assert r.status_code == 422 and "须由支委会完成" in _text(r)
    r = c.post(f"/deliberation/matters/{m.pk}/stop/", {"reason": "群众意见较大，暂缓"})
    m.refresh_from_db()
    assert r.status_code == 302 and m.status == Matter.STOPPED


def test_the_supervisor_objects_on_a_step_and_a_cadre_cannot(township, b):
    m = mf.matter(township.village_a)
    step = mf.meeting_step(m, b.branch)
    sup = signed_in_client(tf.user_with_role("supervisor", township.village_a))
    page = _text(sup.get(f"/deliberation/matters/{m.pk}/"))
    assert "村党组织提议" in page and "监督意见" in page
    assert (
        sup.post(f"/deliberation/matters/steps/{step.pk}/objection/", {"text": "会前未公示"}).status_code
        == 302
    )
    assert StepObjection.objects.get(step=step).text == "会前未公示"
    assert "会前未公示" in _text(sup.get(f"/deliberation/matters/{m.pk}/"))
    cadre = signed_in_client(tf.user_with_role("village_committee", township.village_a))
    before = db_state()
    assert cadre.post(f"/deliberation/matters/steps/{step.pk}/objection/", {"text": "x"}).status_code == 403
    _nothing_but_audit(before)
    assert AuditRecord.objects.filter(action="deliberation.step_objection").count() == 1


def test_a_case_sent_to_deliberation_becomes_a_matter(township, b):
    c = cf.cast(township)
    case = cf.reported(township, c)
    case = case_services.case_accept(user=c.grid_worker, case=case)
    case = case_services.case_start(user=c.grid_worker, case=case)
    case = case_services.case_deliberate(user=c.grid_worker, case=case, note="需村民代表会议议定")
    sec = signed_in_client(c.secretary)
    page = sec.get(f"/deliberation/matters/new/?case={case.pk}")
    assert page.status_code == 200 and "事件转为议题" in _text(page)
    r = sec.post(
        "/deliberation/matters/new/",
        {
            "case": case.pk,
            "village": township.village_a.code,
            "title": "村口垃圾点迁移",
            "description": "迁至村北",
            "kind": "civil",
        },
    )
    m = Matter.objects.get(title="村口垃圾点迁移")
    assert r.status_code == 302 and m.case_id == case.pk and m.source == "case"
    assert "事件" in _text(sec.get(f"/deliberation/matters/{m.pk}/"))
    # a case of another village is out of reach: 404
    other = signed_in_client(c.secretary_b)
    assert other.get(f"/deliberation/matters/new/?case={case.pk}").status_code == 404


def test_a_case_in_hand_is_sent_to_deliberation_by_its_handler_only(township, b):
    c = cf.cast(township)
    case = cf.reported(township, c)
    case = case_services.case_accept(user=c.grid_worker, case=case)
    case = case_services.case_start(user=c.grid_worker, case=case)
    before = db_state()
    with pytest.raises(ValidationFailed) as e:
        matters.matter_create(
            user=c.secretary,
            village=township.village_a,
            title="垃圾点迁移",
            description="迁至村北",
            kind="civil",
            source="case",
            case=case,
        )
    assert "请办理人先“提交议事”" in e.value.message
    _nothing_but_audit(before)
    m = matters.matter_create(
        user=None,
        village=township.village_a,
        title="垃圾点迁移",
        description="迁至村北",
        kind="civil",
        source="case",
        case=case,
    )
    case.refresh_from_db()
    assert case.state == Case.DELIBERATING and case.matter_ref == m.number


def test_the_api_lists_shows_creates_and_steps(township, b):
    cadre = tf.user_with_role("village_committee", township.village_a)
    c = signed_in_client(cadre)
    r = c.post(
        API,
        {
            "village": township.village_a.code,
            "title": "宅基地使用方案",
            "description": "今年新批五户。",
            "kind": "homestead",
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["path"] == "four_two" and [s["code"] for s in data["steps"]][0] == "propose"
    m = Matter.objects.get(pk=data["id"])
    r = c.post(
        f"{API}/{m.pk}/call",
        {"body_id": b.branch.pk, "title": "支委会", "held_on": clock.today().isoformat()},
        content_type="application/json",
    )
    assert r.status_code == 200
    meeting_id = r.json()["meeting_id"]
    item = mf.vote(b.branch.meetings.get(pk=meeting_id))
    r = c.post(f"{API}/{m.pk}/complete", {"item_id": item.pk}, content_type="application/json")
    assert r.status_code == 200 and r.json()["steps"][0]["status"] == "done"
    r = c.post(f"{API}/{m.pk}/result", {"result": "完成"}, content_type="application/json")
    assert r.status_code == 409 and "不能跳过或调换步骤" in r.json()["detail"]
    listed = c.get(f"{API}?path=four_two").json()
    assert listed["count"] == 1 and listed["items"][0]["kind_label"] == "宅基地的使用方案"
    detail = c.get(f"{API}/{m.pk}").json()
    assert detail["steps"][0]["meeting_id"] == meeting_id and len(detail["steps"]) == 6


def test_the_api_refuses_another_villages_matter_and_writes_nothing(township, b):
    m = mf.matter(township.village_a)
    step = m.steps.get(seq=1)
    other = signed_in_client(tf.user_with_role("village_secretary", township.village_b))
    sup_b = signed_in_client(tf.user_with_role("supervisor", township.village_b))
    villager_b = signed_in_client(tf.user_with_role("villager", township.village_b))
    before = db_state()
    assert other.get(f"{API}/{m.pk}").status_code == 404
    for path, body, client in [
        (
            f"{API}/{m.pk}/call",
            {"body_id": b.branch.pk, "title": "x", "held_on": clock.today().isoformat()},
            other,
        ),
        (f"{API}/{m.pk}/complete", {"item_id": 1}, other),
        (f"{API}/{m.pk}/resolution", {"title": "x", "body": "x"}, other),
        (f"{API}/{m.pk}/result", {"result": "x"}, other),
        (f"{API}/{m.pk}/consult", {"text": "x"}, other),
        (f"{API}/{m.pk}/support", {}, villager_b),
        (f"{API}/steps/{step.pk}/objection", {"text": "x"}, sup_b),
    ]:
        assert client.post(path, body, content_type="application/json").status_code == 404, path
    r = other.post(
        API,
        {"village": township.village_a.code, "title": "x", "description": "x", "kind": "civil"},
        content_type="application/json",
    )
    assert r.status_code == 403
    _nothing_but_audit(before)
    assert Item.objects.count() == 0 and MatterStep.objects.filter(status="done").count() == 0


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # the first request of a session reads more (session, second factor)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_list_and_the_matter_page_take_a_fixed_number_of_queries(township, b):
    c = signed_in_client(tf.user_with_role("village_committee", township.village_a))
    m = mf.matter(township.village_a)
    mf.meeting_step(m, b.branch)
    few_list, few_page = _queries(c, "/deliberation/matters/"), _queries(c, f"/deliberation/matters/{m.pk}/")
    for i in range(3):
        mf.matter(township.village_a, title=f"议题{i}")
    for body in (b.committees, b.party):
        mf.meeting_step(m, body)
    assert _queries(c, "/deliberation/matters/") == few_list
    assert _queries(c, f"/deliberation/matters/{m.pk}/") == few_page
