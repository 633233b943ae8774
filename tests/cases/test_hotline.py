"""12345 hotline orders from the platform's Excel export: the template, a good file, re-imports and duplicates,
bad rows (nothing written, row and column named, no phone repeated), numbers typed as Excel numbers, the page."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from tests.factories import signed_in_client, user_with_role
from xiangzhi.audit.models import AuditRecord
from xiangzhi.cases import hotline
from xiangzhi.cases.models import Case
from xiangzhi.cases.selectors import reporter_display
from xiangzhi.core import clock

pytestmark = pytest.mark.django_db

HEADER = list(hotline.HEADERS)


def xlsx(rows, header=HEADER) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    ws.title = hotline.SHEET_TITLE
    ws.append(header)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile("orders.xlsx", buf.getvalue())


@pytest.fixture
def leader(township):
    return user_with_role("town_leader", township.town)


def good_rows(t):
    called = clock.now().replace(tzinfo=None) - dt.timedelta(days=1)
    return [
        ["GD20240301001", called, "张三", "13912345678", "村口路灯不亮。", t.village_a.code, "基础设施"],
        # numbers typed as Excel numbers: the order number, the phone, the grid code
        [
            202403010002,
            "2024-03-01 09:30",
            "李四",
            13987654321,
            "邻居占道堆放柴草。",
            int(t.grid_b1.code),
            "矛盾纠纷",
        ],
        ["GD20240301003", None, None, None, "北坡村自来水停了两天", "北坡村", None],
    ]


def test_the_template_has_the_columns_and_their_notes(township, leader):
    resp = signed_in_client(leader).get("/cases/hotline/template.xlsx")
    assert resp.status_code == 200 and "attachment" in resp["Content-Disposition"]
    wb = load_workbook(io.BytesIO(resp.content))
    assert [c.value for c in wb[hotline.SHEET_TITLE][1]] == HEADER
    assert {row[0] for row in wb["填写说明"].iter_rows(values_only=True)} >= set(HEADER)
    assert wb[hotline.SHEET_TITLE]["A2"].number_format == "@"


def test_a_good_file_is_imported_and_the_phone_sealed(township, leader):
    result = hotline.run_import(user=leader, file=xlsx(good_rows(township)))
    assert result.ok, result.errors
    assert (result.rows, result.imported, result.skipped) == (3, 3, [])
    cases = {c.hotline_number: c for c in Case.objects.all()}
    assert set(cases) == {"GD20240301001", "202403010002", "GD20240301003"}
    first = cases["GD20240301001"]
    assert (first.source, first.region_code, first.category, first.level) == (
        "hotline", township.village_a.code, "INFRASTRUCTURE", "village"
    )  # fmt: skip
    assert "来电时间" in first.description and first.reporter_name == "张三"
    assert str(first.reporter_phone) == "13912345678"
    assert "13912345678" not in reporter_display(leader, first) and "5678" in reporter_display(leader, first)
    second = cases["202403010002"]
    assert (second.region_code, str(second.reporter_phone), second.category) == (
        township.grid_b1.code, "13987654321", "DISPUTE"
    )  # fmt: skip
    assert "2024-03-01 09:30" in second.description
    third = cases["GD20240301003"]
    assert third.region_code == township.village_b.code and third.reporter_name == "" and not third.category
    audit = AuditRecord.objects.get(action="cases.hotline_imported")
    assert audit.changes["imported"] == 3 and "13912345678" not in str(audit.changes)


def test_a_reimport_skips_what_is_already_there(township, leader):
    hotline.run_import(user=leader, file=xlsx(good_rows(township)))
    rows = [
        *good_rows(township),
        ["GD20240301004", None, None, None, "新工单。", township.village_a.code, None],
    ]
    result = hotline.run_import(user=leader, file=xlsx(rows))
    assert result.ok and result.imported == 1
    assert [(s.row, s.hotline_number) for s in result.skipped] == [
        (2, "GD20240301001"), (3, "202403010002"), (4, "GD20240301003")
    ]  # fmt: skip
    assert all(s.case_number.startswith("SJ") for s in result.skipped)
    assert Case.objects.count() == 4


def test_a_number_twice_in_the_file_writes_nothing(township, leader):
    rows = good_rows(township)
    rows.append(["GD20240301001", None, None, None, "另一件事。", township.village_a.code, None])
    result = hotline.run_import(user=leader, file=xlsx(rows))
    assert result.imported == 0 and Case.objects.count() == 0
    assert [(e.row, e.column) for e in result.errors] == [(5, "工单编号")]
    assert "第 2 行" in result.errors[0].reason


def test_bad_rows_write_nothing_and_name_row_and_column(township, leader):
    from xiangzhi.regions.services import region_create

    other_town = region_create(code="141029202", name="关王庙乡", parent=township.county)
    far = region_create(code="141029202201", name="河西村", parent=other_town)
    future = clock.now().replace(tzinfo=None) + dt.timedelta(days=2)
    rows = [
        *good_rows(township),
        ["", None, "王五", "1391234", "", "", "外星"],  # row 5
        ["GD-6", "昨天下午", None, None, "x", "不存在村", None],  # row 6
        ["GD-7", future, None, None, "x", far.code, None],  # row 7
        [2.0240301000123457e16, None, None, None, "x", township.village_a.code, None],  # row 8: digits lost
        ["GD-9", None, None, None, "字" * 2001, township.village_a.code, None],  # row 9
    ]
    result = hotline.run_import(user=leader, file=xlsx(rows))
    assert Case.objects.count() == 0 and result.imported == 0 and not result.ok
    got = {(e.row, e.column) for e in result.errors}
    assert got == {
        (5, "工单编号"),
        (5, "联系电话"),
        (5, "诉求内容"),
        (5, hotline.COL_REGION),
        (5, "类别"),
        (6, "来电时间"),
        (6, hotline.COL_REGION),
        (7, "来电时间"),
        (7, hotline.COL_REGION),
        (8, "工单编号"),
        (9, "诉求内容"),
    }
    reasons = " ".join(e.reason for e in result.errors)
    assert "1391234" not in reasons  # a phone is never repeated
    assert "不在您的辖区内" in reasons and "文本" in reasons and "晚于现在" in reasons
    assert AuditRecord.objects.get(action="cases.hotline_imported").result == AuditRecord.RESULT_FAILED


def test_unreadable_files_and_missing_columns(township, leader):
    assert (
        "无法读取" in hotline.run_import(user=leader, file=SimpleUploadedFile("a.xlsx", b"nope")).file_error
    )
    missing = hotline.run_import(user=leader, file=xlsx([["1", "x"]], header=["工单编号", "诉求内容"]))
    assert "缺少列" in missing.file_error and "所在村" in missing.file_error
    short = ["工单编号", "诉求内容", "所在村"]  # a hand-made sheet with the short header
    ok = hotline.run_import(
        user=leader, file=xlsx([["N-1", "路坏了", township.village_a.code]], header=short)
    )
    assert ok.ok and ok.imported == 1


def test_a_village_name_shared_by_two_villages_asks_for_the_code(township):
    from xiangzhi.regions.services import region_create

    county_officer = user_with_role("county_officer", township.county)
    other_town = region_create(code="141029202", name="关王庙乡", parent=township.county)
    region_create(code="141029202201", name="南山村", parent=other_town)
    rows = [["N-1", None, None, None, "路坏了", "南山村", None]]
    result = hotline.run_import(user=county_officer, file=xlsx(rows))
    assert [e.column for e in result.errors] == [hotline.COL_REGION] and "区划代码" in result.errors[0].reason


def test_the_page_uploads_and_shows_the_result(township, leader):
    client = signed_in_client(leader)
    assert client.get("/cases/hotline/").status_code == 200
    resp = client.post("/cases/hotline/", {"file": xlsx(good_rows(township))})
    page = resp.content.decode()
    assert resp.status_code == 200 and "导入 3 张" in page
    again = client.post("/cases/hotline/", {"file": xlsx(good_rows(township))}).content.decode()
    assert "导入 0 张，跳过 3 张" in again and "GD20240301001" in again
    rows = [["GD-X", None, "赵六", "13900001111x", "x", township.village_a.code, None]]
    bad = client.post("/cases/hotline/", {"file": xlsx(rows)}).content.decode()
    assert "第 2 行" in bad and "联系电话" in bad and "13900001111" not in bad and "没有导入任何工单" in bad
    assert "请选择要导入的 Excel 文件" in client.post("/cases/hotline/", {}).content.decode()
    assert Case.objects.count() == 3


def test_only_hotline_roles_open_the_page(township):
    worker = user_with_role("grid_worker", township.grid_a1)
    client = signed_in_client(worker)
    assert client.get("/cases/hotline/").status_code == 403
    assert client.post("/cases/hotline/", {"file": xlsx(good_rows(township))}).status_code == 403
    assert Case.objects.count() == 0
