"""Writes the demo township into the database.

Places, departments and accounts go through the real services (`region_create`, `department_create`,
`role_grant`), so they are validated and audited like any other. Households, residents and party rows — up to
hundreds of thousands — go in with `bulk_create`, in batches of one transaction each; every derived column
(region code, keyed hashes, last four, pinyin, head copies) is set here exactly as the people services set it.
ID and phone numbers reach the database only through `EncryptedField`, so only ciphertext is written; one audit
record summarises the build (counts, seed, time — never a number).
"""

import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from pypinyin import Style, pinyin

from xiangzhi.accounts import services as account_services
from xiangzhi.accounts.models import User
from xiangzhi.accounts.roles import ROLES
from xiangzhi.audit.services import record
from xiangzhi.core import clock, context, crypto
from xiangzhi.core.services import department_create, department_staff_add
from xiangzhi.demo import assets as demo_assets
from xiangzhi.demo import bodies as demo_bodies
from xiangzhi.demo import cases as demo_cases
from xiangzhi.demo import data
from xiangzhi.demo import deliberation as demo_deliberation
from xiangzhi.demo import disclosure as demo_disclosure
from xiangzhi.demo import enforcement as demo_enforcement
from xiangzhi.demo import points as demo_points
from xiangzhi.demo.generate import (
    DEFAULT_HOUSEHOLDS,
    DEFAULT_PARTY_MEMBERS,
    DEFAULT_SEED,
    Generator,
    HouseholdPlan,
)
from xiangzhi.honours import demo as demo_honours
from xiangzhi.party.models import HouseholdLink, PartyMember, PartyOrg
from xiangzhi.people import names
from xiangzhi.people.models import TAG_CHOICES, Household, Resident
from xiangzhi.regions.models import Region
from xiangzhi.regions.services import region_create
from xiangzhi.store import demo as demo_store
from xiangzhi.volunteering import demo as demo_volunteering

# Known only in demo mode: `xiangzhi demo-accounts` prints it. Meets the staff rules (accounts/passwords.py):
# 10+ characters, four character classes, no username or name in it.
DEMO_PASSWORD = "Xiangzhi#Demo2024"
USERNAME_PREFIX = "demo_"
BATCH_HOUSEHOLDS = 2000
LINK_LIMIT = 15  # 党员联户: at most 15 households a member (Region.household_link_limit default)

# The demo village of the village-level roles: 南山村, the village of seed 000's title.
DEMO_VILLAGE_INDEX = 0
# Role → where its demo account is assigned: "county", "town", "village" (the demo village), "villages" (the
# first two villages), "grids" (every grid of the demo village) or None (the whole install).
ROLE_PLACES = {
    "county_officer": "county",
    "town_leader": "town",
    "town_staff": "villages",
    "department_staff": "town",
    "village_secretary": "village",
    "village_committee": "village",
    "supervisor": "village",
    "points_reviewer": "village",
    "grid_leader": "grids",
    "grid_worker": "grids",  # built with the 33 grid workers
    "mediator": "village",
    "legal_adviser": "village",
    "store_keeper": "village",
    "party_member": "village",  # linked to a party member's resident record
    "villager": "village",  # one per village, signs in with the phone number
    "system_admin": None,
    "security_admin": None,
    "audit_admin": None,
}
assert set(ROLE_PLACES) == set(ROLES), "every role needs a demo account"


@dataclass
class BuildResult:
    seed: int
    households: int = 0
    residents: int = 0
    party_members: int = 0
    household_links: int = 0
    cases: int = 0
    claims: int = 0
    accounts: int = 0
    seconds: float = 0.0
    timings: dict = field(default_factory=dict)


def demo_exists() -> bool:
    return Region.objects.filter(code=data.COUNTY[0]).exists()


def demo_usernames() -> list[str]:
    return list(User.objects.filter(username__startswith=USERNAME_PREFIX).values_list("username", flat=True))


def _tags_text(tags) -> str:
    ordered = sorted(set(tags), key=TAG_CHOICES.index)
    return f",{','.join(ordered)}," if ordered else ""


def build(
    *,
    seed: int = DEFAULT_SEED,
    households: int = DEFAULT_HOUSEHOLDS,
    party_members: int = DEFAULT_PARTY_MEMBERS,
    progress=None,
) -> BuildResult:
    """Build the demo county. Refuses (ValueError) when the county exists already.

    `progress`, when given, is called with a Chinese line now and then (the command prints them).
    """
    if demo_exists():
        raise ValueError(f"演示县（{data.COUNTY[1]} {data.COUNTY[0]}）已存在。")
    say = progress or (lambda line: None)
    started = time.monotonic()
    result = BuildResult(seed=seed)
    gen = Generator(seed=seed, households=households, party_members=party_members)
    if connection.vendor == "sqlite":
        # A larger page cache for this connection only: inserts into the random-order hash indexes stay in
        # memory instead of re-reading pages on every batch.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size=-131072")
    with context.acting_as(None, label="demo"):
        t = time.monotonic()
        with transaction.atomic():
            places = _build_places(gen)
            staff = _build_staff(gen, places)
        result.timings["places_and_staff"] = round(time.monotonic() - t, 2)
        say(f"辖区、党组织、部门和 {len(staff.accounts)} 个工作人员账号已建好。")

        t = time.monotonic()
        collected = _build_households(gen, places, result, say)
        result.timings["households"] = round(time.monotonic() - t, 2)

        t = time.monotonic()
        with transaction.atomic():
            _build_party(gen, places, collected, result)
            _build_resident_accounts(places, collected, staff)
            result.accounts = len(staff.accounts)
            result.seconds = round(time.monotonic() - started, 1)
            result.timings["party_and_accounts"] = round(time.monotonic() - t, 2)
        t = time.monotonic()
        result.cases = demo_cases.build(village_code=places.villages[DEMO_VILLAGE_INDEX].code, seed=seed)
        result.timings["cases"] = round(time.monotonic() - t, 2)
        t = time.monotonic()
        result.claims = demo_points.build(village_code=places.villages[DEMO_VILLAGE_INDEX].code, seed=seed)
        demo_store.build(places.villages[DEMO_VILLAGE_INDEX])
        demo_volunteering.build(places.villages[DEMO_VILLAGE_INDEX])
        demo_volunteering.build_party(places.villages[DEMO_VILLAGE_INDEX])
        demo_honours.build(places.villages[DEMO_VILLAGE_INDEX])
        result.timings["points"] = round(time.monotonic() - t, 2)
        t = time.monotonic()
        village = places.villages[DEMO_VILLAGE_INDEX]
        demo_bodies.build(village)
        demo_deliberation.build(village)
        demo_assets.build(village)
        demo_disclosure.build(village, behind=places.villages[1])
        demo_enforcement.build(places.town, village)
        result.timings["deliberation_disclosure_assets_enforcement"] = round(time.monotonic() - t, 2)
        with transaction.atomic():
            record(
                "demo.built",
                places.town,
                changes={
                    "seed": seed,
                    "households": result.households,
                    "residents": result.residents,
                    "party_members": result.party_members,
                    "household_links": result.household_links,
                    "accounts": result.accounts,
                    "villages": len(places.villages),
                    "grids": len(places.grids),
                    "cases": result.cases,
                    "claims": result.claims,
                    "seconds": result.seconds,
                },
            )

    _analyze()
    return result


def _analyze() -> None:
    """PostgreSQL plans from table statistics, and autovacuum may not have looked at tables filled a moment
    ago: without this, the first minutes after a large build are planned as if the tables were empty."""
    if connection.vendor == "postgresql":
        tables = [m._meta.db_table for m in (Household, Resident, PartyMember, HouseholdLink)]
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))


# --- places, organisations, departments ---------------------------------------------------------------------


@dataclass
class Places:
    county: Region
    town: Region
    villages: list[Region]
    grids: dict[str, Region]  # code → grid
    branches: dict[int, list[PartyOrg]]  # village index → its 党支部
    departments: list


def _build_places(gen: Generator) -> Places:
    county = region_create(code=data.COUNTY[0], name=data.COUNTY[1])
    town = region_create(code=data.TOWN[0], name=data.TOWN[1], parent=county)
    villages, grids = [], {}
    for v in gen.villages:
        village = region_create(code=v.code, name=v.name, parent=town)
        villages.append(village)
        for g in v.grids:
            grids[g.code] = region_create(code=g.code, name=g.name, parent=village)

    committee = PartyOrg.objects.create(
        name=f"中共{data.COUNTY[1]}{data.TOWN[1]}委员会",
        kind="town_committee",
        region=town,
        region_code=town.code,
        secretary_name=gen.staff_name("M"),
    )
    branches: dict[int, list[PartyOrg]] = defaultdict(list)
    for name, indexes in data.GENERAL_BRANCHES:
        home = villages[indexes[0]]
        general = PartyOrg.objects.create(
            name=f"{data.TOWN[1]}{name}",
            kind="general_branch",
            parent=committee,
            region=home,
            region_code=home.code,
            secretary_name=gen.staff_name("M"),
        )
        general.covered_regions.set([villages[i] for i in indexes])
        for i in indexes:
            count = data.BRANCHES_PER_VILLAGE.get(i, 1)
            for n in range(1, count + 1):
                label = "" if count == 1 else ("第一", "第二", "第三")[n - 1]
                branch = PartyOrg.objects.create(
                    name=f"{villages[i].name}{label}党支部",
                    kind="branch",
                    parent=general,
                    region=villages[i],
                    region_code=villages[i].code,
                    secretary_name=gen.staff_name("M" if n == 1 else "F"),
                )
                branch.covered_regions.set([villages[i]])
                branches[i].append(branch)
    record(
        "party.orgs_created",
        committee,
        changes={"orgs": PartyOrg.objects.filter(region_code__startswith=data.TOWN[0]).count()},
    )

    departments = [department_create(town=town, name=name, code=code) for code, name in data.DEPARTMENTS]
    return Places(county, town, villages, grids, branches, departments)


# --- staff accounts -------------------------------------------------------------------------------------------


@dataclass
class Staff:
    accounts: list[User] = field(default_factory=list)
    password_hash: str = ""


def _new_user(staff: Staff, *, username: str, full_name: str, kind: str = User.KIND_STAFF, **extra) -> User:
    # One Argon2 hash for every demo account: hashing is deliberately slow, and they all share the password.
    user = User(username=username, full_name=full_name, kind=kind, password=staff.password_hash, **extra)
    user.password_changed_at = clock.now()
    user.save()
    record("accounts.created", user, region_code="", changes={"username": username, "kind": kind})
    staff.accounts.append(user)
    return user


def _ensure_second_factor(user: User) -> None:
    ensure = getattr(account_services, "totp_device_ensure", None)
    if ensure is not None and any(ROLES[a.role].privileged for a in user.role_assignments.all()):
        ensure(user)


def _build_staff(gen: Generator, places: Places) -> Staff:
    staff = Staff(password_hash=make_password(DEMO_PASSWORD))
    village = places.villages[DEMO_VILLAGE_INDEX]
    demo_grids = [places.grids[g.code] for g in gen.villages[DEMO_VILLAGE_INDEX].grids]
    for role, place in ROLE_PLACES.items():
        if role in ("grid_worker", "party_member", "villager"):
            continue  # below, with the other grid workers / once residents exist
        spec = ROLES[role]
        user = _new_user(staff, username=f"{USERNAME_PREFIX}{role}", full_name=gen.staff_name())
        regions = {
            "county": [places.county],
            "town": [places.town],
            "village": [village],
            "villages": places.villages[:2],
            "grids": demo_grids,
            None: [None],
        }[place]
        for region in regions:
            grant = {}
            if spec.scope_kind == "department":
                grant = {"scope_type": "department", "scope_id": places.departments[0].pk}
            account_services.role_grant(user=user, role=role, region=region, **grant)
        if spec.scope_kind == "department":
            department_staff_add(department=places.departments[0], user=user)
        _ensure_second_factor(user)

    # 33 grid workers, three per village, each over a run of the village's grids; the first is demo_grid_worker.
    n = 0
    for v in gen.villages:
        chunks = _chunks([places.grids[g.code] for g in v.grids], data.GRID_WORKERS_PER_VILLAGE)
        for chunk in chunks:
            n += 1
            username = f"{USERNAME_PREFIX}grid_worker" + ("" if n == 1 else f"_{n:02d}")
            user = _new_user(staff, username=username, full_name=gen.staff_name(village=v))
            for grid in chunk:
                account_services.role_grant(user=user, role="grid_worker", region=grid)
    return staff


def _chunks(items: list, parts: int) -> list[list]:
    size, extra = divmod(len(items), parts)
    out, start = [], 0
    for i in range(parts):
        end = start + size + (1 if i < extra else 0)
        out.append(items[start:end])
        start = end
    return out


# --- households and residents ---------------------------------------------------------------------------------


@dataclass
class Collected:
    """What later steps need from the bulk inserts, kept small: ints and short tuples only."""

    # village index → [(household pk, grid code)] in insertion (grid) order
    households: dict[int, list[tuple[int, str]]] = field(default_factory=lambda: defaultdict(list))
    # (village index, resident pk, household pk, name, grid code, (status, mobile, joined))
    party: list[tuple] = field(default_factory=list)
    # village index → (resident pk, name, phone) of the first heads of household with a phone
    villagers: dict[int, list[tuple[int, str, str]]] = field(default_factory=lambda: defaultdict(list))


def _build_households(gen: Generator, places: Places, result: BuildResult, say) -> Collected:
    collected = Collected()
    batch: list[HouseholdPlan] = []
    done = 0
    step = max(gen.total // 10, BATCH_HOUSEHOLDS)
    next_report = step
    for plan in gen.households():
        batch.append(plan)
        if len(batch) >= BATCH_HOUSEHOLDS:
            _insert_batch(batch, places, collected, result)
            done += len(batch)
            batch = []
            if done >= next_report and gen.total >= 20 * BATCH_HOUSEHOLDS:
                say(f"已写入 {done}/{gen.total} 户。")
                next_report += step
    if batch:
        _insert_batch(batch, places, collected, result)
    return collected


class _Pinyin:
    """names.initials / names.full_pinyin, sped up for hundreds of thousands of names: a name made only of
    characters with a single reading is read character by character (the same result, since a phrase cannot
    change a reading that has no alternative); any other name goes through people.names itself."""

    def __init__(self):
        self._chars: dict[str, str | None] = {}

    def _char(self, c: str) -> str | None:
        if c not in self._chars:
            readings = pinyin(c, style=Style.NORMAL, heteronym=True)[0]
            self._chars[c] = readings[0].lower() if len(readings) == 1 and readings[0] != c else None
        return self._chars[c]

    def of(self, name: str) -> tuple[str, str]:
        parts = [self._char(c) for c in name]
        if all(parts):
            return "".join(p[0] for p in parts), "".join(parts)
        return names.initials(name), names.full_pinyin(name)


_pinyin = _Pinyin()


def _resident(plan: HouseholdPlan, person, household: Household) -> Resident:
    initials, full = _pinyin.of(person.name)
    return Resident(
        household=household,
        region_code=plan.grid_code,
        name=person.name,
        name_initials=initials,
        name_pinyin=full,
        sex=person.sex,
        birth_date=person.birth_date,
        id_number=person.id_number,  # EncryptedField: sealed on the way in
        id_number_hash=crypto.lookup_hash(person.id_number, purpose="id_number"),
        id_last4=person.id_number[-4:],
        phone=person.phone,
        phone_hash=crypto.lookup_hash(person.phone, purpose="phone") if person.phone else "",
        phone_last4=person.phone[-4:],
        relation=person.relation,
        residence=person.residence,
        status=person.status,
        status_date=person.status_date,
        tags=_tags_text(person.tags),
    )


def _insert_batch(
    batch: list[HouseholdPlan], places: Places, collected: Collected, result: BuildResult
) -> None:
    with transaction.atomic():
        rows = []
        for plan in batch:
            grid = places.grids[plan.grid_code]
            head = plan.head
            living = sum(1 for p in plan.members if p.status == "normal")
            rows.append(
                Household(
                    region=grid,
                    region_code=grid.code,
                    number=plan.number,
                    group_name=plan.group_name,
                    address=plan.address,
                    head_name=head.name,
                    head_initials=_pinyin.of(head.name)[0],
                    tags=_tags_text(plan.tags),
                    member_count=living,
                    **({"status": "active" if living else "closed"} if _has_status() else {}),
                )
            )
        Household.objects.bulk_create(rows, batch_size=500)
        residents, heads = [], []
        for plan, household in zip(batch, rows, strict=True):
            members = [_resident(plan, p, household) for p in plan.members]
            residents += members
            heads.append((plan, household, members))
        Resident.objects.bulk_create(residents, batch_size=500)
        # The head is always the first member: point each household at it in one statement per batch.
        pks = [h.pk for h in rows]
        Household.objects.filter(pk__in=pks).update(
            head=Subquery(
                Resident.objects.filter(household=OuterRef("pk"), relation="head")
                .order_by("pk")
                .values("pk")[:1]
            )
        )
        for plan, household, members in heads:
            collected.households[plan.village_index].append((household.pk, plan.grid_code))
            for person, resident in zip(plan.members, members, strict=True):
                if person.party:
                    collected.party.append(
                        (
                            plan.village_index,
                            resident.pk,
                            household.pk,
                            person.name,
                            plan.grid_code,
                            person.party,
                        )
                    )
            head = plan.head
            candidates = collected.villagers[plan.village_index]
            if len(candidates) < 3 and head.phone and head.status == "normal":
                candidates.append((members[0].pk, head.name, head.phone))
        result.households += len(rows)
        result.residents += len(residents)


_status_field = {}


def _has_status() -> bool:
    """Household.status is being added by the people module; set it when the field exists."""
    if "v" not in _status_field:
        _status_field["v"] = any(f.name == "status" for f in Household._meta.get_fields())
    return _status_field["v"]


# --- party members and 党员联户 --------------------------------------------------------------------------------


def _build_party(gen: Generator, places: Places, collected: Collected, result: BuildResult) -> None:
    by_village: dict[int, list[tuple]] = defaultdict(list)
    for row in collected.party:
        by_village[row[0]].append(row)
    members = []
    for v_index, rows in sorted(by_village.items()):
        branches = places.branches[v_index]
        for i, (_, resident_pk, _hh, name, grid_code, (status, mobile, joined)) in enumerate(rows):
            members.append(
                PartyMember(
                    org=branches[i % len(branches)],
                    resident_id=resident_pk,
                    region_code=grid_code,
                    name=name,
                    status=status,
                    is_mobile=mobile,
                    joined_on=joined,
                )
            )
    PartyMember.objects.bulk_create(members, batch_size=500)
    result.party_members = len(members)

    # Each member looks after a run of households of the village in grid order, starting near home; at most
    # LINK_LIMIT each, every household with at most one member.
    links = []
    for v_index, households in sorted(collected.households.items()):
        village_members = [m for m in members if m.org.region_code == places.villages[v_index].code]
        if not village_members:
            continue
        per_member = min(LINK_LIMIT, -(-len(households) // len(village_members)))
        start = 0
        for m in sorted(village_members, key=lambda m: (m.region_code, m.pk)):
            for hh_pk, grid_code in households[start : start + per_member]:
                links.append(HouseholdLink(member=m, household_id=hh_pk, region_code=grid_code))
            start += per_member
    HouseholdLink.objects.bulk_create(links, batch_size=1000)
    result.household_links = len(links)
    record(
        "party.members_imported",
        places.town,
        changes={"party_members": len(members), "household_links": len(links)},
    )


# --- accounts linked to residents -------------------------------------------------------------------------------


def _build_resident_accounts(places: Places, collected: Collected, staff: Staff) -> None:
    demo_village = places.villages[DEMO_VILLAGE_INDEX]
    member = (
        PartyMember.objects.filter(region_code__startswith=demo_village.code, resident__isnull=False)
        .order_by("pk")
        .first()
    )
    if member is not None:
        user = _new_user(
            staff,
            username=f"{USERNAME_PREFIX}party_member",
            full_name=member.name,
            resident_id=member.resident_id,
        )
        account_services.role_grant(user=user, role="party_member", region=demo_village)
    taken = {member.resident_id} if member is not None else set()
    for v_index, candidates in sorted(collected.villagers.items()):
        free = [c for c in candidates if c[0] not in taken]
        if not free:
            continue
        resident_pk, name, phone = free[0]
        user = _new_user(
            staff,
            username=account_services.villager_username(phone),
            full_name=name,
            kind=User.KIND_VILLAGER,
            resident_id=resident_pk,
            phone_hash=crypto.lookup_hash(phone, purpose="phone"),
        )
        account_services.role_grant(user=user, role="villager", region=places.villages[v_index])
