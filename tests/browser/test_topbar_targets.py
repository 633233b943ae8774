"""Every top-bar target of a staff page on a phone is at least 44×44 px (DESIGN.md: 44×44 px outside villager
pages). It found the menu links at 40 px wide; .topbar a now has min-width."""

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.test_journeys import _assert_touch_targets, _sign_in, phone, world  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_top_bar_targets_are_44px_on_a_phone(live_server, world, phone):  # noqa: F811
    factories.user_with_role("grid_worker", world.grid_a1, username="wangge_san")
    _sign_in(phone, live_server.url, "wangge_san")
    expect(phone.locator("h1")).to_contain_text("您好")
    phone.goto(live_server.url + "/people/households/")
    targets = phone.locator(".topbar a, .topbar button")
    assert _assert_touch_targets(targets, 44) >= 2
