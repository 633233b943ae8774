"""The demo township: shape, determinism, valid and sealed ID numbers, accounts, and the commands."""

import json
from collections import Counter

import pytest
from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import validate_password
from django.db import connection, transaction
from django.test import override_settings

from tests.privacy.scan import clear_ids_in_text
from xiangzhi.accounts.models import RoleAssignment, User
from xiangzhi.accounts.roles import ROLES
from xiangzhi.accounts.services import login_username
from xiangzhi.audit.models import AuditRecord
from xiangzhi.audit.services import verify
from xiangzhi.core import crypto
from xiangzhi.core.models import Department
from xiangzhi.demo import builder
from xiangzhi.demo.generate import Generator, split
from xiangzhi.party.models import HouseholdLink, PartyMember, PartyOrg
from xiangzhi.people import idnumber, names
from xiangzhi.people.models import Household, Resident
from xiangzhi.regions.models import Region

HOUSEHOLDS = 200


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    """One build for the whole module, rolled back at its end (each test runs in a savepoint inside it)."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            # the hasher of tests/conftest.py's _fast_hasher, which is function-scoped
            with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
                result = builder.build(seed=2024, households=HOUSEHOLDS)
            yield result
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def demo(built, db):
    return built


def test_shape_follows_seed_000(demo):
    assert Region.objects.get(code="141029").name == "乡宁县"
    assert Region.objects.get(code="141029201").name == "尉庄乡"
    villages = list(Region.objects.filter(level="village"))
    assert [v.code for v in villages] == [f"141029201{n}" for n in range(201, 212)]
    grids = list(Region.objects.filter(level="grid"))
    assert len(grids) == 144
    assert all(len(g.code) == 15 and g.code.startswith(g.parent.code) for g in grids)
    assert {g.parent_id for g in grids} == {v.pk for v in villages}

    generals = list(PartyOrg.objects.filter(kind="general_branch"))
    assert len(generals) == 4
    covered = Counter(r.code for g in generals for r in g.covered_regions.all())
    assert sorted(covered) == [v.code for v in villages] and set(covered.values()) == {1}
    branches = list(PartyOrg.objects.filter(kind="branch"))
    assert len(branches) == 13
    assert {b.parent.kind for b in branches} == {"general_branch"}
    for b in branches:  # a branch lies in a village its general branch covers
        assert b.region in b.parent.covered_regions.all()
    assert Department.objects.filter(region_code="141029201").count() == 7  # with the 信访办 for petitions


def test_grid_workers_and_one_account_per_role(demo):
    workers = RoleAssignment.objects.filter(role="grid_worker", is_active=True)
    per_user = Counter(workers.values_list("user_id", flat=True))
    assert len(per_user) == 33
    assert min(per_user.values()) >= 3  # several grids each
    assert workers.values("region_code").distinct().count() == 144  # every grid has its worker
    for role in ROLES:
        assert RoleAssignment.objects.filter(role=role).exists(), role
    assert [u.username for u in Department.objects.get(code="sifa").staff.all()] == ["demo_department_staff"]
    for role in set(ROLES) - {"villager", "grid_worker"}:
        user = User.objects.get(username=f"demo_{role}")
        assert set(user.role_assignments.values_list("role", flat=True)) == {role}


def test_demo_password_meets_staff_rules_and_villagers_sign_in_with_phone(demo):
    hashes = set()
    for user in User.objects.filter(kind=User.KIND_STAFF):
        validate_password(builder.DEMO_PASSWORD, user)
        hashes.add(user.password)
    assert len(hashes) == 1  # one Argon2 hash shared by the demo accounts: verify it once
    assert check_password(builder.DEMO_PASSWORD, hashes.pop())
    villagers = list(User.objects.filter(kind=User.KIND_VILLAGER))
    assert len(villagers) == 11
    for user in villagers:
        phone = str(user.resident.phone)
        assert login_username(phone) == user.username
        assert user.phone_hash == crypto.lookup_hash(phone, purpose="phone")
        assert user.resident.region_code.startswith(user.role_assignments.get().region_code)
    party_user = User.objects.get(username="demo_party_member")
    assert party_user.resident.party_member.name == party_user.full_name
    assert party_user.resident_id not in {u.resident_id for u in villagers}  # one account per person


def test_households_and_residents_are_consistent(demo):
    assert demo.households == Household.objects.count() == HOUSEHOLDS
    assert demo.residents == Resident.objects.count()
    grid_codes = set(Region.objects.filter(level="grid").values_list("code", flat=True))
    for h in Household.objects.select_related("head", "region").prefetch_related("members"):
        members = list(h.members.all())
        assert h.region_code == h.region.code and h.region_code in grid_codes
        assert h.head.relation == "head" and h.head.household_id == h.pk
        assert (h.head_name, h.head_initials) == (h.head.name, h.head.name_initials)
        assert h.member_count == sum(m.status == "normal" for m in members)
        assert {m.region_code for m in members} == {h.region_code}
        for tag in {t for m in members for t in m.tag_list}:
            assert tag in h.tag_list
    for r in Resident.objects.all():
        assert r.name_initials == names.initials(r.name) and r.name_pinyin == names.full_pinyin(r.name)


def test_every_id_is_valid_and_stored_only_sealed(demo):
    residents = list(Resident.objects.all())
    for r in residents:
        number = str(r.id_number)
        assert idnumber.validate(number, birth_date=r.birth_date) == number
        assert idnumber.sex_of(number) == r.sex
        assert r.id_number_hash == crypto.lookup_hash(number, purpose="id_number")
        assert r.id_last4 == number[-4:]
        if r.phone:
            assert r.phone_hash == crypto.lookup_hash(str(r.phone), purpose="phone")
            assert r.phone_last4 == str(r.phone)[-4:]
    assert len({r.id_number_hash for r in residents}) == len(residents)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM people_resident")
        raw = cursor.fetchall()
    assert all(value.startswith("k") and ":" in value for value, _ in raw)
    assert clear_ids_in_text(json.dumps(raw)) == set()


def test_no_clear_number_in_audit_records(demo):
    records = list(AuditRecord.objects.values())
    text = json.dumps(records, default=str, ensure_ascii=False)
    assert clear_ids_in_text(text) == set()
    phones = [str(p) for p in Resident.objects.exclude(phone="").values_list("phone", flat=True)]
    assert phones and not any(p in text for p in phones)
    assert verify() == []


def test_one_summary_record(demo):
    rec = AuditRecord.objects.get(action="demo.built")
    assert rec.region_code == "141029201" and rec.actor_label == "demo"
    assert rec.changes["households"] == HOUSEHOLDS
    assert rec.changes["residents"] == demo.residents
    assert rec.changes["grids"] == 144


def test_party_members_and_links(demo):
    members = list(PartyMember.objects.select_related("org", "resident"))
    assert 0 < len(members) <= HOUSEHOLDS
    assert {m.org.kind for m in members} == {"branch"}
    for m in members:
        assert m.region_code.startswith(m.org.region_code)
        assert m.resident.region_code == m.region_code and "党员" in m.resident.tag_list
        assert m.status in ("full", "probationary")
    statuses = Counter(m.status for m in members)
    assert statuses["full"] > statuses["probationary"]
    per_member = Counter(HouseholdLink.objects.values_list("member_id", flat=True))
    assert max(per_member.values()) <= 15
    links = HouseholdLink.objects.select_related("household", "member__org")
    for link in links:
        assert link.region_code == link.household.region_code
        assert link.household.region_code.startswith(link.member.org.region_code)
    assert len(set(HouseholdLink.objects.values_list("household_id", flat=True))) == links.count()


def test_generation_is_deterministic_for_a_seed():
    def people(seed):
        return [
            (p.name, p.id_number, p.phone)
            for h in Generator(seed=seed, households=150).households()
            for p in h.members
        ]

    first = people(7)
    assert first == people(7)
    assert first != people(8)


def test_database_holds_what_the_generator_made(demo):
    gen = Generator(seed=2024, households=HOUSEHOLDS)
    expected = [(p.name, p.id_number) for h in gen.households() for p in h.members]
    stored = [(r.name, str(r.id_number)) for r in Resident.objects.order_by("pk")]
    assert stored == expected


def test_split_keeps_the_total():
    assert split(10, [1, 1, 1]) == [4, 3, 3]
    assert sum(split(3000, [0.6, 1.6, 1.1] * 48)) == 3000


def test_privileged_accounts_get_a_second_factor(demo):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    privileged = {code for code, r in ROLES.items() if r.privileged}
    for role in privileged:
        user = User.objects.get(username=f"demo_{role}")
        assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 1, role
    assert not TOTPDevice.objects.filter(user__username="demo_grid_worker").exists()


def test_demo_accounts_sign_in_and_see_their_own_scope(demo, client):
    import re

    from django.urls import reverse

    response = client.post(
        reverse("accounts:login"), {"username": "demo_grid_worker", "password": builder.DEMO_PASSWORD}
    )
    assert response.status_code == 302 and reverse("accounts:login") not in response["Location"]
    page = client.get("/people/households/")
    assert page.status_code == 200
    shown = {int(pk) for pk in re.findall(r'href="/people/households/(\d+)/"', page.content.decode())}
    grids = set(
        RoleAssignment.objects.filter(user__username="demo_grid_worker").values_list("region_code", flat=True)
    )
    assert shown and {h.region_code for h in Household.objects.filter(pk__in=shown)} <= grids

    villager = User.objects.filter(kind=User.KIND_VILLAGER).first()
    client.logout()
    response = client.post(
        reverse("accounts:login"),
        {"username": str(villager.resident.phone), "password": builder.DEMO_PASSWORD},
    )
    assert response.status_code == 302 and reverse("accounts:login") not in response["Location"]


def test_every_demo_account_signs_in(demo, settings):
    """Every demo account, with the printed password, and the second factor from `xiangzhi otp-code` where the
    role needs one, reaches its home page."""
    import io

    from django.core.management import call_command
    from django.test import Client

    from xiangzhi.accounts import services

    settings.DEMO_MODE = True
    usernames = builder.demo_usernames()
    assert len(usernames) >= len(ROLES)
    for i, username in enumerate(usernames):
        client = Client(REMOTE_ADDR=f"10.9.{i // 250}.{i % 250 + 1}")
        response = client.post("/accounts/login/", {"username": username, "password": builder.DEMO_PASSWORD})
        assert response.status_code == 302, username
        user = User.objects.get(username=username)
        if services.is_privileged(user):
            gate = client.get("/")
            assert gate.status_code == 302 and gate["Location"].startswith("/accounts/otp/"), username
            out = io.StringIO()
            call_command("otp-code", username, stdout=out)
            response = client.post("/accounts/otp/", {"token": out.getvalue().strip()})
            assert response.status_code == 302 and "/accounts/otp/" not in response["Location"], username
        home = client.get("/")
        assert home.status_code == 200 and "您好" in home.content.decode(), username


def test_demo_cases_walk_the_loop_through_the_services(demo):
    from xiangzhi.cases.models import Case, CaseEvent, CaseStat

    assert demo.cases == Case.objects.count() == 90
    states = set(Case.objects.values_list("state", flat=True))
    assert {"reported", "in_progress", "resolved", "closed"} <= states
    assert (
        Case.objects.filter(max_level="town").exists()
        and Case.objects.filter(department__isnull=False).exists()
    )
    # every case's timeline starts with its report, written by the service, never by hand
    assert CaseEvent.objects.filter(seq=1, action="report").count() == demo.cases
    assert CaseStat.objects.exists()
    assert AuditRecord.objects.get(action="demo.built").changes["cases"] == demo.cases


def test_demo_points_go_from_claim_to_ledger_through_the_services(demo):
    from xiangzhi.points import ledger
    from xiangzhi.points.models import Claim, LedgerEntry, PointScheme

    # the household claims of the inspections, then the volunteers' hours and the party branch's meeting
    assert 0 < demo.claims < Claim.objects.count()
    assert Claim.objects.filter(party_member__isnull=False).exists()
    assert LedgerEntry.objects.filter(kind="base").exists()  # this year's base score of the party members
    assert PointScheme.objects.filter(is_template=True, status="active").count() == 1
    village_scheme = PointScheme.objects.get(is_template=False, status="active", kind="household")
    assert village_scheme.based_on.is_template
    states = set(Claim.objects.values_list("state", flat=True))
    assert {"posted", "rejected", "notice", "submitted"} <= states
    # every posted claim has its entry; the ledger verifies
    assert LedgerEntry.objects.filter(kind="claim").count() == Claim.objects.filter(state="posted").count()
    assert LedgerEntry.objects.filter(is_violation=True).exists()
    report = ledger.verify()
    assert report.ok, report.problems


def test_demo_store_has_goods_a_keeper_and_redemptions(demo):
    from xiangzhi.points import ledger
    from xiangzhi.store.models import Redemption, Store

    store = Store.objects.get()
    assert store.goods.count() >= 5
    assert RoleAssignment.objects.filter(role="store_keeper", scope_type="store", scope_id=store.pk).exists()
    assert {"fulfilled", "pending", "cancelled"} <= set(Redemption.objects.values_list("state", flat=True))
    assert ledger.verify().ok
