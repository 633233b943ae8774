"""The people write pages: each form's happy path, each refusal answered next to its field with what was typed
kept, roles without `people.change` refused with nothing written, no clear ID echoed after a save."""

import datetime as dt
import html as htmllib
import json
import logging
import re
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from tests.factories import signed_in_client
from tests.people import factories as pf
from xiangzhi.audit.models import AuditRecord
from xiangzhi.core import clock
from xiangzhi.people.models import Household, Resident

pytestmark = pytest.mark.django_db

BORN = dt.date(1988, 3, 9)
NOW = dt.datetime(2026, 5, 10, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


# -- helpers -----------------------------------------------------------------------------------------------


def field_error(page, field: str) -> str:
    """The error shown next to `field` ("" when none)."""
    m = re.search(
        rf'<p class="error" id="id_{field}_error" role="alert">(.*?)</p>', page.content.decode(), re.S
    )
    return htmllib.unescape(m.group(1)) if m else ""


def value_of(page, name: str) -> str | None:
    """The value a text-like input re-renders with."""
    for tag in re.findall(r"<input[^>]*>", page.content.decode()):
        if f'name="{name}"' in tag and 'type="radio"' not in tag and 'type="checkbox"' not in tag:
            m = re.search(r'value="([^"]*)"', tag)
            return htmllib.unescape(m.group(1)) if m else ""
    return None


def checked(page, name: str) -> list[str]:
    tags = re.findall(r"<input[^>]*>", page.content.decode())
    return [
        htmllib.unescape(re.search(r'value="([^"]*)"', t).group(1))
        for t in tags
        if f'name="{name}"' in t and " checked" in t
    ]


def selected(page, name: str) -> str | None:
    m = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page.content.decode(), re.S)
    if not m:
        return None
    opt = re.search(r'<option value="([^"]*)" selected>', m.group(1))
    return opt.group(1) if opt else None


def audit_dump() -> str:
    return json.dumps(list(AuditRecord.objects.values("changes", "object_repr")), ensure_ascii=False)


@pytest.fixture
def secretary(township, make_user):
    return make_user("village_secretary", township.village_a)


@pytest.fixture
def committee(township, make_user):
    """A role with people.change but without reveal_pii."""
    return make_user("village_committee", township.village_a)


@pytest.fixture
def home(township):
    return pf.household(township.grid_a1, head_name="张三", number="A-001")


def resident_post(**over) -> dict:
    data = {
        "name": "张小明",
        "sex": "M",
        "birth_date": BORN.isoformat(),
        "id_number": pf.id_number(birth=BORN, sex="M"),
        "phone": "13812345678",
        "relation": "child",
        "residence": "migrant_worker",
        "tags": ["留守儿童", "残疾"],
    }
    data.update(over)
    return data


# -- households ------------------------------------------------------------------------------------------


def test_household_create_lists_only_the_users_grids_and_saves(township, secretary):
    client = signed_in_client(secretary)
    page = client.get("/people/households/new/")
    html = page.content.decode()
    assert page.status_code == 200
    assert township.grid_a1.code in html and township.grid_a2.code in html
    assert township.grid_b1.code not in html
    resp = client.post(
        "/people/households/new/",
        {
            "grid": township.grid_a2.code,
            "address": "南山村 8 号",
            "number": "A-008",
            "group_name": "三组",
            "tags": ["脱贫户"],
        },
    )
    h = Household.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/people/households/{h.pk}/residents/new/"
    assert (h.region_code, h.address, h.number, h.group_name, h.tag_list) == (
        township.grid_a2.code,
        "南山村 8 号",
        "A-008",
        "三组",
        ["脱贫户"],
    )
    rec = AuditRecord.objects.get(action="people.household_created")
    assert rec.actor == secretary
    # the next step offers the head of household first
    assert selected(client.get(resp["Location"]), "relation") == "head"


def test_household_create_refuses_a_grid_outside_the_users_own(township, make_user):
    worker = make_user("grid_worker", township.grid_a1)
    client = signed_in_client(worker)
    page = client.get("/people/households/new/")
    assert township.grid_a2.code not in page.content.decode()
    assert selected(page, "grid") == township.grid_a1.code  # the only choice is chosen
    resp = client.post(
        "/people/households/new/", {"grid": township.grid_a2.code, "address": "南山村 9 号", "number": "A-9"}
    )
    assert resp.status_code == 200
    assert field_error(resp, "grid") == "请从列表中选择网格。"
    assert (value_of(resp, "address"), value_of(resp, "number")) == ("南山村 9 号", "A-9")
    assert not Household.objects.exists()


def test_household_create_needs_an_address_and_keeps_the_rest(township, secretary):
    resp = signed_in_client(secretary).post(
        "/people/households/new/",
        {
            "grid": township.grid_a1.code,
            "address": "  ",
            "number": "A-010",
            "group_name": "二组",
            "tags": ["低保"],
        },
    )
    assert field_error(resp, "address") == "请填写住址。"
    assert (value_of(resp, "number"), value_of(resp, "group_name")) == ("A-010", "二组")
    assert selected(resp, "grid") == township.grid_a1.code
    assert checked(resp, "tags") == ["低保"]
    assert not Household.objects.exists()


def test_household_edit_saves_address_number_group_and_tags(township, secretary, home):
    old_address = home.address
    client = signed_in_client(secretary)
    page = client.get(f"/people/households/{home.pk}/edit/")
    assert value_of(page, "number") == "A-001"
    resp = client.post(
        f"/people/households/{home.pk}/edit/",
        {"address": "南山村新村 3 号", "number": "A-101", "group_name": "一组", "tags": ["低保", "监测户"]},
    )
    assert resp.status_code == 302 and resp["Location"] == f"/people/households/{home.pk}/"
    home.refresh_from_db()
    assert (home.address, home.number, home.group_name, home.tag_list) == (
        "南山村新村 3 号",
        "A-101",
        "一组",
        ["低保", "监测户"],
    )
    records = list(AuditRecord.objects.filter(actor=secretary).values_list("action", "changes"))
    assert records == [
        (
            "people.household_updated",
            {
                "address": [old_address, "南山村新村 3 号"],
                "number": ["A-001", "A-101"],
                "group_name": ["", "一组"],
                "tags": [[], ["低保", "监测户"]],
            },
        )
    ]


def test_household_edit_empty_address_writes_nothing(township, secretary, home):
    before = (home.address, home.number)
    resp = signed_in_client(secretary).post(
        f"/people/households/{home.pk}/edit/", {"address": "", "number": "A-999", "tags": ["五保"]}
    )
    assert field_error(resp, "address") == "请填写住址。"
    assert value_of(resp, "number") == "A-999" and checked(resp, "tags") == ["五保"]
    home.refresh_from_db()
    assert (home.address, home.number, home.tag_list) == (*before, [])


# -- residents: create -------------------------------------------------------------------------------------


def test_resident_create_saves_and_shows_no_clear_number_afterwards(township, committee, home, caplog):
    caplog.set_level(logging.DEBUG)
    client = signed_in_client(committee)
    data = resident_post()
    resp = client.post(f"/people/households/{home.pk}/residents/new/", data, follow=True)
    assert resp.redirect_chain == [(f"/people/households/{home.pk}/", 302)]
    r = Resident.objects.get(name="张小明")
    assert (r.household, r.sex, r.birth_date, r.relation, r.residence, r.tag_list) == (
        home,
        "M",
        BORN,
        "child",
        "migrant_worker",
        ["残疾", "留守儿童"],
    )
    assert r.id_number == data["id_number"] and r.phone == "13812345678"
    html = resp.content.decode()
    assert "已登记张小明。" in html
    assert data["id_number"] not in html and "13812345678" not in html
    assert "*" * 14 + data["id_number"][-4:] in html
    for secret in (data["id_number"], "13812345678"):
        assert secret not in audit_dump() and secret not in caplog.text
    home.refresh_from_db()
    assert home.member_count == 2


def test_resident_create_and_add_another(township, secretary, home):
    client = signed_in_client(secretary)
    resp = client.post(
        f"/people/households/{home.pk}/residents/new/", {**resident_post(), "add_another": "1"}
    )
    assert resp["Location"] == f"/people/households/{home.pk}/residents/new/"
    assert selected(client.get(resp["Location"]), "relation") == "child"  # the household has its head


def _flip_check_digit(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


@pytest.mark.parametrize(
    "over, field, message",
    [
        ({"name": ""}, "name", "请填写姓名。"),
        ({"id_number": "1410291988"}, "id_number", "身份证号应为 18 位，实际为 10 位。"),
        ({"birth_date": "1988-13-40"}, "birth_date", "请按“年-月-日”填写日期，如 1961-07-15。"),
        (
            {"birth_date": "1988-03-10"},
            "id_number",
            "身份证号中的出生日期（1988-03-09）与填写的出生日期（1988-03-10）不一致。",
        ),
        ({"sex": "F"}, "sex", "性别（女）与身份证号不符（身份证号第 17 位表示男）。"),
        ({"phone": "1381234567"}, "phone", "联系电话应为以 1 开头的 11 位手机号码。"),
        ({"relation": "head"}, "relation", "该户已有户主（张三）；如需变更户主，请在户详情中设置。"),
    ],
)
def test_resident_create_errors_next_to_the_field_with_input_kept(
    township, secretary, home, over, field, message
):
    data = resident_post(**over)
    resp = signed_in_client(secretary).post(f"/people/households/{home.pk}/residents/new/", data)
    assert resp.status_code == 200
    assert field_error(resp, field) == message
    assert "请按下面标出的提示修改后再提交" in resp.content.decode()
    for name in ("name", "birth_date", "id_number", "phone"):
        assert value_of(resp, name) == data[name], name
    assert checked(resp, "sex") == [data["sex"]]
    assert sorted(checked(resp, "tags")) == sorted(data["tags"])
    assert selected(resp, "residence") == "migrant_worker"
    assert Resident.objects.count() == 1  # the head only
    assert not AuditRecord.objects.filter(action="people.resident_created", actor=secretary).exists()
    assert resp["Cache-Control"].startswith("max-age=0") and "no-store" in resp["Cache-Control"]


def test_resident_create_bad_check_digit_is_refused_and_never_logged(township, secretary, home, caplog):
    caplog.set_level(logging.DEBUG)
    bad = _flip_check_digit(pf.id_number(birth=BORN, sex="M"))
    resp = signed_in_client(secretary).post(
        f"/people/households/{home.pk}/residents/new/", resident_post(id_number=bad, phone="1381234")
    )
    assert field_error(resp, "id_number") == "身份证号校验位不正确，请核对是否录错。"
    assert field_error(resp, "phone") == "联系电话应为以 1 开头的 11 位手机号码。"  # both in one round
    assert value_of(resp, "id_number") == bad  # the typist sees what they typed
    assert bad not in caplog.text and bad not in audit_dump()
    assert Resident.objects.count() == 1


def test_resident_create_duplicate_id_number(township, secretary, home):
    taken = home.head.id_number
    resp = signed_in_client(secretary).post(
        f"/people/households/{home.pk}/residents/new/",
        resident_post(
            id_number=taken.lower(), birth_date=home.head.birth_date.isoformat(), sex=home.head.sex
        ),
    )
    assert field_error(resp, "id_number").startswith("该身份证号已登记，不能重复登记")
    assert value_of(resp, "name") == "张小明"
    assert Resident.objects.count() == 1


def test_resident_pages_refused_without_people_change(township, make_user, home):
    supervisor = make_user("supervisor", township.village_a)  # sees the register, may not change it
    client = signed_in_client(supervisor)
    head = home.head
    for url in (
        "/people/households/new/",
        f"/people/households/{home.pk}/edit/",
        f"/people/households/{home.pk}/residents/new/",
        f"/people/residents/{head.pk}/edit/",
        f"/people/residents/{head.pk}/set-head/",
        f"/people/residents/{head.pk}/move-away/",
        f"/people/residents/{head.pk}/deceased/",
    ):
        assert client.get(url).status_code == 403, url
        assert (
            client.post(
                url, {**resident_post(), "address": "x", "date": "2020-01-01", "confirmed": "1"}
            ).status_code
            == 403
        ), url
    assert Resident.objects.count() == 1 and Household.objects.count() == 1
    head.refresh_from_db()
    assert head.status == Resident.STATUS_NORMAL and head.name == "张三"
    assert AuditRecord.objects.filter(actor=supervisor, result="denied").count() == 14
    assert not AuditRecord.objects.filter(actor=supervisor, result="ok").exists()


def test_out_of_reach_household_is_404_and_nothing_written(township, secretary):
    other = pf.household(township.grid_b1, head_name="王五")
    resp = signed_in_client(secretary).post(f"/people/households/{other.pk}/residents/new/", resident_post())
    assert resp.status_code == 404
    assert Resident.objects.count() == 1


def test_csrf_is_enforced(township, secretary, home):
    from django_otp import DEVICE_ID_SESSION_KEY

    from xiangzhi.accounts.services import totp_device_ensure

    client = Client(enforce_csrf_checks=True, REMOTE_ADDR="10.1.1.1")
    client.force_login(secretary)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = totp_device_ensure(secretary).persistent_id
    session.save()
    page = client.get(f"/people/households/{home.pk}/residents/new/")
    assert 'name="csrfmiddlewaretoken"' in page.content.decode()
    resp = client.post(f"/people/households/{home.pk}/residents/new/", resident_post())
    assert resp.status_code == 403
    assert Resident.objects.count() == 1


# -- residents: edit ----------------------------------------------------------------------------------------


@pytest.fixture
def child(home):
    return pf.resident(home, name="张小花", sex="F", birth=dt.date(2012, 5, 6), phone="13900001111")


def edit_post(resident, **over) -> dict:
    data = {
        "name": resident.name,
        "sex": resident.sex,
        "relation": resident.relation,
        "residence": resident.residence,
        "id_number": "",
        "birth_date": "",
        "phone": "",
        "tags": resident.tag_list,
    }
    data.update(over)
    return data


def test_resident_edit_form_never_prefills_the_numbers(township, committee, child):
    page = signed_in_client(committee).get(f"/people/residents/{child.pk}/edit/")
    html = page.content.decode()
    assert page.status_code == 200
    assert child.id_number not in html and "13900001111" not in html and "2012-05-06" not in html
    assert value_of(page, "id_number") is not None and value_of(page, "id_number") == ""
    assert f"尾号 {child.id_number[-4:]}" in html and "尾号 1111" in html
    assert value_of(page, "name") == "张小花"


def test_resident_edit_saves_and_leaves_blank_numbers_alone(township, committee, child, caplog):
    caplog.set_level(logging.DEBUG)
    number = child.id_number
    client = signed_in_client(committee)
    resp = client.post(
        f"/people/residents/{child.pk}/edit/",
        edit_post(child, name="张晓花", phone="13700002222", residence="resident", tags=["留守儿童"]),
        follow=True,
    )
    assert resp.redirect_chain == [(f"/people/residents/{child.pk}/", 302)]
    child.refresh_from_db()
    assert (child.name, child.id_number, child.phone, child.residence, child.tag_list) == (
        "张晓花",
        number,
        "13700002222",
        "resident",
        ["留守儿童"],
    )
    html = resp.content.decode()
    assert "13700002222" not in html and "*******2222" in html and number not in html
    rec = AuditRecord.objects.get(action="people.resident_updated")
    assert rec.changes == {
        "name": ["张小花", "张晓花"],
        "residence": ["registered", "resident"],
        "tags": [[], ["留守儿童"]],
        "sensitive_changed": ["phone"],
    }
    assert not AuditRecord.objects.filter(action="people.resident_tags_changed").exists()
    assert "13700002222" not in audit_dump() and "13700002222" not in caplog.text


def test_resident_edit_new_id_number_checked_with_sex_and_birth_date(township, secretary, child):
    client = signed_in_client(secretary)
    new = pf.id_number(birth=dt.date(2012, 5, 7), sex="F")
    resp = client.post(
        f"/people/residents/{child.pk}/edit/", edit_post(child, id_number=new, birth_date="2012-05-08")
    )
    assert field_error(resp, "id_number") == (
        "身份证号中的出生日期（2012-05-07）与填写的出生日期（2012-05-08）不一致。"
    )
    assert value_of(resp, "id_number") == new and value_of(resp, "birth_date") == "2012-05-08"
    resp = client.post(f"/people/residents/{child.pk}/edit/", edit_post(child, id_number=new))
    assert resp.status_code == 302
    child.refresh_from_db()
    assert (child.id_number, child.birth_date) == (new, dt.date(2012, 5, 7))
    assert AuditRecord.objects.get(action="people.resident_updated").changes == {
        "sensitive_changed": ["id_number", "birth_date"]
    }


def test_resident_edit_birth_date_alone_is_refused_without_revealing_the_stored_one(
    township, committee, child
):
    resp = signed_in_client(committee).post(
        f"/people/residents/{child.pk}/edit/", edit_post(child, birth_date="2011-01-01")
    )
    assert field_error(resp, "birth_date") == "出生日期以身份证号为准：如需更正，请同时填写正确的身份证号。"
    assert "2012-05-06" not in resp.content.decode()
    child.refresh_from_db()
    assert child.birth_date == dt.date(2012, 5, 6)


def test_resident_edit_duplicate_id_and_empty_name(township, secretary, home, child):
    client = signed_in_client(secretary)
    resp = client.post(
        f"/people/residents/{child.pk}/edit/",
        edit_post(child, id_number=home.head.id_number, sex=home.head.sex),
    )
    assert field_error(resp, "id_number").startswith("该身份证号已登记")
    resp = client.post(f"/people/residents/{child.pk}/edit/", edit_post(child, name="", phone="13700003333"))
    assert field_error(resp, "name") == "请填写姓名。"
    assert value_of(resp, "phone") == "13700003333"
    child.refresh_from_db()
    assert (child.name, child.phone) == ("张小花", "13900001111")
    assert not AuditRecord.objects.filter(action="people.resident_updated").exists()


def test_resident_edit_clears_the_phone_and_head_relation_is_fixed(township, secretary, home, child):
    client = signed_in_client(secretary)
    assert (
        client.post(f"/people/residents/{child.pk}/edit/", edit_post(child, clear_phone="on")).status_code
        == 302
    )
    child.refresh_from_db()
    assert (child.phone, child.phone_last4) == ("", "")
    head = home.head
    page = client.get(f"/people/residents/{head.pk}/edit/")
    assert "变更户主请在另一名成员的页面上点“设为户主”" in page.content.decode()
    # a forged relation for the head is ignored (the field is disabled)
    assert (
        client.post(f"/people/residents/{head.pk}/edit/", edit_post(head, relation="child")).status_code
        == 302
    )
    head.refresh_from_db()
    assert head.relation == "head"


# -- head of household, moved away, deceased --------------------------------------------------------------------


def test_set_head_confirms_then_changes(township, secretary, home, child):
    client = signed_in_client(secretary)
    page = client.get(f"/people/residents/{child.pk}/set-head/")
    html = page.content.decode()
    assert "请确认：将<strong>张小花</strong>设为本户" in html and "原户主<strong>张三</strong>" in html
    home.refresh_from_db()
    assert home.head_id != child.pk  # the GET changed nothing
    resp = client.post(f"/people/residents/{child.pk}/set-head/")
    assert resp.status_code == 302 and resp["Location"] == f"/people/households/{home.pk}/"
    home.refresh_from_db()
    child.refresh_from_db()
    assert (home.head_id, home.head_name, child.relation) == (child.pk, "张小花", "head")
    assert Resident.objects.get(name="张三").relation == "other"


def test_move_away_has_a_confirmation_step(township, secretary, child):
    clock.set_fixed(NOW)
    client = signed_in_client(secretary)
    url = f"/people/residents/{child.pk}/move-away/"
    assert value_of(client.get(url), "date") == "2026-05-10"
    step1 = client.post(url, {"date": "2026-05-01"})
    html = step1.content.decode()
    assert "请确认：将<strong>张小花</strong>登记为<strong>已迁出</strong>" in html
    assert value_of(step1, "date") == "2026-05-01" and value_of(step1, "confirmed") == "1"
    child.refresh_from_db()
    assert child.status == Resident.STATUS_NORMAL  # nothing until confirmed
    back = client.post(url, {"date": "2026-05-01", "confirmed": "1", "edit": "1"})
    assert value_of(back, "date") == "2026-05-01" and "请确认" not in back.content.decode()
    done = client.post(url, {"date": "2026-05-01", "confirmed": "1"})
    assert done.status_code == 302 and done["Location"] == f"/people/residents/{child.pk}/"
    child.refresh_from_db()
    assert (child.status, child.status_date) == (Resident.STATUS_MOVED, dt.date(2026, 5, 1))
    again = client.get(url).content.decode()
    assert "已是“已迁出”状态" in again and "下一步" not in again


@pytest.mark.parametrize(
    "date, message",
    [
        ("2026-05-11", "日期不能晚于今天。"),
        ("2012-05-05", "日期不能早于出生日期。"),
        ("", "请填写日期。"),
        ("5月1日", "请按“年-月-日”填写日期，如 1961-07-15。"),
    ],
)
def test_deceased_date_errors_at_either_step(township, secretary, child, date, message):
    clock.set_fixed(NOW)
    client = signed_in_client(secretary)
    url = f"/people/residents/{child.pk}/deceased/"
    for data in ({"date": date}, {"date": date, "confirmed": "1"}):
        resp = client.post(url, data)
        assert field_error(resp, "date") == message
        assert value_of(resp, "date") == date
    child.refresh_from_db()
    assert child.status == Resident.STATUS_NORMAL
    assert not AuditRecord.objects.filter(action="people.resident_deceased").exists()


def test_deceased_confirmed_closes_the_last_members_household(township, secretary):
    clock.set_fixed(NOW)
    alone = pf.household(township.grid_a1, head_name="孤老")
    client = signed_in_client(secretary)
    url = f"/people/residents/{alone.head_id}/deceased/"
    assert "本户将转为“已销户”" in client.post(url, {"date": "2026-05-09"}).content.decode()
    assert client.post(url, {"date": "2026-05-09", "confirmed": "1"}).status_code == 302
    alone.refresh_from_db()
    assert (alone.status, alone.member_count) == (Household.STATUS_CLOSED, 0)


# -- links on the read pages follow the policy -----------------------------------------------------------------


def test_write_links_shown_only_to_roles_that_may_use_them(township, make_user, secretary, home, child):
    sec = signed_in_client(secretary)
    detail = sec.get(f"/people/households/{home.pk}/").content.decode()
    assert f"/people/households/{home.pk}/edit/" in detail
    assert f"/people/households/{home.pk}/residents/new/" in detail
    assert f"/people/residents/{child.pk}/set-head/" in detail
    assert f"/party/households/{home.pk}/links/new/" in detail  # party.change
    assert "/people/households/new/" in sec.get("/people/households/").content.decode()
    res = sec.get(f"/people/residents/{child.pk}/").content.decode()
    for part in ("edit/", "set-head/", "move-away/", "deceased/"):
        assert f"/people/residents/{child.pk}/{part}" in res

    committee = signed_in_client(make_user("village_committee", township.village_a))
    detail = committee.get(f"/people/households/{home.pk}/").content.decode()
    assert f"/people/households/{home.pk}/edit/" in detail
    assert "/links/new/" not in detail  # no party.change

    supervisor = signed_in_client(make_user("supervisor", township.village_a))
    detail = supervisor.get(f"/people/households/{home.pk}/").content.decode()
    res = supervisor.get(f"/people/residents/{child.pk}/").content.decode()
    assert "/edit/" not in detail and "/residents/new/" not in detail and "/set-head/" not in detail
    assert "/edit/" not in res and "/move-away/" not in res
    assert "/people/households/new/" not in supervisor.get("/people/households/").content.decode()
