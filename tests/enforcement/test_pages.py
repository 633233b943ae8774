"""The enforcement pages: 200 for those in reach, 422 with Chinese messages and nothing written for bad input,
403 for a role without the action, 404 (audited) for a record out of reach; the Excel export."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from tests import factories
from tests.enforcement import factories as ef
from xiangzhi.audit.models import AuditRecord
from xiangzhi.core import clock
from xiangzhi.enforcement.models import Decision, Entry, Inspection
from xiangzhi.regions.services import region_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def c(township):
    return ef.cast(township)


def _client(user):
    return factories.signed_in_client(user)


def _form(c, **over):
    data = {
        "department": c.zhifa.pk,
        "village": c.t.village_a.code,
        "date": clock.today().isoformat(),
        "place": "南山村砖厂",
        "inspectors": "李执法、王执法",
        "subject_kind": "person",
        "subject_name": "赵铁柱",
        "id_number": ef.ID_NUMBER,
        "org_code": "",
        "findings": "违规堆放建筑垃圾。",
        "problem_found": "on",
    }
    data.update(over)
    return data


def test_record_an_inspection_through_the_pages(c):
    client = _client(c.officer)
    assert client.get("/enforcement/new/").status_code == 200
    resp = client.post("/enforcement/new/", _form(c))
    insp = Inspection.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/enforcement/{insp.pk}/"
    page = client.get(resp["Location"]).content.decode()
    assert "赵铁柱" in page and "**************002X" in page and ef.ID_NUMBER not in page
    assert "执法全过程记录" in page


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"place": ""}, "请填写检查地点"),
        ({"date": (dt.date.today() + dt.timedelta(days=30)).isoformat()}, "不能晚于今天"),
        ({"id_number": "110105194912310021"}, "身份证号"),
        ({"subject_kind": "organisation", "subject_name": "某厂"}, "单位当事人不登记身份证号"),
        ({"department": "999999"}, "只能选择本人所在"),
    ],
)
def test_bad_inspection_input_is_refused_with_422_and_nothing_written(c, over, message):
    resp = _client(c.officer).post("/enforcement/new/", _form(c, **over))
    assert resp.status_code == 422
    assert message in resp.content.decode()
    assert not Inspection.objects.exists()


def test_another_departments_staff_cannot_pick_this_department(c):
    resp = _client(c.farm_officer).post("/enforcement/new/", _form(c))
    assert resp.status_code == 422 and not Inspection.objects.exists()


def test_full_flow_through_the_pages_major_decision_reviewed_then_published(c):
    insp = ef.inspection(c)
    officer, leader, reviewer = _client(c.officer), _client(c.leader), _client(c.reviewer)
    bad = officer.post(
        f"/enforcement/{insp.pk}/decision/",
        {"kind": "fine", "amount": "-5", "legal_basis": "依据", "facts": "事实", "is_major": "on"},
    )
    assert bad.status_code == 422 and "金额不能为负数" in bad.content.decode()
    assert not Decision.objects.exists()
    ok = officer.post(
        f"/enforcement/{insp.pk}/decision/",
        {"kind": "fine", "amount": "5000", "legal_basis": "依据", "facts": "事实", "is_major": "on"},
    )
    assert ok.status_code == 302
    d = Decision.objects.get()
    assert d.amount_fen == 500000
    # the leader cannot make it before the review
    resp = leader.post(
        f"/enforcement/decisions/{d.pk}/decide/",
        {"case_number": "罚〔2026〕1号", "decided_on": clock.today()},
    )
    assert resp.status_code == 422 and "法制审核" in resp.content.decode()
    # the officer may not review (403); the 司法所 may
    assert officer.get(f"/enforcement/decisions/{d.pk}/review/").status_code == 403
    assert reviewer.get(f"/enforcement/decisions/{d.pk}/review/").status_code == 200
    resp = reviewer.post(f"/enforcement/decisions/{d.pk}/review/", {"passed": "1", "opinion": "事实清楚。"})
    assert resp.status_code == 302
    # the officer may not make a major decision
    resp = officer.post(
        f"/enforcement/decisions/{d.pk}/decide/",
        {"case_number": "罚〔2026〕1号", "decided_on": clock.today()},
    )
    assert resp.status_code == 403
    resp = leader.post(
        f"/enforcement/decisions/{d.pk}/decide/",
        {"case_number": "罚〔2026〕1号", "decided_on": (insp.date - dt.timedelta(days=1)).isoformat()},
    )
    assert resp.status_code == 422 and "不能早于检查日期" in resp.content.decode()
    resp = leader.post(
        f"/enforcement/decisions/{d.pk}/decide/",
        {"case_number": "罚〔2026〕1号", "decided_on": clock.today()},
    )
    assert resp.status_code == 302
    preview = officer.get(f"/enforcement/decisions/{d.pk}/publish/").content.decode()
    shown = preview.split("公示内容预览", 1)[1].split("</section>", 1)[0]
    assert "当事人：张某" in shown and "张三丰" not in shown
    assert officer.post(f"/enforcement/decisions/{d.pk}/publish/", {}).status_code == 302
    again = officer.post(f"/enforcement/decisions/{d.pk}/publish/", {})
    assert again.status_code == 422 and "不能重复公示" in again.content.decode()
    from django.test import Client

    board = Client().get(f"/board/{c.t.town.code}/")  # the town's public board, no sign-in
    text = board.content.decode()
    assert board.status_code == 200 and "行政处罚决定公示" in text and "张三丰" not in text


def test_note_on_the_record_page_is_appended_and_an_empty_one_is_422(c):
    insp = ef.inspection(c)
    client = _client(c.officer)
    before = Entry.objects.count()
    assert client.post(f"/enforcement/{insp.pk}/", {"note": ""}).status_code == 422
    assert Entry.objects.count() == before
    assert client.post(f"/enforcement/{insp.pk}/", {"note": "送达询问通知书。"}).status_code == 302
    assert Entry.objects.count() == before + 1


def test_attachment_upload_and_refusal(c):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    insp = ef.inspection(c)
    client = _client(c.officer)
    bad = client.post(
        f"/enforcement/{insp.pk}/attachments/", {"label": "笔录", "file": SimpleUploadedFile("a.txt", b"x")}
    )
    assert bad.status_code == 422 and "文件类型不符" in bad.content.decode()
    out = io.BytesIO()
    Image.new("RGB", (3, 3)).save(out, "PNG")
    ok = client.post(
        f"/enforcement/{insp.pk}/attachments/",
        {"label": "现场照片", "file": SimpleUploadedFile("p.png", out.getvalue())},
    )
    assert ok.status_code == 302
    att = insp.attachments.get()
    page = client.get(f"/enforcement/{insp.pk}/").content.decode()
    assert "现场照片" in page
    att.file.file.storage.delete(att.file.file.name)


def test_403_for_roles_without_enforcement_and_404_out_of_reach(c, township):
    insp = ef.inspection(c)
    grid_worker = factories.user_with_role("grid_worker", township.grid_a1)
    assert _client(grid_worker).get("/enforcement/").status_code == 403
    assert _client(grid_worker).get("/enforcement/new/").status_code == 403
    assert _client(grid_worker).get(f"/enforcement/{insp.pk}/").status_code == 403
    # the farm department's staff: not their department's record
    before = AuditRecord.objects.filter(result="denied").count()
    assert _client(c.farm_officer).get(f"/enforcement/{insp.pk}/").status_code == 404
    assert AuditRecord.objects.filter(result="denied").count() == before + 1
    # another town's leader
    other = region_create(code="141029202", name="关王庙乡", parent=township.county)
    assert (
        _client(factories.user_with_role("town_leader", other)).get(f"/enforcement/{insp.pk}/").status_code
        == 404
    )
    # the county reads but does not record
    county = _client(c.county)
    assert county.get(f"/enforcement/{insp.pk}/").status_code == 200
    assert county.get(f"/enforcement/{insp.pk}/decision/").status_code == 403


def test_the_reviewer_of_another_town_gets_404(c, township):
    d = ef.proposal(c, ef.inspection(c), major=True)
    other = region_create(code="141029202", name="关王庙乡", parent=township.county)
    sifa = ef.department(other, code="sifa", name="司法所")
    stranger = factories.user_with_role("department_staff", other, scope_type="department", scope_id=sifa.pk)
    resp = _client(stranger).post(f"/enforcement/decisions/{d.pk}/review/", {"passed": "1", "opinion": "好"})
    assert resp.status_code == 404 and not d.reviews.exists()


def test_list_filters_paginates_and_exports(c):
    for n in range(22):
        ef.inspection(c, person=False, name=f"单位{n:02d}", problem=False)
    d = ef.decided(c, ef.inspection(c, person=False, name="处罚单位"))
    client = _client(c.leader)
    page1 = client.get("/enforcement/").content.decode()
    assert "第 1 / 2 页" in page1
    only = client.get("/enforcement/?status=unpublished").content.decode()
    assert "处罚单位" in only and "单位05" not in only
    assert "单位05" not in client.get(f"/enforcement/?department={c.nongye.pk}").content.decode()
    past = (clock.today() - dt.timedelta(days=1)).isoformat()
    assert "处罚单位" not in client.get(f"/enforcement/?date_to={past}").content.decode()
    resp = client.get("/enforcement/export/?status=unpublished")
    assert resp.status_code == 200
    ws = load_workbook(io.BytesIO(resp.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "检查编号" and rows[1][8] == "处罚单位" and rows[1][14] == d.case_number
    assert AuditRecord.objects.filter(action="enforcement.register_exported").exists()


def test_export_masks_id_numbers(c):
    ef.inspection(c)
    resp = _client(c.leader).get("/enforcement/export/")
    text = io.BytesIO(resp.content)
    values = [v for row in load_workbook(text).active.iter_rows(values_only=True) for v in row if v]
    assert "**************002X" in values and ef.ID_NUMBER not in values


def test_overdue_and_figures_pages(c):
    day = clock.today() - dt.timedelta(days=30)
    ef.decided(c, ef.inspection(c, date=day), decided_on=day, case_number="罚〔2026〕99号")
    client = _client(c.leader)
    assert "罚〔2026〕99号" in client.get("/enforcement/overdue/").content.decode()
    page = client.get(f"/enforcement/figures/?town={c.t.town.code}&date_from={day.replace(month=1, day=1)}")
    text = page.content.decode()
    assert page.status_code == 200 and "行政处罚 1 次" in text and "罚款共计 2,000.00 元" in text
    assert client.get("/enforcement/figures/?town=141030101").status_code == 404
