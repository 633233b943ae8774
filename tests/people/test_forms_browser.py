"""A grid worker registers a household and its head on a phone-sized screen (real headless Chromium): a mistyped
ID number is answered next to the field with everything typed still there; the page never scrolls sideways."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.test_journeys import ARTIFACTS, PHONE, _assert_fits_phone, _sign_in
from tests.people import factories as pf
from xiangzhi.people.models import Resident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(browser, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = context.new_page()
    yield page
    context.close()


def test_grid_worker_registers_a_household_on_a_phone(live_server, phone):
    t = factories.township()
    factories.user_with_role("grid_worker", t.grid_a1, username="wangge_er")
    _sign_in(phone, live_server.url, "wangge_er")
    expect(phone.locator("h1")).to_contain_text("您好")

    phone.goto(live_server.url + "/people/households/")
    phone.get_by_role("link", name="新建户").click()
    phone.get_by_label("住址").fill("南山村 12 号")
    phone.get_by_label("组别").fill("三组")
    phone.get_by_text("脱贫户").click()
    _assert_fits_phone(phone)
    phone.get_by_role("button", name="新建户，下一步登记户主").click()

    expect(phone.locator("h1")).to_contain_text("登记家庭成员")
    born = dt.date(1961, 7, 15)
    number = pf.id_number(birth=born, sex="M")
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    phone.get_by_label("姓名").fill("刘大山")
    phone.get_by_text("男", exact=True).click()
    phone.get_by_label("出生日期").fill(born.isoformat())
    phone.get_by_label("身份证号").fill(wrong)
    phone.get_by_label("联系电话").fill("13812345678")
    phone.get_by_role("button", name="保存", exact=True).click()

    error = phone.locator("#id_id_number_error")
    expect(error).to_have_text("身份证号校验位不正确，请核对是否录错。")
    expect(phone.get_by_label("姓名")).to_have_value("刘大山")
    expect(phone.get_by_label("联系电话")).to_have_value("13812345678")
    expect(phone.get_by_label("身份证号")).to_have_attribute("aria-invalid", "true")
    _assert_fits_phone(phone)
    box = phone.get_by_role("button", name="保存", exact=True).bounding_box()
    assert box and box["height"] >= 44
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "grid-worker-resident-form-error-phone.png"), full_page=True)

    phone.get_by_label("身份证号").fill(number)
    phone.get_by_role("button", name="保存", exact=True).click()
    expect(phone.locator(".messages")).to_contain_text("已登记刘大山。")
    main = phone.locator("main")
    expect(main).to_contain_text("刘大山")
    expect(main).not_to_contain_text(number)
    expect(main).not_to_contain_text("13812345678")
    assert Resident.objects.get().household.head_name == "刘大山"
    _assert_fits_phone(phone)
    phone.screenshot(path=str(ARTIFACTS / "grid-worker-household-saved-phone.png"), full_page=True)
