"""The store's pages: the villager's phone, the keeper's counter, the cadres' lists, over the real services."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook
from PIL import Image

from tests import factories
from tests.points import factories as pts
from tests.store import factories as sf
from xiangzhi.audit.models import AuditRecord
from xiangzhi.points import ledger
from xiangzhi.store import services
from xiangzhi.store.models import Goods, Redemption, Store

pytestmark = pytest.mark.django_db


@pytest.fixture
def c(township):
    return sf.cast(township)


def client(user):
    return factories.signed_in_client(user)


def available(household) -> int:
    return ledger.balance_of(ledger.Holder.of(household))[1]


def png() -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buf, "PNG")
    return SimpleUploadedFile("货.png", buf.getvalue(), content_type="image/png")


# -- the villager -----------------------------------------------------------------------------------------------


def test_the_shop_shows_my_points_and_the_goods_of_stores_serving_my_village(c, township):
    pts.give(c.home, 37)
    other = sf.store(c.secretary_b, township.village_b, name="北坡村积分超市")
    sf.goods(c.secretary_b, other, name="酱油", price=5, stock=3)
    page = client(c.villager).get("/store/shop/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "store-villager" in text and "37" in text and "洗衣粉" in text and "食用油" in text
    assert "酱油" not in text
    assert client(c.villager).get("/store/").url == "/store/shop/"


def test_redeem_from_the_phone_then_the_receipt_shows_the_code_big(c):
    pts.give(c.home, 100)
    web = client(c.villager)
    form = web.get(f"/store/shop/goods/{c.soap.pk}/").content.decode()
    token = re.search(r'name="token" value="([^"]+)"', form).group(1)
    sent = web.post(f"/store/shop/goods/{c.soap.pk}/redeem/", {"quantity": "2", "token": token})
    r = Redemption.objects.get()
    assert sent.status_code == 302 and sent.url == f"/store/receipts/{r.pk}/"
    # the same form sent again (a double tap, a resend after the signal dropped) redeems once
    again = web.post(f"/store/shop/goods/{c.soap.pk}/redeem/", {"quantity": "2", "token": token})
    assert again.status_code == 302 and Redemption.objects.count() == 1 and available(c.home) == 80
    receipt = web.get(sent.url).content.decode()
    assert f'<div class="receipt-code" aria-label="兑换码">{r.code_display}</div>' in receipt
    assert "<svg" in receipt  # the QR code for the keeper's scanner
    listed = web.get("/store/receipts/").content.decode()
    assert r.code_display in listed and "待领取" in listed


def test_too_few_points_is_said_in_chinese_and_nothing_changes(c):
    pts.give(c.home, 5)
    page = client(c.villager).post(f"/store/shop/goods/{c.soap.pk}/redeem/", {"quantity": "1"})
    assert page.status_code == 422
    assert "可用积分不足" in page.content.decode()
    assert Redemption.objects.count() == 0 and available(c.home) == 5
    assert Goods.objects.get(pk=c.soap.pk).stock == 5


def test_out_of_stock_is_said_in_chinese_and_nothing_changes(c):
    pts.give(c.home, 500)
    page = client(c.villager).post(f"/store/shop/goods/{c.oil.pk}/redeem/", {"quantity": "3"})
    assert page.status_code == 422 and "库存不足" in page.content.decode()
    assert Redemption.objects.count() == 0 and available(c.home) == 500


def test_a_villager_cancels_on_the_receipt_page_and_gets_the_points_back(c):
    pts.give(c.home, 100)
    r, _ = services.redeem(user=c.villager, goods=c.soap)
    done = client(c.villager).post(f"/store/redemptions/{r.pk}/cancel/", {"reason": "不要了"})
    assert done.status_code == 302 and done.url == f"/store/receipts/{r.pk}/"
    assert Redemption.objects.get(pk=r.pk).state == Redemption.CANCELLED and available(c.home) == 100


def test_another_households_receipt_and_goods_of_another_village_are_audited_404s(c, township):
    pts.give(c.home, 100)
    r, _ = services.redeem(user=c.villager, goods=c.soap)
    other = client(c.villager_other)
    before = AuditRecord.objects.filter(result=AuditRecord.RESULT_DENIED).count()
    assert other.get(f"/store/receipts/{r.pk}/").status_code == 404
    assert other.post(f"/store/redemptions/{r.pk}/cancel/").status_code == 404
    far_store = sf.store(c.secretary_b, township.village_b)
    far_goods = sf.goods(c.secretary_b, far_store, name="酱油", price=1, stock=1)
    assert other.get(f"/store/shop/goods/{far_goods.pk}/").status_code == 404
    assert other.post(f"/store/shop/goods/{far_goods.pk}/redeem/", {"quantity": "1"}).status_code == 404
    assert AuditRecord.objects.filter(result=AuditRecord.RESULT_DENIED).count() == before + 4
    assert Redemption.objects.get(pk=r.pk).state == Redemption.PENDING
    assert r.code_display not in other.get("/store/receipts/").content.decode()


# -- the keeper -------------------------------------------------------------------------------------------------


def test_the_keeper_types_a_code_hands_over_and_the_second_time_is_refused(c):
    pts.give(c.home, 100)
    r, _ = services.redeem(user=c.villager, goods=c.soap, quantity=2)
    counter = client(c.keeper)
    page = counter.get("/store/keeper/").content.decode()
    assert r.code_display in page and "王大爷户" in page and "洗衣粉" in page
    done = counter.post("/store/keeper/", {"code": r.code_display.lower()})
    assert done.status_code == 200
    assert "请发放：洗衣粉 × 2" in done.content.decode()
    assert Redemption.objects.get(pk=r.pk).state == Redemption.FULFILLED
    twice = counter.post("/store/keeper/", {"code": r.receipt_code})
    assert twice.status_code == 422 and "不能重复使用" in twice.content.decode()
    unknown = counter.post("/store/keeper/", {"code": "ZZZZ-ZZZZ"})
    assert unknown.status_code == 422 and "没有找到这个兑换码" in unknown.content.decode()


def test_a_scanned_qr_opens_the_counter_with_the_redemption_shown(c):
    pts.give(c.home, 100)
    r, _ = services.redeem(user=c.villager, goods=c.soap)
    page = client(c.keeper).get(f"/store/keeper/?code={r.receipt_code}").content.decode()
    assert "确认发放" in page and f'value="{r.receipt_code}"' in page
    assert Redemption.objects.get(pk=r.pk).state == Redemption.PENDING  # a GET hands nothing over


def test_the_keeper_restocks_and_cancels(c):
    pts.give(c.home, 100)
    r, _ = services.redeem(user=c.villager, goods=c.soap)
    counter = client(c.keeper)
    assert counter.post(f"/store/goods/{c.soap.pk}/restock/", {"quantity": "6"}).status_code == 302
    assert Goods.objects.get(pk=c.soap.pk).stock == 10
    assert counter.post(f"/store/redemptions/{r.pk}/cancel/", {"reason": "村民没来"}).url == "/store/keeper/"
    assert Goods.objects.get(pk=c.soap.pk).stock == 11 and available(c.home) == 100


def test_a_keeper_without_a_store_or_a_villager_cannot_use_the_counter(c, township):
    assert client(c.villager).get("/store/keeper/").status_code == 403
    lost = factories.user_with_role("store_keeper", township.village_a)  # no store named
    assert client(lost).get("/store/keeper/").status_code == 403


# -- cadres -----------------------------------------------------------------------------------------------------


def test_a_secretary_opens_a_store_adds_goods_with_a_photo(c, township):
    web = client(c.secretary)
    refused = web.post(
        "/store/stores/",
        {"name": "越权超市", "region": township.village_b.code, "villages": [township.village_b.code]},
    )
    assert refused.status_code == 422 and not Store.objects.filter(name="越权超市").exists()
    made = web.post(
        "/store/stores/",
        {"name": "二号超市", "region": township.village_a.code, "villages": [township.village_a.code]},
    )
    store = Store.objects.get(name="二号超市")
    assert made.url == f"/store/stores/{store.pk}/"
    added = web.post(
        f"/store/stores/{store.pk}/goods/new/",
        {"name": "毛巾", "price": "8", "stock": "12", "unit": "条", "is_active": "on", "photo": png()},
    )
    assert added.status_code == 302
    towel = Goods.objects.get(store=store, name="毛巾")
    assert (towel.price, towel.stock, towel.unit) == (8, 12, "条") and towel.photo_id
    assert web.get(f"/store/goods/{towel.pk}/photo/")["Content-Type"] == "image/png"
    assert client(c.villager).get(f"/store/goods/{towel.pk}/photo/").status_code == 200
    bad = web.post(f"/store/stores/{store.pk}/goods/new/", {"name": "", "price": "0"})
    assert bad.status_code == 422 and "请填写商品名称" in bad.content.decode()
    detail = web.get(f"/store/stores/{store.pk}/").content.decode()
    assert "毛巾" in detail and "12" in detail


def test_the_register_lists_filters_and_exports(c):
    pts.give(c.home, 500)
    pts.give(c.other, 500)
    mine, _ = services.redeem(user=c.villager, goods=c.soap)
    theirs, _ = services.redeem(user=c.villager_other, goods=c.oil)
    services.redemption_confirm(user=c.keeper, store=c.store, code=theirs.receipt_code)
    web = client(c.secretary)
    page = web.get("/store/redemptions/").content.decode()
    assert mine.code_display in page and theirs.code_display in page
    pending = web.get("/store/redemptions/?state=pending").content.decode()
    assert mine.code_display in pending and theirs.code_display not in pending
    search = web.get("/store/redemptions/?q=李大妈").content.decode()
    assert theirs.code_display in search and mine.code_display not in search
    export = web.get("/store/redemptions/export.xlsx?state=fulfilled")
    assert export.status_code == 200
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "兑换时间" and len(rows) == 2 and rows[1][3] == "食用油" and rows[1][8] == "已领取"
    assert AuditRecord.objects.filter(action="store.redemptions_exported").exists()
    assert client(c.secretary_b).get("/store/redemptions/").content.decode().count(mine.code_display) == 0
    assert client(c.villager).get("/store/redemptions/").status_code == 403
