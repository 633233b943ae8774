"""The passbook (积分存折): the villager's own on a phone (balances, rank this period, entries paginated, the PDF read
back in Chinese), a cadre's of any household in scope (another village's is an audited 404), the village ledger
with its filters and its audited Excel export, the correction page, and the same over the API."""

import datetime as dt
import io
import re
import shutil
import subprocess
from html import unescape

import pytest
from openpyxl import load_workbook

from tests.factories import signed_in_client, user_with_role
from tests.points import factories as pts
from xiangzhi.audit.models import AuditRecord
from xiangzhi.core import clock
from xiangzhi.points import ledger
from xiangzhi.points.models import LedgerEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def c(township):
    c = pts.cast(township)
    clock.set_fixed(dt.datetime(2026, 3, 20, 2, 0, tzinfo=dt.UTC))
    return c


def text(resp) -> str:
    return unescape(resp.content.decode())


def table(resp) -> str:
    """The rows of a list page (the filters above it name every item)."""
    return text(resp).split("<tbody>", 1)[1].split("</tbody>", 1)[0]


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF")
    out = subprocess.run(
        [shutil.which("pdftotext"), "-layout", "-", "-"], input=content, capture_output=True, check=True
    )
    return re.sub(r"\s+", "", out.stdout.decode())


# -- the villager's own passbook -------------------------------------------------------------------------------------


def test_the_villager_sees_balances_rank_and_entries_with_the_balances_after_each(c):
    pts.give(c.home, 5, code="HJ01")
    pts.give(c.home, -20, code="KF02")  # 可用 only down to zero
    pts.give(c.home, 10, code="MD01")
    pts.give(c.other, 30, code="MD01")
    page = signed_in_client(c.villager).get("/points/passbook/")
    assert page.status_code == 200
    body = text(page)
    assert "累计积分" in body and "可用积分" in body
    assert '<span class="value">-5</span>' in body and '<span class="value">10</span>' in body
    assert "2026年3月：本期得分 -5 分，在全村 2 户中排第 2 名" in body
    assert "酒席大操大办" in body and "-20（减）" in body and "-5（减）" in body  # 可用 applied: 5 → 0
    assert "李大妈" not in body  # the other household's entries are not here
    # phone-first: 18 px text and 60 px targets on this page
    assert "font-size:18px" in body and "min-height:60px" in body


def test_the_villager_entries_are_paginated(c):
    for _ in range(12):
        pts.give(c.home, 1)
    client = signed_in_client(c.villager)
    first = text(client.get("/points/passbook/"))
    assert "第 1 / 2 页，共 12 条" in first
    assert "第 2 / 2 页" in text(client.get("/points/passbook/?page=2"))


def test_a_staff_account_without_a_household_is_told_in_words(c):
    page = signed_in_client(c.secretary).get("/points/passbook/")
    assert page.status_code == 404 and "还没有关联到户" in text(page)


def test_the_passbook_prints_as_a_chinese_pdf(c):
    pts.give(c.home, 5, code="HJ01")
    pts.give(c.home, -20, code="KF02")
    resp = signed_in_client(c.villager).get("/points/passbook/print/")
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    words = pdf_text(resp.content)
    for expected in (
        "积分存折",
        "王大爷",
        "累计积分：-15分",
        "可用积分：0分",
        "庭院整洁",
        "酒席大操大办",
        "+5",
        "-20",
        "-5",
    ):
        assert expected in words, expected


# -- a cadre's passbook of a household --------------------------------------------------------------------------------


def test_a_cadre_opens_any_household_of_the_village_and_gets_a_404_beyond_it(township, c):
    pts.give(c.other, 3)
    client = signed_in_client(c.secretary)
    page = client.get(f"/points/passbook/{c.other.pk}/")
    assert page.status_code == 200 and "积分存折：李大妈户" in text(page) and "更正" in text(page)
    assert client.get(f"/points/passbook/{c.other.pk}/print/").status_code == 200
    denied = AuditRecord.objects.filter(result=AuditRecord.RESULT_DENIED).count()
    assert client.get(f"/points/passbook/{c.far.pk}/").status_code == 404
    assert AuditRecord.objects.filter(result=AuditRecord.RESULT_DENIED).count() == denied + 1
    # a villager may open the own household by its number, not the neighbour's
    villager = signed_in_client(c.villager)
    assert villager.get(f"/points/passbook/{c.home.pk}/").status_code == 200
    assert villager.get(f"/points/passbook/{c.other.pk}/").status_code == 404


# -- the village ledger ----------------------------------------------------------------------------------------------


def test_the_ledger_list_filters_by_period_grid_kind_and_item(township, c):
    pts.give(c.home, 5, code="HJ01", day=dt.date(2026, 2, 10))
    pts.give(c.home, 10, code="MD01")
    pts.give(c.other, -5, code="KF01")
    client = signed_in_client(c.secretary)
    everything = text(client.get("/points/ledger/"))
    assert "共 3 条" in everything and "庭院整洁" in everything and "乱堆乱放" in everything
    march = table(client.get("/points/ledger/?period=2026-03"))
    assert "孝老爱亲" in march and "庭院整洁" not in march
    grid2 = table(client.get(f"/points/ledger/?region={township.grid_a2.code}"))
    assert "乱堆乱放" in grid2 and "孝老爱亲" not in grid2
    assert "共 1 条" in text(client.get("/points/ledger/?item=MD01"))
    assert "共 0 条" in text(client.get("/points/ledger/?kind=redemption"))
    # another village's ledger is not reachable by typing its code
    pts.give(c.far, 7, code="")
    assert "赵老汉" not in table(client.get(f"/points/ledger/?region={township.village_b.code}"))
    assert "共 0 条" in text(client.get(f"/points/ledger/?region={township.village_b.code}"))


def test_the_excel_export_is_the_filtered_ledger_and_is_audited(township, c):
    pts.give(c.home, 5, code="HJ01", day=dt.date(2026, 2, 10))
    pts.give(c.home, 10, code="MD01")
    pts.give(c.far, 4)
    resp = signed_in_client(c.secretary).get("/points/ledger/export.xlsx?period=2026-03")
    assert resp.status_code == 200
    ws = load_workbook(io.BytesIO(resp.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("流水号", "发生日期", "入账时间")
    assert [r[8] for r in rows[1:-1]] == ["孝老爱亲"]  # February's entry and the other village's left out
    assert rows[-1][0] == "合计" and rows[-1][9] == 10
    rec = AuditRecord.objects.get(action="points.ledger_exported")
    assert rec.changes["rows"] == 1 and rec.changes["period"] == "2026-03"
    # a grid worker sees the ledger but may not export it
    assert signed_in_client(c.grid_worker).get("/points/ledger/export.xlsx").status_code == 403


def test_an_exported_note_is_never_a_formula(c):
    entry = pts.give(c.home, 10, code="MD01")
    from xiangzhi.points import services

    services.correction(user=c.secretary, entry=entry, reason='=HYPERLINK("http://x")')
    resp = signed_in_client(c.secretary).get("/points/ledger/export.xlsx")
    ws = load_workbook(io.BytesIO(resp.content)).active
    notes = [r[15] for r in ws.iter_rows(values_only=True)]
    assert '=HYPERLINK("http://x")' in notes
    cell = next(row[15] for row in ws.iter_rows() if row[15].value == '=HYPERLINK("http://x")')
    assert cell.data_type == "s"


# -- corrections -----------------------------------------------------------------------------------------------------


def test_the_correction_page_writes_a_correcting_entry_with_its_reason(c):
    wrong = pts.give(c.home, 10, code="MD01")
    client = signed_in_client(c.secretary)
    page = client.get(f"/points/ledger/{wrong.pk}/correct/")
    assert page.status_code == 200 and "孝老爱亲" in text(page)
    bad = client.post(f"/points/ledger/{wrong.pk}/correct/", {"reason": " "})
    assert bad.status_code == 422 and "请写明更正原因" in text(bad)
    assert LedgerEntry.objects.count() == 1
    bad = client.post(f"/points/ledger/{wrong.pk}/correct/", {"reason": "x", "earned": "1001"})
    assert bad.status_code == 422 and "不能大于 1000" in text(bad) and LedgerEntry.objects.count() == 1
    done = client.post(f"/points/ledger/{wrong.pk}/correct/", {"reason": "重复录入"})
    assert done.status_code == 302 and done["Location"] == f"/points/passbook/{c.home.pk}/"
    fixed = LedgerEntry.objects.get(corrects=wrong)
    assert (fixed.earned_delta, fixed.note) == (-10, "重复录入")
    assert ledger.balance_of(ledger.Holder.of(c.home)) == (0, 0)
    assert AuditRecord.objects.filter(action="points.correct").count() == 1


def test_only_correct_holders_may_correct_and_a_redemption_is_refused_in_words(c):
    entry = pts.give(c.home, 10)
    committee = user_with_role("village_committee", c.home.region.parent)
    assert signed_in_client(committee).get(f"/points/ledger/{entry.pk}/correct/").status_code == 403
    spent = ledger.post(
        holder=ledger.Holder.of(c.home), kind=LedgerEntry.REDEMPTION, available=-4, strict_available=True
    )
    resp = signed_in_client(c.secretary).post(f"/points/ledger/{spent.pk}/correct/", {"reason": "退货"})
    assert resp.status_code == 422 and "积分超市取消兑换" in text(resp)
    assert not LedgerEntry.objects.filter(corrects=spent).exists()


# -- the API ---------------------------------------------------------------------------------------------------------


def test_the_api_gives_the_own_passbook_and_a_household_passbook_in_scope(c):
    pts.give(c.home, 5, code="HJ01")
    pts.give(c.home, -20, code="KF02")
    mine = signed_in_client(c.villager).get("/api/v1/points/passbook/?page_size=1")
    assert mine.status_code == 200, mine.content
    data = mine.json()
    assert (data["earned"], data["available"], data["rank"], data["count"]) == (-15, 0, 2, 2)
    assert data["items"][0]["item_name"] == "酒席大操大办" and data["items"][0]["available_delta"] == -5
    cadre = signed_in_client(c.secretary)
    assert cadre.get(f"/api/v1/points/households/{c.home.pk}/passbook/").json()["earned"] == -15
    assert cadre.get(f"/api/v1/points/households/{c.far.pk}/passbook/").status_code == 404
    assert cadre.get("/api/v1/points/passbook/").status_code == 404  # no household of one's own


def test_the_api_lists_and_corrects_the_ledger(c):
    wrong = pts.give(c.home, 10, code="MD01")
    pts.give(c.far, 3)
    client = signed_in_client(c.secretary)
    listed = client.get("/api/v1/points/ledger/?item=MD01").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == wrong.pk
    assert client.get("/api/v1/points/ledger/?period=2026-13").status_code == 422
    refused = client.post(
        f"/api/v1/points/ledger/{wrong.pk}/correct", {"reason": ""}, content_type="application/json"
    )
    assert refused.status_code == 422 and not LedgerEntry.objects.filter(corrects=wrong).exists()
    fixed = client.post(
        f"/api/v1/points/ledger/{wrong.pk}/correct",
        {"reason": "分值录错", "earned": -4},
        content_type="application/json",
    )
    assert fixed.status_code == 201 and fixed.json()["earned_delta"] == -4
    far_entry = LedgerEntry.objects.get(household=c.far)
    assert (
        client.post(
            f"/api/v1/points/ledger/{far_entry.pk}/correct", {"reason": "x"}, content_type="application/json"
        ).status_code
        == 404
    )
