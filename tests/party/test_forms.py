"""The party write pages: adding members (from a resident found by search, or by name for 流动党员), 转正,
marking a member off the roll, 党员联户 from both ends with the limit shown on the form, and refusals."""

import pytest

from tests.factories import signed_in_client
from tests.party import factories as partyf
from tests.people import factories as pf
from tests.people.test_forms import checked, field_error, value_of
from xiangzhi.audit.models import AuditRecord
from xiangzhi.core.errors import Conflict, PermissionDenied, ValidationFailed
from xiangzhi.party import services
from xiangzhi.party.models import HouseholdLink, PartyMember

pytestmark = pytest.mark.django_db


@pytest.fixture
def branch(township):
    return partyf.branch(township.village_a, name="南山村党支部")


@pytest.fixture
def secretary(township, make_user):
    return make_user("village_secretary", township.village_a)


@pytest.fixture
def client(secretary):
    return signed_in_client(secretary)


def form_errors(page) -> str:
    """The messages in the box above the form (the ones that belong to no single field)."""
    html = page.content.decode()
    start = html.find('<div class="error" role="alert">')
    return html[start : html.find("</div>", start)] if start >= 0 else ""


# -- services added for the pages ----------------------------------------------------------------------------


def test_make_full_and_deactivate_services(township, branch, make_user):
    m = services.party_member_add(user=None, org=branch, name="预备甲", status="probationary")
    services.party_member_make_full(user=None, member=m)
    m.refresh_from_db()
    assert m.status == PartyMember.STATUS_FULL
    with pytest.raises(Conflict, match="预备甲已是正式党员"):
        services.party_member_make_full(user=None, member=m)
    services.party_member_deactivate(user=None, member=m)
    m.refresh_from_db()
    assert m.is_active is False
    with pytest.raises(Conflict, match="已不在册"):
        services.party_member_deactivate(user=None, member=m)
    p = services.party_member_add(user=None, org=branch, name="预备乙", status="probationary")
    services.party_member_deactivate(user=None, member=p)
    with pytest.raises(ValidationFailed, match="已不在册，不能转正"):
        services.party_member_make_full(user=None, member=p)
    with pytest.raises(PermissionDenied):
        services.party_member_deactivate(user=make_user("village_committee", township.village_a), member=m)
    actions = list(AuditRecord.objects.filter(result="ok").values_list("action", flat=True))
    assert actions.count("party.member_made_full") == 1 and actions.count("party.member_deactivated") == 2


# -- adding a member ---------------------------------------------------------------------------------------------


def test_member_add_search_keeps_what_was_typed_and_saves_the_chosen_resident(township, branch, client):
    zhang = pf.household(township.grid_a1, head_name="张三").head
    pf.household(township.grid_a2, head_name="张四")
    pf.household(township.grid_b1, head_name="张五")  # another village: not the branch's
    url = f"/party/orgs/{branch.pk}/members/new/"
    typed = {"source": "resident", "q": "张", "status": "probationary", "joined_on": "2025-07-01"}
    found = client.post(url, {**typed, "search": "1"})
    html = found.content.decode()
    assert found.status_code == 200
    assert "张三" in html and "张四" in html and "张五" not in html
    assert zhang.id_number not in html and "*" * 14 + zhang.id_number[-4:] in html
    assert checked(found, "status") == ["probationary"] and value_of(found, "joined_on") == "2025-07-01"
    assert value_of(found, "q") == "张"
    assert 'class="error"' not in html  # a search is not a failed save
    assert not PartyMember.objects.exists()
    resp = client.post(url, {**typed, "resident": str(zhang.pk)})
    member = PartyMember.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/party/members/{member.pk}/"
    assert (member.name, member.resident, member.status, member.is_mobile, str(member.joined_on)) == (
        "张三",
        zhang,
        "probationary",
        False,
        "2025-07-01",
    )
    # already a member: no longer offered, and a forged id is refused
    again = client.post(url, {**typed, "search": "1"}).content.decode()
    assert f'id="resident_{zhang.pk}"' not in again and "张四" in again
    resp = client.post(url, {**typed, "resident": str(zhang.pk)})
    assert "请先查找并在结果中选择一名居民。" in resp.content.decode()
    assert PartyMember.objects.count() == 1


def test_member_add_refuses_a_forged_resident_from_another_village(township, branch, client):
    wang = pf.household(township.grid_b1, head_name="王五").head
    resp = client.post(
        f"/party/orgs/{branch.pk}/members/new/",
        {"source": "resident", "resident": str(wang.pk), "status": "full", "q": "王"},
    )
    assert resp.status_code == 200 and "请先查找并在结果中选择一名居民。" in resp.content.decode()
    assert "王五" not in resp.content.decode()
    assert value_of(resp, "q") == "王"
    assert not PartyMember.objects.exists()


def test_member_add_by_name_is_a_mobile_member(township, branch, client):
    url = f"/party/orgs/{branch.pk}/members/new/"
    resp = client.post(url, {"source": "name", "name": "", "status": "full", "joined_on": "2001-07-01"})
    assert "请填写党员姓名。" in resp.content.decode()
    assert checked(resp, "source") == ["name"] and value_of(resp, "joined_on") == "2001-07-01"
    assert not PartyMember.objects.exists()
    resp = client.post(url, {"source": "name", "name": "外出甲", "status": "full"})
    m = PartyMember.objects.get()
    assert (m.name, m.is_mobile, m.resident, m.region_code) == ("外出甲", True, None, township.village_a.code)


def test_member_add_future_join_date_is_the_services_message_next_to_the_field(township, branch, client):
    from xiangzhi.core import clock

    tomorrow = clock.today().toordinal() + 1
    import datetime as dt

    date = dt.date.fromordinal(tomorrow).isoformat()
    resp = client.post(
        f"/party/orgs/{branch.pk}/members/new/",
        {"source": "name", "name": "外出乙", "status": "probationary", "joined_on": date},
    )
    assert field_error(resp, "joined_on") == "入党日期不能晚于今天。"
    assert value_of(resp, "name") == "外出乙" and checked(resp, "status") == ["probationary"]
    assert not PartyMember.objects.exists()


# -- 转正, off the roll ----------------------------------------------------------------------------------------------


def test_make_full_and_deactivate_pages_confirm_first(township, branch, client):
    m = services.party_member_add(user=None, org=branch, name="预备丙", status="probationary")
    detail = client.get(f"/party/members/{m.pk}/").content.decode()
    assert f"/party/members/{m.pk}/full/" in detail and f"/party/members/{m.pk}/deactivate/" in detail
    page = client.get(f"/party/members/{m.pk}/full/").content.decode()
    assert "确认转为正式党员" in page
    m.refresh_from_db()
    assert m.status == "probationary"
    assert client.post(f"/party/members/{m.pk}/full/")["Location"] == f"/party/members/{m.pk}/"
    m.refresh_from_db()
    assert m.status == "full"
    assert "预备丙已是正式党员" in client.get(f"/party/members/{m.pk}/full/").content.decode()
    assert "已是正式党员" in client.post(f"/party/members/{m.pk}/full/").content.decode()
    assert "确认标记为不在册" in client.get(f"/party/members/{m.pk}/deactivate/").content.decode()
    assert client.post(f"/party/members/{m.pk}/deactivate/").status_code == 302
    m.refresh_from_db()
    assert m.is_active is False
    detail = client.get(f"/party/members/{m.pk}/").content.decode()
    assert "已不在册" in detail and "/links/new/" not in detail and "/deactivate/" not in detail


# -- 党员联户 -------------------------------------------------------------------------------------------------------


def test_link_from_the_member_page_and_the_limit_on_the_form(township, branch, client):
    township.village_a.household_link_limit = 2
    township.village_a.save()
    m = services.party_member_add(user=None, org=branch, name="党员甲")
    hs = [pf.household(township.grid_a1, head_name=f"户{i}") for i in range(3)]
    other_village = pf.household(township.grid_b1, head_name="北坡户")
    url = f"/party/members/{m.pk}/links/new/"
    page = client.get(url).content.decode()
    assert all(h.head_name in page for h in hs) and "北坡户" not in page
    assert "已联系 0 户，每名党员最多联系 2 户" in page
    for h in hs[:2]:
        resp = client.post(url, {"household": str(h.pk)})
        assert resp.status_code == 302 and resp["Location"] == f"/party/members/{m.pk}/"
    resp = client.post(url, {"household": str(hs[2].pk), "q": "户2"})
    assert resp.status_code == 200
    assert "每名党员最多联系 2 户，党员甲已联系 2 户，不能再增加。" in form_errors(resp)
    assert value_of(resp, "q") == "户2" and checked(resp, "household") == [str(hs[2].pk)]
    assert HouseholdLink.objects.count() == 2
    # a household outside the branch's villages cannot be forged in
    resp = client.post(url, {"household": str(other_village.pk)})
    assert "请在列表中选择一户。" in resp.content.decode()
    assert HouseholdLink.objects.count() == 2


def test_link_search_finds_households_already_looked_after_by_others(township, branch, client):
    a = services.party_member_add(user=None, org=branch, name="党员甲")
    b = services.party_member_add(user=None, org=branch, name="党员乙")
    h = pf.household(township.grid_a1, head_name="李四")
    services.household_link_add(user=None, member=a, household=h)
    url = f"/party/members/{b.pk}/links/new/"
    assert "李四" not in client.get(url).content.decode()  # the default list: households nobody looks after
    found = client.post(url, {"q": "李四", "search": "1"})
    assert "李四" in found.content.decode() and 'class="error"' not in found.content.decode()
    assert client.post(url, {"q": "李四", "household": str(h.pk)}).status_code == 302
    assert HouseholdLink.objects.filter(household=h).count() == 2


def test_link_from_the_household_page_shows_counts_and_the_limit(township, branch, client):
    township.village_a.household_link_limit = 1
    township.village_a.save()
    full = services.party_member_add(user=None, org=branch, name="党员满")
    free = services.party_member_add(user=None, org=branch, name="党员空")
    first = pf.household(township.grid_a1, head_name="赵一")
    services.household_link_add(user=None, member=full, household=first)
    h = pf.household(township.grid_a2, head_name="赵二")
    url = f"/party/households/{h.pk}/links/new/"
    page = client.get(url).content.decode()
    assert "党员满（南山村党支部，已联系 1/1 户）" in page and "党员空（南山村党支部，已联系 0/1 户）" in page
    resp = client.post(url, {"member": str(full.pk)})
    assert "每名党员最多联系 1 户，党员满已联系 1 户，不能再增加。" in form_errors(resp)
    assert checked(resp, "member") == [str(full.pk)]
    assert not HouseholdLink.objects.filter(household=h).exists()
    resp = client.post(url, {"member": str(free.pk)})
    assert resp.status_code == 302 and resp["Location"] == f"/people/households/{h.pk}/"
    assert HouseholdLink.objects.get(household=h).member == free
    assert "请选择一名党员。" in client.post(url, {}).content.decode()


def test_unlink_confirms_and_returns_where_it_came_from(township, branch, client):
    m = services.party_member_add(user=None, org=branch, name="党员甲")
    h = pf.household(township.grid_a1, head_name="钱六")
    link = services.household_link_add(user=None, member=m, household=h)
    detail = client.get(f"/people/households/{h.pk}/").content.decode()
    assert f"/party/links/{link.pk}/remove/?back=household" in detail
    page = client.get(f"/party/links/{link.pk}/remove/?back=household").content.decode()
    assert "请确认：解除党员<strong>党员甲</strong>与<strong>钱六户</strong>" in page
    assert HouseholdLink.objects.exists()
    resp = client.post(f"/party/links/{link.pk}/remove/?back=household")
    assert resp.status_code == 302 and resp["Location"] == f"/people/households/{h.pk}/"
    assert not HouseholdLink.objects.exists()
    rec = AuditRecord.objects.get(action="party.household_unlinked")
    assert rec.changes == {"member": m.pk, "household": h.pk}


# -- refusals and links by policy ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role, level", [("village_committee", "village_a"), ("grid_worker", "grid_a1")])
def test_party_write_pages_refused_without_party_change(township, branch, make_user, role, level):
    h = pf.household(township.grid_a1, head_name="孙七")
    m = services.party_member_add(user=None, org=branch, resident=h.head, status="probationary")
    link = services.household_link_add(user=None, member=m, household=h)
    h2 = pf.household(township.grid_a1, head_name="孙八")
    user = make_user(role, getattr(township, level))
    client = signed_in_client(user)
    detail = client.get(f"/party/members/{m.pk}/")
    assert detail.status_code == 200  # may see (the member lives in the grid)
    html = detail.content.decode() + client.get(f"/party/orgs/{branch.pk}/").content.decode()
    html += client.get(f"/people/households/{h.pk}/").content.decode()
    for part in ("/full/", "/deactivate/", "/links/new/", "/members/new/", "/remove/"):
        assert part not in html, part
    posts = {
        f"/party/orgs/{branch.pk}/members/new/": {"source": "name", "name": "冒名", "status": "full"},
        f"/party/members/{m.pk}/full/": {},
        f"/party/members/{m.pk}/deactivate/": {},
        f"/party/members/{m.pk}/links/new/": {"household": str(h2.pk)},
        f"/party/households/{h2.pk}/links/new/": {"member": str(m.pk)},
        f"/party/links/{link.pk}/remove/": {},
    }
    for url, data in posts.items():
        # 403 where the user sees the object, 404 where not even that (the grid worker and the village's org)
        expected = 404 if role == "grid_worker" and "/orgs/" in url else 403
        assert client.get(url).status_code == expected, url
        assert client.post(url, data).status_code == expected, url
    m.refresh_from_db()
    assert (m.status, m.is_active) == ("probationary", True)
    assert PartyMember.objects.count() == 1
    assert list(HouseholdLink.objects.values_list("pk", flat=True)) == [link.pk]
    denied = AuditRecord.objects.filter(actor=user, result="denied")
    assert denied.count() == 12 + (1 if role == "grid_worker" else 0)  # + the org page the worker may not see


def test_secretary_sees_the_add_member_link(township, branch, client):
    assert f"/party/orgs/{branch.pk}/members/new/" in client.get(f"/party/orgs/{branch.pk}/").content.decode()
