"""The 红黑榜 pages: the cadres' list, generation form, detail with its actions, the appeal decision; the villager's
own page and appeal form; the public board without login (published lists only); the PDF read back with pdftotext
and the Excel ranking."""

import datetime as dt
import io
import re
import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from tests.factories import signed_in_client
from tests.honours import factories as hf
from tests.people import factories as pf
from tests.points import factories as pts
from xiangzhi.core import clock
from xiangzhi.honours import services
from xiangzhi.honours.models import Appeal, HonourEntry, HonourList

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def c(township):
    hf.in_april()
    return hf.cast(township)


def text(resp) -> str:
    return re.sub(r"\s+", " ", resp.content.decode())


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF")
    out = subprocess.run(
        [shutil.which("pdftotext"), "-layout", "-", "-"], input=content, capture_output=True, check=True
    )
    return re.sub(r"\s+", "", out.stdout.decode())


def test_generate_from_the_form_and_see_the_lists(township, c):
    pts.give(c.home, -5, code="KF01", day=D(2026, 3, 5))
    pts.give(c.other, 10, code="MD01", day=D(2026, 3, 6))
    client = signed_in_client(c.secretary)
    form = client.get("/honours/generate/")
    assert form.status_code == 200 and "南山村" in text(form) and 'value="2026-03"' in text(form)
    bad = client.post("/honours/generate/", {"village": township.village_a.code, "month": "2026-04"})
    assert bad.status_code == 422 and "还没有结束" in text(bad) and not HonourList.objects.exists()
    bad = client.post("/honours/generate/", {"village": township.village_b.code, "month": "2026-03"})
    assert bad.status_code == 422 and "请从列表中选择村" in text(bad)
    bad = client.post("/honours/generate/", {"village": township.village_a.code, "month": "三月"})
    assert bad.status_code == 422 and "月份格式" in text(bad)
    done = client.post("/honours/generate/", {"village": township.village_a.code, "month": "2026-03"})
    hl = HonourList.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/honours/{hl.pk}/"
    page = text(client.get(f"/honours/{hl.pk}/"))
    assert "南山村 2026年3月红黑榜" in page and "李大妈户" in page and "乱堆乱放×1（-5分）" in page
    assert "第二十七条" in page and "并列最后一名的全部上榜" in page and "告知上榜农户" in page
    listing = text(client.get("/honours/?state=draft"))
    assert "2026年3月" in listing and "草稿" in listing
    assert "2026年3月" not in text(client.get("/honours/?state=published"))


def test_notify_and_publish_from_the_detail_page(township, c):
    pts.give(c.home, -5, code="KF01", day=D(2026, 3, 5))
    hl = services.list_generate(user=c.secretary, village=township.village_a, day=hf.MARCH)
    client = signed_in_client(c.secretary)
    bad = client.post(f"/honours/{hl.pk}/notify/", {"appeal_days": "0", "version": hl.version})
    assert bad.status_code == 422 and "申诉期至少 1 天" in text(bad)
    ok = client.post(f"/honours/{hl.pk}/notify/", {"appeal_days": "5", "version": hl.version})
    assert ok.status_code == 302 and HonourList.objects.get().state == "notified"
    early = client.post(f"/honours/{hl.pk}/publish/", follow=True)
    assert "申诉期未满" in text(early) and HonourList.objects.get().state == "notified"
    clock.advance(dt.timedelta(days=5))
    client = signed_in_client(c.secretary)  # (the old session has timed out meanwhile)
    assert client.post(f"/honours/{hl.pk}/publish/").status_code == 302
    assert HonourList.objects.get().state == "published"


def test_the_villager_sees_the_own_entry_and_appeals_then_the_committee_decides(township, c):
    hl = hf.notified(c, township)
    villager = signed_in_client(c.villager)
    mine = text(villager.get("/honours/mine/"))
    assert "黑榜第 1 名" in mine and "乱堆乱放" in mine and "我要申诉" in mine and "李大妈" not in mine
    entry = HonourEntry.objects.get(honour_list=hl, household=c.home)
    other = HonourEntry.objects.get(honour_list=hl, household=c.other)
    assert villager.get(f"/honours/mine/{other.pk}/appeal/").status_code == 404
    empty = villager.post(f"/honours/mine/{entry.pk}/appeal/", {"text": ""})
    assert empty.status_code == 422 and "请填写申诉理由" in text(empty)
    done = villager.post(f"/honours/mine/{entry.pk}/appeal/", {"text": "当天已清理干净"})
    assert done.status_code == 302 and Appeal.objects.get().text == "当天已清理干净"
    assert villager.get(f"/honours/{hl.pk}/").status_code in (403, 404)  # the cadres' page
    cadre = signed_in_client(c.committee)
    appeal = Appeal.objects.get()
    assert "当天已清理干净" in text(cadre.get(f"/honours/{hl.pk}/"))
    bad = cadre.post(f"/honours/appeals/{appeal.pk}/decide/", {"decision": "upheld", "reason": ""})
    assert bad.status_code == 422 and "请填写处理意见" in text(bad)
    ok = cadre.post(f"/honours/appeals/{appeal.pk}/decide/", {"decision": "upheld", "reason": "核实属实"})
    assert ok.status_code == 302 and HonourEntry.objects.get(pk=entry.pk).removed
    clock.set_fixed(hf.at(2026, 4, 16))
    villager = signed_in_client(c.villager)
    assert "我要申诉" not in text(villager.get("/honours/mine/"))
    refused = villager.post(f"/honours/mine/{other.pk}/appeal/", {"text": "晚了"})
    assert refused.status_code == 404


def test_the_public_board_needs_no_login_and_shows_published_lists_only(township, c):
    from django.test import Client

    low = pf.household(township.grid_a2, head_name="外出务工户")
    pts.give(low, -30, day=D(2026, 3, 4))  # lowest total, no violation
    hl = hf.notified(c, township)
    anonymous = Client()
    board = anonymous.get(f"/honours/board/{township.village_a.code}/")
    assert board.status_code == 200 and "还没有公布的红黑榜" in text(board) and "王大爷" not in text(board)
    assert anonymous.get(f"/honours/board/{township.village_a.code}/{hl.pk}/").status_code == 404
    assert anonymous.get(f"/honours/board/{township.village_a.code}/{hl.pk}/print.pdf").status_code == 404
    clock.advance(dt.timedelta(days=6))
    services.list_publish(user=c.secretary, honour_list=hl)
    page = text(anonymous.get(f"/honours/board/{township.village_a.code}/"))
    assert "2026年3月红黑榜" in page and "王大爷户" in page and "李大妈户" in page and "乱堆乱放" in page
    assert "外出务工户" not in page and "第二十七条" in page
    assert anonymous.get(f"/honours/board/{township.village_b.code}/{hl.pk}/").status_code == 404
    assert anonymous.get("/honours/board/141029201299/").status_code == 404
    pdf = anonymous.get(f"/honours/board/{township.village_a.code}/{hl.pk}/print.pdf")
    words = pdf_text(pdf.content)
    assert "南山村2026年3月红黑榜" in words and "王大爷户" in words and "李大妈户" in words
    assert "乱堆乱放" in words and "第二十七条" in words and "外出务工户" not in words


def test_the_printed_draft_says_it_is_not_published_and_leaves_removed_entries_out(township, c):
    hl = hf.notified(c, township)
    appeal = services.appeal_raise(
        user=c.villager, entry=HonourEntry.objects.get(household=c.home), text_="有误"
    )
    services.appeal_decide(user=c.secretary, appeal=appeal, upheld=True, reason="核实有误")
    words = pdf_text(signed_in_client(c.secretary).get(f"/honours/{hl.pk}/print.pdf").content)
    assert "未公布" in words and "李大妈户" in words and "王大爷" not in words


def test_the_excel_ranking_has_the_list_and_every_household_of_the_period(township, c):
    extra = pf.household(township.grid_a2, head_name="=HYPERLINK(1)")
    pts.give(extra, 3, day=D(2026, 3, 8))
    hl = hf.notified(c, township)
    resp = signed_in_client(c.supervisor).get(f"/honours/{hl.pk}/ranking.xlsx")
    assert resp.status_code == 200
    wb = load_workbook(io.BytesIO(resp.content))
    lists = [tuple(r) for r in wb["红黑榜"].iter_rows(values_only=True)]
    assert ("红榜", 1, "李大妈", 10, 0, None, "在榜") in lists
    assert ("黑榜", 1, "王大爷", -5, 1, "乱堆乱放×1（-5分）", "在榜") in lists
    full = [tuple(r)[:4] for r in wb["本期积分排名"].iter_rows(values_only=True)][1:]
    assert full[0][:2] == (1, "李大妈") and full[1][:2] == (2, "=HYPERLINK(1)") and full[2][1] == "王大爷"
    assert wb["本期积分排名"]["B3"].data_type == "s"  # typed text never runs as a formula
    assert signed_in_client(c.villager).get(f"/honours/{hl.pk}/ranking.xlsx").status_code in (403, 404)
