import datetime as dt
import json

import pytest
from django.db import connection

from tests.people import factories as pf
from xiangzhi.audit.models import AuditRecord
from xiangzhi.core import clock, crypto
from xiangzhi.core.errors import Conflict, PermissionDenied, ValidationFailed
from xiangzhi.people import services
from xiangzhi.people.models import Household, Resident

pytestmark = pytest.mark.django_db


def test_resident_is_encrypted_at_rest_and_found_by_keyed_hash(township):
    number = pf.id_number(sex="F", birth=dt.date(1985, 6, 1))
    h = pf.household(township.grid_a1, head_name="王芳", id_number=number, sex="F", phone="13800001234")
    with connection.cursor() as cur:
        cur.execute("SELECT * FROM people_resident")
        raw = json.dumps(cur.fetchall(), default=str)
    assert number not in raw and number[:14] not in raw
    assert "13800001234" not in raw
    r = Resident.objects.get(household=h)
    assert r.id_number == number and r.phone == "13800001234"
    assert repr(r.id_number) == "Sealed('***')"
    assert r.id_last4 == number[-4:] and r.phone_last4 == "1234"
    assert r.id_number_hash == crypto.lookup_hash(number, purpose="id_number")
    assert r.region_code == township.grid_a1.code
    assert r.name_initials == "wf"
    assert (h.head_id, h.head_name, h.head_initials, h.member_count) == (r.pk, "王芳", "wf", 1)


def test_audit_never_holds_the_numbers(township):
    number = pf.id_number()
    h = pf.household(township.grid_a1, id_number=number, phone="13912345678")
    r = h.head
    services.resident_update(user=None, resident=r, phone="13900000000", name="张三丰")
    dump = json.dumps(list(AuditRecord.objects.values("changes", "object_repr")), ensure_ascii=False)
    for secret in (number, number[:14], "13912345678", "13900000000"):
        assert secret not in dump
    last = AuditRecord.objects.filter(action="people.resident_updated").get()
    assert last.changes == {"name": ["张三", "张三丰"], "sensitive_changed": ["phone"]}


def test_duplicate_id_is_refused_in_chinese(township):
    number = pf.id_number()
    pf.household(township.grid_a1, id_number=number)
    other = services.household_create(user=None, grid=township.grid_b1, address="北坡村 1 号")
    with pytest.raises(ValidationFailed, match="该身份证号已登记"):
        pf.resident(other, name="冒名", relation="head", id_number=number.lower())
    assert Resident.objects.count() == 1


@pytest.mark.parametrize("phone", ["1380000123", "138000012345", "23800001234", "1380000123a"])
def test_phone_must_be_eleven_digits_starting_with_1(township, phone):
    h = services.household_create(user=None, grid=township.grid_a1, address="南山村 1 号")
    with pytest.raises(ValidationFailed, match="以 1 开头的 11 位"):
        pf.resident(h, relation="head", phone=phone)
    assert not Resident.objects.exists()


def test_sex_and_birth_date_checked_against_the_id(township):
    h = services.household_create(user=None, grid=township.grid_a1, address="南山村 1 号")
    number = pf.id_number(sex="M", birth=dt.date(1970, 3, 3))
    with pytest.raises(ValidationFailed, match="性别（女）与身份证号不符"):
        services.resident_create(
            user=None, household=h, name="甲", id_number=number, sex="F", relation="head"
        )
    with pytest.raises(ValidationFailed, match="不一致"):
        services.resident_create(
            user=None,
            household=h,
            name="甲",
            id_number=number,
            birth_date=dt.date(1970, 3, 4),
            relation="head",
        )
    r = services.resident_create(user=None, household=h, name="甲", id_number=number, relation="head")
    assert (r.sex, r.birth_date) == ("M", dt.date(1970, 3, 3))


def test_update_id_number_rechecks_birth_date_and_duplicates(township):
    h = pf.household(township.grid_a1)
    child = pf.resident(h, name="李四")
    taken = h.head.id_number
    with pytest.raises(ValidationFailed, match="该身份证号已登记"):
        services.resident_update(user=None, resident=child, id_number=taken)
    with pytest.raises(ValidationFailed, match="不一致"):
        services.resident_update(user=None, resident=child, birth_date=dt.date(2001, 1, 1))
    new = pf.id_number(sex="F", birth=dt.date(2001, 1, 1))
    updated = services.resident_update(user=None, resident=child, id_number=new)
    assert (updated.sex, updated.birth_date, updated.id_last4) == ("F", dt.date(2001, 1, 1), new[-4:])
    child.refresh_from_db()
    assert child.id_number == new


def test_only_one_head_and_set_head(township):
    h = pf.household(township.grid_a1, head_name="张三")
    with pytest.raises(ValidationFailed, match="该户已有户主（张三）"):
        pf.resident(h, name="张五", relation="head")
    son = pf.resident(h, name="张小明")
    old_head = h.head
    services.resident_set_head(user=None, household=h, resident=son)
    h.refresh_from_db()
    old_head.refresh_from_db()
    assert (h.head_id, h.head_name, h.head_initials) == (son.pk, "张小明", "zxm")
    assert old_head.relation == "other"
    son.refresh_from_db()
    assert son.relation == "head"


def test_move_away_and_deceased_with_dates_close_the_household(township):
    clock.set_fixed(dt.datetime(2026, 5, 1, 8, tzinfo=dt.UTC))
    h = pf.household(township.grid_a1)
    wife = pf.resident(h, name="刘梅", relation="spouse", sex="F")
    h.refresh_from_db()
    assert h.member_count == 2
    with pytest.raises(ValidationFailed, match="不能晚于今天"):
        services.resident_move_away(user=None, resident=wife, date=dt.date(2026, 5, 2))
    services.resident_move_away(user=None, resident=wife, date=dt.date(2026, 4, 30))
    with pytest.raises(Conflict, match="已迁出"):
        services.resident_mark_deceased(user=None, resident=wife, date=dt.date(2026, 4, 30))
    h.refresh_from_db()
    assert (h.member_count, h.status) == (1, Household.STATUS_ACTIVE)
    services.resident_mark_deceased(user=None, resident=h.head, date=dt.date(2026, 5, 1))
    h.refresh_from_db()
    assert (h.member_count, h.status) == (0, Household.STATUS_CLOSED)
    wife.refresh_from_db()
    assert (wife.status, wife.status_date) == (Resident.STATUS_MOVED, dt.date(2026, 4, 30))
    actions = list(
        AuditRecord.objects.filter(action__startswith="people.resident_").values_list("action", flat=True)
    )
    assert actions[-2:] == ["people.resident_moved_away", "people.resident_deceased"]


def test_tags_are_checked_and_stored_in_canonical_order(township):
    h = pf.household(township.grid_a1)
    services.household_set_tags(user=None, household=h, tags="脱贫户、低保")
    assert h.tag_list == ["低保", "脱贫户"]
    with pytest.raises(ValidationFailed, match="未知标签：富户"):
        services.resident_set_tags(user=None, resident=h.head, tags=["富户"])
    services.resident_set_tags(user=None, resident=h.head, tags=["留守老人", "残疾"])
    assert Resident.objects.get(pk=h.head_id).tags == ",残疾,留守老人,"


def test_update_with_tags_is_one_audit_record_and_an_unknown_tag_writes_nothing(township):
    h = pf.household(township.grid_a1, number="A-001")
    with pytest.raises(ValidationFailed, match="未知标签：富户"):
        services.household_update(user=None, household=h, number="A-002", tags=["富户"])
    with pytest.raises(ValidationFailed, match="未知标签：富户"):
        services.resident_update(user=None, resident=h.head, name="张三丰", tags="富户")
    h.refresh_from_db()
    assert (h.number, h.tags, Resident.objects.get(pk=h.head_id).name) == ("A-001", "", "张三")
    assert not AuditRecord.objects.filter(action__endswith="_updated").exists()

    services.household_update(user=None, household=h, number="A-002", tags="脱贫户、低保")
    services.resident_update(user=None, resident=h.head, name="张三丰", tags=["留守老人", "残疾"])
    services.resident_update(user=None, resident=h.head, tags=["残疾", "留守老人"])  # no change, no record
    updates = AuditRecord.objects.filter(action__endswith="_updated").order_by("id")
    assert [(r.action, r.changes) for r in updates] == [
        ("people.household_updated", {"number": ["A-001", "A-002"], "tags": [[], ["低保", "脱贫户"]]}),
        ("people.resident_updated", {"name": ["张三", "张三丰"], "tags": [[], ["残疾", "留守老人"]]}),
    ]
    assert not AuditRecord.objects.filter(action__endswith="_tags_changed").exists()
    assert Resident.objects.get(pk=h.head_id).tags == ",残疾,留守老人,"


def test_change_rights_checked_against_the_users_region(township, make_user):
    worker_b = make_user("grid_worker", township.grid_b1)
    with pytest.raises(PermissionDenied):
        services.household_create(user=worker_b, grid=township.grid_a1, address="南山村 9 号")
    assert not Household.objects.exists()
    assert AuditRecord.objects.filter(result="denied", action="people.change").count() == 1
    worker_a = make_user("grid_worker", township.grid_a1)
    h = services.household_create(user=worker_a, grid=township.grid_a1, address="南山村 9 号")
    assert AuditRecord.objects.get(action="people.household_created").actor == worker_a
    supervisor = make_user("supervisor", township.village_a)  # may see, may not change
    with pytest.raises(PermissionDenied):
        pf.resident(h, relation="head", user=supervisor)


def test_household_must_be_in_a_grid(township):
    with pytest.raises(ValidationFailed, match="户必须登记在网格"):
        services.household_create(user=None, grid=township.village_a, address="南山村")
