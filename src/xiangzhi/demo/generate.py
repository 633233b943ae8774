"""Deterministic generation of the demo township's people, without the database.

Same seed and size, same data: every draw comes from one `random.Random(seed)` consumed in a fixed order, and
ages are counted from a fixed reference day (not from today), so two builds on different days agree.
"""

import datetime as dt
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from xiangzhi.demo import data
from xiangzhi.people import idnumber

REFERENCE_DAY = dt.date(2025, 6, 30)  # ages and dates are counted from here
DEFAULT_SEED = 2024
DEFAULT_HOUSEHOLDS = 3000
DEFAULT_PARTY_MEMBERS = 200


@dataclass(slots=True)
class Person:
    name: str
    sex: str  # "M" / "F"
    birth_date: dt.date
    id_number: str
    relation: str
    residence: str = "registered"
    status: str = "normal"
    status_date: dt.date | None = None
    phone: str = ""
    tags: list[str] = field(default_factory=list)
    party: tuple | None = None  # (status, is_mobile, joined_on) when a party member

    def age(self) -> int:
        b = self.birth_date
        day = REFERENCE_DAY
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))


@dataclass(slots=True)
class HouseholdPlan:
    village_index: int
    grid_code: str
    group_name: str
    number: str
    address: str
    members: list[Person]
    tags: list[str]

    @property
    def head(self) -> Person:
        return self.members[0]


@dataclass
class Grid:
    code: str
    name: str
    village_index: int
    group_no: int
    households: int = 0


@dataclass
class Village:
    index: int
    code: str
    name: str
    surnames: str
    grids: list[Grid]

    @property
    def households(self) -> int:
        return sum(g.households for g in self.grids)


def villages() -> list[Village]:
    """The 11 villages and their 144 grids (codes only, no households yet)."""
    result = []
    for i, (name, grid_count, surnames) in enumerate(data.VILLAGES):
        code = f"{data.TOWN[0]}{201 + i:03d}"
        grids = [
            Grid(f"{code}{g:03d}", f"{name}{data.group_name(g)}", i, g) for g in range(1, grid_count + 1)
        ]
        result.append(Village(i, code, name, surnames, grids))
    return result


def split(total: int, weights: list[float]) -> list[int]:
    """Split `total` into integer parts proportional to `weights` (largest remainders), summing to `total`."""
    whole = sum(weights)
    raw = [total * w / whole for w in weights]
    parts = [math.floor(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (parts[i] - raw[i], i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


class Generator:
    """Draws the township. Call `plan_villages()` once, then iterate `households()`."""

    def __init__(
        self,
        *,
        seed: int = DEFAULT_SEED,
        households: int = DEFAULT_HOUSEHOLDS,
        party_members: int = DEFAULT_PARTY_MEMBERS,
    ):
        if households < len(data.VILLAGES):
            raise ValueError("at least one household per village")
        self.seed = seed
        self.total = households
        self.party_total = min(party_members, households)
        self.rng = random.Random(seed)
        self.staff_rng = random.Random(f"staff-{seed}")
        self._used_ids: set[str] = set()
        self.villages = villages()
        grids = [g for v in self.villages for g in v.grids]
        # Grids differ in size (0.6x to 1.6x of the mean), as real 村民小组 do.
        weights = [self.rng.uniform(0.6, 1.6) for _ in grids]
        for g, n in zip(grids, split(households, weights), strict=True):
            g.households = n
        self.party_quota = split(self.party_total, [v.households for v in self.villages])

    # --- names -------------------------------------------------------------------------------------------
    def surname(self, village: Village | None = None, rng: random.Random | None = None) -> str:
        rng = rng or self.rng
        if village is not None and rng.random() < 0.6:
            return rng.choice(village.surnames)
        return rng.choice(data.SURNAMES)

    def given_name(self, sex: str, birth_year: int, rng: random.Random | None = None) -> str:
        rng = rng or self.rng
        if birth_year < 1975:
            chars = data.MALE_OLD if sex == "M" else data.FEMALE_OLD
        elif birth_year < 1995:
            chars = (data.MALE_OLD + data.MALE_NEW) if sex == "M" else (data.FEMALE_OLD + data.FEMALE_NEW)
        else:
            chars = data.MALE_NEW if sex == "M" else data.FEMALE_NEW
        if rng.random() < 0.25:
            return rng.choice(chars)
        return rng.choice(chars) + rng.choice(chars)

    def staff_name(self, sex: str | None = None, village: Village | None = None) -> str:
        """A fictitious name for a staff account or an org's secretary. Drawn from a stream of its own, so the
        residents do not change when accounts are added."""
        rng = self.staff_rng
        sex = sex or rng.choice("MF")
        return self.surname(village, rng) + self.given_name(sex, rng.randint(1965, 1995), rng)

    # --- people ------------------------------------------------------------------------------------------
    def birth(self, age: int) -> dt.date:
        start = dt.date(REFERENCE_DAY.year - age - 1, REFERENCE_DAY.month, REFERENCE_DAY.day) + dt.timedelta(
            days=1
        )
        return start + dt.timedelta(days=self.rng.randrange(365))

    def id_number(self, birth: dt.date, sex: str, married_in: bool) -> str:
        if married_in and self.rng.random() < 0.7:
            address = self.rng.choice(data.NEIGHBOUR_ADDRESSES)
        elif birth.year < 1985 and self.rng.random() < 0.7:
            address = data.HOME_ADDRESS_OLD
        else:
            address = data.HOME_ADDRESS
        while True:
            number = idnumber.make(address, birth, self.rng.randrange(500), sex)
            if number not in self._used_ids:
                self._used_ids.add(number)
                return number

    def phone(self) -> str:
        return self.rng.choice(data.PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def _wife(self, husband_age: int) -> Person:
        """A spouse who married in: her own surname, near her husband's age (same draws, same order as before)."""
        return self.person(
            surname=self.surname(),
            sex="F",
            age=husband_age - self.rng.randint(-2, 5),
            relation="spouse",
            married_in=True,
        )

    def person(self, *, surname: str, sex: str, age: int, relation: str, married_in: bool = False) -> Person:
        birth = self.birth(age)
        p = Person(
            name=surname + self.given_name(sex, birth.year),
            sex=sex,
            birth_date=birth,
            id_number=self.id_number(birth, sex, married_in),
            relation=relation,
        )
        if 18 <= age <= 75 and self.rng.random() < 0.9 or age > 75 and self.rng.random() < 0.4:
            p.phone = self.phone()
        return p

    def _children(self, surname: str, parent_age: int, count: int, relation: str = "child") -> list[Person]:
        kids = []
        for _ in range(count):
            age = parent_age - self.rng.randint(22, 34)
            if age < 0:
                continue
            kids.append(self.person(surname=surname, sex=self.rng.choice("MF"), age=age, relation=relation))
        return kids

    def household_members(self, village: Village) -> list[Person]:
        r = self.rng.random()
        surname = self.surname(village)
        if r < 0.08:  # an old person alone
            sex = "F" if self.rng.random() < 0.6 else "M"
            members = [self.person(surname=surname, sex=sex, age=self.rng.randint(65, 92), relation="head")]
            if sex == "F":
                members[0].name = self.surname() + members[0].name[1:]
        elif r < 0.23:  # an old couple
            age = self.rng.randint(60, 86)
            members = [
                self.person(surname=surname, sex="M", age=age, relation="head"),
                self._wife(age),
            ]
        elif r < 0.63:  # a couple with children, sometimes a parent
            age = self.rng.randint(28, 59)
            members = [self.person(surname=surname, sex="M", age=age, relation="head")]
            if self.rng.random() < 0.92:
                members.append(self._wife(age))
            members += self._children(surname, age, self.rng.choice((1, 1, 2, 2, 2, 3)))
            if self.rng.random() < 0.12 and age + 26 < 95:
                members.append(
                    self.person(
                        surname=surname,
                        sex=self.rng.choice("MF"),
                        age=age + self.rng.randint(22, 32),
                        relation="parent",
                    )
                )
        elif r < 0.95:  # three generations
            age = self.rng.randint(52, 82)
            members = [self.person(surname=surname, sex="M", age=age, relation="head")]
            if self.rng.random() < 0.85:
                members.append(self._wife(age))
            son_age = age - self.rng.randint(22, 32)
            members.append(self.person(surname=surname, sex="M", age=son_age, relation="child"))
            members.append(
                self.person(
                    surname=self.surname(),
                    sex="F",
                    age=son_age - self.rng.randint(-2, 4),
                    relation="child_in_law",
                    married_in=True,
                )
            )
            members += self._children(
                surname, son_age, self.rng.choice((1, 1, 2, 2, 3)), relation="grandchild"
            )
        else:  # a single adult
            sex = "M" if self.rng.random() < 0.7 else "F"
            members = [self.person(surname=surname, sex=sex, age=self.rng.randint(25, 64), relation="head")]
        self._life(members)
        return members

    def _life(self, members: list[Person]) -> None:
        """Residence, deaths and moves, and person-level tags."""
        for p in members:
            age = p.age()
            if 18 <= age <= 55 and self.rng.random() < 0.35:
                p.residence = "migrant_worker"
            elif p.relation == "child_in_law" and self.rng.random() < 0.1:
                p.residence = "resident"  # lives here, 户籍 elsewhere
            if p.relation != "head":
                if age >= 75 and self.rng.random() < 0.04:
                    p.status = "deceased"
                    p.status_date = REFERENCE_DAY - dt.timedelta(days=self.rng.randrange(30, 1000))
                elif 20 <= age <= 40 and self.rng.random() < 0.02:
                    p.status = "moved_away"
                    p.status_date = REFERENCE_DAY - dt.timedelta(days=self.rng.randrange(30, 1500))
            if self.rng.random() < 0.03:
                p.tags.append("残疾")
            if p.sex == "M" and 25 <= age <= 70 and self.rng.random() < 0.03:
                p.tags.append("退役军人")
            if 18 <= age and self.rng.random() < 0.003:
                p.tags.append("重点人员")
        living = [p for p in members if p.status == "normal"]
        working = [p for p in living if 18 <= p.age() <= 59]
        left_behind = bool(working) and all(p.residence == "migrant_worker" for p in working)
        for p in living:
            if p.age() >= 60 and len(living) == 1:
                p.tags.append("独居老人")
            elif p.age() >= 60 and left_behind:
                p.tags.append("留守老人")
            elif p.age() < 16 and left_behind:
                p.tags.append("留守儿童")

    def household_tags(self, members: list[Person]) -> list[str]:
        tags = [t for t, share in data.HOUSEHOLD_TAGS.items() if self.rng.random() < share]
        if len(members) == 1 and members[0].age() >= 60 and self.rng.random() < 0.2:
            tags.append("五保")
        for p in members:
            for t in p.tags:
                if t not in tags:
                    tags.append(t)
        return tags

    def make_party_member(self, members: list[Person]) -> bool:
        candidates = [p for p in members if p.status == "normal" and 22 <= p.age() <= 85]
        if not candidates:
            return False
        p = candidates[0] if self.rng.random() < 0.7 else self.rng.choice(candidates)
        age = p.age()
        probationary = age < 45 and self.rng.random() < 0.25
        joined_age = age - 1 if probationary else self.rng.randint(20, max(20, age - 1))
        joined = (
            p.birth_date.replace(year=p.birth_date.year + joined_age)
            if not (p.birth_date.month == 2 and p.birth_date.day == 29)
            else dt.date(p.birth_date.year + joined_age, 3, 1)
        )
        joined = min(joined, REFERENCE_DAY - dt.timedelta(days=30))
        p.party = ("probationary" if probationary else "full", p.residence == "migrant_worker", joined)
        p.tags.append("党员")
        return True

    # --- households --------------------------------------------------------------------------------------
    def households(self) -> Iterator[HouseholdPlan]:
        """Every household, village by village and grid by grid (the order the builder inserts them)."""
        for village in self.villages:
            n = village.households
            chosen = set(self.rng.sample(range(n), self.party_quota[village.index]))
            pending = 0
            k = 0
            for grid in village.grids:
                for house_no in range(1, grid.households + 1):
                    members = self.household_members(village)
                    if k in chosen:
                        pending += 1
                    if pending and self.make_party_member(members):
                        pending -= 1
                    yield HouseholdPlan(
                        village_index=village.index,
                        grid_code=grid.code,
                        group_name=data.group_name(grid.group_no),
                        number=f"{grid.code[-6:]}{house_no:04d}",
                        address=f"{data.TOWN[1]}{village.name}{data.group_name(grid.group_no)}{house_no}号",
                        members=members,
                        tags=self.household_tags(members),
                    )
                    k += 1
