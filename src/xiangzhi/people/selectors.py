"""Reading households and residents, always scoped to what the user may see (`people.view`).

List queries run in a constant number of SQL statements and never load the encrypted columns (they are deferred:
nothing is decrypted to draw a list). Search (`q`):
- a full ID number or an 11-digit phone: exact, through the keyed lookup hash;
- four digits (or three and an X): the last four characters of the ID number;
- lower-case letters: a prefix of the pinyin initials (`zs` finds 张三);
- anything else: part of the name.
"""

import re

from django.db.models import Case, Q, QuerySet, Value, When

from xiangzhi import policy
from xiangzhi.core import crypto
from xiangzhi.people.models import Household, Resident

SENSITIVE_COLUMNS = ("id_number", "phone")
_LAST4 = re.compile(r"^\d{3}[\dXx]$")
_FULL_ID = re.compile(r"^\d{17}[\dXx]$")
_PHONE = re.compile(r"^1\d{10}$")
_INITIALS = re.compile(r"^[a-zA-Z]{1,20}$")


def prefix_range(field: str, prefix: str) -> Q:
    """`field` starts with `prefix` (lower-case letters) as a range both SQLite and PostgreSQL serve from a plain
    b-tree index: [prefix, next prefix). The upper bound stays in a–z so every collation orders it alike."""
    prefix = prefix.lower()
    q = Q(**{f"{field}__gte": prefix})
    stem = prefix.rstrip("z")
    if stem:
        q &= Q(**{f"{field}__lt": stem[:-1] + chr(ord(stem[-1]) + 1)})
    return q


def resident_match(q: str) -> Q:
    """The condition on Resident for a search text (see the module docstring)."""
    q = q.strip()
    if _FULL_ID.match(q):
        return Q(id_number_hash=crypto.lookup_hash(q, purpose="id_number"))
    if _PHONE.match(q):
        return Q(phone_hash=crypto.lookup_hash(q, purpose="phone"))
    if _LAST4.match(q):
        return Q(id_last4=q.upper())
    if _INITIALS.match(q):
        return prefix_range("name_initials", q.lower())
    return Q(name__contains=q)


def _is_exact_lookup(q: str) -> bool:
    return bool(_FULL_ID.match(q) or _PHONE.match(q) or _LAST4.match(q))


def _tag_q(tag: str) -> Q:
    return Q(tags__contains=f",{tag},")


def household_list(
    *,
    user,
    q: str | None = None,
    tag: str | None = None,
    region_code: str | None = None,
    status: str | None = None,
    action: str = "people.view",
) -> QuerySet:
    """Households the user may see, newest region order. `region_code` narrows to a village or grid subtree.
    A name search looks at the head of household; an ID, phone or last-four search at every member."""
    qs = policy.scope(user, action, Household.objects.all(), within=region_code).select_related("region")
    if status:
        qs = qs.filter(status=status)
    if tag:
        # Narrow the members' subquery to the same region as the households, so that a grid filter reads one
        # grid's residents, not the whole town's (bench/household_list.py, "filtered").
        members = policy.scope(
            user,
            action,
            Resident.objects.filter(_tag_q(tag), status=Resident.STATUS_NORMAL),
            within=region_code,
        )
        qs = qs.filter(_tag_q(tag) | Q(pk__in=members.values("household_id")))
    if q and q.strip():
        q = q.strip()
        if _is_exact_lookup(q):
            qs = qs.filter(pk__in=Resident.objects.filter(resident_match(q)).values("household_id"))
        elif _INITIALS.match(q):
            # Latin letters are pinyin initials: a Chinese name never contains them, and leaving the name
            # match out lets the initials index answer alone.
            qs = qs.filter(prefix_range("head_initials", q.lower()))
        else:
            qs = qs.filter(head_name__contains=q)
    return qs.order_by("region_code", "id")


def resident_list(
    *,
    user,
    q: str | None = None,
    tag: str | None = None,
    region_code: str | None = None,
    status: str | None = None,
    household: Household | None = None,
    action: str = "people.view",
) -> QuerySet:
    """Residents the user may see, with their household; the encrypted columns are not loaded."""
    qs = (
        policy.scope(user, action, Resident.objects.all(), within=region_code)
        .select_related("household")
        .defer(*SENSITIVE_COLUMNS)
    )
    if household is not None:
        qs = qs.filter(household=household)
    if status:
        qs = qs.filter(status=status)
    if tag:
        qs = qs.filter(_tag_q(tag))
    if q and q.strip():
        qs = qs.filter(resident_match(q))
    return qs.order_by("region_code", "household_id", "id")


def household_get(*, user, pk) -> Household:
    return policy.get_scoped_or_404(
        user, "people.view", Household.objects.select_related("region", "head"), pk=pk
    )


def household_members(*, household: Household) -> QuerySet:
    """Members of a household the caller already fetched through household_get (normal members first)."""
    in_village = Case(When(status=Resident.STATUS_NORMAL, then=Value(0)), default=Value(1))
    return household.members.defer(*SENSITIVE_COLUMNS).order_by(in_village, "id")


def resident_get(*, user, pk) -> Resident:
    return policy.get_scoped_or_404(user, "people.view", Resident.objects.select_related("household"), pk=pk)


def household_grid_choices(*, user) -> QuerySet:
    """The grids (and micro-grids) in which the user may register a household (`people.change`), in use."""
    from xiangzhi.regions.models import Region

    return (
        policy.scope(
            user,
            "people.change",
            Region.objects.filter(level__in=("grid", "micro_grid"), is_active=True),
            field="code",
        )
        .select_related("parent")
        .order_by("code")
    )
