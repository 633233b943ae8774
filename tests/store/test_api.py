"""The store API (/api/v1/store/): the same services and scope as the pages."""

import pytest
from django.test import Client

from tests.points import factories as pts
from tests.store import factories as sf
from xiangzhi.accounts import services as accounts
from xiangzhi.audit.models import AuditRecord
from xiangzhi.points import ledger
from xiangzhi.store import services
from xiangzhi.store.models import Goods, Redemption

pytestmark = pytest.mark.django_db


@pytest.fixture
def c(township):
    return sf.cast(township)


def bearer(user):
    raw = accounts.token_issue(user=user, otp_verified=True, name="手机")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def available(household) -> int:
    return ledger.balance_of(ledger.Holder.of(household))[1]


def test_goods_list_shows_my_points_and_the_goods_serving_my_village(c, township):
    pts.give(c.home, 42)
    other = sf.store(c.secretary_b, township.village_b)
    sf.goods(c.secretary_b, other, name="酱油", price=5, stock=3)
    data = bearer(c.villager).get("/api/v1/store/goods/").json()
    assert data["available"] == 42 and data["count"] == 2
    assert {g["name"] for g in data["items"]} == {"洗衣粉", "食用油"}
    keeper = bearer(c.keeper).get("/api/v1/store/goods/").json()
    assert keeper["available"] is None and keeper["count"] == 2


def test_redeem_with_an_idempotency_key_then_again(c):
    pts.give(c.home, 100)
    api = bearer(c.villager)
    body = {"goods_id": c.soap.pk, "quantity": 2}
    first = api.post(
        "/api/v1/store/redemptions/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="abc"
    )
    assert first.status_code == 201, first.content
    data = first.json()
    assert data["points"] == 20 and data["state"] == "pending" and len(data["receipt_code"]) == 8
    again = api.post(
        "/api/v1/store/redemptions/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="abc"
    )
    assert again.status_code == 200 and again.json()["id"] == data["id"]
    assert available(c.home) == 80 and Redemption.objects.count() == 1
    mine = api.get("/api/v1/store/redemptions/").json()
    assert mine["count"] == 1 and mine["items"][0]["receipt_code"] == data["receipt_code"]


def test_refusals_say_why_and_change_nothing(c, township):
    pts.give(c.home, 30)
    api = bearer(c.villager)
    poor = api.post("/api/v1/store/redemptions/", {"goods_id": c.oil.pk}, content_type="application/json")
    assert poor.status_code == 422 and "可用积分不足" in poor.json()["detail"]
    assert poor.json()["code"] == "insufficient_points"
    pts.give(c.home, 1000)
    empty = api.post(
        "/api/v1/store/redemptions/", {"goods_id": c.oil.pk, "quantity": 3}, content_type="application/json"
    )
    assert empty.status_code == 409 and "库存不足" in empty.json()["detail"]
    bad = api.post(
        "/api/v1/store/redemptions/", {"goods_id": "1", "quantity": 0}, content_type="application/json"
    )
    assert bad.status_code == 422
    far = sf.goods(c.secretary_b, sf.store(c.secretary_b, township.village_b), name="酱油", price=1, stock=9)
    hidden = api.post("/api/v1/store/redemptions/", {"goods_id": far.pk}, content_type="application/json")
    assert hidden.status_code == 404
    assert Redemption.objects.count() == 0 and available(c.home) == 1030
    assert Goods.objects.get(pk=c.oil.pk).stock == 2 and Goods.objects.get(pk=far.pk).stock == 9


def test_the_keeper_confirms_once_and_cancels(c):
    pts.give(c.home, 100)
    r, _ = services.redeem(user=c.villager, goods=c.soap)
    r2, _ = services.redeem(user=c.villager, goods=c.soap)
    api = bearer(c.keeper)
    ok = api.post(
        "/api/v1/store/redemptions/confirm/", {"code": r.code_display}, content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["state"] == "fulfilled"
    twice = api.post(
        "/api/v1/store/redemptions/confirm/", {"code": r.receipt_code}, content_type="application/json"
    )
    assert twice.status_code == 409 and "不能重复使用" in twice.json()["detail"]
    assert twice.json()["code"] == "code_used"
    listed = api.get("/api/v1/store/redemptions/?state=pending").json()
    assert [i["id"] for i in listed["items"]] == [r2.pk]
    cancelled = api.post(
        f"/api/v1/store/redemptions/{r2.pk}/cancel/", {"reason": "缺货"}, content_type="application/json"
    )
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    assert available(c.home) == 90


def test_another_households_redemption_cannot_be_cancelled_and_is_audited(c):
    pts.give(c.home, 100)
    r, _ = services.redeem(user=c.villager, goods=c.soap)
    out = bearer(c.villager_other).post(
        f"/api/v1/store/redemptions/{r.pk}/cancel/", {}, content_type="application/json"
    )
    assert out.status_code == 404
    assert AuditRecord.objects.filter(result=AuditRecord.RESULT_DENIED, object_id=str(r.pk)).exists()
    assert Redemption.objects.get(pk=r.pk).state == Redemption.PENDING
    huge = bearer(c.villager).post(
        f"/api/v1/store/redemptions/{2**70}/cancel/", {}, content_type="application/json"
    )
    assert huge.status_code == 404
    assert bearer(c.villager_other).get("/api/v1/store/redemptions/").json()["count"] == 0
    # a villager cannot confirm
    assert (
        bearer(c.villager)
        .post("/api/v1/store/redemptions/confirm/", {"code": r.receipt_code}, content_type="application/json")
        .status_code
        == 403
    )
