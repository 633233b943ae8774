"""Points over the API: the same services and policy as the pages. Schemes and items, claims (list with filters,
detail, submit with an optional Idempotency-Key, record, bulk, review with the version, withdraw), objections (raise,
answer), the notice board; scoping (a villager sees the own household only; another village is a 404) and the
Chinese messages of refused input, which change nothing."""

import datetime as dt
import json

import pytest
from django.test import Client

from tests.cases.factories import photo
from tests.points import factories as pts
from xiangzhi.accounts import services as accounts
from xiangzhi.audit.models import AuditRecord
from xiangzhi.core import clock
from xiangzhi.points import services
from xiangzhi.points.models import Claim, Objection

pytestmark = pytest.mark.django_db


@pytest.fixture
def c(township):
    return pts.cast(township)


def bearer(user) -> Client:
    raw = accounts.token_issue(user=user, otp_verified=True, name="手机")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def post(client, path, body=None, **headers):
    return client.post(
        f"/api/v1/points/{path}", json.dumps(body or {}), content_type="application/json", **headers
    )


def get(client, path):
    return client.get(f"/api/v1/points/{path}")


def denials() -> int:
    return AuditRecord.objects.filter(result=AuditRecord.RESULT_DENIED).count()


def test_schemes_and_their_items_in_reach(township, c):
    far = pts.scheme(township.village_b, c.secretary_b)
    client = bearer(c.secretary)
    data = get(client, "schemes/").json()
    assert [s["id"] for s in data["items"]] == [c.scheme.pk] and data["items"][0]["status_label"] == "施行中"
    detail = get(client, f"schemes/{c.scheme.pk}/").json()
    hj01 = next(i for i in detail["items"] if i["code"] == "HJ01")
    assert (hj01["points"], hj01["cap_per_period"], hj01["category_label"]) == (5, 10, "人居环境")
    before = denials()
    assert get(client, f"schemes/{far.pk}/").status_code == 404 and denials() == before + 1
    items = get(bearer(c.villager), "claimable-items/").json()
    assert {i["code"] for i in items} == {
        "HJ01",
        "GY01",
        "MD01",
    }  # merits only: deductions are recorded by the village
    assert get(bearer(c.villager), "schemes/").status_code == 403


def test_a_villager_submits_once_per_idempotency_key_and_sees_only_the_own_household(c):
    client = bearer(c.villager)
    body = {"item": pts.item(c, "MD01").pk, "description": "照顾瘫痪的婆婆"}
    first = post(client, "claims/", body, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201, first.content
    claim = first.json()
    assert (claim["household_name"], claim["points"], claim["state"]) == ("王大爷户", 10, "submitted")
    assert claim["allowed_actions"] == ["withdraw"]
    again = post(client, "claims/", body, HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 200 and again.json()["id"] == claim["id"] and Claim.objects.count() == 1
    assert post(client, "claims/", body).status_code == 201 and Claim.objects.count() == 2
    theirs = services.claim_record(user=c.secretary, item=pts.item(c, "MD01"), household=c.other)
    listed = get(client, "claims/?mine=true").json()
    assert listed["count"] == 2 and theirs.pk not in {i["id"] for i in listed["items"]}
    assert get(client, "claims/").json()["count"] == 2  # the plain list is the own household's too
    before = denials()
    assert get(client, f"claims/{theirs.pk}/").status_code == 404 and denials() == before + 1


def test_a_multipart_claim_carries_its_photos(c):
    client = bearer(c.villager)
    resp = client.post(
        "/api/v1/points/claims/",
        {"item": str(pts.item(c, "GY01").pk), "occurred_on": clock.today().isoformat(), "photos": [photo()]},
    )
    assert resp.status_code == 201, resp.content
    data = resp.json()
    assert len(data["photos"]) == 1 and data["photos"][0].startswith(f"/points/claims/{data['id']}/files/")


def test_bad_claims_are_422_in_chinese_and_write_nothing(township, c):
    client = bearer(c.villager)
    far = pts.scheme(township.village_b, c.secretary_b)
    resp = post(client, "claims/", {"item": far.items.first().pk})
    assert resp.status_code == 422 and resp.json()["detail"] == "本村施行中的积分方案没有这一项。"
    assert resp.json()["field"] == "item"
    resp = post(client, "claims/", {"item": pts.item(c, "GY01").pk})
    assert resp.status_code == 422 and "须附照片" in resp.json()["detail"]
    resp = post(client, "claims/", {"item": "5"})
    assert resp.status_code == 422 and resp.json()["code"] == "validation_failed"
    resp = post(client, "claims/", {"item": pts.item(c, "MD01").pk, "occurred_on": "2999-01-01"})
    assert resp.json()["detail"] == "发生日期不能晚于今天。"
    pts.approved(c)
    pts.approved(c)
    resp = post(client, "claims/", {"item": pts.item(c, "HJ01").pk})
    assert resp.status_code == 422 and resp.json()["detail"].startswith("超过上限：“庭院整洁”每月最多 10 分")
    assert Claim.objects.filter(source="self").count() == 0
    resp = client.post("/api/v1/points/claims/", "{", content_type="application/json")
    assert resp.status_code == 422 and resp.json()["detail"] == "请求正文不是有效的 JSON。"


def test_record_review_and_the_version(township, c):
    worker = bearer(c.grid_worker)
    resp = post(
        worker, "claims/record", {"household": c.home.pk, "item": pts.item(c, "KF01").pk, "points": -3}
    )
    assert resp.status_code == 201, resp.content
    claim = resp.json()
    assert (claim["points"], claim["source"]) == (-3, "recorded")
    before = denials()
    resp = post(worker, "claims/record", {"household": c.other.pk, "item": pts.item(c, "KF01").pk})
    assert resp.status_code == 404 and denials() == before + 1
    resp = post(
        worker, "claims/record", {"household": c.home.pk, "item": pts.item(c, "KF01").pk, "points": 3}
    )
    assert resp.status_code == 422 and "同为加分或同为扣分" in resp.json()["detail"]
    reviewer = bearer(c.reviewer)
    queue = get(reviewer, "claims/?queue=true&state=submitted").json()
    assert [i["id"] for i in queue["items"]] == [claim["id"]]
    assert get(reviewer, f"claims/{claim['id']}/").json()["allowed_actions"] == ["review", "withdraw"]
    resp = post(
        reviewer,
        f"claims/{claim['id']}/review",
        {"decision": "adjust", "points": -2, "note": "减半", "version": 99},
    )
    assert resp.status_code == 409 and "刚被他人处理过" in resp.json()["detail"]
    resp = post(reviewer, f"claims/{claim['id']}/review", {"decision": "adjust", "points": -2, "version": 1})
    assert resp.status_code == 422 and resp.json()["detail"] == "请填写评议意见。"
    resp = post(
        reviewer,
        f"claims/{claim['id']}/review",
        {"decision": "adjust", "points": -2, "note": "初次，减半", "version": claim["version"]},
    )
    assert resp.status_code == 200 and (resp.json()["state"], resp.json()["points"]) == ("notice", -2)
    resp = post(
        reviewer, f"claims/{claim['id']}/review", {"decision": "approve", "version": resp.json()["version"]}
    )
    assert resp.status_code == 409 and "公示中" in resp.json()["detail"]


def test_another_village_is_404_for_review_and_withdraw(township, c):
    far_scheme = pts.scheme(township.village_b, c.secretary_b)
    far = services.claim_record(user=c.secretary_b, item=far_scheme.items.get(code="MD01"), household=c.far)
    reviewer = bearer(c.reviewer)
    for path, body in (
        (f"claims/{far.pk}/review", {"decision": "approve"}),
        (f"claims/{far.pk}/withdraw", {}),
    ):
        before = denials()
        assert post(reviewer, path, body).status_code == 404 and denials() == before + 1
    far.refresh_from_db()
    assert far.state == Claim.SUBMITTED
    assert far.pk not in {i["id"] for i in get(reviewer, "claims/").json()["items"]}


def test_bulk_over_the_api_is_all_or_nothing(township, c):
    from tests.people import factories as pf

    a = pf.household(township.grid_a1, head_name="张三")
    worker = bearer(c.grid_worker)
    rows = [
        {"household": c.home.pk, "item": pts.item(c, "HJ01").pk},
        {"household": a.pk, "item": pts.item(c, "KF01").pk, "points": 2},
    ]
    resp = post(worker, "claims/bulk", {"rows": rows, "description": "五月检查"})
    assert (
        resp.status_code == 422
        and "第 2 行（张三户）：分值须与积分项同为加分或同为扣分" in resp.json()["detail"]
    )
    assert not Claim.objects.exists()
    rows[1]["points"] = -2
    resp = post(worker, "claims/bulk", {"rows": rows}, HTTP_IDEMPOTENCY_KEY="may-2026")
    assert resp.status_code == 201 and len(resp.json()["claims"]) == 2 and resp.json()["batch"] == "Amay-2026"
    again = post(worker, "claims/bulk", {"rows": rows}, HTTP_IDEMPOTENCY_KEY="may-2026")
    assert again.status_code == 200 and again.json()["created"] is False and Claim.objects.count() == 2
    listed = get(bearer(c.secretary), "claims/?batch=Amay-2026").json()
    assert listed["count"] == 2
    before = denials()
    resp = post(worker, "claims/bulk", {"rows": [{"household": c.other.pk, "item": pts.item(c, "HJ01").pk}]})
    assert resp.status_code == 404 and denials() == before + 1 and Claim.objects.count() == 2


def test_objections_and_the_notice_board(c):
    claim = pts.approved(c, description="私事不公开")
    villager = bearer(c.villager)
    board = get(villager, "notice/").json()
    row = board["items"][0]
    assert (row["claim_id"], row["household_name"], row["points"], row["can_object"]) == (
        claim.pk,
        "王大爷户",
        5,
        True,
    )
    assert "私事不公开" not in json.dumps(board, ensure_ascii=False)
    resp = post(villager, f"claims/{claim.pk}/objections", {"text": "院子没扫"})
    assert resp.status_code == 201 and resp.json()["state"] == "open"
    objection_id = resp.json()["id"]
    assert get(villager, "notice/").json()["items"][0]["open_objections"] == 1
    reviewer = bearer(c.reviewer)
    assert [o["id"] for o in get(reviewer, "objections/").json()["items"]] == [objection_id]
    resp = post(reviewer, f"objections/{objection_id}/answer", {"upheld": "no", "answer": "x"})
    assert resp.status_code == 422
    resp = post(reviewer, f"objections/{objection_id}/answer", {"upheld": False, "answer": "已核实打扫干净"})
    assert resp.status_code == 200 and resp.json()["state"] == "dismissed"
    answered = get(villager, "notice/").json()["items"][0]["answered_objections"]
    assert answered == [
        {"text": "院子没扫", "state": "dismissed", "state_label": "异议不成立", "answer": "已核实打扫干净"}
    ]
    # answering is the review group's: for a villager the objection is out of reach
    resp = post(villager, f"objections/{objection_id}/answer", {"upheld": True, "answer": "x"})
    assert resp.status_code == 404
    # after the notice period
    clock.set_fixed(claim.notice_until + dt.timedelta(seconds=1))
    resp = post(villager, f"claims/{claim.pk}/objections", {"text": "晚了"})
    assert (
        resp.status_code == 409
        and resp.json()["detail"] == "公示期已过或这条申报不在公示中，不能再提出异议。"
    )
    assert Objection.objects.count() == 1
    assert services.post_due_claims() == 1


def test_the_openapi_document_declares_the_points_routes_and_their_errors():
    doc = Client().get("/api/v1/openapi.json").json()
    paths = {p: v for p, v in doc["paths"].items() if p.startswith("/api/v1/points/")}
    for path in (
        "/api/v1/points/schemes/",
        "/api/v1/points/claims/",
        "/api/v1/points/claims/bulk",
        "/api/v1/points/claims/{claim_id}/review",
        "/api/v1/points/objections/{objection_id}/answer",
        "/api/v1/points/notice/",
    ):
        assert path in paths, path
    for path, ops in paths.items():
        for method, op in ops.items():
            assert {"403", "404", "409", "422"} <= set(op["responses"]), (path, method)
