"""三资 over the API: list with filters, create (201 / 422 / 409, nothing written when refused), detail, payments,
the report, the Excel import (all or nothing)."""

import datetime as dt
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from tests.assets import factories as f
from xiangzhi.accounts import services as accounts
from xiangzhi.assets import excel
from xiangzhi.assets.models import Contract, Payment
from xiangzhi.audit.models import AuditRecord
from xiangzhi.core import clock

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 15, 2, 0, tzinfo=dt.UTC)
BASE = "/api/v1/assets"


@pytest.fixture
def cast(township):
    with clock.frozen(NOW):
        c = f.cast(township)
        c.t = township
        yield c


def bearer(user):
    raw = accounts.token_issue(user=user, otp_verified=True, name="手机")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def payload(place, **kw):
    data = {
        "village": place.code,
        "code": "API-1",
        "category": "resources",
        "matter": "land",
        "subject": "南坡机动地",
        "area": "624.16",
        "amount": 6300000,
        "amount_basis": "per_year",
        "counterparty_name": "外村种植合作社",
        "counterparty_type": "organisation",
        "counterparty_is_member": False,
        "starts_on": "2026-01-01",
        "ends_on": "2035-12-31",
        "has_written_contract": True,
        "schedule": [{"due_on": "2026-03-01", "amount": 6300000}],
    }
    data.update(kw)
    return data


def test_create_list_detail_and_pay(cast):
    api = bearer(cast.secretary)
    resp = api.post(
        f"{BASE}/contracts/",
        payload(cast.t.village_a, resolution_id=cast.item.pk),
        content_type="application/json",
    )
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["area"] == "624.16" and body["amount"] == 6300000 and body["arrears"] == 6300000
    # land to an outsider on an ordinary resolution: recorded, and flagged
    assert {p["code"] for p in body["problems"]} == {"no_resolution", "arrears"}
    pk = body["id"]
    listed = api.get(f"{BASE}/contracts/?problem=arrears").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == pk
    assert api.get(f"{BASE}/contracts/?problem=no_written").json()["count"] == 0
    assert api.get(f"{BASE}/contracts/?expiring_days=30").json()["count"] == 0
    paid = api.post(
        f"{BASE}/contracts/{pk}/payments/",
        {"amount": 6300000, "paid_on": "2026-06-01", "receipt_no": "SJ-9"},
        content_type="application/json",
    )
    assert paid.status_code == 201 and paid.json()["amount"] == 6300000
    detail = api.get(f"{BASE}/contracts/{pk}/").json()
    assert detail["arrears"] == 0 and detail["payments"][0]["receipt_no"] == "SJ-9"
    assert detail["schedule"] == [{"due_on": "2026-03-01", "amount": 6300000}]


@pytest.mark.parametrize(
    ("kw", "status", "text"),
    [
        ({"ends_on": "2025-12-31"}, 422, "早于起始日"),
        ({"area": "-3"}, 422, "面积不能为负数"),
        ({"amount": -100}, 422, "金额不能为负数"),
        ({"resolution_id": 999999}, 422, "找不到编号为 999999 的决议"),
        ({"village": "141029201202"}, 403, "没有权限"),
        ({"amount": 1.5}, 422, "请求格式不正确"),
    ],
)
def test_create_refusals_say_why_and_write_nothing(cast, kw, status, text):
    resp = bearer(cast.secretary).post(
        f"{BASE}/contracts/", payload(cast.t.village_a, **kw), content_type="application/json"
    )
    assert resp.status_code == status and text in resp.json()["detail"]
    assert not Contract.objects.exists()


def test_duplicate_code_and_foreign_resolution_over_the_api(cast):
    api = bearer(cast.secretary)
    assert (
        api.post(f"{BASE}/contracts/", payload(cast.t.village_a), content_type="application/json").status_code
        == 201
    )
    dup = api.post(f"{BASE}/contracts/", payload(cast.t.village_a), content_type="application/json")
    assert dup.status_code == 409 and "已存在" in dup.json()["detail"]
    other = f.passed_item(cast.t.grid_b1)
    foreign = api.post(
        f"{BASE}/contracts/",
        payload(cast.t.village_a, code="API-2", resolution_id=other.pk),
        content_type="application/json",
    )
    assert foreign.status_code == 422 and "不是本村的决议" in foreign.json()["detail"]
    assert Contract.objects.count() == 1


def test_payment_on_another_villages_contract_is_a_404(cast):
    c = f.contract(cast.secretary_b, cast.t.village_b)
    before = AuditRecord.objects.filter(result=AuditRecord.RESULT_DENIED).count()
    resp = bearer(cast.secretary).post(
        f"{BASE}/contracts/{c.pk}/payments/",
        {"amount": 1, "paid_on": "2026-01-01"},
        content_type="application/json",
    )
    assert resp.status_code == 404
    assert AuditRecord.objects.filter(result=AuditRecord.RESULT_DENIED).count() == before + 1
    assert not Payment.objects.exists()
    assert (
        bearer(cast.supervisor)
        .post(
            f"{BASE}/contracts/{c.pk}/payments/",
            {"amount": 1, "paid_on": "2026-01-01"},
            content_type="application/json",
        )
        .status_code
        == 404
    )


def test_the_town_report_over_the_api(cast):
    f.contract(cast.secretary, cast.t.village_a, area="600.16", code="A1")
    f.contract(cast.secretary_b, cast.t.village_b, area="24", code="B1")
    rep = bearer(cast.leader).get(f"{BASE}/report/?region={cast.t.town.code}").json()
    assert rep["total"]["contracts"] == 2 and rep["total"]["area"] == "624.16"
    assert [r["name"] for r in rep["rows"]] == ["南山村", "北坡村"]
    assert rep["total"]["problems"]["no_resolution"] == 2
    mine = bearer(cast.secretary).get(f"{BASE}/report/").json()
    assert [r["name"] for r in mine["rows"]] == ["南山村"]
    assert bearer(cast.grid_worker).get(f"{BASE}/report/").status_code == 403


def _sheet(rows) -> io.BytesIO:
    wb = load_workbook(io.BytesIO(excel.template_bytes()))
    ws = wb.active
    ws.delete_rows(2, 1)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "合同.xlsx"
    return out


ROW = [
    "X-1",
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
    "2026-03-01 1000",
    "",
]


def test_import_over_the_api_is_all_or_nothing(cast):
    api = bearer(cast.secretary)
    bad = [*ROW[:4], "-3", *ROW[5:]]
    bad[0] = "X-2"
    resp = api.post(
        f"{BASE}/contracts/import/", {"village": cast.t.village_a.code, "file": _sheet([ROW, bad])}
    )
    assert resp.status_code == 422
    assert resp.json()["errors"] == [
        {"row": 3, "column": "面积（亩）", "message": "面积不能为负数（填写的是 -3 亩）。"}
    ]
    assert not Contract.objects.exists()
    other = api.post(f"{BASE}/contracts/import/", {"village": cast.t.village_b.code, "file": _sheet([ROW])})
    assert other.status_code == 422 and not Contract.objects.exists()
    ok = api.post(f"{BASE}/contracts/import/", {"village": cast.t.village_a.code, "file": _sheet([ROW])})
    assert ok.status_code == 201 and ok.json()["created"] == 1
    assert Contract.objects.get().area_cmu == 1050
