"""Villagers' accounts run by the village: residents with and without an account, opening one from the resident's
phone on file, and the activation slip — the code on it once, nowhere else (not the audit log, not a list)."""

import re

import pytest
from django.test import Client

from tests import factories
from tests.accounts import factories as acc
from tests.people import factories as people
from xiangzhi.accounts import services
from xiangzhi.accounts.models import ActivationCode, User
from xiangzhi.audit.models import AuditRecord
from xiangzhi.core.errors import ValidationFailed
from xiangzhi.people.services import resident_mark_deceased

pytestmark = [pytest.mark.django_db]

PHONE = "13712340001"
PASSWORD = "nanshan1958"
NAME_CELL = 'data-label="姓名">%s<'


@pytest.fixture
def secretary(township):
    return factories.user_with_role("village_secretary", township.village_a, username="shuji")


@pytest.fixture
def client(secretary):
    return factories.signed_in_client(secretary)


@pytest.fixture
def family(township):
    """A household in village A: the head with a phone on file, a son without one."""
    h = people.household(township.grid_a1, head_name="李秀英", phone=PHONE, sex="F")
    son = people.resident(h, name="李小军", relation="child")
    return h, h.head, son


def code_on(page: str) -> str:
    match = re.search(r'class="slip-code"[^>]*>(\d{8})<', page)
    assert match, "no code on the slip"
    return match.group(1)


def open_account(client, resident, fmt="html"):
    return client.post(f"/accounts/villagers/residents/{resident.pk}/open/", {"format": fmt})


def test_village_list_shows_the_cadres_villages_only(township, client):
    page = client.get("/accounts/villagers/").content.decode()
    assert "南山村" in page and "北坡村" not in page


def test_residents_page_lists_own_village_with_masked_phones(township, client, family):
    people.household(township.grid_b1, head_name="北坡户主", phone="13712340002")
    page = client.get(f"/accounts/villagers/{township.village_a.code}/").content.decode()
    assert "李秀英" in page and "李小军" in page and "北坡户主" not in page
    assert "尾号 0001" in page and PHONE not in page
    assert "未登记" in page and "开通账号" in page
    assert client.get(f"/accounts/villagers/{township.village_b.code}/").status_code == 404


def test_open_an_account_and_print_the_slip(township, secretary, client, family):
    _, head, _ = family
    response = open_account(client, head)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    page = response.content.decode()
    code = code_on(page)
    assert page.count(code) == 1  # the code is shown once
    for words in (
        "南山村",
        "李秀英",
        "有效期至",
        "/accounts/activate/",
        "尾号 0001",
        "输入上面的 8 位激活码",
    ):
        assert words in page
    assert PHONE not in page

    user = User.objects.get(resident=head)
    assert user.kind == User.KIND_VILLAGER and user.region_code == township.village_a.code
    assert user.person_key == head.id_number_hash
    # never in the audit log, never in a list
    for rec in AuditRecord.objects.values():
        assert code not in str(rec) and PHONE not in str(rec)
    listed = client.get(f"/accounts/villagers/{township.village_a.code}/").content.decode()
    assert code not in listed and "待激活" in listed and "重新发放激活码" in listed
    assert code not in client.get("/accounts/villagers/").content.decode()

    # the villager activates with it and signs in with the phone
    villager = Client(REMOTE_ADDR="10.0.0.30")
    villager.post(
        "/accounts/activate/", {"phone": PHONE, "code": code, "password": PASSWORD, "password2": PASSWORD}
    )
    assert villager.post("/accounts/login/", {"username": PHONE, "password": PASSWORD})["Location"] == "/"
    assert "已激活" in client.get(f"/accounts/villagers/{township.village_a.code}/").content.decode()


def test_reissue_voids_the_old_code(township, client, family):
    _, head, _ = family
    old = code_on(open_account(client, head).content.decode())
    user = User.objects.get(resident=head)
    response = client.post(f"/accounts/villagers/accounts/{user.pk}/code/", {"format": "html"})
    new = code_on(response.content.decode())
    assert response["Cache-Control"] == "no-store"
    assert ActivationCode.objects.filter(user=user, revoked_at__isnull=True).count() == 1
    with pytest.raises(ValidationFailed):
        services.villager_activate(phone=PHONE, code=old, password=PASSWORD)
    services.villager_activate(phone=PHONE, code=new, password=PASSWORD)
    for rec in AuditRecord.objects.values():
        assert old not in str(rec) and new not in str(rec)


def test_the_slip_as_pdf(township, client, family):
    _, head, _ = family
    response = open_account(client, head, fmt="pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    assert response.content.startswith(b"%PDF")
    assert User.objects.filter(resident=head).count() == 1


def test_a_resident_without_a_phone_gets_no_account(township, client, family):
    _, _, son = family
    response = open_account(client, son)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "没有登记手机号" in page
    assert not User.objects.filter(resident=son).exists()
    assert not AuditRecord.objects.filter(action="accounts.villager_created").exists()


def test_a_resident_has_one_account(township, client, family):
    _, head, _ = family
    open_account(client, head)
    response = open_account(client, head)
    assert response.status_code == 302
    assert "已开通账号" in client.get(response["Location"]).content.decode()
    assert User.objects.filter(resident=head).count() == 1
    assert ActivationCode.objects.filter(user__resident=head).count() == 1


def test_a_deceased_resident_is_not_listed_and_gets_no_account(township, client, family):
    _, head, _ = family
    resident_mark_deceased(user=None, resident=head, date=head.birth_date.replace(year=2025))
    listed = client.get(f"/accounts/villagers/{township.village_a.code}/").content.decode()
    assert NAME_CELL % "李秀英" not in listed and NAME_CELL % "李小军" in listed
    assert open_account(client, head).status_code == 302
    assert not User.objects.filter(resident=head).exists()


def test_another_villages_resident_or_account_is_a_404_and_audited(township, client):
    h = people.household(township.grid_b1, head_name="北坡户主", phone="13712340002")
    before = AuditRecord.objects.filter(result=AuditRecord.RESULT_DENIED).count()
    assert open_account(client, h.head).status_code == 404
    other, _ = services.villager_account_create(
        resident_or_name="北坡村民", phone="13712340003", village=township.village_b, created_by=None
    )
    assert (
        client.post(f"/accounts/villagers/accounts/{other.pk}/code/", {"format": "html"}).status_code == 404
    )
    assert AuditRecord.objects.filter(result=AuditRecord.RESULT_DENIED).count() == before + 2
    assert not User.objects.filter(resident=h.head).exists()
    assert ActivationCode.objects.filter(user=other).count() == 1


def test_village_committee_may_and_grid_worker_may_not(township, family):
    _, head, _ = family
    committee = factories.signed_in_client(factories.user_with_role("village_committee", township.village_a))
    assert committee.get(f"/accounts/villagers/{township.village_a.code}/").status_code == 200
    assert open_account(committee, head).status_code == 200
    worker = factories.signed_in_client(factories.user_with_role("grid_worker", township.grid_a1))
    assert worker.get("/accounts/villagers/").status_code == 404
    assert worker.get(f"/accounts/villagers/{township.village_a.code}/").status_code == 404


def test_filter_residents_by_account(township, client, family):
    _, head, son = family
    open_account(client, head)
    with_account = client.get(f"/accounts/villagers/{township.village_a.code}/?account=yes").content.decode()
    without = client.get(f"/accounts/villagers/{township.village_a.code}/?account=no").content.decode()
    assert NAME_CELL % "李秀英" in with_account and NAME_CELL % "李小军" not in with_account
    assert NAME_CELL % "李小军" in without and NAME_CELL % "李秀英" not in without


def test_accounts_opened_by_name_are_listed_and_can_be_reissued(township, client):
    user, _ = services.villager_account_create(
        resident_or_name="赵无户籍", phone="13712340009", village=township.village_a, created_by=None
    )
    page = client.get(f"/accounts/villagers/{township.village_a.code}/").content.decode()
    assert "未关联户籍的村民账号" in page and "赵无户籍" in page
    response = client.post(f"/accounts/villagers/accounts/{user.pk}/code/", {"format": "html"})
    assert code_on(response.content.decode())


def test_staff_accounts_are_not_villager_accounts(township, client):
    staff = acc.staff(township.village_a)
    assert (
        client.post(f"/accounts/villagers/accounts/{staff.pk}/code/", {"format": "html"}).status_code == 404
    )
