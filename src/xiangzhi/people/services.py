"""Changing households and residents.

Every function takes `user`: the person acting, whose `people.*` rights are checked here (the web view, the API
and the register import all pass through the same checks), or None for the system itself (a CLI command, the demo
seeder). Every change is audited in its own transaction; ID numbers and phone numbers never enter an audit diff
(only the fact that one changed).
"""

import datetime as dt
import functools
import re
from collections.abc import Iterable

from django.db import IntegrityError, transaction

from xiangzhi import policy
from xiangzhi.audit.services import record
from xiangzhi.core import clock, crypto
from xiangzhi.core.errors import Conflict, ValidationFailed
from xiangzhi.people import idnumber, names
from xiangzhi.people.models import TAG_CHOICES, TAG_SEPARATORS, Household, Resident
from xiangzhi.regions.models import Region

PHONE_RE = re.compile(r"^1\d{10}$")
DUPLICATE_ID_MESSAGE = "该身份证号已登记，不能重复登记（如此人从外村迁入，请先由原村办理迁出）。"
RELATION_LABELS = dict(Resident.RELATION_CHOICES)
SEX_LABELS = dict(Resident.SEX_CHOICES)


def guarded(action: str, target: str):
    """Check `action` on the keyword argument `target` *before* the transaction opens (an audited refusal must
    not be rolled back with it), then run the service in one transaction."""

    def decorate(fn):
        atomic_fn = transaction.atomic(fn)

        @functools.wraps(fn)
        def wrapper(**kwargs):
            user = kwargs.get("user")
            if user is not None:
                policy.require(user, action, kwargs[target])
            return atomic_fn(**kwargs)

        return wrapper

    return decorate


def _audit(action: str, obj, user, changes: dict) -> None:
    record(action, obj, changes=changes, actor=user)


# -- small validators shared with the register import ----------------------------------------------------------


def normalise_tags(tags: Iterable[str] | str | None) -> list[str]:
    """A list of known tags, in the canonical order, from a list or from text such as "低保、残疾"."""
    if tags is None:
        return []
    if isinstance(tags, str):
        text = tags
        for sep in TAG_SEPARATORS:
            text = text.replace(sep, ",")
        tags = text.split(",")
    wanted = {t.strip() for t in tags if t and t.strip()}
    unknown = sorted(wanted - set(TAG_CHOICES))
    if unknown:
        raise ValidationFailed(
            f"未知标签：{'、'.join(unknown)}。可用标签：{'、'.join(TAG_CHOICES)}。", field="tags"
        )
    return [t for t in TAG_CHOICES if t in wanted]


def _tags_text(tags: list[str]) -> str:
    return f",{','.join(tags)}," if tags else ""


def normalise_phone(raw) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    phone = str(raw).strip().replace(" ", "").replace("-", "")
    if phone and not PHONE_RE.match(phone):
        raise ValidationFailed("联系电话应为以 1 开头的 11 位手机号码。", field="phone")
    return phone


def check_identity(*, id_number, birth_date: dt.date | None, sex: str | None) -> tuple[str, dt.date, str]:
    """Validate an ID number against the birth date and sex given (either may be None: then taken from the
    number). Returns (number, birth_date, sex). Messages never repeat the number."""
    number = idnumber.validate(id_number, birth_date=birth_date)
    born = idnumber.birth_date_of(number)
    if born > clock.today():
        raise ValidationFailed("身份证号中的出生日期晚于今天，请核对。", field="id_number")
    derived_sex = idnumber.sex_of(number)
    if sex in (None, ""):
        sex = derived_sex
    if sex not in SEX_LABELS:
        raise ValidationFailed("性别只能是“男”或“女”。", field="sex")
    if sex != derived_sex:
        raise ValidationFailed(
            f"性别（{SEX_LABELS[sex]}）与身份证号不符（身份证号第 17 位表示{SEX_LABELS[derived_sex]}）。",
            field="sex",
        )
    return number, born, sex


def id_number_taken(number: str, *, exclude_pk: int | None = None) -> bool:
    qs = Resident.objects.filter(id_number_hash=crypto.lookup_hash(number, purpose="id_number"))
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.exists()


def _grid_region(grid: Region) -> Region:
    if grid.level not in ("grid", "micro_grid"):
        raise ValidationFailed("户必须登记在网格（或微网格）下。", field="grid")
    if not grid.is_active:
        raise ValidationFailed("该网格已撤并，不能再登记新户。", field="grid")
    return grid


# -- households -------------------------------------------------------------------------------------------


@guarded("people.change", "grid")
def household_create(
    *,
    user,
    grid: Region,
    address: str,
    number: str = "",
    group_name: str = "",
    tags: Iterable[str] | str | None = None,
) -> Household:
    grid = _grid_region(grid)
    address = (address or "").strip()
    if not address:
        raise ValidationFailed("请填写住址。", field="address")
    tag_list = normalise_tags(tags)
    household = Household.objects.create(
        region=grid,
        region_code=grid.code,
        number=(number or "").strip(),
        group_name=(group_name or "").strip(),
        address=address,
        tags=_tags_text(tag_list),
    )
    _audit(
        "people.household_created",
        household,
        user,
        {"grid": grid.code, "number": household.number, "address": address, "tags": tag_list},
    )
    return household


@guarded("people.change", "household")
def household_update(
    *,
    user,
    household: Household,
    address: str | None = None,
    number: str | None = None,
    group_name=None,
    tags: Iterable[str] | str | None = None,
) -> Household:
    """Change any of address, number, group_name and tags (None leaves a field alone): one audit record with
    what changed."""
    new_tags = normalise_tags(tags) if tags is not None else None
    changes = {}
    for field, value in (("address", address), ("number", number), ("group_name", group_name)):
        if value is None:
            continue
        value = value.strip()
        if field == "address" and not value:
            raise ValidationFailed("请填写住址。", field="address")
        old = getattr(household, field)
        if old != value:
            changes[field] = [old, value]
            setattr(household, field, value)
    if new_tags is not None and new_tags != household.tag_list:
        changes["tags"] = [household.tag_list, new_tags]
        household.tags = _tags_text(new_tags)
    if changes:
        household.save(update_fields=[*changes, "updated_at"])
        _audit("people.household_updated", household, user, changes)
    return household


@guarded("people.change", "household")
def household_set_tags(*, user, household: Household, tags) -> Household:
    new = normalise_tags(tags)
    old = household.tag_list
    if new != old:
        household.tags = _tags_text(new)
        household.save(update_fields=["tags", "updated_at"])
        _audit("people.household_tags_changed", household, user, {"tags": [old, new]})
    return household


def _refresh_household(household: Household) -> None:
    """Recount the members still in the village; a household with none left is closed, reopened otherwise."""
    count = household.members.filter(status=Resident.STATUS_NORMAL).count()
    status = Household.STATUS_ACTIVE if count else Household.STATUS_CLOSED
    if household.member_count != count or household.status != status:
        household.member_count, household.status = count, status
        household.save(update_fields=["member_count", "status", "updated_at"])


def _set_head(household: Household, resident: Resident) -> None:
    household.head = resident
    household.head_name = resident.name
    household.head_initials = resident.name_initials
    household.save(update_fields=["head", "head_name", "head_initials", "updated_at"])


# -- residents ------------------------------------------------------------------------------------------------


@guarded("people.change", "household")
def resident_create(
    *,
    user,
    household: Household,
    name: str,
    id_number,
    birth_date: dt.date | None = None,
    sex: str | None = None,
    phone="",
    relation: str = "other",
    residence: str = "registered",
    tags: Iterable[str] | str | None = None,
) -> Resident:
    """Register a resident in `household`. `relation="head"` makes the resident the head of the household."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("请填写姓名。", field="name")
    number, born, sex = check_identity(id_number=id_number, birth_date=birth_date, sex=sex)
    phone = normalise_phone(phone)
    if relation not in RELATION_LABELS:
        raise ValidationFailed("与户主关系不正确。", field="relation")
    if residence not in dict(Resident.RESIDENCE_CHOICES):
        raise ValidationFailed("人员类别不正确。", field="residence")
    if relation == "head" and household.head_id and household.head.status == Resident.STATUS_NORMAL:
        raise ValidationFailed(
            f"该户已有户主（{household.head_name}）；如需变更户主，请在户详情中设置。", field="relation"
        )
    tag_list = normalise_tags(tags)
    if id_number_taken(number):
        raise ValidationFailed(DUPLICATE_ID_MESSAGE, field="id_number")
    resident = Resident(
        household=household,
        region_code=household.region_code,
        name=name,
        name_initials=names.initials(name),
        name_pinyin=names.full_pinyin(name),
        sex=sex,
        birth_date=born,
        id_number=number,
        id_number_hash=crypto.lookup_hash(number, purpose="id_number"),
        id_last4=number[-4:],
        phone=phone,
        phone_hash=crypto.lookup_hash(phone, purpose="phone") if phone else "",
        phone_last4=phone[-4:],
        relation=relation,
        residence=residence,
        tags=_tags_text(tag_list),
    )
    try:
        with transaction.atomic():
            resident.save()
    except IntegrityError:  # registered meanwhile by someone else
        raise ValidationFailed(DUPLICATE_ID_MESSAGE, field="id_number") from None
    if relation == "head":
        _set_head(household, resident)
    _refresh_household(household)
    _audit(
        "people.resident_created",
        resident,
        user,
        {
            "household": household.pk,
            "name": name,
            "sex": sex,
            "relation": relation,
            "residence": residence,
            "tags": tag_list,
            "has_phone": bool(phone),
        },
    )
    return resident


UPDATABLE = ("name", "sex", "birth_date", "id_number", "phone", "relation", "residence")


@guarded("people.change", "resident")
def resident_update(
    *, user, resident: Resident, tags: Iterable[str] | str | None = None, **fields
) -> Resident:
    """Change any of name, sex, birth_date, id_number, phone, relation, residence and tags (None leaves the tags
    alone): one audit record with what changed. The ID number, birth date and sex are checked together, as they
    end up."""
    unknown = set(fields) - set(UPDATABLE)
    if unknown:
        raise TypeError(f"resident_update: unknown fields {sorted(unknown)}")
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    changes: dict = {}
    sensitive: list[str] = []

    if "name" in fields:
        name = (fields["name"] or "").strip()
        if not name:
            raise ValidationFailed("请填写姓名。", field="name")
        if name != resident.name:
            changes["name"] = [resident.name, name]
            resident.name = name
            resident.name_initials = names.initials(name)
            resident.name_pinyin = names.full_pinyin(name)

    if {"id_number", "birth_date", "sex"} & set(fields):
        new_id = "id_number" in fields
        # A new ID number alone brings its own birth date and sex; anything given alongside must agree with it.
        number, born, sex = check_identity(
            id_number=fields.get("id_number", resident.id_number),
            birth_date=fields.get("birth_date", None if new_id else resident.birth_date),
            sex=fields.get("sex", None if new_id else resident.sex),
        )
        if number != resident.id_number:
            if id_number_taken(number, exclude_pk=resident.pk):
                raise ValidationFailed(DUPLICATE_ID_MESSAGE, field="id_number")
            resident.id_number = number
            resident.id_number_hash = crypto.lookup_hash(number, purpose="id_number")
            resident.id_last4 = number[-4:]
            sensitive.append("id_number")
        if born != resident.birth_date:
            resident.birth_date = born
            sensitive.append("birth_date")
        if sex != resident.sex:
            changes["sex"] = [resident.sex, sex]
            resident.sex = sex

    if "phone" in fields:
        phone = normalise_phone(fields["phone"])
        if phone != (resident.phone or ""):
            resident.phone = phone
            resident.phone_hash = crypto.lookup_hash(phone, purpose="phone") if phone else ""
            resident.phone_last4 = phone[-4:]
            sensitive.append("phone")

    for field, choices in (("relation", RELATION_LABELS), ("residence", dict(Resident.RESIDENCE_CHOICES))):
        if field in fields and fields[field] != getattr(resident, field):
            if fields[field] not in choices:
                raise ValidationFailed("与户主关系不正确。" if field == "relation" else "人员类别不正确。")
            if field == "relation" and "head" in (fields[field], resident.relation):
                raise ValidationFailed("变更户主请使用“设为户主”。", field="relation")
            changes[field] = [getattr(resident, field), fields[field]]
            setattr(resident, field, fields[field])

    if tags is not None:
        new_tags, old_tags = normalise_tags(tags), resident.tag_list
        if new_tags != old_tags:
            changes["tags"] = [old_tags, new_tags]
            resident.tags = _tags_text(new_tags)

    if not changes and not sensitive:
        return resident
    try:
        with transaction.atomic():
            resident.save()
    except IntegrityError:
        raise ValidationFailed(DUPLICATE_ID_MESSAGE, field="id_number") from None
    household = resident.household
    if household.head_id == resident.pk and "name" in changes:
        _set_head(household, resident)
    audit_changes = dict(changes)
    if sensitive:
        audit_changes["sensitive_changed"] = sensitive  # the names of the fields, never their values
    _audit("people.resident_updated", resident, user, audit_changes)
    return resident


@guarded("people.change", "resident")
def resident_set_tags(*, user, resident: Resident, tags) -> Resident:
    new = normalise_tags(tags)
    old = resident.tag_list
    if new != old:
        resident.tags = _tags_text(new)
        resident.save(update_fields=["tags", "updated_at"])
        _audit("people.resident_tags_changed", resident, user, {"tags": [old, new]})
    return resident


@guarded("people.change", "household")
def resident_set_head(*, user, household: Household, resident: Resident) -> Household:
    """Make `resident` the head. The former head's relation becomes 其他 until a cadre records the new one."""
    household = Household.objects.select_for_update().get(pk=household.pk)
    if resident.household_id != household.pk:
        raise ValidationFailed("只能把本户成员设为户主。")
    if resident.status != Resident.STATUS_NORMAL:
        raise ValidationFailed("已迁出或已故的居民不能设为户主。")
    if household.head_id == resident.pk:
        return household
    old_head = household.head
    if old_head is not None:
        old_head.relation = "other"
        old_head.save(update_fields=["relation", "updated_at"])
    resident.relation = "head"
    resident.save(update_fields=["relation", "updated_at"])
    _set_head(household, resident)
    _audit(
        "people.household_head_changed",
        household,
        user,
        {
            "head": [old_head.pk if old_head else None, resident.pk],
            "head_name": [getattr(old_head, "name", ""), resident.name],
        },
    )
    return household


@guarded("people.change", "household")
def household_split(
    *,
    user,
    household: Household,
    members: Iterable[Resident],
    new_head: Resident,
    address: str,
    grid: Region | None = None,
    number: str = "",
) -> Household:
    """分户: `members` (in the village, not the head) leave `household` for a new household in `grid` (by default
    the same grid; another grid of the same village may be named), headed by `new_head`, one of them. At least one
    member stays behind: moving everyone is not a split. The movers' relation to the new head is 其他 until a cadre
    records it, as with a change of head. Points move separately (xiangzhi.points.split), in the same transaction
    when the caller holds one."""
    household = Household.objects.select_for_update().get(pk=household.pk)
    if household.status != Household.STATUS_ACTIVE:
        raise Conflict("该户已销户，不能分户。")
    ids = {m.pk for m in members}
    if not ids:
        raise ValidationFailed("请选择要分出的成员。", field="members")
    movers = list(Resident.objects.select_for_update().filter(pk__in=ids, household=household).order_by("id"))
    if len(movers) != len(ids):
        raise ValidationFailed("只能分出本户的成员。", field="members")
    if any(m.status != Resident.STATUS_NORMAL for m in movers):
        raise ValidationFailed("已迁出或已故的居民不能分户。", field="members")
    if household.head_id in ids:
        raise ValidationFailed("户主不能分出：如确需由户主另立新户，请先为原户变更户主。", field="members")
    staying = household.members.filter(status=Resident.STATUS_NORMAL).exclude(pk__in=ids).count()
    if staying == 0:
        raise ValidationFailed("原户至少要留下一名成员。", field="members")
    if new_head.pk not in ids:
        raise ValidationFailed("新户主须是分出的成员之一。", field="new_head")
    grid = _grid_region(grid or household.region)
    if grid.code[:12] != household.region_code[:12]:
        raise ValidationFailed("分出的新户须在本村的网格内。", field="grid")
    if user is not None and grid.pk != household.region_id:
        policy.require(user, "people.change", grid)
    address = (address or "").strip()
    if not address:
        raise ValidationFailed("请填写新户的住址。", field="address")
    new = Household.objects.create(
        region=grid,
        region_code=grid.code,
        number=(number or "").strip(),
        group_name=household.group_name,
        address=address,
    )
    for m in movers:
        m.household, m.region_code = new, grid.code
        m.relation = "head" if m.pk == new_head.pk else "other"
        m.save(update_fields=["household", "region_code", "relation", "updated_at"])
    head = next(m for m in movers if m.pk == new_head.pk)
    _set_head(new, head)
    _refresh_household(new)
    _refresh_household(household)
    _audit(
        "people.household_split",
        household,
        user,
        {
            "new_household": new.pk,
            "grid": grid.code,
            "members": [m.pk for m in movers],
            "head": head.pk,
            "address": address,
        },
    )
    return new


def leave_check(*, resident: Resident, date: dt.date | None) -> None:
    """The rules for marking a resident moved away or deceased on `date`; asked again by `_leave`, and by the
    web form before its confirmation step so that a bad date is answered before the person confirms."""
    if resident.status != Resident.STATUS_NORMAL:
        raise Conflict(f"该居民已是“{resident.get_status_display()}”状态。")
    if date is None:
        raise ValidationFailed("请填写日期。", field="date")
    if date > clock.today():
        raise ValidationFailed("日期不能晚于今天。", field="date")
    if date < resident.birth_date:
        raise ValidationFailed("日期不能早于出生日期。", field="date")


def _leave(*, user, resident: Resident, status: str, date: dt.date, action: str) -> Resident:
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    leave_check(resident=resident, date=date)
    resident.status, resident.status_date = status, date
    resident.save(update_fields=["status", "status_date", "updated_at"])
    _refresh_household(resident.household)
    _audit(action, resident, user, {"status": [Resident.STATUS_NORMAL, status], "date": date.isoformat()})
    return resident


@guarded("people.change", "resident")
def resident_move_away(*, user, resident: Resident, date: dt.date) -> Resident:
    return _leave(
        user=user,
        resident=resident,
        status=Resident.STATUS_MOVED,
        date=date,
        action="people.resident_moved_away",
    )


@guarded("people.change", "resident")
def resident_mark_deceased(*, user, resident: Resident, date: dt.date) -> Resident:
    return _leave(
        user=user,
        resident=resident,
        status=Resident.STATUS_DECEASED,
        date=date,
        action="people.resident_deceased",
    )


def resident_reveal(*, user, resident: Resident) -> dict:
    """The full ID number, phone and birth date for a user with `people.reveal_pii`; the reveal is audited (which
    fields, never the values). A refusal raises PermissionDenied and is audited too."""
    policy.require(user, "people.reveal_pii", resident)
    with transaction.atomic():
        record(
            "people.pii_revealed",
            resident,
            changes={"fields": ["id_number", "phone", "birth_date"]},
            actor=user,
        )
    return {"id_number": resident.id_number, "phone": resident.phone or "", "birth_date": resident.birth_date}


# -- register (Excel) -----------------------------------------------------------------------------------------


def register_import(*, user, file, village: Region, all_or_nothing: bool = False):
    """Import a 户籍台账 sheet into `village` (see docs/register-template.md). Returns an ImportResult listing each
    bad row (row, column, reason). Each household is imported whole or not at all; with `all_or_nothing`, one
    bad row imports nothing. The attempt is audited with counts only."""
    from xiangzhi.people import excel

    return excel.run_import(user=user, file=file, village=village, all_or_nothing=all_or_nothing)


def register_export(
    *, user, region_code: str | None = None, q=None, tag=None, status=None
) -> tuple[bytes, int]:
    """An .xlsx of the households and residents the user may export, masked where the user may not reveal.
    Returns (content, number of resident rows); the export is audited (counts, never values)."""
    from xiangzhi.people import excel

    policy.require(user, "people.export")
    content, households, residents, revealed = excel.build_export(
        user=user, region_code=region_code, q=q, tag=tag, status=status
    )
    with transaction.atomic():
        record(
            "people.register_exported",
            changes={
                "households": households,
                "residents": residents,
                "revealed": revealed,
                "filter_region": region_code or "",
            },
            region_code=policy.audit_region(user, "people.export", region_code),
            actor=user,
        )
    return content, residents
