"""One major matter through all six steps of 四议两公开 in real headless Chromium on a phone-sized screen: a village
cadre (两委成员) raises it, calls each step's meeting from the matter page and completes the step from its passed
vote; the 决议 is a 村民代表会议 whose attendance and open votes the cadre records on the meeting page; the
resolution and then its result are published on the board. An anonymous browser then finds both on the village's
public board without signing in. Screenshots in test-artifacts/matter-*.png."""

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.test_case_loop import _phone
from tests.browser.test_journeys import ARTIFACTS, _assert_fits_phone, _sign_in, world  # noqa: F401
from tests.deliberation import matter_factories as mf
from xiangzhi.deliberation.models import Matter, MatterStep

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"matter-{name}.png"), full_page=True)


def _call_and_pass(page, base, m, body):
    """On the matter page: call the step's meeting on `body`; the votes (all yes) are recorded through the services;
    back on the matter page the step is completed from the passed item."""
    page.goto(f"{base}/deliberation/matters/{m.pk}/")
    page.get_by_label("议事机构").select_option(str(body.pk))
    page.get_by_role("button", name="召集会议").click()
    expect(page.get_by_text("会议已召集")).to_be_visible()
    meeting = body.meetings.get()
    mf.vote(meeting)
    page.reload()
    page.get_by_role("button", name="完成本步骤").click()
    expect(page.get_by_text("本步骤已完成")).to_be_visible()


def test_a_cadre_walks_a_major_matter_through_six_steps_and_the_board_shows_it(live_server, world, browser):  # noqa: F811
    base = live_server.url
    b = mf.village_bodies(world.grid_a1, representatives=5)
    factories.user_with_role("village_committee", world.village_a, username="nanshan_liangwei")
    page = _phone(browser)
    _sign_in(page, base, "nanshan_liangwei")
    expect(page.locator("h1")).to_contain_text("您好")

    # 1. the cadre raises the matter for the branch
    page.goto(base + "/deliberation/matters/new/")
    page.get_by_label("议题名称").fill("村集体光伏电站收益分配方案")
    page.get_by_label("内容和理由").fill("光伏电站今年收益十二万元，拟八万元修缮村道、四万元补助困难户。")
    page.get_by_label("类别").select_option("collective_income")
    page.get_by_role("button", name="提交").click()
    expect(page.locator("h1")).to_contain_text("村集体光伏电站收益分配方案")
    m = Matter.objects.get(title="村集体光伏电站收益分配方案")
    _shot(page, "1-raised")

    # 2.-4. 支委会 proposes, 两委会 discusses, 党员大会 reviews: each called from the matter page
    for body in (b.branch, b.committees, b.party):
        _call_and_pass(page, base, m, body)
    expect(page.locator("#step-3")).to_contain_text("已完成")
    _shot(page, "2-three-steps")

    # 5. the 村民代表会议 decides: attendance and the open vote recorded on the meeting page
    page.get_by_label("议事机构").select_option(str(b.reps.pk))
    page.get_by_role("button", name="召集会议").click()
    meeting = b.reps.meetings.get()
    item = meeting.items.get()
    page.goto(f"{base}/deliberation/{meeting.pk}/")
    expect(page.get_by_text("村民会议或村民代表会议决议", exact=False).first).to_be_visible()
    for _ in range(5):
        page.get_by_role("button", name="登记到会").first.click()
        expect(page.get_by_text("已登记到会情况")).to_be_visible()
    form = page.locator(f"form:has(#ov{item.pk})")
    for i in range(5):
        form.locator(f"#ov{item.pk}").select_option(index=i)
        form.locator(f"#oc{item.pk}").select_option("yes" if i < 4 else "abstain")
        form.get_by_role("button", name="登记", exact=True).click()
        expect(page.get_by_text("已登记表决意见")).to_be_visible()
    page.get_by_role("button", name="结束表决并记录结果").click()
    expect(page.get_by_text("赞成 4")).to_be_visible()
    _shot(page, "3-representatives-vote")
    page.get_by_role("link", name="村集体光伏电站收益分配方案").first.click()
    page.get_by_role("button", name="完成本步骤").click()
    expect(page.locator("#step-4")).to_contain_text("已完成")

    # 6. the resolution on the board, then its result
    page.get_by_label("标题").fill("关于村集体光伏电站收益分配方案的决议")
    page.get_by_role("button", name="公开决议").click()
    expect(page.get_by_text("决议已在村务公开栏公开")).to_be_visible()
    page.get_by_label("实施结果").fill("村道已修缮完工，支出八万元；困难户补助已发放到户。")
    page.get_by_role("button", name="公开实施结果").click()
    expect(page.get_by_text("实施结果已在村务公开栏公开")).to_be_visible()
    expect(page.locator("#step-6")).to_contain_text("已完成")
    _assert_fits_phone(page)
    _shot(page, "4-six-steps-done")
    m.refresh_from_db()
    assert m.status == Matter.DONE and m.steps.filter(status=MatterStep.DONE).count() == 6
    page.context.close()

    # an anonymous phone finds the resolution and its result on the public board
    anon = _phone(browser)
    anon.goto(f"{base}/board/{world.village_a.code}/")
    expect(anon.locator("main")).to_contain_text("关于村集体光伏电站收益分配方案的决议")
    anon.get_by_role("link", name="关于村集体光伏电站收益分配方案的决议").first.click()
    expect(anon.locator("main")).to_contain_text("村道已修缮完工")
    assert "/accounts/login/" not in anon.url
    _shot(anon, "5-public-board")
    # the wall copy: the print view under print media shows the resolution with its result and the QR code, and
    # hides the navigation and the print button; Chromium prints it to a PDF
    anon.goto(f"{base}/board/{world.village_a.code}/print/")
    anon.emulate_media(media="print")
    expect(anon.locator("main")).to_contain_text("村道已修缮完工")
    expect(anon.locator(".qr svg")).to_be_visible()
    expect(anon.locator(".no-print")).to_be_hidden()
    expect(anon.locator(".topbar")).to_be_hidden()
    assert anon.pdf(format="A4")[:5] == b"%PDF-"
    anon.context.close()


def test_a_villager_proposes_a_matter_on_a_phone(live_server, world, browser):  # noqa: F811
    from tests.people import factories as people
    from xiangzhi.accounts import services as accounts

    base = live_server.url
    home = people.household(world.grid_a1, head_name="王大爷", phone="13712349933")
    _, code = accounts.villager_account_create(
        resident_or_name=home.head, phone="13712349933", village=world.village_a, created_by=None
    )
    accounts.villager_activate(phone="13712349933", code=code, password="nanshan1958")
    page = _phone(browser)
    page.goto(base + "/accounts/login/")
    page.get_by_label("用户名或手机号").fill("13712349933")
    page.get_by_label("密码").fill("nanshan1958")
    page.get_by_role("button", name="登录").click()
    expect(page.locator("h1")).to_contain_text("您好")
    page.goto(base + "/deliberation/matters/new/")
    expect(page.locator("h1")).to_contain_text("我有一个提议")
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_role("alert").first).to_contain_text("请填写")
    page.get_by_label("议题名称").fill("修村口排水沟")
    page.get_by_label("内容和理由").fill("一下雨村口就积水，老人孩子过不去。")
    page.get_by_label("类别").select_option("public_works")
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_text("请邀请村民附议")).to_be_visible()
    expect(page.locator("main")).to_contain_text("附议 0 人")
    _assert_fits_phone(page)
    _shot(page, "0-villager-proposal")
    assert Matter.objects.get(title="修村口排水沟").status == Matter.COLLECTING
    page.context.close()
