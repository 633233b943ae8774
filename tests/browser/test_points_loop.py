"""Points from claim to the store in real headless Chromium on phone-sized screens: a villager claims with a photo;
the review group approves; after the notice period (the movable clock, and the worker's posting job) the points
are in the passbook; the villager redeems an item; the shopkeeper types the receipt code and hands it over.
Screenshots in test-artifacts/."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.test_case_loop import _phone
from tests.browser.test_journeys import (
    ARTIFACTS,
    _assert_fits_phone,
    _assert_touch_targets,
    _sign_in,
    world,  # noqa: F401
)
from tests.cases.factories import photo
from tests.people import factories as people
from tests.points import factories as pts
from xiangzhi.accounts import services as accounts
from xiangzhi.core import clock
from xiangzhi.points import ledger, services
from xiangzhi.points.models import Claim
from xiangzhi.store import services as store_services
from xiangzhi.store.models import Redemption

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VILLAGER_PHONE = "13712349932"
VILLAGER_PASSWORD = "nanshan1958"


def _shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"points-loop-{name}.png"), full_page=True)


def _villager_signs_in(page, base):
    page.goto(base + "/accounts/login/")
    page.get_by_label("用户名或手机号").fill(VILLAGER_PHONE)
    page.get_by_label("密码").fill(VILLAGER_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("h1")).to_contain_text("王大爷，您好")


def test_claim_review_notice_passbook_redeem_and_hand_over_on_phones(live_server, world, browser):  # noqa: F811
    base = live_server.url
    home = people.household(world.grid_a1, head_name="王大爷", phone=VILLAGER_PHONE)
    _, code = accounts.villager_account_create(
        resident_or_name=home.head, phone=VILLAGER_PHONE, village=world.village_a, created_by=None
    )
    accounts.villager_activate(phone=VILLAGER_PHONE, code=code, password=VILLAGER_PASSWORD)
    u = factories.user_with_role
    secretary = u("village_secretary", world.village_a, username="nanshan_pts")
    reviewer = u("points_reviewer", world.village_a, username="pingyi_pts")
    pts.scheme(world.village_a, secretary)  # GY01 参加义务劳动 +3, photo required
    store = store_services.store_create(
        user=secretary, region=world.village_a, name="南山村积分超市", villages=[world.village_a]
    )
    soap = store_services.goods_save(user=secretary, store=store, name="香皂", unit="块", price=3, stock=5)
    keeper = u(
        "store_keeper", world.village_a, username="dianyuan_pts", scope_type="store", scope_id=store.pk
    )

    # 1. the villager claims 参加义务劳动 with a photo, on a phone
    villager = _phone(browser)
    _villager_signs_in(villager, base)
    villager.get_by_role("link", name="我的积分").click()
    villager.get_by_role("link", name="申报积分").click()
    expect(villager.get_by_role("heading", name="申报积分")).to_be_visible()
    expect(villager.locator("main")).not_to_contain_text("乱堆乱放")  # deductions are not claimed by oneself
    villager.get_by_label(re.compile("参加义务劳动")).check()
    villager.get_by_label("做了什么").fill("周六参加村里清理河道的义务劳动。")
    villager.locator("#id_photos_album").set_input_files(
        [{"name": "laodong.jpg", "mimeType": "image/jpeg", "buffer": photo().read()}]
    )
    size = villager.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('#id_description')).fontSize)"
    )
    assert size >= 18, f"villager text is {size}px"
    assert _assert_touch_targets(villager.locator("main button, main label.choice, main a"), 60) >= 3
    _assert_fits_phone(villager)
    _shot(villager, "1-claim")
    villager.get_by_role("button", name="提交申报").click()
    expect(villager.locator(".messages")).to_be_visible()
    claim = Claim.objects.get()
    assert claim.state == Claim.SUBMITTED and claim.evidence.count() == 1 and claim.points == 3

    # 2. the review group approves it from its queue
    review = _phone(browser)
    _sign_in(review, base, reviewer.username)
    expect(review.locator("h1")).to_contain_text("您好")
    review.goto(base + "/points/review/")
    review.get_by_role("link", name=re.compile("王大爷")).first.click()
    expect(review.locator("h1")).to_contain_text("参加义务劳动")
    expect(review.locator("img[alt^='依据照片']")).to_have_count(1)
    review.locator("#review").get_by_label("通过", exact=True).check()
    _shot(review, "2-review")
    review.get_by_role("button", name="提交评议").click()
    expect(review.locator(".messages")).to_be_visible()
    claim.refresh_from_db()
    assert claim.state == Claim.NOTICE

    # on the notice board for 7 days: not in the passbook yet
    villager.goto(base + "/points/notice/")
    expect(villager.locator("main")).to_contain_text("参加义务劳动")
    villager.goto(base + "/points/passbook/")
    expect(villager.locator("main")).not_to_contain_text("参加义务劳动")

    # 3. the notice period ends (the clock moves); the worker's job posts it; a week later the villager signs in
    # again (the session ended after 30 idle minutes) and finds the points in the passbook
    clock.set_fixed(claim.notice_until + dt.timedelta(minutes=1))
    assert services.post_due_claims() == 1
    _villager_signs_in(villager, base)
    villager.goto(base + "/points/passbook/")
    expect(villager.locator("main")).to_contain_text("参加义务劳动")
    expect(villager.locator("main")).to_contain_text("+3")
    _assert_fits_phone(villager)
    _shot(villager, "3-passbook")
    assert ledger.balance_of(ledger.Holder.of(home)) == (3, 3)

    # 4. the villager spends the 3 points on a bar of soap
    villager.goto(base + "/store/shop/")
    villager.get_by_role("link", name=re.compile("香皂")).first.click()
    expect(villager.get_by_role("heading", name="香皂")).to_be_visible()
    villager.get_by_role("button", name="兑换", exact=True).click()
    expect(villager.locator(".receipt-code")).to_be_visible()
    shown = villager.locator(".receipt-code").inner_text().strip()
    redemption = Redemption.objects.get()
    assert shown.replace("-", "") == redemption.receipt_code
    _assert_fits_phone(villager)
    _shot(villager, "4-receipt")
    assert ledger.balance_of(ledger.Holder.of(home)) == (3, 0)
    soap.refresh_from_db()
    assert soap.stock == 4

    # 5. the shopkeeper types the code the villager reads out, and hands the soap over
    shop = _phone(browser)
    _sign_in(shop, base, keeper.username)
    shop.goto(base + "/store/keeper/")
    shop.get_by_label("兑换码").fill(shown.lower())
    shop.get_by_role("button", name="核销并发放").click()
    expect(shop.locator(".handover")).to_contain_text("香皂 × 1")
    _shot(shop, "5-handover")
    redemption.refresh_from_db()
    assert redemption.state == Redemption.FULFILLED
    # the same code again is refused, in words
    shop.get_by_label("兑换码").fill(shown)
    shop.get_by_role("button", name="核销并发放").click()
    expect(shop.locator("main")).to_contain_text("不能重复使用")
    assert ledger.verify().ok
