"""Bulk entry of the monthly household inspection: one screen a grid, one row a household, one POST that records
every row naming an item as claims of one batch, all or nothing: any bad row (named by its number and household)
and nothing is written. The cap counts the batch's own rows, a double submit records once, and 200 households
take a bounded number of queries."""

import re
from html import unescape

import pytest

from tests.factories import signed_in_client
from tests.people import factories as pf
from tests.points import factories as pts
from xiangzhi.audit.models import AuditRecord
from xiangzhi.core import clock
from xiangzhi.core.errors import PermissionDenied, ValidationFailed
from xiangzhi.points import ledger, services
from xiangzhi.points.models import Claim, PointBalance

pytestmark = pytest.mark.django_db


@pytest.fixture
def c(township):
    return pts.cast(township)


def text(resp) -> str:
    return unescape(resp.content.decode())


def token_of(resp) -> str:
    return re.search(r'name="token" value="([^"]+)"', resp.content.decode()).group(1)


def households_of(grid, n: int, prefix: str = "户") -> list:
    return [pf.household(grid, head_name=f"{prefix}{i:03d}") for i in range(n)]


def form(c, grid, rows: dict, token: str = "", **extra) -> dict:
    data = {"region": grid.code, "occurred_on": clock.today().isoformat(), "description": "五月人居环境检查"}
    if token:
        data["token"] = token
    for household, (item, points) in rows.items():
        data[f"item_{household.pk}"] = pts.item(c, item).pk if item else ""
        data[f"points_{household.pk}"] = "" if points is None else str(points)
    data.update(extra)
    return data


def test_the_screen_lists_every_active_household_of_the_grid_one_row_each(township, c):
    extra = households_of(township.grid_a1, 3)
    client = signed_in_client(c.grid_worker)
    page = text(client.get(f"/points/bulk/?region={township.grid_a1.code}"))
    assert (
        "月度检查批量录入" in page and "王大爷户" in page and all(f"{h.head_name}户" in page for h in extra)
    )
    assert "李大妈户" not in page and "赵老汉户" not in page  # other grids
    assert page.count('class="row-item"') == 4 and "HJ01 庭院整洁（+5）" in page
    # the grid worker has one grid: it is chosen for him
    assert page.count('class="row-item"') == text(client.get("/points/bulk/")).count('class="row-item"')
    # a region out of reach lists nothing and is refused when posted
    page = text(client.get(f"/points/bulk/?region={township.grid_a2.code}"))
    assert "李大妈户" not in page
    resp = client.post("/points/bulk/", form(c, township.grid_a2, {c.other: ("HJ01", None)}))
    assert resp.status_code == 422 and "请选择您负责的网格或村" in text(resp)
    assert not Claim.objects.exists()


def test_one_post_records_every_chosen_row_as_one_batch(township, c):
    a, b, skip = households_of(township.grid_a1, 3)
    client = signed_in_client(c.grid_worker)
    token = token_of(client.get("/points/bulk/"))
    data = form(
        c,
        township.grid_a1,
        {c.home: ("HJ01", None), a: ("KF01", -3), b: ("MD01", None), skip: (None, None)},
        token,
    )
    resp = client.post("/points/bulk/", data)
    claims = list(Claim.objects.order_by("household_id"))
    assert resp.status_code == 302 and len(claims) == 3
    batch = claims[0].batch
    assert (
        batch
        and {cl.batch for cl in claims} == {batch}
        and resp["Location"].startswith("/points/claims/?batch=")
    )
    assert [(cl.household, cl.item.code, cl.points) for cl in claims] == [
        (c.home, "HJ01", 5),
        (a, "KF01", -3),
        (b, "MD01", 10),
    ]
    assert {(cl.source, cl.claimant_id, cl.state, cl.description) for cl in claims} == {
        ("recorded", c.grid_worker.pk, Claim.SUBMITTED, "五月人居环境检查")
    }
    rec = AuditRecord.objects.get(action="points.claim_bulk")
    assert rec.changes["claims"] == 3 and sorted(rec.changes["ids"]) == sorted(cl.pk for cl in claims)
    # the batch's list
    page = text(client.get(resp["Location"]))
    assert f"批次 {batch}" in page and "王大爷户" in page
    # the same submit again (a double tap, a retry): recorded once
    again = client.post("/points/bulk/", data, follow=True)
    assert Claim.objects.count() == 3 and "已经录入过" in text(again)
    # the review group reviews them as any other claim
    services.claim_review(user=c.reviewer, claim=claims[0], decision="approve")
    assert ledger.verify().ok


def test_one_bad_row_writes_nothing_and_names_the_row(township, c):
    a, b = households_of(township.grid_a1, 2)
    client = signed_in_client(c.grid_worker)
    rows = {c.home: ("HJ01", None), a: ("KF01", 4), b: ("MD01", None)}  # a: a deduction typed as +4
    resp = client.post(
        "/points/bulk/", form(c, township.grid_a1, rows, token_of(client.get("/points/bulk/")))
    )
    page = text(resp)
    assert resp.status_code == 422
    row_of_a = 1 + [h.pk for h in sorted([c.home, a, b], key=lambda h: h.pk)].index(a.pk)
    assert f"第 {row_of_a} 行（{a.head_name}户）分值须与积分项同为加分或同为扣分，且不能为零。" in page
    assert "全部未保存" in page
    assert not Claim.objects.exists() and not PointBalance.objects.exists()
    assert not AuditRecord.objects.filter(action="points.claim_bulk").exists()
    # what was typed is kept
    assert re.search(rf'name="points_{a.pk}"[^>]*value="4"', page)
    assert re.search(rf'<option value="{pts.item(c, "MD01").pk}" selected>', page)
    # a row with points but no item, and one with an item no longer in force
    rows = {c.home: (None, 5)}
    resp = client.post("/points/bulk/", form(c, township.grid_a1, rows))
    assert resp.status_code == 422 and "填了分值但没有选择积分项" in text(resp)
    resp = client.post("/points/bulk/", form(c, township.grid_a1, {}, **{f"item_{c.home.pk}": "999999"}))
    assert resp.status_code == 422 and "本村施行中的积分方案没有这一项" in text(resp)
    resp = client.post("/points/bulk/", form(c, township.grid_a1, {}))
    assert resp.status_code == 422 and "没有选择任何积分项" in text(resp)
    assert not Claim.objects.exists()


def test_the_cap_counts_what_is_pending_and_the_batchs_own_rows(township, c):
    hj01 = pts.item(c, "HJ01")  # 5 points, at most 10 a month
    pts.approved(c)  # 5 already on notice for the home household
    services.claim_record(user=c.grid_worker, item=hj01, household=c.home)  # 10: at the cap
    (a,) = households_of(township.grid_a1, 1)
    rows = [
        services.BulkRow(number=1, household=a, item=hj01, points=5),
        services.BulkRow(number=2, household=a, item=hj01, points=5),  # 10: exactly the cap
        services.BulkRow(number=3, household=c.home, item=hj01),  # already at the cap
    ]
    with pytest.raises(services.RowErrors) as err:
        services.claims_record_bulk(user=c.grid_worker, rows=rows)
    assert err.value.rows == [
        (3, "王大爷户", "超过上限：“庭院整洁”每月最多 10 分，本期已计 10 分，还可计 0 分。")
    ]
    assert "第 3 行（王大爷户）" in err.value.message
    assert Claim.objects.count() == 2
    claims, created = services.claims_record_bulk(user=c.grid_worker, rows=rows[:2])
    assert created and len(claims) == 2
    with pytest.raises(services.RowErrors, match="第 1 行（户000户）：超过上限"):
        services.claims_record_bulk(user=c.grid_worker, rows=rows[:1])
    # a posted entry counts too (and its correction): the cap holds across the paths
    entry = pts.give(c.other, 5, code="HJ01")
    services.correction(user=c.secretary, entry=entry, reason="记错了")
    other_rows = [services.BulkRow(number=1, household=c.other, item=hj01, points=5)] * 2
    claims, _ = services.claims_record_bulk(user=c.secretary, rows=other_rows)
    assert len(claims) == 2


def test_a_household_out_of_reach_refuses_the_whole_entry(township, c):
    rows = [
        services.BulkRow(number=1, household=c.home, item=pts.item(c, "HJ01")),
        services.BulkRow(number=2, household=c.other, item=pts.item(c, "HJ01")),  # grid a2: not his
    ]
    before = AuditRecord.objects.filter(result=AuditRecord.RESULT_DENIED).count()
    with pytest.raises(PermissionDenied, match="第 2 行（李大妈户）：您不能为该户录入积分"):
        services.claims_record_bulk(user=c.grid_worker, rows=rows)
    assert AuditRecord.objects.filter(result=AuditRecord.RESULT_DENIED).count() == before + 1
    assert not Claim.objects.exists()
    closed = pf.household(township.grid_a1, head_name="空户")
    from xiangzhi.people.models import Household

    Household.objects.filter(pk=closed.pk).update(status=Household.STATUS_CLOSED)
    closed.refresh_from_db()
    with pytest.raises(ValidationFailed, match="第 1 行（空户户）：该户已销户"):
        services.claims_record_bulk(
            user=c.grid_worker, rows=[services.BulkRow(number=1, household=closed, item=pts.item(c, "HJ01"))]
        )


def test_two_hundred_households_in_a_bounded_number_of_queries(township, c, django_assert_max_num_queries):
    many = households_of(township.grid_a1, 199, prefix="检")
    client = signed_in_client(c.grid_worker)
    page = client.get("/points/bulk/")
    assert text(page).count('class="row-item"') == 200
    rows = {h: ("HJ01" if i % 3 else "KF01", None) for i, h in enumerate([c.home, *many])}
    data = form(c, township.grid_a1, rows, token_of(page))
    with django_assert_max_num_queries(35):
        resp = client.post("/points/bulk/", data)
    assert resp.status_code == 302, text(resp)[:500]
    assert Claim.objects.filter(batch__startswith="B").count() == 200
    assert PointBalance.objects.count() == 200
    # and the screen itself does not grow with the households either
    with django_assert_max_num_queries(12):
        assert client.get("/points/bulk/").status_code == 200
