"""A villager's home page: their own household only (masked numbers), big buttons for what exists (no
dead links), and the 长辈模式 switch, kept in a cookie."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from tests import factories
from tests.people import factories as people
from xiangzhi.accounts import services

pytestmark = [pytest.mark.django_db]

PHONE = "13712340001"
PASSWORD = "nanshan1958"


@pytest.fixture
def households(township):
    own = people.household(township.grid_a1, head_name="李秀英", phone=PHONE, sex="F")
    people.resident(own, name="李小军", relation="child", phone="13712340005")
    people.resident(own, name="李外迁", relation="child")
    neighbour = people.household(township.grid_a1, head_name="张邻居", phone="13712340002")
    people.resident(neighbour, name="张邻居儿", relation="child")
    far = people.household(township.grid_b1, head_name="北坡人")
    from xiangzhi.people.services import resident_move_away

    moved = own.members.get(name="李外迁")
    resident_move_away(user=None, resident=moved, date=moved.birth_date.replace(year=2025))
    return own, neighbour, far


@pytest.fixture
def villager(township, households):
    own = households[0]
    user, code = services.villager_account_create(
        resident_or_name=own.head, phone=PHONE, village=township.village_a, created_by=None
    )
    services.villager_activate(phone=PHONE, code=code, password=PASSWORD)
    user.refresh_from_db()
    return user


@pytest.fixture
def vclient(villager):
    client = Client(REMOTE_ADDR="10.0.0.40")
    assert client.post("/accounts/login/", {"username": PHONE, "password": PASSWORD})["Location"] == "/"
    return client


def test_home_shows_own_household_masked(households, villager, vclient):
    own, _, _ = households
    page = vclient.get("/").content.decode()
    assert "李秀英，您好" in page
    assert "李小军" in page and "户主" in page and "子女" in page and "岁" in page
    assert "李外迁" not in page  # moved away: no longer in the household
    assert own.address in page
    for member in own.members.filter(status="normal"):
        assert member.id_number not in page
        assert "*" * 14 + member.id_last4 in page
    assert PHONE not in page and "13712340005" not in page
    assert "*******0001" in page


def test_home_never_shows_another_household(township, households, vclient):
    page = vclient.get("/").content.decode()
    for name in ("张邻居", "张邻居儿", "北坡人"):
        assert name not in page
    # nor do the cadres' pages give a villager anything: the register is not theirs to browse, not even their
    # own household's row (their home page shows that), and every way into it is refused
    _, neighbour, far = households
    own = households[0]
    for url in (
        "/people/households/",
        "/people/residents/",
        f"/people/households/?region={township.village_a.code}",
        f"/people/households/?q={neighbour.head_name}",
        "/people/ledger/export.xlsx",
        f"/people/households/{neighbour.pk}/",
        f"/people/households/{own.pk}/",
        f"/people/residents/{neighbour.head_id}/",
        f"/api/v1/households/{neighbour.pk}",
        f"/api/v1/residents/{neighbour.head_id}",
    ):
        response = vclient.get(url)
        assert response.status_code in (403, 404), (url, response.status_code)
        body = response.content.decode()
        for name in ("张邻居", "北坡人", "李小军", own.address, neighbour.address):
            assert name not in body, (url, name)
    # the API lists answer with nothing in them (the scope of a role without people.view is empty)
    for url in ("/api/v1/households/", "/api/v1/residents/", f"/api/v1/households/?region={own.region_code}"):
        response = vclient.get(url)
        assert response.status_code in (200, 403), (url, response.status_code)
        if response.status_code == 200:
            assert (response.json()["count"], response.json()["items"]) == (0, []), url


def test_buttons_and_no_dead_links(vclient):
    page = vclient.get("/").content.decode()
    assert 'href="#household"' in page and 'id="household"' in page
    assert 'href="/accounts/password/"' in page
    assert 'action="/accounts/logout/"' in page
    assert "即将上线" not in page  # every button leads somewhere now
    assert 'href="/cases/report/">事件上报</a>' in page and 'href="/cases/">我上报的事件</a>' in page
    assert 'href="/points/">我的积分</a>' in page
    assert 'href="/deliberation/matters/">村里议事</a>' in page
    assert re.search(r'href="/board/\d{12}/">三务公开</a>', page)
    hrefs = {h for h in re.findall(r'href="([^"#][^"]*)"', page) if not h.startswith("/static/")}
    assert hrefs
    for href in hrefs:
        assert vclient.get(href).status_code == 200, href
    assert not re.findall(r'<div class="big-button soon"[^>]*>', page)


def test_villager_pages_follow_the_older_users_rules(vclient):
    page = vclient.get("/").content.decode()
    assert 'class="villager"' in page
    css = open(finders.find("web/site.css"), encoding="utf-8").read()
    rule = re.search(r"body\.villager \{([^}]*)\}", css).group(1)
    assert "font-size:18px" in rule
    line_height = float(re.search(r"line-height:([\d.]+)", rule).group(1))
    assert line_height >= 1.3
    targets = re.search(r"body\.villager \.topbar a,[^{]*\{([^}]*)\}", css).group(1)
    assert "min-height:60px" in targets and "min-width:60px" in targets
    assert "min-height:80px" in re.search(r"^\.big-buttons \.big-button \{([^}]*)\}", css, re.M).group(1)
    assert "<script>alert" not in page and "confirm(" not in page  # no pop-ups


def test_elder_mode_switch_is_kept_in_a_cookie(vclient):
    assert 'aria-pressed="false"' in vclient.get("/").content.decode()
    response = vclient.post("/accounts/elder-mode/", {"on": "1", "next": "/"})
    assert response["Location"] == "/"
    assert response.cookies["xz_elder"].value == "1"
    page = vclient.get("/").content.decode()
    assert 'class="villager elder"' in page and 'aria-pressed="true"' in page
    vclient.post("/accounts/elder-mode/", {"on": "0", "next": "/"})
    assert 'class="villager"' in vclient.get("/").content.decode()


def test_elder_mode_refuses_a_foreign_next(vclient):
    response = vclient.post("/accounts/elder-mode/", {"on": "1", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_an_account_without_a_resident_record(township):
    user, code = services.villager_account_create(
        resident_or_name="赵无户籍", phone="13712340009", village=township.village_a, created_by=None
    )
    services.villager_activate(phone="13712340009", code=code, password=PASSWORD)
    client = Client(REMOTE_ADDR="10.0.0.41")
    client.post("/accounts/login/", {"username": "13712340009", "password": PASSWORD})
    page = client.get("/").content.decode()
    assert "还没有和户籍信息关联" in page


def test_staff_still_get_the_staff_home(township):
    cadre = factories.user_with_role("village_secretary", township.village_a)
    page = factories.signed_in_client(cadre).get("/").content.decode()
    assert "您的身份" in page and "长辈模式" not in page
