"""The case loop in real headless Chromium on a phone-sized screen, four kinds of people each on their own phone:
a villager reports with a photo; the grid worker cannot settle it and escalates; the village escalates to the
town; the town leader sends it to a department, whose staff start and resolve it; the grid worker verifies; the
villager rates it 满意. At the end every step is on the timeline, in Chinese. Screenshots in test-artifacts/."""

import re

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.test_journeys import (
    ARTIFACTS,
    PHONE,
    _assert_fits_phone,
    _assert_touch_targets,
    _sign_in,
    world,  # noqa: F401
)
from tests.cases.factories import photo
from tests.people import factories as people
from xiangzhi.accounts import services as accounts
from xiangzhi.cases.models import Case
from xiangzhi.core.services import department_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VILLAGER_PHONE = "13712349931"
VILLAGER_PASSWORD = "nanshan1962"


def _phone(browser):
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    return context.new_page()


def _sign_in_with_code(page, base, user):
    """Staff with a privileged role confirm the second factor (TOTP) after the password."""
    device = accounts.totp_device_ensure(user)
    _sign_in(page, base, user.username)
    expect(page.get_by_role("heading", name="动态口令验证")).to_be_visible()
    page.get_by_label("6 位动态口令").fill(accounts.totp_current_code(device))
    page.get_by_role("button", name="验证").click()
    expect(page.locator("h1")).to_contain_text("您好")


def _shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"case-loop-{name}.png"), full_page=True)


def _act(page, section_id, button, fill=None):
    """Fill one action form on the case page and press its button; wait for the success message."""
    section = page.locator(f"#act-{section_id}")
    for label, value in (fill or {}).items():
        section.get_by_label(label).fill(value)
    section.get_by_role("button", name=button, exact=True).click()
    expect(page.locator(".messages")).to_be_visible()


def test_the_whole_case_loop_on_phones(live_server, world, browser):  # noqa: F811
    base = live_server.url
    head = people.household(world.grid_a1, head_name="王大爷", phone=VILLAGER_PHONE).head
    _, code = accounts.villager_account_create(
        resident_or_name=head, phone=VILLAGER_PHONE, village=world.village_a, created_by=None
    )
    accounts.villager_activate(phone=VILLAGER_PHONE, code=code, password=VILLAGER_PASSWORD)
    u = factories.user_with_role
    grid_worker = u("grid_worker", world.grid_a1, username="wangge_case")
    secretary = u("village_secretary", world.village_a, username="nanshan_case")
    leader = u("town_leader", world.town, username="zhen_case")
    dept = department_create(town=world.town, name="综合执法队", code="zhifa")
    staff = u(
        "department_staff", world.town, username="zhifa_case", scope_type="department", scope_id=dept.pk
    )

    # 1. the villager reports, with a photo, on the big-print page
    villager = _phone(browser)
    villager.goto(base + "/accounts/login/")
    villager.get_by_label("用户名或手机号").fill(VILLAGER_PHONE)
    villager.get_by_label("密码").fill(VILLAGER_PASSWORD)
    villager.get_by_role("button", name="登录").click()
    expect(villager.locator("h1")).to_contain_text("王大爷，您好")
    villager.goto(base + "/cases/report/")
    expect(villager.get_by_role("heading", name="上报事件")).to_be_visible()
    assert (
        villager.locator("#id_region").input_value() == world.grid_a1.code
    )  # their own grid, chosen already
    villager.get_by_label("发生了什么事").fill("村口垃圾堆放多日，无人清理。")
    villager.get_by_label("具体地点").fill("村口大桥东头")
    villager.locator("#id_photos_album").set_input_files(
        [{"name": "laji.jpg", "mimeType": "image/jpeg", "buffer": photo().read()}]
    )
    size = villager.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('#id_description')).fontSize)"
    )
    assert size >= 18, f"villager text is {size}px"
    assert (
        _assert_touch_targets(
            villager.locator("main select, main textarea, main button, main input:visible, main a"), 60
        )
        >= 5
    )
    _assert_fits_phone(villager)
    _shot(villager, "1-report")
    villager.get_by_role("button", name="上报", exact=True).click()
    expect(villager.locator(".messages")).to_contain_text("已上报，编号 SJ")
    case = Case.objects.get()
    assert re.search(rf"/cases/{case.pk}/", villager.url)
    assert case.photos.count() == 1 and case.reporter.resident_id == head.pk
    draft = villager.evaluate("localStorage.getItem('xz-case-draft')")
    assert draft is None, "the draft is cleared once the case is filed"

    # 2. the grid worker cannot settle it: up to the village
    worker = _phone(browser)
    _sign_in(worker, base, grid_worker.username)
    expect(worker.locator("h1")).to_contain_text("您好")
    worker.goto(f"{base}/cases/{case.pk}/")
    expect(worker.locator(".photos img")).to_have_count(1)
    _act(worker, "escalate", "上报上级", {"上报理由": "需要村里协调清运车辆。"})
    _assert_fits_phone(worker)
    _shot(worker, "2-grid-escalated")

    # 3. the village cannot either: up to the town
    village = _phone(browser)
    _sign_in_with_code(village, base, secretary)
    village.goto(f"{base}/cases/{case.pk}/")
    _act(village, "escalate", "上报上级", {"上报理由": "村里没有清运能力，请镇里处理。"})

    # 4. the town leader classifies it as 政事 and sends it to the department
    town = _phone(browser)
    _sign_in_with_code(town, base, leader)
    town.goto(f"{base}/cases/{case.pk}/")
    form = town.locator("#act-assign")
    form.get_by_label("事件类别").select_option("ENVIRONMENT")
    form.get_by_label("政事").check()
    form.get_by_label("承办部门").select_option(label="综合执法队")
    form.get_by_role("button", name="分类派遣", exact=True).click()
    expect(town.locator(".messages")).to_contain_text("已派遣")
    _shot(town, "4-town-assigned")

    # 5. the department starts and resolves it
    department = _phone(browser)
    _sign_in_with_code(department, base, staff)
    department.goto(f"{base}/cases/{case.pk}/")
    _act(department, "start", "开始办理")
    _act(department, "resolve", "办结", {"办理结果": "已组织清运，垃圾全部运走。"})
    _shot(department, "5-department-resolved")

    # 6. the grid worker checks on the spot
    worker.goto(f"{base}/cases/{case.pk}/")
    worker.locator("#act-verify").get_by_label("已办好，核查通过").check()
    _act(worker, "verify", "核查", {"核查情况": "现场已清理干净。"})

    # 7. the villager rates it with one big button
    villager.goto(f"{base}/cases/{case.pk}/")
    buttons = villager.locator(".rate-buttons button")
    assert _assert_touch_targets(buttons, 60) == 3
    assert _assert_touch_targets(villager.locator("main a, main textarea"), 60) >= 2
    _shot(villager, "7-rate")
    villager.get_by_role("button", name="满意", exact=True).click()
    expect(villager.locator(".messages")).to_contain_text("谢谢您的评价")

    # every step on the timeline, in words
    timeline = villager.locator(".timeline")
    for words in (
        "上报：待受理",
        "上报上级",
        "需要村里协调清运车辆",
        "村里没有清运能力",
        "层级：网格 → 村",
        "层级：村 → 乡镇",
        "分类派遣：待受理 → 已派遣",
        "派往综合执法队",
        "开始办理：已派遣 → 办理中",
        "办结：办理中 → 待核查",
        "核查通过：待核查 → 待评价",
        "评价：待评价 → 已结案",
        "满意",
    ):
        expect(timeline).to_contain_text(words)
    expect(timeline.locator("li")).to_have_count(8)
    expect(villager.locator("main")).to_contain_text("已结案")
    _assert_fits_phone(villager)
    _shot(villager, "8-timeline")
    case.refresh_from_db()
    assert (case.state, case.rating, case.max_level) == (Case.CLOSED, "satisfied", "town")
