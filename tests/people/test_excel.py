import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook

from tests.factories import signed_in_client
from tests.people import factories as pf
from xiangzhi.audit.models import AuditRecord
from xiangzhi.party.models import HouseholdLink
from xiangzhi.people import excel, services
from xiangzhi.people.models import Household, Resident

pytestmark = pytest.mark.django_db
GRID_A1 = "141029201201001"


def test_committed_template_matches_the_builder():
    def content(wb):
        return [
            [
                (ws.title, c.coordinate, c.value, c.number_format)
                for row in ws.iter_rows(min_row=1, max_row=5)
                for c in row
            ]
            for ws in wb.worksheets
        ]

    committed = load_workbook(excel.TEMPLATE_PATH)
    built = load_workbook(io.BytesIO(excel.template_bytes()))
    assert content(committed) == content(built), "run `xiangzhi people template` to regenerate the copy"
    ws = built[excel.SHEET_TITLE]
    assert [c.value for c in ws[1]] == [
        "组别", "户号", "户主", "姓名", "与户主关系", "性别", "出生日期", "身份证号", "联系电话", "住址",
        "人员类别", "网格编码", "标签",
    ]  # fmt: skip
    assert ws["H2"].number_format == "@" and ws[f"H{excel.TEMPLATE_ROWS + 1}"].number_format == "@"


def sheet(rows, *, header=excel.HEADERS) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.title = excel.SHEET_TITLE
    ws.append(header)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "台账.xlsx"
    return buf


def row(
    number,
    head,
    name,
    relation,
    id_number,
    *,
    sex="",
    birth="",
    phone="",
    grid=GRID_A1,
    tags="",
    address=None,
):
    return [
        "第一组",
        number,
        head,
        name,
        relation,
        sex,
        birth,
        id_number,
        phone,
        address or f"南山村{number}号",
        "",
        grid,
        tags,
    ]


def ids(n, **kw):
    return [pf.id_number(**kw) for _ in range(n)]


def domain_counts():
    return (Household.objects.count(), Resident.objects.count(), HouseholdLink.objects.count())


def test_good_rows_import_households_with_heads(township, make_user):
    secretary = make_user("village_secretary", township.village_a)
    a, b, c = ids(3)
    wife = pf.id_number(sex="F", birth=dt.date(1972, 2, 29))
    file = sheet(
        [
            row("1", "张三", "张三", "户主", a, phone="13800001111", tags="低保、残疾"),
            row("1", "张三", "刘梅", "妻", wife, sex="女", birth="1972-02-29"),
            row("2", "李四", "李四", "户主", b, grid="141029201201002"),
            row("2", "李四", "李小", "儿子", c, grid="141029201201002"),
        ]
    )
    result = services.register_import(user=secretary, file=file, village=township.village_a)
    assert result.errors == [] and result.ok
    assert (result.rows, result.imported_rows, result.households_created) == (4, 4, 2)
    h = Household.objects.get(number="1")
    assert (h.head_name, h.member_count, h.region_code, h.group_name) == ("张三", 2, GRID_A1, "第一组")
    wife_r = Resident.objects.get(name="刘梅")
    assert (wife_r.relation, wife_r.sex, wife_r.birth_date) == ("spouse", "F", dt.date(1972, 2, 29))
    assert Resident.objects.get(name="张三").tag_list == ["残疾", "低保"] or Resident.objects.get(
        name="张三"
    ).tag_list == ["低保", "残疾"]
    rec = AuditRecord.objects.get(action="people.register_imported")
    assert rec.changes == {
        "rows": 4,
        "imported_rows": 4,
        "households_created": 2,
        "bad_rows": 0,
        "all_or_nothing": False,
        "file_error": False,
    }
    dump = str(list(AuditRecord.objects.values_list("changes", flat=True)))
    for number in (a, b, c, wife, "13800001111"):
        assert number not in dump


def bad_sheet():
    good1, good2, dup, db_taken, mismatch = ids(5)
    wrong_check = good2[:17] + ("0" if good2[17] != "0" else "1")
    return (
        sheet(
            [
                row("1", "张三", "张三", "户主", good1),  # row 2: good household
                row("2", "李四", "李四", "户主", wrong_check),  # row 3: wrong check digit
                row("3", "王五", "王五", "户主", 1.41029195001011e17),  # row 4: number cell
                row("4", "赵六", "赵六", "户主", dup, grid="141029201201999"),  # row 5: unknown grid
                row("5", "钱七", "钱七", "户主", dup),  # row 6: duplicate in sheet
                row("6", "孙八", "孙八", "户主", db_taken),  # row 7: already registered
                row("7", "周九", "", "户主", good2),  # row 8: missing name
                row("8", "吴十", "吴十", "户主", mismatch, birth="1901-01-01"),  # row 9: birth mismatch
                row("9", "郑一", "郑一", "户主", "1.41029E+17"),  # row 10: scientific text
            ]
        ),
        db_taken,
    )


def test_bad_rows_reported_one_by_one_and_good_rows_kept(township, make_user):
    file, taken = bad_sheet()
    pf.household(township.grid_b1, id_number=taken)
    before = domain_counts()
    result = services.register_import(
        user=make_user("village_committee", township.village_a), file=file, village=township.village_a
    )
    got = [(e.row, e.column) for e in result.errors]
    assert got == [
        (3, "身份证号"),
        (4, "身份证号"),
        (5, "网格编码"),
        (6, "身份证号"),
        (7, "身份证号"),
        (8, "姓名"),
        (9, "出生日期"),
        (10, "身份证号"),
    ]
    reasons = {e.row: e.reason for e in result.errors}
    assert "校验位不正确" in reasons[3]
    assert "设为“文本”格式" in reasons[4] and "设为“文本”格式" in reasons[10]
    assert "不是南山村的网格" in reasons[5]
    assert reasons[6] == "与第 5 行的身份证号重复。"
    assert reasons[7] == "该身份证号已登记，不能重复登记。"
    assert reasons[8] == "请填写姓名。"
    assert "不一致" in reasons[9]
    assert (result.imported_rows, result.households_created, result.bad_rows) == (1, 1, 8)
    after = domain_counts()
    assert after == (before[0] + 1, before[1] + 1, before[2])
    assert Household.objects.filter(number="1", head_name="张三").exists()
    rec = AuditRecord.objects.get(action="people.register_imported")
    assert rec.result == "failed" and rec.changes["bad_rows"] == 8


def test_all_or_nothing_leaves_no_domain_table_changed(township, make_user):
    file, taken = bad_sheet()
    pf.household(township.grid_b1, id_number=taken)
    secretary = make_user("village_secretary", township.village_a)
    before = domain_counts()
    audit_before = AuditRecord.objects.exclude(action="people.register_imported").count()
    result = services.register_import(
        user=secretary, file=file, village=township.village_a, all_or_nothing=True
    )
    assert len(result.errors) == 8 and result.imported_rows == 0 and result.households_created == 0
    assert domain_counts() == before
    assert AuditRecord.objects.exclude(action="people.register_imported").count() == audit_before
    assert AuditRecord.objects.get(action="people.register_imported").changes["all_or_nothing"] is True


def test_all_or_nothing_rolls_back_households_written_before_a_late_failure(township, monkeypatch):
    a, b = ids(2)
    file = sheet([row("1", "张三", "张三", "户主", a), row("2", "李四", "李四", "户主", b)])
    real = services.resident_create

    def failing(**kw):
        if kw["name"] == "李四":
            raise services.ValidationFailed("模拟写入失败")
        return real(**kw)

    monkeypatch.setattr(services, "resident_create", failing)
    result = services.register_import(user=None, file=file, village=township.village_a, all_or_nothing=True)
    assert [(e.row, e.reason) for e in result.errors] == [(3, "户号 2 未导入：模拟写入失败")]
    assert result.imported_rows == 0 and domain_counts() == (0, 0, 0)
    result = services.register_import(
        user=None,
        file=sheet([row("1", "张三", "张三", "户主", a), row("2", "李四", "李四", "户主", b)]),
        village=township.village_a,
    )
    assert result.imported_rows == 1 and domain_counts() == (1, 1, 0)


def test_a_household_with_one_bad_row_is_not_imported_at_all(township):
    a, b = ids(2)
    file = sheet([row("1", "张三", "张三", "户主", a), row("1", "张三", "张小", "子女", b, phone="123")])
    result = services.register_import(user=None, file=file, village=township.village_a)
    assert [(e.row, e.column) for e in result.errors] == [(2, ""), (3, "联系电话")]
    assert "同一户（户号 1）第 3 行有误" in result.errors[0].reason
    assert domain_counts() == (0, 0, 0)


def test_household_needs_exactly_one_head(township):
    a, b, c = ids(3)
    file = sheet(
        [
            row("1", "张三", "张三", "子女", a),
            row("2", "李四", "李四", "户主", b),
            row("2", "李四", "李五", "户主", c),
        ]
    )
    result = services.register_import(user=None, file=file, village=township.village_a)
    reasons = [(e.row, e.reason) for e in result.errors if e.column]
    assert reasons == [
        (2, "户号 1 没有户主：请把其中一人的与户主关系填为“户主”。"),
        (4, "户号 2 有多名户主（第 3 行已是户主）。"),
    ]


def test_import_right_is_checked(township, make_user):
    from xiangzhi.core.errors import PermissionDenied

    worker = make_user("grid_worker", township.grid_a1)
    with pytest.raises(PermissionDenied):
        services.register_import(user=worker, file=sheet([]), village=township.village_a)
    other = make_user("village_secretary", township.village_b)
    with pytest.raises(PermissionDenied):
        services.register_import(user=other, file=sheet([]), village=township.village_a)


def test_unreadable_file_and_missing_columns(township):
    bad = io.BytesIO(b"not a workbook")
    assert "无法读取" in services.register_import(user=None, file=bad, village=township.village_a).file_error
    missing = sheet([], header=["姓名", "身份证号"])
    assert (
        "缺少列：户号、与户主关系、住址、网格编码"
        in services.register_import(user=None, file=missing, village=township.village_a).file_error
    )


def test_import_page_shows_the_result_table(township, make_user):
    client = signed_in_client(make_user("village_secretary", township.village_a))
    (a,) = ids(1)
    page = client.get("/people/register/import/")
    assert (
        page.status_code == 200
        and "南山村" in page.content.decode()
        and "北坡村" not in page.content.decode()
    )
    file = sheet([row("1", "张三", "张三", "户主", a), row("2", "李四", "", "户主", a)])
    resp = client.post(
        "/people/register/import/", {"village": township.village_a.code, "file": file, "mode": "keep_good"}
    )
    html = resp.content.decode()
    assert resp.status_code == 200
    assert "导入 1 行" in html and "第 3 行" in html and "请填写姓名。" in html
    assert a not in html


def _export(client, **params):
    resp = client.get("/people/register/export.xlsx", params)
    assert resp.status_code == 200
    wb = load_workbook(io.BytesIO(resp.content))
    return wb["户"], wb["居民"]


def test_export_is_scoped_and_masked_without_reveal(township, make_user):
    a_h = pf.household(township.grid_a1, head_name="张三", phone="13800001111", birth=dt.date(1960, 5, 6))
    pf.household(township.grid_b1, head_name="王五")
    committee = make_user("village_committee", township.village_a)  # may export, may not reveal
    households, residents = _export(signed_in_client(committee))
    assert [r[2] for r in households.iter_rows(min_row=2, values_only=True)] == ["张三"]
    rows = list(residents.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 1
    number = a_h.head.id_number
    flat = str(rows)
    assert number not in flat and "13800001111" not in flat and "1960-05-06" not in flat
    assert rows[0][7] == "*" * 14 + number[-4:] and rows[0][8] == "*******1111"
    rec = AuditRecord.objects.get(action="people.register_exported")
    assert rec.changes["residents"] == 1 and rec.changes["revealed"] is False


def test_export_reveals_for_reveal_pii_and_is_refused_without_export_right(township, make_user):
    a_h = pf.household(township.grid_a1, head_name="张三", phone="13800001111", birth=dt.date(1960, 5, 6))
    secretary = make_user("village_secretary", township.village_a)
    _, residents = _export(signed_in_client(secretary))
    row1 = next(residents.iter_rows(min_row=2, values_only=True))
    assert (row1[6], row1[7], row1[8]) == ("1960-05-06", a_h.head.id_number, "13800001111")
    assert AuditRecord.objects.get(action="people.register_exported").changes["revealed"] is True
    worker = make_user("grid_worker", township.grid_a1)
    assert signed_in_client(worker).get("/people/register/export.xlsx").status_code == 403


def test_template_download(township, make_user):
    resp = signed_in_client(make_user("grid_worker", township.grid_a1)).get("/people/register/template.xlsx")
    assert resp.status_code == 200
    assert load_workbook(io.BytesIO(resp.content))[excel.SHEET_TITLE]["H1"].value == "身份证号"
