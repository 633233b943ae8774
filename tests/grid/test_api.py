"""The grid API: the same services and scope as the pages."""

import datetime as dt

import pytest
from django.test import Client

from tests.grid import factories as gf
from tests.people import factories as pf
from xiangzhi.accounts import services as accounts
from xiangzhi.audit.models import AuditRecord
from xiangzhi.core import clock
from xiangzhi.grid.models import Patrol, Visit

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 3, 18, 2, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with clock.frozen(TODAY):
        yield


def bearer(user):
    raw = accounts.token_issue(user=user, otp_verified=True, name="手机")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_patrol_create_then_add_then_list(township):
    worker = gf.worker(township.grid_a1, full_name="王网格")
    api = bearer(worker)
    body = {"grid": township.grid_a1.code, "notes": "巡查主街", "cases": [{"description": "路灯不亮。"}]}
    first = api.post("/api/v1/grid/patrols/", body, content_type="application/json")
    assert first.status_code == 201, first.content
    data = first.json()
    assert data["grid_name"] == "南山村第一网格" and data["worker"] == "王网格" and len(data["cases"]) == 1
    again = api.post(
        "/api/v1/grid/patrols/",
        {"grid": township.grid_a1.code, "notes": "下午"},
        content_type="application/json",
    )
    assert again.status_code == 200 and again.json()["id"] == data["id"] and again.json()["submissions"] == 2
    listed = api.get("/api/v1/grid/patrols/").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == data["id"]
    assert Patrol.objects.get().cases.get().source == "patrol"


def test_patrol_of_another_grid_is_404_and_bad_bodies_422(township):
    api = bearer(gf.worker(township.grid_a1))
    out = api.post(
        "/api/v1/grid/patrols/",
        {"grid": township.grid_b1.code, "notes": "x"},
        content_type="application/json",
    )
    assert out.status_code == 404
    assert AuditRecord.objects.filter(
        result=AuditRecord.RESULT_DENIED, region_code=township.grid_b1.code
    ).exists()
    future = api.post(
        "/api/v1/grid/patrols/",
        {"grid": township.grid_a1.code, "notes": "x", "date": "2026-04-01"},
        content_type="application/json",
    )
    assert future.status_code == 422 and future.json()["field"] == "date"
    bad = api.post("/api/v1/grid/patrols/", {"grid": "abc"}, content_type="application/json")
    assert bad.status_code == 422
    assert not Patrol.objects.exists()


def test_visit_create_and_follow_up(township):
    h = pf.household(township.grid_a1, head_name="张大山")
    api = bearer(gf.worker(township.grid_a1))
    resp = api.post(
        "/api/v1/grid/visits/",
        {"household_id": h.pk, "purpose": "dispute", "needs": "邻里纠纷", "follow_up_due": "2026-03-20"},
        content_type="application/json",
    )
    assert resp.status_code == 201, resp.content
    first = resp.json()
    assert first["household"] == "张大山户" and first["region_code"] == township.grid_a1.code
    follow = api.post(
        "/api/v1/grid/visits/",
        {"household_id": h.pk, "purpose": "dispute", "parent_id": first["id"]},
        content_type="application/json",
    )
    assert follow.status_code == 201
    assert Visit.objects.get(pk=first["id"]).followed_up_at is not None
    listed = api.get("/api/v1/grid/visits/", {"q": "张"}).json()
    assert listed["count"] == 2
    assert api.get("/api/v1/grid/visits/", {"purpose": "nope"}).status_code == 422
    wrong = api.post(
        "/api/v1/grid/visits/",
        {"household_id": str(h.pk), "purpose": "routine"},
        content_type="application/json",
    )
    assert wrong.status_code == 422  # strict integers


def test_visit_of_a_household_out_of_reach_writes_nothing(township):
    h = pf.household(township.grid_b1)
    resp = bearer(gf.worker(township.grid_a1)).post(
        "/api/v1/grid/visits/", {"household_id": h.pk, "purpose": "routine"}, content_type="application/json"
    )
    assert resp.status_code == 404
    assert AuditRecord.objects.filter(result=AuditRecord.RESULT_DENIED, region_code=h.region_code).exists()
    assert not Visit.objects.exists()


def test_visit_of_a_visible_household_outside_my_grids_is_403_in_chinese(township):
    """A village cadre who is also a grid worker of one grid sees the village but records in his grid only."""
    from xiangzhi.accounts import services as account_services

    user = gf.worker(township.grid_a1)
    account_services.role_grant(user=user, role="village_committee", region=township.village_a)
    h = pf.household(township.grid_a2)
    resp = bearer(user).post(
        "/api/v1/grid/visits/", {"household_id": h.pk, "purpose": "routine"}, content_type="application/json"
    )
    assert resp.status_code == 403
    assert resp.json()["detail"] == "该户不在您负责的网格内，不能登记走访。"


def test_coverage(township):
    worker = gf.worker(township.grid_a1, full_name="王网格")
    h = pf.household(township.grid_a1)
    pf.household(township.grid_a1)
    gf.visit(h, user=worker)
    gf.patrol(township.grid_a1, user=worker)
    api = bearer(gf.worker(township.village_a, role="village_secretary"))
    data = api.get("/api/v1/grid/coverage").json()
    assert (data["start"], data["end"]) == ("2026-03-01", "2026-03-31")
    assert (data["households"], data["visited"], data["never_visited"], data["rate"]) == (2, 1, 1, 0.5)
    a1 = next(g for g in data["grids"] if g["region_code"] == township.grid_a1.code)
    assert (a1["patrol_days"], a1["visited"]) == (1, 1)
    assert data["workers"][0]["name"] == "王网格"
    bad = api.get("/api/v1/grid/coverage", {"start": "2026-03-10", "end": "2026-03-01"})
    assert bad.status_code == 422 and "结束日期不能早于开始日期" in bad.json()["detail"]
    other = api.get("/api/v1/grid/coverage", {"region": township.village_b.code}).json()
    assert other["grids"] == [] and other["households"] == 0
