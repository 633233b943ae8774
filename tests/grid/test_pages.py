"""Grid pages: what a grid worker and a cadre see and do."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from tests.factories import signed_in_client
from tests.grid import factories as gf
from tests.people import factories as pf
from xiangzhi.audit.models import AuditRecord
from xiangzhi.cases.models import Case
from xiangzhi.core import clock
from xiangzhi.grid.models import Patrol, Visit

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 3, 18, 2, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with clock.frozen(TODAY):
        yield


@pytest.fixture
def worker(township):
    return gf.worker(township.grid_a1, full_name="王网格")


def test_patrol_today_with_photo_and_inline_case(township, worker):
    client = signed_in_client(worker)
    page = client.get("/grid/patrols/today/")
    assert page.status_code == 200 and "南山村第一网格" in page.content.decode()
    resp = client.post(
        "/grid/patrols/today/",
        {
            "grid": township.grid_a1.code,
            "date": "2026-03-18",
            "notes": "巡查主街，发现一处垃圾堆。",
            "photos": [gf.photo()],
            "case_description": "主街东头垃圾堆放，需清运。",
            "case_photos": [gf.photo("c.jpg")],
        },
    )
    patrol = Patrol.objects.get()
    assert resp.status_code == 302 and resp.url == f"/grid/patrols/{patrol.pk}/"
    case = patrol.cases.get()
    assert case.source == "patrol" and case.photos.count() == 1 and patrol.photos.count() == 1
    detail = client.get(resp.url).content.decode()
    assert "主街东头垃圾堆放" in detail and f"/files/{patrol.photos.get().pk}/" in detail
    # sent again: added to the same patrol, and the page says so
    again = client.post(
        "/grid/patrols/today/", {"grid": township.grid_a1.code, "date": "2026-03-18", "notes": "补充"}
    )
    assert again.status_code == 302 and Patrol.objects.count() == 1
    assert "已补充到当天的巡查记录" in client.get(again.url).content.decode()
    assert "今天已登记巡查" in client.get("/grid/patrols/today/").content.decode()


def test_patrol_form_errors_are_in_chinese_and_keep_what_was_typed(township, worker):
    client = signed_in_client(worker)
    resp = client.post(
        "/grid/patrols/today/",
        {
            "grid": township.grid_a1.code,
            "date": "2026-03-30",
            "notes": "未来的巡查",
            "case_photos": [gf.photo()],
        },
    )
    text = resp.content.decode()
    assert resp.status_code == 422
    assert "上传了事件照片，请同时写明发现的问题。" in text and "未来的巡查" in text
    resp = client.post(
        "/grid/patrols/today/", {"grid": township.grid_a1.code, "date": "2026-03-30", "notes": "x"}
    )
    assert resp.status_code == 422 and "巡查日期不能晚于今天。" in resp.content.decode()
    resp = client.post(
        "/grid/patrols/today/", {"grid": township.grid_b1.code, "date": "2026-03-18", "notes": "x"}
    )
    assert resp.status_code == 422 and "该网格不在您负责的范围内" in resp.content.decode()
    assert not Patrol.objects.exists() and not Case.objects.exists()


def test_a_cadre_cannot_record_a_patrol(township):
    secretary = gf.worker(township.village_a, role="village_secretary")
    assert signed_in_client(secretary).get("/grid/patrols/today/").status_code == 403


def test_visit_search_and_record_with_follow_up(township, worker):
    pf.household(township.grid_a1, head_name="张大山", address="南山村东街3号", number="A1001")
    target = pf.household(township.grid_a1, head_name="李小河", address="南山村西街8号", number="A1002")
    pf.household(township.grid_b1, head_name="李北坡")  # another village's: never offered
    client = signed_in_client(worker)
    for q in ("李", "A1002", "西街", "lxh"):
        text = client.get("/grid/visits/new/", {"q": q}).content.decode()
        assert "李小河" in text and "张大山" not in text and "李北坡" not in text, q
    resp = client.post(
        "/grid/visits/new/",
        {
            "household": target.pk,
            "date": "2026-03-18",
            "purpose": "assistance",
            "notes": "老人独居。",
            "needs": "需要申请临时救助。",
            "follow_up_due": "2026-03-25",
            "case_description": "李小河户申请临时救助。",
        },
    )
    visit = Visit.objects.get()
    assert resp.status_code == 302 and resp.url == f"/grid/visits/{visit.pk}/"
    assert visit.cases.get().source == "visit"
    assert "李小河" in client.get("/grid/follow-ups/").content.decode()
    # the follow-up: the household is the parent's
    page = client.get("/grid/visits/new/", {"parent": visit.pk}).content.decode()
    assert "回访" in page and "需要申请临时救助" in page
    done = client.post(
        f"/grid/visits/new/?parent={visit.pk}",
        {"household": target.pk, "date": "2026-03-18", "purpose": "assistance", "notes": "已帮助提交申请。"},
    )
    assert done.status_code == 302
    visit.refresh_from_db()
    assert visit.followed_up_at is not None
    assert "没有待回访的走访" in client.get("/grid/follow-ups/").content.decode()


def test_visit_of_a_household_outside_my_grid_is_refused(township, worker):
    outside = pf.household(township.grid_a2, head_name="外网格")
    resp = signed_in_client(worker).post(
        "/grid/visits/new/", {"household": outside.pk, "date": "2026-03-18", "purpose": "routine"}
    )
    assert resp.status_code == 422 and "该户不在您负责的网格内，不能登记走访。" in resp.content.decode()
    assert not Visit.objects.exists()


def test_visit_form_says_what_is_missing(township, worker):
    resp = signed_in_client(worker).post("/grid/visits/new/", {"date": "2026-03-18"})
    text = resp.content.decode()
    assert resp.status_code == 422 and "请先查找并选择要走访的户。" in text and "请选择走访事由。" in text


def test_lists_filter_and_paginate(township, worker):
    other = gf.worker(township.grid_b1, full_name="李网格")
    for i in range(3):
        with clock.frozen(TODAY - dt.timedelta(days=i)):
            gf.patrol(township.grid_a1, user=worker, notes=f"南山巡查{i}")
    gf.patrol(township.grid_b1, user=other, notes="北坡巡查")
    town = signed_in_client(gf.worker(township.town, role="town_leader"))
    text = town.get("/grid/patrols/").content.decode()
    assert all(f"南山巡查{i}" in text for i in range(3)) and "北坡巡查" in text
    by_grid = town.get("/grid/patrols/", {"region": township.grid_b1.code}).content.decode()
    assert "北坡巡查" in by_grid and "南山巡查0" not in by_grid
    by_worker = town.get("/grid/patrols/", {"worker": worker.pk}).content.decode()
    assert "南山巡查0" in by_worker and "北坡巡查" not in by_worker
    by_date = town.get(
        "/grid/patrols/", {"date_from": "2026-03-17", "date_to": "2026-03-17"}
    ).content.decode()
    assert "南山巡查1" in by_date and "南山巡查0" not in by_date and "南山巡查2" not in by_date
    bad = town.get("/grid/patrols/", {"date_from": "昨天"}).content.decode()
    assert "开始日期格式不正确" in bad
    for i in range(21):
        pf.household(township.grid_b1, head_name=f"翻页{i:02d}")
    first = town.get("/grid/coverage/").content.decode()
    assert "第 1 / 2 页" in first


def test_list_query_count_does_not_grow(township, worker):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in_client(gf.worker(township.town, role="town_leader"))

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    gf.patrol(township.grid_a1, user=worker)
    h = pf.household(township.grid_a1)
    gf.visit(h, user=worker, follow_up_due=dt.date(2026, 3, 20))
    client.get("/grid/patrols/")  # the session's first request writes its activity stamp
    before = {
        u: count(u) for u in ("/grid/patrols/", "/grid/visits/", "/grid/follow-ups/", "/grid/coverage/")
    }
    for _ in range(5):
        w = gf.worker(township.grid_a2)
        gf.patrol(township.grid_a2, user=w, photos=[gf.photo()])
        gf.visit(pf.household(township.grid_a2), user=w, follow_up_due=dt.date(2026, 3, 20))
    after = {u: count(u) for u in before}
    assert after == before


def test_coverage_page_and_export(township, worker):
    h1 = pf.household(township.grid_a1, head_name="已走访户")
    pf.household(township.grid_a1, head_name="未走访户", address='=HYPERLINK("x")')
    gf.visit(h1, user=worker)
    gf.patrol(township.grid_a1, user=worker)
    secretary = signed_in_client(gf.worker(township.village_a, role="village_secretary"))
    text = secretary.get("/grid/coverage/").content.decode()
    assert "2026-03-01 至 2026-03-31" in text and "未走访户" in text and "50.0%" in text
    assert "王网格" in text
    resp = secretary.get("/grid/coverage/export.xlsx", {"start": "2026-03-01", "end": "2026-03-31"})
    assert resp.status_code == 200 and resp["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(resp.content))
    assert wb.sheetnames == ["网格覆盖", "网格员覆盖", "未走访户"]
    grids = list(wb["网格覆盖"].iter_rows(values_only=True))
    assert grids[1][1:6] == ("南山村第一网格", 2, 1, 1, "50.0%")
    never = list(wb["未走访户"].iter_rows(values_only=True))
    assert never[1][1] == "未走访户" and never[1][4] == '=HYPERLINK("x")'
    assert wb["未走访户"]["E2"].data_type == "s"
    assert AuditRecord.objects.filter(action="grid.coverage_exported").count() == 1
    # a bad period is said, and this month is used
    bad = secretary.get("/grid/coverage/", {"start": "2026-03-10", "end": "2026-03-01"}).content.decode()
    assert "结束日期不能早于开始日期" in bad
    # grid workers see coverage of their grids but do not export the town's
    assert signed_in_client(worker).get("/grid/coverage/export.xlsx").status_code == 403


def test_detail_pages_out_of_reach_are_404(township, worker):
    p = gf.patrol(township.grid_a1, user=worker)
    v = gf.visit(pf.household(township.grid_a1), user=worker)
    outsider = signed_in_client(gf.worker(township.grid_b1))
    assert outsider.get(f"/grid/patrols/{p.pk}/").status_code == 404
    assert outsider.get(f"/grid/visits/{v.pk}/").status_code == 404
    assert outsider.get(f"/grid/visits/new/?parent={v.pk}").status_code == 404
