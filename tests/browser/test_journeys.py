"""Real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright): a village cadre signs in with the
second factor, a grid worker without; each sees only their own region's households, on a phone-sized screen.
Screenshots are kept in test-artifacts/ as evidence."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.people import factories as people
from xiangzhi.accounts import services as accounts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def world(settings):
    # live_server serves static files through the finders; the compressed storage needs collectstatic first.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    t = factories.township()
    people.household(t.grid_a1, head_name="王南山")
    people.household(t.grid_a2, head_name="赵二组")
    people.household(t.grid_b1, head_name="钱北坡")
    return t


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = context.new_page()
    yield page
    context.close()


def _sign_in(page, base, username):
    page.goto(base + "/accounts/login/")
    expect(page.get_by_role("heading", name="登录乡治")).to_be_visible()
    page.get_by_label("用户名或手机号").fill(username)
    page.get_by_label("密码").fill(factories.PASSWORD)
    page.get_by_role("button", name="登录").click()


def _assert_fits_phone(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"page scrolls sideways on a phone: {width}px"


def _assert_touch_targets(locator, minimum: int) -> int:
    """Every visible element of `locator` is at least minimum × minimum CSS pixels; returns how many were measured."""
    measured = 0
    for i in range(locator.count()):
        element = locator.nth(i)
        if not element.is_visible():
            continue
        box = element.bounding_box()
        label = (
            element.inner_text().strip()
            or element.get_attribute("aria-label")
            or element.evaluate("e => e.outerHTML")
        )
        assert box, label
        assert box["width"] >= minimum and box["height"] >= minimum, (
            f"touch target “{label}” is {box['width']:.0f}×{box['height']:.0f}px, under {minimum}×{minimum}"
        )
        measured += 1
    return measured


def test_village_cadre_signs_in_with_second_factor_and_sees_only_the_village(live_server, world, phone):
    cadre = factories.user_with_role("village_secretary", world.village_a, username="nanshan_shuji")
    device = accounts.totp_device_ensure(cadre)
    _sign_in(phone, live_server.url, "nanshan_shuji")

    expect(phone.get_by_role("heading", name="动态口令验证")).to_be_visible()
    assert "/accounts/otp/" in phone.url
    phone.get_by_label("6 位动态口令").fill(
        "000000" if accounts.totp_current_code(device) != "000000" else "111111"
    )
    phone.get_by_role("button", name="验证").click()
    # a wrong code is refused in words, and that refusal is what the alert says
    expect(phone.get_by_role("alert")).to_contain_text("动态口令不正确或已使用过")
    assert "/accounts/otp/" in phone.url
    phone.wait_for_timeout(
        2000
    )  # django-otp throttles the next try for 1 s after a failure (margin for a busy CI)
    phone.get_by_label("6 位动态口令").fill(accounts.totp_current_code(device))
    phone.get_by_role("button", name="验证").click()
    expect(phone.locator("h1")).to_contain_text("您好", timeout=15000)

    phone.goto(live_server.url + "/people/households/")
    table = phone.locator("main")
    expect(table).to_contain_text("王南山")
    expect(table).to_contain_text("赵二组")
    expect(table).not_to_contain_text("钱北坡")
    _assert_fits_phone(phone)
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "village-cadre-households-phone.png"), full_page=True)


def test_grid_worker_signs_in_and_sees_only_the_grid(live_server, world, phone):
    factories.user_with_role("grid_worker", world.grid_a1, username="wangge_yi")
    _sign_in(phone, live_server.url, "wangge_yi")
    expect(phone.locator("h1")).to_contain_text("您好")
    assert "/accounts/otp/" not in phone.url

    phone.goto(live_server.url + "/people/households/")
    main = phone.locator("main")
    expect(main).to_contain_text("王南山")
    expect(main).not_to_contain_text("赵二组")
    expect(main).not_to_contain_text("钱北坡")
    _assert_fits_phone(phone)
    button = phone.get_by_role("button", name="退出")
    box = button.bounding_box()
    assert box and box["height"] >= 44 and box["width"] >= 44, f"touch target under 44×44px: {box}"
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "grid-worker-households-phone.png"), full_page=True)


def test_wrong_password_is_answered_in_words(live_server, world, phone):
    factories.user_with_role("grid_worker", world.grid_a1, username="wangge_er")
    phone.goto(live_server.url + "/accounts/login/")
    phone.get_by_label("用户名或手机号").fill("wangge_er")
    phone.get_by_label("密码").fill("not-the-password")
    phone.get_by_role("button", name="登录").click()
    expect(phone.get_by_role("alert")).to_contain_text("用户名或密码不正确")
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "login-error-phone.png"), full_page=True)


VILLAGER_PHONE = "13712349901"
VILLAGER_PASSWORD = "nanshan1958"


def test_villager_home_has_big_targets_and_large_text(live_server, world, phone):
    """The villager's own pages follow the rules for older users: targets at least 60×60 px, text 18 px."""
    head = people.household(world.grid_a1, head_name="李秀英", phone=VILLAGER_PHONE).head
    user, code = accounts.villager_account_create(
        resident_or_name=head, phone=VILLAGER_PHONE, village=world.village_a, created_by=None
    )
    accounts.villager_activate(phone=VILLAGER_PHONE, code=code, password=VILLAGER_PASSWORD)
    phone.goto(live_server.url + "/accounts/login/")
    phone.get_by_label("用户名或手机号").fill(VILLAGER_PHONE)
    phone.get_by_label("密码").fill(VILLAGER_PASSWORD)
    phone.get_by_role("button", name="登录").click()
    expect(phone.locator("h1")).to_contain_text("李秀英，您好")
    assert "/accounts/otp/" not in phone.url

    buttons = phone.locator(".big-buttons a.big-button, .big-buttons button.big-button")
    # 我的家庭, 修改密码, 退出登录, 事件上报, 我上报的事件, 我的积分, 村里议事, 三务公开
    assert buttons.count() == 8
    assert _assert_touch_targets(buttons, 60) == 8
    assert _assert_touch_targets(phone.locator("main button, .topbar a, .topbar button"), 60) >= 2
    size = phone.evaluate("parseFloat(getComputedStyle(document.querySelector('.member')).fontSize)")
    assert size >= 18, f"villager text is {size}px"
    _assert_fits_phone(phone)
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "villager-home-phone.png"), full_page=True)
