"""Recording patrols and visits.

Every function takes `user`: the grid worker (or grid leader) who patrolled or visited. `grid.record` is checked
against the grid or the household before the transaction opens (an audited refusal must not roll back with it);
then one transaction writes the patrol or visit, its photos, the cases raised (through `cases.services.case_report`,
source "patrol" or "visit", in the patrol's grid or the household's grid) and one audit record. A bad photo or an
empty case description rolls back everything: nothing is half-written.

One patrol per worker, grid and day: a second submission the same day adds to the day's patrol (its notes are
appended with the time they were sent, photos and cases are added, the time span widens) instead of making a
second patrol. A worker sends what he finds as he goes; the day still counts once in the coverage.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from xiangzhi import policy
from xiangzhi.audit.services import record, record_denied
from xiangzhi.core import clock
from xiangzhi.core.errors import PermissionDenied, ValidationFailed
from xiangzhi.core.files import file_store
from xiangzhi.grid.models import PURPOSE_LABELS, Patrol, Visit

MAX_TEXT = 2000
MAX_NOTES = 10000  # a day's notes, all submissions together
MAX_PHOTOS = 9  # a submission's photos
MAX_PATROL_PHOTOS = 36  # a day's
MAX_CASES = 5  # cases raised in one submission
BACKDATE_DAYS = 7  # a patrol or visit may be recorded up to a week late (补录), never ahead
MAX_FOLLOW_UP_DAYS = 366

PATROL_OUT_OF_REACH = "该网格不在您负责的范围内，不能登记巡查。"
VISIT_OUT_OF_REACH = "该户不在您负责的网格内，不能登记走访。"


@dataclass
class CaseDraft:
    """A case raised on a patrol or a visit: what was found, and its photos (uploads)."""

    description: str
    photos: Sequence = field(default_factory=tuple)
    category: str = ""


# -- checks ------------------------------------------------------------------------------------------------------


def _text(value, *, field: str, label: str, limit: int = MAX_TEXT) -> str:
    text = (value or "").strip()
    if len(text) > limit:
        raise ValidationFailed(f"{label}太长：最多 {limit} 字，现在 {len(text)} 字。", field=field)
    return text


def _work_date(date: dt.date | None, *, what: str) -> dt.date:
    today = clock.today()
    if date is None:
        return today
    if date > today:
        raise ValidationFailed(f"{what}日期不能晚于今天。", field="date")
    if date < today - dt.timedelta(days=BACKDATE_DAYS):
        raise ValidationFailed(f"只能补录 {BACKDATE_DAYS} 天内的{what}。", field="date")
    return date


def _photos(photos, *, field: str = "photos") -> list:
    photos = [p for p in (photos or []) if p]
    if len(photos) > MAX_PHOTOS:
        raise ValidationFailed(f"照片一次最多 {MAX_PHOTOS} 张，您选了 {len(photos)} 张。", field=field)
    return photos


def _drafts(cases: Iterable[CaseDraft] | None) -> list[CaseDraft]:
    drafts = [c for c in (cases or []) if c is not None]
    if len(drafts) > MAX_CASES:
        raise ValidationFailed(f"一次最多上报 {MAX_CASES} 个事件。", field="case_description")
    for d in drafts:
        if not (d.description or "").strip():
            raise ValidationFailed("请填写要上报的事件内容。", field="case_description")
        _photos(d.photos, field="case_photos")
    return drafts


def _refuse(user, action_label: str, obj, message: str, *, field: str):
    record_denied("grid.record", obj=obj, region_code=getattr(obj, "region_code", ""), detail=action_label)
    raise PermissionDenied(message, field=field)


def _require_worker(user) -> None:
    if not getattr(user, "pk", None):
        raise ValueError("patrols and visits are recorded by a person (user=...)")


def _raise_cases(user, drafts: list[CaseDraft], *, region_code: str, source: str) -> list:
    from xiangzhi.cases.services import case_report

    raised = []
    for d in drafts:
        try:
            case, _ = case_report(
                user=user,
                region_code=region_code,
                description=d.description,
                category=d.category,
                photos=list(d.photos or []),
                source=source,
            )
        except ValidationFailed as exc:
            # the case form's fields are named case_* on the patrol and visit forms
            where = {"description": "case_description", "photos": "case_photos", "file": "case_photos"}
            raise ValidationFailed(exc.message, field=where.get(exc.field, exc.field)) from None
        raised.append(case)
    return raised


def _store_photos(user, photos, *, purpose: str, region_code: str) -> list:
    stored = []
    for p in photos:
        try:
            stored.append(
                file_store(upload=p, purpose=purpose, region_code=region_code, user=user, allowed={"image"})
            )
        except ValidationFailed as exc:
            raise ValidationFailed(exc.message, field="photos") from None
    return stored


# -- patrols -----------------------------------------------------------------------------------------------------


def patrol_record(
    *,
    user,
    grid,
    date: dt.date | None = None,
    notes: str = "",
    route: str = "",
    started_at: dt.time | None = None,
    ended_at: dt.time | None = None,
    photos=(),
    cases: Iterable[CaseDraft] | None = None,
) -> tuple[Patrol, bool]:
    """Record the user's patrol of `grid` (a Region, grid or micro-grid) on `date` (today by default). Returns
    (patrol, created): a second submission the same day adds to the day's patrol, created=False."""
    _require_worker(user)
    if grid is None or grid.level not in ("grid", "micro_grid"):
        raise ValidationFailed("请选择巡查的网格。", field="grid")
    if not policy.can(user, "grid.record", grid):
        _refuse(user, "patrol_out_of_reach", grid, PATROL_OUT_OF_REACH, field="grid")
    if not grid.is_active:
        raise ValidationFailed("该网格已撤并，不能再登记巡查。", field="grid")
    date = _work_date(date, what="巡查")
    notes = _text(notes, field="notes", label="巡查情况")
    route = _text(route, field="route", label="巡查路线", limit=200)
    photos = _photos(photos)
    drafts = _drafts(cases)
    if started_at and ended_at and ended_at < started_at:
        raise ValidationFailed("结束时间不能早于开始时间。", field="ended_at")
    if not (notes or photos or drafts or route):
        raise ValidationFailed("请填写巡查情况，或拍照、上报事件。", field="notes")

    with transaction.atomic():
        patrol = Patrol.objects.select_for_update().filter(worker=user, region=grid, date=date).first()
        created = patrol is None
        now = clock.now()
        if created:
            try:
                with transaction.atomic():
                    patrol = Patrol.objects.create(
                        worker=user,
                        region=grid,
                        region_code=grid.code,
                        date=date,
                        started_at=started_at,
                        ended_at=ended_at,
                        route=route,
                        notes=notes,
                        created_at=now,
                        updated_at=now,
                    )
            except IntegrityError:
                # the same worker sent the day's first submission twice at once: add to the one that won
                patrol = Patrol.objects.select_for_update().get(worker=user, region=grid, date=date)
                created = False
        if not created:
            _add_to_patrol(
                patrol, notes=notes, route=route, started_at=started_at, ended_at=ended_at, now=now
            )
        if patrol.photos.count() + len(photos) > MAX_PATROL_PHOTOS:
            raise ValidationFailed(f"一次巡查最多 {MAX_PATROL_PHOTOS} 张照片。", field="photos")
        stored = _store_photos(user, photos, purpose="patrol_photo", region_code=grid.code)
        if stored:
            patrol.photos.add(*stored)
        raised = _raise_cases(user, drafts, region_code=grid.code, source="patrol")
        if raised:
            patrol.cases.add(*raised)
        record(
            "grid.patrol_recorded" if created else "grid.patrol_added",
            patrol,
            changes={
                "grid": grid.code,
                "date": date.isoformat(),
                "submission": patrol.submissions,
                "photos": len(stored),
                "cases": [c.number for c in raised],
            },
            actor=user,
        )
    return patrol, created


def _add_to_patrol(patrol: Patrol, *, notes, route, started_at, ended_at, now) -> None:
    if notes:
        stamp = timezone.localtime(now).strftime("%H:%M")
        joined = f"{patrol.notes}\n\n（{stamp} 补充）{notes}" if patrol.notes else notes
        if len(joined) > MAX_NOTES:
            raise ValidationFailed(f"当天的巡查情况已超过 {MAX_NOTES} 字，请精简。", field="notes")
        patrol.notes = joined
    if route:
        patrol.route = route
    if started_at and (patrol.started_at is None or started_at < patrol.started_at):
        patrol.started_at = started_at
    if ended_at and (patrol.ended_at is None or ended_at > patrol.ended_at):
        patrol.ended_at = ended_at
    if patrol.started_at and patrol.ended_at and patrol.ended_at < patrol.started_at:
        raise ValidationFailed("结束时间不能早于开始时间。", field="ended_at")
    patrol.submissions += 1
    patrol.updated_at = now
    patrol.save(update_fields=["notes", "route", "started_at", "ended_at", "submissions", "updated_at"])


# -- visits ------------------------------------------------------------------------------------------------------


def visit_record(
    *,
    user,
    household,
    purpose: str,
    date: dt.date | None = None,
    notes: str = "",
    needs: str = "",
    follow_up_due: dt.date | None = None,
    parent: Visit | None = None,
    cases: Iterable[CaseDraft] | None = None,
) -> Visit:
    """Record the user's visit of `household` (a Household of one of the user's grids). With `parent`, this visit
    is the follow-up (回访) of that earlier visit of the same household, which is marked followed up."""
    _require_worker(user)
    if household is None:
        raise ValidationFailed("请选择走访的户。", field="household")
    if not policy.can(user, "grid.record", household):
        _refuse(user, "visit_out_of_reach", household, VISIT_OUT_OF_REACH, field="household")
    if household.status != household.STATUS_ACTIVE:
        raise ValidationFailed("该户已销户，不能登记走访。", field="household")
    if purpose not in PURPOSE_LABELS:
        raise ValidationFailed("请选择走访事由。", field="purpose")
    date = _work_date(date, what="走访")
    notes = _text(notes, field="notes", label="走访情况")
    needs = _text(needs, field="needs", label="发现的诉求")
    if follow_up_due is not None:
        if follow_up_due < date:
            raise ValidationFailed("回访期限不能早于走访日期。", field="follow_up_due")
        if follow_up_due > date + dt.timedelta(days=MAX_FOLLOW_UP_DAYS):
            raise ValidationFailed("回访期限最多定在一年以内。", field="follow_up_due")
    if parent is not None and parent.household_id != household.pk:
        raise ValidationFailed("回访必须是同一户。", field="household")
    drafts = _drafts(cases)

    with transaction.atomic():
        now = clock.now()
        visit = Visit.objects.create(
            worker=user,
            household=household,
            region_code=household.region_code,
            date=date,
            purpose=purpose,
            notes=notes,
            needs=needs,
            follow_up_due=follow_up_due,
            parent=parent,
            created_at=now,
        )
        followed = None
        if parent is not None:
            locked = Visit.objects.select_for_update().get(pk=parent.pk)
            if locked.followed_up_at is None:
                locked.followed_up_at = now
                locked.save(update_fields=["followed_up_at"])
                parent.followed_up_at = now
                followed = locked.pk
        raised = _raise_cases(user, drafts, region_code=household.region_code, source="visit")
        if raised:
            visit.cases.add(*raised)
        record(
            "grid.visit_recorded",
            visit,
            changes={
                "household": household.pk,
                "date": date.isoformat(),
                "purpose": purpose,
                "follow_up_due": follow_up_due.isoformat() if follow_up_due else None,
                "follow_up_of": parent.pk if parent is not None else None,
                "followed_up": followed,
                "cases": [c.number for c in raised],
            },
            actor=user,
        )
    return visit
