"""Villager accounts: opened by the village with a one-time 8-digit activation code (hashed, 30 days, single
use); the villager sets a password on /accounts/activate/ and then signs in with phone and password."""

import datetime as dt
import re

import pytest
from django.test import Client

from tests import factories
from xiangzhi.accounts import services
from xiangzhi.accounts.models import ActivationCode, RoleAssignment, User
from xiangzhi.audit.models import AuditRecord
from xiangzhi.core import crypto
from xiangzhi.core.errors import Conflict, PermissionDenied, ValidationFailed

pytestmark = [pytest.mark.django_db]

PHONE = "13712345678"
PASSWORD = "nanshan1958"


@pytest.fixture
def secretary(township):
    return factories.user_with_role("village_secretary", township.village_a, username="shuji")


@pytest.fixture
def opened(township, secretary, fixed_clock):
    return services.villager_account_create(
        resident_or_name="李秀英", phone=PHONE, village=township.village_a, created_by=secretary
    )


def test_account_is_created_as_the_design_says(opened, township):
    user, code = opened
    assert re.fullmatch(r"\d{8}", code)
    assert user.username == services.villager_username(PHONE)
    assert user.phone_hash == crypto.lookup_hash(PHONE, purpose="phone")
    assert user.kind == User.KIND_VILLAGER and user.full_name == "李秀英"
    assert not user.has_usable_password()
    assert list(RoleAssignment.objects.filter(user=user).values_list("role", "region_code")) == [
        ("villager", township.village_a.code)
    ]
    activation = ActivationCode.objects.get(user=user)
    assert activation.code_hash != code and code not in activation.code_hash
    assert activation.expires_at - activation.created_at == dt.timedelta(days=30)
    actions = set(AuditRecord.objects.filter(object_id=str(user.pk)).values_list("action", flat=True))
    assert {"accounts.villager_created", "accounts.activation_code_issued"} <= actions
    for rec in AuditRecord.objects.values():
        assert PHONE not in str(rec) and code not in str(rec)
    for row in User.objects.values():
        assert PHONE not in str(row)


def test_activation_then_sign_in_by_phone(opened):
    user, code = opened
    client = Client(REMOTE_ADDR="10.0.0.20")
    page = client.get("/accounts/activate/").content.decode()
    assert "villager-page" in page
    response = client.post(
        "/accounts/activate/", {"phone": PHONE, "code": code, "password": PASSWORD, "password2": PASSWORD}
    )
    assert response["Location"] == "/accounts/login/"
    assert client.post("/accounts/login/", {"username": PHONE, "password": PASSWORD})["Location"] == "/"
    assert client.get("/").status_code == 200  # no OTP, no password expiry for villagers
    assert AuditRecord.objects.filter(action="accounts.villager_activated", actor=user).count() == 1


@pytest.mark.parametrize(
    "typed", ["+86 137 1234 5678", "137-1234-5678", "0086 13712345678", " 8613712345678 "]
)
def test_activation_reads_the_phone_as_sign_in_does(opened, typed):
    user, code = opened
    client = Client(REMOTE_ADDR="10.0.0.21")
    response = client.post(
        "/accounts/activate/", {"phone": typed, "code": code, "password": PASSWORD, "password2": PASSWORD}
    )
    assert response["Location"] == "/accounts/login/"
    assert client.post("/accounts/login/", {"username": typed, "password": PASSWORD})["Location"] == "/"
    assert AuditRecord.objects.filter(action="accounts.villager_activated", actor=user).count() == 1


@pytest.mark.parametrize("typed", ["137123456780", "+85 13712345678", "1371234567", "137 1234 567x"])
def test_activation_refuses_what_is_not_that_phone(opened, typed):
    user, code = opened
    with pytest.raises(ValidationFailed, match="手机号或激活码不正确"):
        services.villager_activate(phone=typed, code=code, password=PASSWORD)
    assert not AuditRecord.objects.filter(action="accounts.villager_activated").exists()
    services.villager_activate(phone=PHONE, code=code, password=PASSWORD)  # the code is still open


def test_code_is_single_use(opened):
    user, code = opened
    services.villager_activate(phone=PHONE, code=code, password=PASSWORD)
    with pytest.raises(ValidationFailed, match="激活码不正确"):
        services.villager_activate(phone=PHONE, code=code, password="another2026x")
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_code_expiry_boundary(opened, fixed_clock):
    user, code = opened
    fixed_clock.advance(dt.timedelta(days=30) - dt.timedelta(seconds=1))
    services.villager_activate(phone=PHONE, code=code, password=PASSWORD)
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    activation = ActivationCode.objects.get(user=user)
    assert activation.used_at == fixed_clock.now() and activation.revoked_at is None
    with pytest.raises(ValidationFailed):  # consumed: the same code does not work a second time
        services.villager_activate(phone=PHONE, code=code, password="another2026x")


def test_code_expired_after_30_days(opened, fixed_clock):
    user, code = opened
    fixed_clock.advance(dt.timedelta(days=30))
    with pytest.raises(ValidationFailed):
        services.villager_activate(phone=PHONE, code=code, password=PASSWORD)


def test_five_wrong_codes_revoke_it(opened):
    user, code = opened
    wrong = f"{(int(code) + 1) % 10**8:08d}"
    for i in range(4):
        with pytest.raises(ValidationFailed):
            services.villager_activate(phone=PHONE, code=wrong, password=PASSWORD)
        assert ActivationCode.objects.get(user=user).failed_attempts == i + 1
    services.villager_activate(phone=PHONE, code=code, password=PASSWORD)  # the 4th failure did not revoke


def test_the_fifth_wrong_code_revokes(opened):
    user, code = opened
    wrong = f"{(int(code) + 1) % 10**8:08d}"
    for _ in range(5):
        with pytest.raises(ValidationFailed):
            services.villager_activate(phone=PHONE, code=wrong, password=PASSWORD)
    assert ActivationCode.objects.get(user=user).revoked_at is not None
    with pytest.raises(ValidationFailed):
        services.villager_activate(phone=PHONE, code=code, password=PASSWORD)


def test_a_weak_password_does_not_cost_a_try(opened):
    user, code = opened
    with pytest.raises(ValidationFailed) as err:
        services.villager_activate(phone=PHONE, code=code, password="12345678")
    assert err.value.field == "password"
    with pytest.raises(ValidationFailed, match="手机号"):
        services.villager_activate(phone=PHONE, code=code, password=PHONE)
    assert ActivationCode.objects.get(user=user).failed_attempts == 0
    services.villager_activate(phone=PHONE, code=code, password=PASSWORD)


def test_unknown_phone_gets_the_same_answer(opened):
    user, code = opened
    with pytest.raises(ValidationFailed) as unknown:
        services.villager_activate(phone="13700000000", code=code, password=PASSWORD)
    with pytest.raises(ValidationFailed) as wrong:
        services.villager_activate(
            phone=PHONE, code="00000000" if code != "00000000" else "11111111", password=PASSWORD
        )
    assert unknown.value.message == wrong.value.message


def test_a_new_code_replaces_the_old_one(opened, secretary):
    user, old = opened
    new = services.activation_code_issue(user=user, issued_by=secretary)
    with pytest.raises(ValidationFailed):
        services.villager_activate(phone=PHONE, code=old, password=PASSWORD)
    services.villager_activate(phone=PHONE, code=new, password=PASSWORD)


def test_a_new_code_resets_a_forgotten_password(opened, secretary):
    user, code = opened
    services.villager_activate(phone=PHONE, code=code, password=PASSWORD)
    again = services.activation_code_issue(user=user, issued_by=secretary)
    services.villager_activate(phone=PHONE, code=again, password="beipo2026x")
    user.refresh_from_db()
    assert user.check_password("beipo2026x")


def test_only_cadres_of_the_village_open_accounts(township, secretary):
    other = factories.user_with_role("village_secretary", township.village_b)
    with pytest.raises(PermissionDenied):
        services.villager_account_create(
            resident_or_name="张三", phone=PHONE, village=township.village_a, created_by=other
        )
    worker = factories.user_with_role("grid_worker", township.grid_a1)
    with pytest.raises(PermissionDenied):
        services.villager_account_create(
            resident_or_name="张三", phone=PHONE, village=township.village_a, created_by=worker
        )
    assert not User.objects.filter(kind=User.KIND_VILLAGER).exists()
    user, _ = services.villager_account_create(
        resident_or_name="张三", phone=PHONE, village=township.village_a, created_by=secretary
    )
    with pytest.raises(PermissionDenied):
        services.activation_code_issue(user=user, issued_by=other)


@pytest.mark.parametrize("phone", ["1371234567", "137123456789", "23712345678", "1371234567x", ""])
def test_bad_phones_are_refused(phone, township):
    with pytest.raises(ValidationFailed, match="手机号"):
        services.villager_account_create(
            resident_or_name="张三", phone=phone, village=township.village_a, created_by=None
        )


def test_one_account_per_phone_and_villages_only(opened, township):
    with pytest.raises(Conflict):
        services.villager_account_create(
            resident_or_name="张三", phone=PHONE, village=township.village_a, created_by=None
        )
    with pytest.raises(ValidationFailed, match="行政村"):
        services.villager_account_create(
            resident_or_name="张三", phone="13600000000", village=township.town, created_by=None
        )


def test_activate_page_mismatch_and_errors_in_words(opened):
    user, code = opened
    client = Client()
    page = client.post(
        "/accounts/activate/", {"phone": PHONE, "code": code, "password": PASSWORD, "password2": "other"}
    ).content.decode()
    assert "两次输入的密码不一致" in page
    page = client.post(
        "/accounts/activate/", {"phone": PHONE, "code": "1", "password": PASSWORD, "password2": PASSWORD}
    ).content.decode()
    assert "激活码不正确" in page
    assert PHONE in page  # what was typed stays in the form
