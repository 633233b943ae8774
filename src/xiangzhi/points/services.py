"""Points services: schemes (versioned, copied from a town template), claims from submission to the ledger,
objections during the public notice (公示). The ledger itself is written only by `xiangzhi.points.ledger`.

Claim states: submitted (待评议) → notice (公示中: approved, on the board for the village's notice days) → posted
(已入账, after the notice period with every objection answered); submitted → rejected; submitted/notice →
withdrawn by the claimant; an objection upheld sends a claim in notice back to review (submitted).
"""

import datetime as dt
import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Max, Sum
from django.db.models.functions import Abs

from xiangzhi import policy
from xiangzhi.audit.services import record, record_denied
from xiangzhi.core import clock, text
from xiangzhi.core.errors import Conflict, PermissionDenied, ValidationFailed
from xiangzhi.core.files import file_store
from xiangzhi.core.notify import notify_many
from xiangzhi.points import ledger, periods
from xiangzhi.points.models import (
    CATEGORY_LABELS,
    HOLDER_HOUSEHOLD,
    HOLDER_PARTY,
    KIND_CHOICES,
    PERIOD_CHOICES,
    Claim,
    LedgerEntry,
    Objection,
    PointBalance,
    PointItem,
    PointScheme,
)
from xiangzhi.regions.models import Region

MAX_PHOTOS = 9
MAX_BACKDATE_DAYS = 92  # a claim is for something done within about the last quarter
MAX_POINTS = 1000  # a single item or claim; larger is a typing error


def _audit(action: str, obj, user, changes: dict, *, region_code: str | None = None) -> None:
    record(f"points.{action}", obj, changes=changes, actor=user, region_code=region_code)


# -- schemes ---------------------------------------------------------------------------------------------------


def active_scheme(village_code: str, kind: str = HOLDER_HOUSEHOLD) -> PointScheme | None:
    return PointScheme.objects.filter(region_code=village_code, kind=kind, status=PointScheme.ACTIVE).first()


def _scheme_region(user, region: Region, *, template: bool) -> None:
    if template:
        if region.level != "town":
            raise ValidationFailed("积分方案模板由乡镇发布。", field="region")
        policy.require(user, "points.template", region)
    else:
        if region.level != "village":
            raise ValidationFailed("积分方案按村制定：请选择一个村。", field="region")
        policy.require(user, "points.scheme", region)


def scheme_create(
    *,
    user,
    region: Region,
    name: str,
    kind: str = HOLDER_HOUSEHOLD,
    period: str = "month",
    notice_days: int = 7,
    red_list_size: int = 5,
    base_score: int = 0,
    note: str = "",
    is_template: bool = False,
) -> PointScheme:
    """A new draft: version 1 of a village's (or a town template's) scheme of this kind, or the next version."""
    _scheme_region(user, region, template=is_template)
    name = text.clean_text(name, field="name", label="方案名称", limit=100)
    note = text.clean_text(note, field="note", label="说明", limit=2000, required=False)
    if kind not in dict(KIND_CHOICES):
        raise ValidationFailed("方案类型不正确。", field="kind")
    if period not in dict(PERIOD_CHOICES):
        raise ValidationFailed("考核周期只能是月或季度。", field="period")
    if not 1 <= int(notice_days) <= 60:
        raise ValidationFailed("公示天数须在 1 到 60 天之间。", field="notice_days")
    if not 1 <= int(red_list_size) <= 50:
        raise ValidationFailed("红榜名额须在 1 到 50 户之间。", field="red_list_size")
    if not 0 <= int(base_score) <= MAX_POINTS:
        raise ValidationFailed(f"基础分须在 0 到 {MAX_POINTS} 之间。", field="base_score")
    with transaction.atomic():
        if PointScheme.objects.filter(region_code=region.code, kind=kind, status=PointScheme.DRAFT).exists():
            raise Conflict("已有一份未施行的草稿：请先修改或施行它。")
        last = PointScheme.objects.filter(region_code=region.code, kind=kind).aggregate(v=Max("version"))["v"]
        scheme = PointScheme.objects.create(
            region=region,
            region_code=region.code,
            kind=kind,
            name=name,
            version=(last or 0) + 1,
            is_template=is_template,
            period=period,
            notice_days=notice_days,
            red_list_size=red_list_size,
            base_score=base_score,
            note=note,
            created_by=user,
            created_at=clock.now(),
        )
        _audit("scheme_create", scheme, user, {"name": name, "kind": kind, "version": scheme.version})
    return scheme


def _editable(user, scheme: PointScheme) -> PointScheme:
    locked = PointScheme.objects.select_for_update().get(pk=scheme.pk)
    _scheme_region(user, locked.region, template=locked.is_template)
    if locked.status != PointScheme.DRAFT:
        raise Conflict("施行中或已停用的方案不能修改：请另建新版本。")
    return locked


def item_save(
    *,
    user,
    scheme: PointScheme,
    code: str,
    name: str,
    points: int,
    category: str = "other",
    cap_per_period: int | None = None,
    evidence_required: bool = False,
    is_violation: bool = False,
    source_article: str = "",
    sort: int = 0,
) -> PointItem:
    """Add an item to a draft, or change the draft's item of that code."""
    code = text.clean_text(code, field="code", label="编号", limit=20).upper()
    name = text.clean_text(name, field="name", label="名称", limit=100)
    source_article = text.clean_text(
        source_article, field="source_article", label="村规民约条款", limit=200, required=False
    )
    try:
        points = int(points)
    except (TypeError, ValueError):
        raise ValidationFailed("分值须为整数。", field="points") from None
    if points == 0 or abs(points) > MAX_POINTS:
        raise ValidationFailed(f"分值须为非零整数，绝对值不超过 {MAX_POINTS}。", field="points")
    if category not in CATEGORY_LABELS:
        raise ValidationFailed("类别不正确。", field="category")
    if cap_per_period is not None:
        if int(cap_per_period) < abs(points):
            raise ValidationFailed("每周期上限不能小于该项一次的分值。", field="cap_per_period")
    if is_violation and points > 0:
        raise ValidationFailed("只有扣分项才能标记为违反村规民约。", field="is_violation")
    with transaction.atomic():
        scheme = _editable(user, scheme)
        item, created = PointItem.objects.update_or_create(
            scheme=scheme,
            code=code,
            defaults={
                "name": name,
                "points": points,
                "category": category,
                "cap_per_period": cap_per_period,
                "evidence_required": bool(evidence_required),
                "is_violation": bool(is_violation),
                "source_article": source_article,
                "sort": sort,
            },
        )
        _audit("item_save", scheme, user, {"code": code, "points": points, "created": created})
    return item


def item_delete(*, user, item: PointItem) -> None:
    with transaction.atomic():
        _editable(user, item.scheme)
        _audit("item_delete", item.scheme, user, {"code": item.code})
        item.delete()


def scheme_activate(*, user, scheme: PointScheme) -> PointScheme:
    """施行: the draft becomes the active version; the previous active version is retired. A template is
    published the same way (villages then copy it)."""
    with transaction.atomic():
        scheme = _editable(user, scheme)
        if not scheme.items.exists():
            raise ValidationFailed("方案还没有积分项。", field="items")
        now = clock.now()
        retired = PointScheme.objects.filter(
            region_code=scheme.region_code, kind=scheme.kind, status=PointScheme.ACTIVE
        ).update(status=PointScheme.RETIRED)
        scheme.status, scheme.activated_at = PointScheme.ACTIVE, now
        scheme.save(update_fields=["status", "activated_at"])
        _audit("scheme_activate", scheme, user, {"version": scheme.version, "retired": retired})
    return scheme


def scheme_copy(*, user, source: PointScheme, region: Region, name: str = "") -> PointScheme:
    """A new draft for `region` with the items of `source`: a town template a village adapts, or the village's
    own active version to change (its next version)."""
    source = PointScheme.objects.get(pk=source.pk)  # as it is now
    if source.is_template:
        if not region.code.startswith(source.region_code):
            raise ValidationFailed("只能采用本乡镇发布的模板。", field="template")
        if source.status != PointScheme.ACTIVE:
            raise Conflict("该模板尚未发布或已停用。")
    elif source.region_code != region.code:
        raise ValidationFailed("只能在本村方案的基础上修订。", field="source")
    with transaction.atomic():
        draft = scheme_create(
            user=user,
            region=region,
            name=name or source.name,
            kind=source.kind,
            period=source.period,
            notice_days=source.notice_days,
            red_list_size=source.red_list_size,
            base_score=source.base_score,
            note=source.note,
        )
        draft.based_on = source
        draft.save(update_fields=["based_on"])
        PointItem.objects.bulk_create(
            [
                PointItem(
                    scheme=draft,
                    code=i.code,
                    name=i.name,
                    category=i.category,
                    points=i.points,
                    cap_per_period=i.cap_per_period,
                    evidence_required=i.evidence_required,
                    is_violation=i.is_violation,
                    source_article=i.source_article,
                    sort=i.sort,
                )
                for i in source.items.all()
            ]
        )
        _audit("scheme_copy", draft, user, {"from": source.pk, "version": draft.version})
    return draft


# -- claims ----------------------------------------------------------------------------------------------------


def _holder(household, party_member) -> ledger.Holder:
    if (household is None) == (party_member is None):
        raise ValidationFailed("请选择一户（或一名党员）。", field="household")
    if household is not None and household.status != household.STATUS_ACTIVE:
        raise ValidationFailed("该户已销户，不能再记积分。", field="household")
    if party_member is not None and not party_member.is_active:
        raise ValidationFailed("该党员已不在册。", field="party_member")
    return ledger.Holder.of(household if household is not None else party_member)


def _check_item(item: PointItem, holder: ledger.Holder) -> PointScheme:
    kind = HOLDER_HOUSEHOLD if holder.household_id else HOLDER_PARTY
    scheme = PointScheme.objects.get(
        pk=item.scheme_id
    )  # as it is now (the caller's copy may predate a new version)
    if (
        scheme.is_template
        or scheme.region_code != holder.chain
        or scheme.kind != kind
        or scheme.status != PointScheme.ACTIVE
    ):
        raise ValidationFailed("本村施行中的积分方案没有这一项。", field="item")
    return scheme


def _check_date(occurred_on: dt.date | None) -> dt.date:
    today = clock.today()
    occurred_on = occurred_on or today
    if occurred_on > today:
        raise ValidationFailed("发生日期不能晚于今天。", field="occurred_on")
    if (today - occurred_on).days > MAX_BACKDATE_DAYS:
        raise ValidationFailed(f"只能申报最近 {MAX_BACKDATE_DAYS} 天内的事项。", field="occurred_on")
    return occurred_on


def _check_points(item: PointItem, points) -> int:
    if points is None:
        return item.points
    try:
        points = int(points)
    except (TypeError, ValueError):
        raise ValidationFailed("分值须为整数。", field="points") from None
    if points == 0 or (points > 0) != (item.points > 0):
        raise ValidationFailed("分值须与积分项同为加分或同为扣分，且不能为零。", field="points")
    if abs(points) > MAX_POINTS:
        raise ValidationFailed(f"分值绝对值不能超过 {MAX_POINTS}。", field="points")
    return points


def used_in_period(
    item: PointItem, holder: ledger.Holder, day: dt.date, *, exclude_claim: int | None = None
) -> int:
    """Points of this item code (any version) already counted against the holder's cap in the period of `day`:
    posted entries (net of corrections) and claims still under review or on notice."""
    start, end = periods.bounds(day, item.scheme.period)
    posted = (
        LedgerEntry.objects.filter(
            **holder.filter(), item_code=item.code, occurred_on__range=(start, end)
        ).aggregate(s=Sum("earned_delta"))["s"]
        or 0
    )
    corrections = (
        LedgerEntry.objects.filter(
            **holder.filter(),
            kind=LedgerEntry.CORRECTION,
            corrects__item_code=item.code,
            occurred_on__range=(start, end),
        ).aggregate(s=Sum("earned_delta"))["s"]
        or 0
    )
    pending = (
        Claim.objects.filter(
            **holder.filter(),
            item__code=item.code,
            state__in=Claim.OPEN_STATES,
            occurred_on__range=(start, end),
        )
        .exclude(pk=exclude_claim)
        .aggregate(s=Sum(Abs("points")))["s"]
        or 0
    )
    return abs(posted + corrections) + pending


def _check_cap(
    item: PointItem, holder: ledger.Holder, day: dt.date, points: int, *, exclude_claim=None
) -> None:
    if item.cap_per_period is None:
        return
    used = used_in_period(item, holder, day, exclude_claim=exclude_claim)
    if used + abs(points) > item.cap_per_period:
        left = max(item.cap_per_period - used, 0)
        raise ValidationFailed(
            f"超过上限：“{item.name}”每{dict(PERIOD_CHOICES)[item.scheme.period]}最多 {item.cap_per_period} 分，"
            f"本期已计 {used} 分，还可计 {left} 分。",
            field="points",
        )


def _reviewers(village_code: str):
    from xiangzhi.accounts.models import RoleAssignment, User

    ids = RoleAssignment.objects.filter(
        is_active=True,
        role="points_reviewer",
        region_code__in=[village_code[:6], village_code[:9], village_code],
    ).values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True)


def _create_claim(
    *, user, item, holder, points, occurred_on, description, source, batch="", photos=(), idempotency_key=""
) -> Claim:
    scheme = _check_item(item, holder)
    occurred_on = _check_date(occurred_on)
    points = _check_points(item, points)
    description = text.clean_text(description, field="description", label="事由", limit=1000, required=False)
    photos = list(photos or [])
    if len(photos) > MAX_PHOTOS:
        raise ValidationFailed(f"照片最多 {MAX_PHOTOS} 张。", field="photos")
    if item.evidence_required and not photos and source == Claim.SOURCE_SELF:
        raise ValidationFailed(f"“{item.name}”须附照片作为依据。", field="photos")
    with transaction.atomic():
        ledger.lock_balance(holder)  # one claim at a time per holder: the cap is checked against settled rows
        _check_cap(item, holder, occurred_on, points)
        claim = Claim.objects.create(
            region_code=holder.region_code,
            village_code=holder.chain,
            scheme=scheme,
            item=item,
            household_id=holder.household_id,
            party_member_id=holder.party_member_id,
            points=points,
            claimed_points=points,
            occurred_on=occurred_on,
            description=description,
            source=source,
            batch=batch,
            idempotency_key=idempotency_key,
            claimant=user,
            created_at=clock.now(),
        )
        if photos:
            files = [
                file_store(
                    upload=p,
                    purpose="points_evidence",
                    region_code=holder.region_code,
                    user=user,
                    allowed={"image"},
                )
                for p in photos
            ]
            claim.evidence.add(*files)
        _audit(
            "claim",
            claim,
            user,
            {"item": item.code, "points": points, "source": source, "photos": len(photos)},
        )
    return claim


def claim_submit(
    *,
    user,
    item: PointItem,
    household=None,
    party_member=None,
    occurred_on=None,
    description="",
    photos=(),
    idempotency_key: str = "",
) -> Claim:
    """申报 by a villager for their own household (or a party member for themself), with evidence.

    `idempotency_key` (the form's one-time token, the API's Idempotency-Key): the same claimant sending the same
    key again gets the claim already made, marked `repeated = True`, and nothing new is written."""
    key = (idempotency_key or "").strip()[:80]
    existing = _submitted_before(user, key)
    if existing is not None:
        return existing
    holder = _holder(household, party_member)
    policy.require(user, "points.claim", household if household is not None else party_member)
    if item.points < 0:
        # deductions are recorded by the village (a cadre or grid worker), never claimed by the household itself
        raise ValidationFailed("扣分项由村干部或网格员录入，不能自己申报。", field="item")
    try:
        claim = _create_claim(
            user=user,
            item=item,
            holder=holder,
            points=None,
            occurred_on=occurred_on,
            description=description,
            source=Claim.SOURCE_SELF,
            photos=photos,
            idempotency_key=key,
        )
    except IntegrityError:  # the same key sent twice at once: the other request made it
        again = _submitted_before(user, key)
        if again is None:
            raise
        return again
    claim.repeated = False
    notify_many(
        _reviewers(claim.village_code),
        "points.claimed",
        claim,
        title=f"新的积分申报待评议：{item.name}",
        url="/points/review/",
    )
    return claim


def _submitted_before(user, key: str) -> Claim | None:
    if not key or not getattr(user, "pk", None):
        return None
    found = Claim.objects.filter(claimant=user, idempotency_key=key).select_related("item").first()
    if found is not None:
        found.repeated = True
    return found


def claim_record(
    *,
    user,
    item: PointItem,
    household=None,
    party_member=None,
    occurred_on=None,
    description="",
    points=None,
    batch="",
    photos=(),
) -> Claim:
    """Recorded by a cadre or grid worker (a household inspection, a meeting's attendance): it still goes through
    the review group and the notice."""
    holder = _holder(household, party_member)
    policy.require(user, "points.record", household if household is not None else party_member)
    return _create_claim(
        user=user,
        item=item,
        holder=holder,
        points=points,
        occurred_on=occurred_on,
        description=description,
        source=Claim.SOURCE_RECORDED,
        batch=batch,
        photos=photos,
    )


# -- bulk entry (the monthly household inspection) -----------------------------------------------------------------

MAX_BULK_ROWS = 500  # one grid or village a screen; keeps every IN list far below SQLite's 999 parameters


@dataclass(frozen=True)
class BulkRow:
    """One household's line on the bulk screen. `item` None: nothing recorded for it this time."""

    number: int  # the row's number as the page shows it (1-based)
    household: object
    item: PointItem | None = None
    points: int | None = None


class RowErrors(ValidationFailed):
    """A bulk entry refused: `rows` lists (row number, household, message); nothing was written."""

    def __init__(self, rows: list[tuple[int, str, str]]):
        self.rows = rows
        shown = "；".join(f"第 {n} 行（{who}）：{msg}" for n, who, msg in rows[:10])
        more = f"；另有 {len(rows) - 10} 行有误" if len(rows) > 10 else ""
        super().__init__(f"有 {len(rows)} 行需要修改，全部未保存。{shown}{more}", field="rows")


def _who(household) -> str:
    return f"{household.head_name or '无户主'}户"


def _used_by_holder_and_code(household_ids, codes, start: dt.date, end: dt.date) -> dict:
    """What `used_in_period` counts, for many households and item codes at once: three grouped queries."""
    used: dict[tuple[int, str], int] = {}
    net: dict[tuple[int, str], int] = {}
    posted = (
        LedgerEntry.objects.filter(
            household_id__in=household_ids, item_code__in=codes, occurred_on__range=(start, end)
        )
        .values_list("household_id", "item_code")
        .annotate(s=Sum("earned_delta"))
    )
    corrections = (
        LedgerEntry.objects.filter(
            household_id__in=household_ids,
            kind=LedgerEntry.CORRECTION,
            corrects__item_code__in=codes,
            occurred_on__range=(start, end),
        )
        .values_list("household_id", "corrects__item_code")
        .annotate(s=Sum("earned_delta"))
    )
    for household_id, code, total in [*posted, *corrections]:
        net[(household_id, code)] = net.get((household_id, code), 0) + (total or 0)
    for key, total in net.items():
        used[key] = abs(total)
    pending = (
        Claim.objects.filter(
            household_id__in=household_ids,
            item__code__in=codes,
            state__in=Claim.OPEN_STATES,
            occurred_on__range=(start, end),
        )
        .values_list("household_id", "item__code")
        .annotate(s=Sum(Abs("points")))
    )
    for household_id, code, total in pending:
        used[(household_id, code)] = used.get((household_id, code), 0) + (total or 0)
    return used


def _lock_balances(household_ids: list[int], region_codes: dict[int, str]) -> None:
    """`ledger.lock_balance` for many households: one locking read, one insert of the missing rows (id order, the
    order every other path locks two holders in)."""
    ids = sorted(household_ids)
    have = set(
        PointBalance.objects.select_for_update()
        .filter(household_id__in=ids)
        .order_by("household_id")
        .values_list("household_id", flat=True)
    )
    missing = [h for h in ids if h not in have]
    if missing:
        PointBalance.objects.bulk_create(
            [PointBalance(household_id=h, region_code=region_codes[h]) for h in missing],
            ignore_conflicts=True,
        )
        list(
            PointBalance.objects.select_for_update()
            .filter(household_id__in=missing)
            .order_by("household_id")
            .values_list("pk", flat=True)
        )


def claims_record_bulk(
    *,
    user,
    rows: list[BulkRow],
    occurred_on: dt.date | None = None,
    description: str = "",
    batch: str = "",
    region_code: str = "",
) -> tuple[list[Claim], bool]:
    """录入 a monthly inspection: one claim per household row that names an item, all sharing `batch`, in one
    transaction. Every row is checked as `claim_record` would check it (the household active and within the
    user's reach, the item of its village's active scheme, the sign, the cap counting the other rows of the same
    batch); any row refused refuses the whole entry (`RowErrors` names each row) and nothing is written.

    Returns (claims, created): the same `batch` sent again by the same user (a double submit) returns the claims
    already recorded, created=False. A bounded number of queries whatever the number of rows (no notification:
    recorded claims, like `claim_record`, wait in the review queue)."""
    occurred_on = _check_date(occurred_on)
    description = text.clean_text(description, field="description", label="事由", limit=1000, required=False)
    given = (batch or "").strip()[:40]
    if given and (done := _batch_of(user, given)):
        return done, False
    batch = given or f"B{clock.now():%Y%m%d%H%M%S}{secrets.token_hex(3)}"
    rows = [r for r in rows if r.item is not None]
    if not rows:
        raise ValidationFailed("没有选择任何积分项：请至少为一户选择积分项。", field="rows")
    if len(rows) > MAX_BULK_ROWS:
        raise ValidationFailed(f"一次最多录入 {MAX_BULK_ROWS} 户，请按网格分开录入。", field="rows")
    refused = [r for r in rows if not policy.can(user, "points.record", r.household)]
    if refused:
        first = refused[0]
        record_denied("points.record", obj=first.household, region_code=first.household.region_code)
        raise PermissionDenied(
            f"第 {first.number} 行（{_who(first.household)}）：您不能为该户录入积分，全部未保存。"
        )
    schemes = {
        sc.pk: sc for sc in PointScheme.objects.filter(pk__in={r.item.scheme_id for r in rows})
    }  # as they are now
    errors: list[tuple[int, str, str]] = []
    checked: list[tuple[BulkRow, PointScheme, int]] = []
    for r in rows:
        h, item = r.household, r.item
        scheme = schemes.get(item.scheme_id)
        try:
            if h.status != h.STATUS_ACTIVE:
                raise ValidationFailed("该户已销户，不能再记积分。")
            if (
                scheme is None
                or scheme.is_template
                or scheme.kind != HOLDER_HOUSEHOLD
                or scheme.status != PointScheme.ACTIVE
                or scheme.region_code != h.region_code[:12]
            ):
                raise ValidationFailed("本村施行中的积分方案没有这一项。")
            points = _check_points(item, r.points)
        except ValidationFailed as exc:
            errors.append((r.number, _who(h), exc.message))
            continue
        checked.append((r, scheme, points))
    if errors:
        raise RowErrors(errors)
    household_ids = sorted({r.household.pk for r, _s, _p in checked})
    with transaction.atomic():
        _lock_balances(household_ids, {r.household.pk: r.household.region_code for r, _s, _p in checked})
        if given and (
            done := _batch_of(user, given)
        ):  # the same batch committed while this one waited for the locks
            return done, False
        capped = [(r, sc, p) for r, sc, p in checked if r.item.cap_per_period is not None]
        used: dict = {}
        for bounds in {periods.bounds(occurred_on, sc.period) for _r, sc, _p in capped}:
            found = _used_by_holder_and_code(
                household_ids, sorted({r.item.code for r, _s, _p in capped}), *bounds
            )
            used[bounds] = found
        for r, sc, points in capped:
            bounds = periods.bounds(occurred_on, sc.period)
            key = (r.household.pk, r.item.code)
            already = used[bounds].get(key, 0)
            cap = r.item.cap_per_period
            if already + abs(points) > cap:
                errors.append(
                    (
                        r.number,
                        _who(r.household),
                        f"超过上限：“{r.item.name}”每{dict(PERIOD_CHOICES)[sc.period]}最多 {cap} 分，"
                        f"本期已计 {already} 分，还可计 {max(cap - already, 0)} 分。",
                    )
                )
            used[bounds][key] = already + abs(points)  # the batch's own earlier rows count too
        if errors:
            raise RowErrors(sorted(errors))
        now = clock.now()
        claims = Claim.objects.bulk_create(
            [
                Claim(
                    region_code=r.household.region_code,
                    village_code=r.household.region_code[:12],
                    scheme=sc,
                    item=r.item,
                    household=r.household,
                    points=points,
                    claimed_points=points,
                    occurred_on=occurred_on,
                    description=description,
                    source=Claim.SOURCE_RECORDED,
                    batch=batch,
                    claimant=user,
                    created_at=now,
                )
                for r, sc, points in checked
            ]
        )
        codes: dict[str, int] = {}
        for r, _sc, _p in checked:
            codes[r.item.code] = codes.get(r.item.code, 0) + 1
        record(
            "points.claim_bulk",
            None,
            changes={"batch": batch, "claims": len(claims), "items": codes, "ids": [c.pk for c in claims]},
            actor=user,
            region_code=region_code or checked[0][0].household.region_code[:12],
            object_repr=f"积分批量录入 {batch}（{len(claims)} 户）",
        )
    return claims, True


def _batch_of(user, batch: str) -> list[Claim]:
    return list(Claim.objects.filter(batch=batch, claimant=user).order_by("id")) if batch else []


def _lock_claim(claim: Claim, *, version=None) -> Claim:
    locked = Claim.objects.select_for_update(of=("self",)).select_related("item", "scheme").get(pk=claim.pk)
    if version is not None and int(version) != locked.version:
        raise Conflict("这条申报刚被他人处理过，请刷新后再操作。", code="stale")
    return locked


def _bump(claim: Claim, fields: list[str]) -> None:
    claim.version += 1
    claim.save(update_fields=[*fields, "version"])


def claim_review(*, user, claim: Claim, decision: str, points=None, note: str = "", version=None) -> Claim:
    """评议: approve (as claimed), adjust (another number of points, same sign, within the cap) or reject (with a
    reason). Approved and adjusted claims go on public notice for the scheme's notice days."""
    if decision not in ("approve", "adjust", "reject"):
        raise ValidationFailed("评议结果只能是通过、调整或不通过。", field="decision")
    note = text.clean_text(note, field="note", label="评议意见", limit=500, required=decision != "approve")
    policy.require(user, "points.review", claim)
    with transaction.atomic():
        claim = _lock_claim(claim, version=version)
        if claim.state != Claim.SUBMITTED:
            raise Conflict(f"这条申报{claim.get_state_display()}，不能再评议。")
        if claim.claimant_id == user.pk:
            raise Conflict("不能评议自己提交或录入的申报。")
        now = clock.now()
        changes = {"decision": decision, "from_points": claim.points}
        if decision == "reject":
            claim.state = Claim.REJECTED
        else:
            if decision == "adjust":
                if points is None:
                    raise ValidationFailed("调整分值时请填写分值。", field="points")
                claim.points = _check_points(claim.item, points)
                holder = ledger.Holder(claim.household_id, claim.party_member_id, claim.region_code)
                _check_cap(claim.item, holder, claim.occurred_on, claim.points, exclude_claim=claim.pk)
            claim.state = Claim.NOTICE
            claim.notice_until = now + dt.timedelta(days=claim.scheme.notice_days)
        changes["points"] = claim.points
        claim.reviewed_by, claim.reviewed_at, claim.review_note = user, now, note
        _bump(claim, ["state", "points", "notice_until", "reviewed_by", "reviewed_at", "review_note"])
        _audit("review", claim, user, changes)
        if claim.claimant_id:
            notify_many(
                [claim.claimant],
                "points.reviewed",
                claim,
                title=f"积分申报{'未通过' if decision == 'reject' else '已通过评议，进入公示'}：{claim.item.name}",
                url="/points/",
            )
    return claim


BOARD_LINES = 200  # a day's 公示 on the village's public board lists at most this many claims


def board_publish_due(*, now: dt.datetime | None = None) -> int:
    """积分公示 on the villages' public boards (三务公开, through disclosure's publishing hook), run by the periodic
    job `points.board` (every 15 minutes): for each village and local day with claims that entered their notice
    period within the last day, the day's 公示 (people shown as 张某). A day published again with more claims
    supersedes its earlier version (same source_ref); the same text again publishes nothing. Done in batches
    rather than at each approval, so that a monthly inspection reviewed claim by claim is one notice, not one
    version per claim. Returns the number of notices published."""
    from django.utils import timezone

    now = now or clock.now()
    reviewed = Claim.objects.filter(
        state__in=(Claim.NOTICE, Claim.POSTED),
        reviewed_at__gte=now - dt.timedelta(days=1),
        reviewed_at__lte=now,
    ).values_list("village_code", "reviewed_at")
    days = sorted({(code, timezone.localtime(at).date()) for code, at in reviewed})
    return sum(1 for code, day in days if _board_publish(code, day))


def _board_publish(village_code: str, day: dt.date, user=None) -> bool:
    from django.utils import timezone

    from xiangzhi.disclosure import services as board

    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    claims = list(
        Claim.objects.filter(
            village_code=village_code,
            state__in=(Claim.NOTICE, Claim.POSTED),
            reviewed_at__gte=start,
            reviewed_at__lt=start + dt.timedelta(days=1),
        )
        .select_related("household", "party_member", "item")
        .order_by("reviewed_at", "id")
    )
    if not claims:
        return False
    lines = []
    for c in claims[:BOARD_LINES]:
        who = (
            f"{board.masked_name(c.household.head_name)}户"
            if c.household_id
            else f"党员{board.masked_name(c.party_member.name)}"
        )
        until = timezone.localtime(c.notice_until)
        lines.append(f"{who}：{c.item.name} {c.points:+d} 分（公示至 {until:%m月%d日}）")
    if len(claims) > BOARD_LINES:
        lines.append(f"……共 {len(claims)} 条，其余见“积分公示”页面。")
    lines.append("对公示有异议的，请在公示期内登录后在“积分公示”页面提出，或向村评议小组反映。")
    _notice, published = board.publish_once(
        region=Region.objects.get(code=village_code),
        kind="points",
        title=f"积分公示（{day:%Y年%m月%d日}评议通过）",
        body="\n".join(lines),
        source_ref=f"points.notice:{day:%Y-%m-%d}",
        published_by=user,
    )
    return published


def claim_withdraw(*, user, claim: Claim, version=None) -> Claim:
    """The claimant takes back a claim not yet posted."""
    with transaction.atomic():
        claim = _lock_claim(claim, version=version)
        if claim.claimant_id != user.pk:
            policy.require(user, "points.review", claim)
        if claim.state not in Claim.OPEN_STATES:
            raise Conflict(f"这条申报{claim.get_state_display()}，不能撤回。")
        claim.state = Claim.WITHDRAWN
        _bump(claim, ["state"])
        _audit("withdraw", claim, user, {})
    return claim


def objection_raise(*, user, claim: Claim, text_: str) -> Objection:
    """异议 by anyone in the village while the claim is on notice."""
    body = text.clean_text(text_, field="text", label="异议内容", limit=1000)
    policy.require(user, "points.object", claim)
    with transaction.atomic():
        claim = _lock_claim(claim)
        now = clock.now()
        if claim.state != Claim.NOTICE or claim.notice_until is None or now >= claim.notice_until:
            raise Conflict("公示期已过或这条申报不在公示中，不能再提出异议。")
        objection = Objection.objects.create(
            claim=claim, village_code=claim.village_code, raised_by=user, text=body, raised_at=now
        )
        _audit("object", claim, user, {"objection": objection.pk})
    notify_many(
        _reviewers(claim.village_code),
        "points.objection",
        claim,
        title=f"积分公示收到异议：{claim.item.name}",
        url="/points/review/",
    )
    return objection


def objection_answer(*, user, objection: Objection, upheld: bool, answer: str) -> Objection:
    """答复: a dismissed objection lets the claim post when its notice ends; an upheld one sends the claim back to
    review (where it can be adjusted or rejected; approving it again starts a new notice period)."""
    answer = text.clean_text(answer, field="answer", label="答复", limit=1000)
    policy.require(user, "points.answer", objection.claim)
    with transaction.atomic():
        claim = _lock_claim(objection.claim)
        objection = Objection.objects.select_for_update().get(pk=objection.pk)
        if objection.state != Objection.OPEN:
            raise Conflict("这条异议已经答复过。")
        objection.state = Objection.UPHELD if upheld else Objection.DISMISSED
        objection.answer, objection.answered_by, objection.answered_at = answer, user, clock.now()
        objection.save(update_fields=["state", "answer", "answered_by", "answered_at"])
        if upheld and claim.state == Claim.NOTICE:
            claim.state, claim.notice_until = Claim.SUBMITTED, None
            _bump(claim, ["state", "notice_until"])
        _audit("answer", claim, user, {"objection": objection.pk, "upheld": upheld})
    if objection.raised_by_id:
        notify_many(
            [objection.raised_by], "points.answered", claim, title="您提出的异议已答复", url="/points/notice/"
        )
    return objection


def claim_post(claim: Claim, *, now: dt.datetime | None = None) -> LedgerEntry | None:
    """Post one claim whose notice has ended and whose objections are all answered (None when it is not yet due;
    safe to call twice at once: the claim row is locked and its state checked)."""
    now = now or clock.now()
    with transaction.atomic():
        claim = _lock_claim(claim)
        if claim.state != Claim.NOTICE or claim.notice_until is None or claim.notice_until > now:
            return None
        if claim.objections.filter(state=Objection.OPEN).exists():
            return None
        holder = ledger.Holder(claim.household_id, claim.party_member_id, claim.region_code)
        entry = ledger.post(
            holder=holder,
            kind=LedgerEntry.CLAIM,
            earned=claim.points,
            item=claim.item,
            occurred_on=claim.occurred_on,
            actor=claim.reviewed_by,
            note=(claim.description or claim.item.name)[:300],
            source_ref=f"claim:{claim.pk}",
        )
        claim.state, claim.entry = Claim.POSTED, entry
        _bump(claim, ["state", "entry"])
        record(
            "points.post",
            claim,
            changes={"entry": entry.pk, "earned": entry.earned_delta, "available": entry.available_delta},
            actor=None,
        )
    return entry


def post_due_claims(*, now: dt.datetime | None = None, limit: int = 5000) -> int:
    """The periodic job: post every claim whose notice period is over (objections answered). Idempotent."""
    now = now or clock.now()
    due = list(
        Claim.objects.filter(state=Claim.NOTICE, notice_until__lte=now)
        .exclude(objections__state=Objection.OPEN)
        .order_by("notice_until", "id")
        .values_list("pk", flat=True)[:limit]
    )
    posted = 0
    for pk in due:
        try:
            if claim_post(Claim(pk=pk), now=now) is not None:
                posted += 1
        except IntegrityError:  # a concurrent run posted it first
            continue
    return posted


def correction(*, user, entry: LedgerEntry, reason: str, earned: int | None = None) -> LedgerEntry:
    """更正: a correcting entry (the corrected one is never touched), audited."""
    policy.require(user, "points.correct", entry)
    if earned is not None and not -MAX_POINTS <= int(earned) <= MAX_POINTS:
        raise ValidationFailed(f"更正分值绝对值不能超过 {MAX_POINTS}。", field="earned")
    with transaction.atomic():
        fixed = ledger.correct(entry=entry, actor=user, reason=reason, earned=earned)
        _audit("correct", fixed, user, {"corrects": entry.pk, "earned": fixed.earned_delta})
    return fixed
