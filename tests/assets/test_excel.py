"""Excel: the contract register exported and imported again (round trip), the import all or nothing with row and
column errors in Chinese, the page of the import, and the 合同清理 report's export."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests import factories
from tests.assets import factories as f
from xiangzhi.assets import excel, selectors, services
from xiangzhi.assets.models import Contract
from xiangzhi.core import clock

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 15, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def cast(township):
    with clock.frozen(NOW):
        c = f.cast(township)
        c.t = township
        yield c


def rows_of(content: bytes) -> list[list]:
    ws = load_workbook(io.BytesIO(content)).active
    return [[("" if v is None else v) for v in row] for row in ws.iter_rows(values_only=True)]


def as_upload(content: bytes) -> io.BytesIO:
    out = io.BytesIO(content)
    out.name = "台账.xlsx"
    return out


def test_an_exported_register_imports_again_into_another_village(cast):
    f.contract(
        cast.secretary,
        cast.t.village_a,
        code="RT-1",
        subject='=HYPERLINK("x")',
        area="624.16",
        amount=63000000,
        counterparty_id_number=f.VALID_ID,
        schedule=[(dt.date(2021, 3, 1), 31500000), (dt.date(2022, 3, 1), 31500000)],
        note="第一行\n第二行",
    )
    f.contract(
        cast.secretary,
        cast.t.village_a,
        code="RT-2",
        has_written_contract=False,
        counterparty_is_member=False,
    )
    exported = excel.contracts_export(user=cast.secretary, filters=selectors.ContractFilter())
    rows = rows_of(exported)
    assert rows[0][: len(excel.HEADERS)] == excel.HEADERS
    assert f.VALID_ID not in str(rows) and "**************002X" in str(rows)
    assert rows[1][3] == '=HYPERLINK("x")'  # typed text, not a formula
    result = excel.run_import(user=cast.secretary_b, file=as_upload(exported), village=cast.t.village_b)
    assert result.ok, [str(e) for e in result.errors]
    assert result.created == 2
    again = rows_of(excel.contracts_export(user=cast.secretary_b, filters=selectors.ContractFilter()))
    n = len(excel.HEADERS)
    masked_id = excel.HEADERS.index("身份证号")
    for a, b in zip(rows[1:], again[1:], strict=True):
        a, b = a[:n], b[:n]
        assert a[masked_id] == "**************002X" or a[masked_id] == ""
        assert b[masked_id] == ""  # a masked number imports as "not given"
        a[masked_id] = b[masked_id] = ""
        assert a == b
    copy = Contract.objects.get(region=cast.t.village_b, code="RT-1")
    assert copy.area_cmu == 62416 and copy.amount == 63000000 and copy.instalments.count() == 2


def test_import_is_all_or_nothing_with_row_and_column_errors(cast):
    good = [
        "I-1",
        "资源",
        "集体土地发包",
        "东沟地",
        "10.5",
        "1000",
        "每年",
        "李四",
        "个人",
        "是",
        "",
        "2026-01-01",
        "2030-12-31",
        "是",
        "",
        "",
        "",
    ]
    rows = [
        good,
        ["I-2", "土地", *good[2:]],
        ["I-1", *good[1:]],
        ["I-3", *good[1:11], "2026-01-02", "2026-01-01", *good[13:]],
        ["I-4", *good[1:4], "-3", *good[5:]],
        ["I-5", *good[1:14], "999999", *good[15:]],
        ["I-6", *good[1:5], "-5", *good[6:]],
    ]
    wb = load_workbook(io.BytesIO(excel.template_bytes()))
    ws = wb.active
    ws.delete_rows(2, 1)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    result = excel.run_import(user=cast.secretary, file=as_upload(buf.getvalue()), village=cast.t.village_a)
    got = [(e.row, e.column, e.message) for e in result.errors]
    assert got == [
        (3, "类别", "类别应为资金、资产、资源之一，填的是“土地”。"),
        (4, "合同编号", "合同编号“I-1”与第 2 行重复。"),
        (5, "截止日", "截止日（2026-01-01）早于起始日（2026-01-02），请核对合同期限。"),
        (6, "面积（亩）", "面积不能为负数（填写的是 -3 亩）。"),
        (7, "决议编号", "找不到编号为 999999 的决议。"),
        (8, "金额（元）", "金额不能为负数。"),
    ]
    assert not Contract.objects.exists()


def test_unreadable_files_and_codes_already_in_the_village(cast):
    bad = excel.run_import(user=cast.secretary, file=as_upload(b"not a workbook"), village=cast.t.village_a)
    assert "无法读取该文件" in str(bad.errors[0])
    f.contract(cast.secretary, cast.t.village_a, code="X-1")
    wb = load_workbook(io.BytesIO(excel.template_bytes()))
    wb.active["A2"] = "X-1"
    buf = io.BytesIO()
    wb.save(buf)
    result = excel.run_import(user=cast.secretary, file=as_upload(buf.getvalue()), village=cast.t.village_a)
    assert [(e.row, e.column) for e in result.errors] == [(2, "合同编号")]
    assert Contract.objects.count() == 1


def test_the_import_page(cast):
    client = factories.signed_in_client(cast.secretary)
    url = reverse("assets:contract_import")
    assert client.get(url).status_code == 200
    assert client.get(reverse("assets:import_template")).content[:2] == b"PK"
    template = excel.template_bytes()
    refused = client.post(url, {"village": cast.t.village_b.code, "file": as_upload(template)})
    assert refused.status_code == 422 and "不在您的辖区内" in refused.content.decode()
    done = client.post(url, {"village": cast.t.village_a.code, "file": as_upload(template)})
    assert done.status_code == 302
    assert Contract.objects.get().code == "HT-2026-001"
    again = client.post(url, {"village": cast.t.village_a.code, "file": as_upload(template)})
    assert again.status_code == 422 and "在本村已存在" in again.content.decode()
    assert factories.signed_in_client(cast.supervisor).get(url).status_code == 403


def test_import_into_another_village_is_refused(cast):
    from xiangzhi.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        excel.run_import(
            user=cast.secretary, file=as_upload(excel.template_bytes()), village=cast.t.village_b
        )
    assert not Contract.objects.exists()


def test_the_report_exports(cast):
    f.contract(cast.secretary, cast.t.village_a, area="624.16", has_written_contract=False)
    services.setting_save(
        user=cast.secretary,
        village=cast.t.village_a,
        review_starts_on=dt.date(2026, 1, 1),
        review_ends_on=dt.date(2026, 6, 30),
    )
    client = factories.signed_in_client(cast.leader)
    resp = client.get(reverse("assets:report_export") + f"?region={cast.t.town.code}")
    rows = rows_of(resp.content)
    assert rows[0][:4] == ["村", "辖区代码", "清理合同（份）", "面积（亩）"]
    assert rows[1][:4] == ["南山村", "141029201201", 1, "624.16"] and rows[-1][0] == "合计"
    assert "2026-01-01 至 2026-06-30" in rows[1]
    listing = client.get(reverse("assets:contract_export"))
    assert rows_of(listing.content)[1][0] == "HT-001"
