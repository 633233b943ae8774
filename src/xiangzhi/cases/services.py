"""Changing cases: one function per transition (提、分、议、办、督、评).

Every function takes `user` (the person acting; None for the system: the deadline sweep), checks the policy before
its transaction opens (an audited refusal must not roll back with it), then in one transaction locks the case row,
checks the state guard (states.py) and the version the caller saw, changes the case, writes one timeline entry and
one audit record. Two cadres acting on the same case at once: the second waits for the row lock, then finds the
state or the version moved and gets a Conflict with a Chinese message. Nothing is half-written.
"""

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction

from xiangzhi import policy
from xiangzhi.audit.services import record
from xiangzhi.cases import routing, states
from xiangzhi.cases.models import (
    CATEGORY_CODES,
    LEVELS,
    RATED,
    Case,
    CaseAssignment,
    CaseCategory,
    CaseEvent,
    CasePhoto,
    DeadlineExtension,
)
from xiangzhi.cases.policy import LEVEL_ROLES, ONE_LEVEL_UP
from xiangzhi.core import clock, text
from xiangzhi.core.errors import Conflict, ValidationFailed
from xiangzhi.core.files import file_store
from xiangzhi.core.notify import notify_many
from xiangzhi.regions.models import Region

MAX_TEXT = 2000
MAX_PHOTOS = 9
MAX_NOTE = 1000
# The rough bounds of China: a point outside them is a slip of the finger (or of the GPS), not a place in a village.
LAT_RANGE = (Decimal("3.8"), Decimal("53.6"))
LON_RANGE = (Decimal("73.5"), Decimal("135.1"))
SYSTEM_LABEL = "系统"
MAX_EXTENSION = dt.timedelta(
    days=366
)  # a deadline further out is a typing slip (and would overflow the grace)


# -- reading helpers used by the services ----------------------------------------------------------------------


def handlers_of(case: Case):
    """The active users who act on the case at its current level (for notifications)."""
    from xiangzhi.accounts.models import RoleAssignment, User
    from xiangzhi.regions.codes import ancestor_codes

    codes = [*ancestor_codes(case.region_code), case.region_code]
    # one query (the grants as a subquery); at the town a department's staff hear of their own department's cases
    grants = RoleAssignment.objects.filter(
        is_active=True, role__in=LEVEL_ROLES[case.level], region_code__in=codes
    ).exclude(role="department_staff")
    if case.department_id and "department_staff" in LEVEL_ROLES[case.level]:
        grants = grants | RoleAssignment.objects.filter(
            is_active=True,
            role="department_staff",
            region_code__in=codes,
            scope_id=case.department_id,
        )
    return list(User.objects.filter(pk__in=grants.values("user_id"), is_active=True))


def verifiers_of(case: Case):
    from xiangzhi.accounts.models import RoleAssignment, User
    from xiangzhi.regions.codes import ancestor_codes

    codes = [*ancestor_codes(case.region_code), case.region_code]
    roles = (
        ("grid_leader", "grid_worker")
        if len(case.region_code) >= 15
        else ("village_secretary", "village_committee")
    )
    user_ids = RoleAssignment.objects.filter(
        is_active=True, role__in=roles, region_code__in=codes
    ).values_list("user_id", flat=True)
    return list(User.objects.filter(pk__in=list(user_ids), is_active=True))


# -- validation -------------------------------------------------------------------------------------------------


def clean_text(value, *, field: str, label: str, required: bool = True, limit: int = MAX_TEXT) -> str:
    return text.clean_text(value, field=field, label=label, required=required, limit=limit)


def _clean_point(latitude, longitude) -> tuple[Decimal | None, Decimal | None]:
    if latitude in (None, "") and longitude in (None, ""):
        return None, None
    try:
        lat = Decimal(str(latitude)).quantize(Decimal("0.000001"))
        lon = Decimal(str(longitude)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationFailed("地图位置无效：请重新在地图上选点，或改填地点。", field="latitude") from None
    if not (LAT_RANGE[0] <= lat <= LAT_RANGE[1] and LON_RANGE[0] <= lon <= LON_RANGE[1]):
        raise ValidationFailed("地图位置不在我国境内：请重新选点，或改填地点。", field="latitude")
    return lat, lon


def clean_category(code: str) -> tuple[str, CaseCategory | None]:
    """A top category code or a sub-category code → (top code, sub-category or None)."""
    code = (code or "").strip()
    if not code:
        return "", None
    if code in CATEGORY_CODES:
        return code, None
    sub = CaseCategory.objects.filter(code=code).exclude(parent="").first()
    if sub is None:
        raise ValidationFailed(f"未知的事件类别：{code}。", field="category")
    return sub.parent, sub


def _region_for_report(user, region_code: str) -> Region:
    code = (region_code or "").strip()
    region = Region.objects.filter(code=code, is_active=True).first()
    if region is None or region.level not in ("village", "grid", "micro_grid"):
        raise ValidationFailed("请选择事件发生的村或网格。", field="region")
    if user is None:
        return region
    if any(a.role == "villager" for a in policy.assignments(user)) and not policy.can(
        user, "cases.report", region
    ):
        raise ValidationFailed("只能上报本村范围内的事件：请选择本村的地点。", field="region")
    if not policy.can(user, "cases.report", region):
        raise ValidationFailed("该地点不在您的辖区内，不能上报。", field="region")
    return region


def _title_from(description: str) -> str:
    first = re.split(r"[。！？!?\n]", description, maxsplit=1)[0].strip()
    return (first or description)[:30]


# -- the timeline and assignments -------------------------------------------------------------------------------


def _actor_label(user) -> str:
    if user is None:
        return SYSTEM_LABEL
    return (getattr(user, "full_name", "") or getattr(user, "username", "") or "")[:60]


def _event(
    case: Case, user, action: str, *, before: tuple[str, str], note: str = "", attachments=()
) -> CaseEvent:
    case.last_seq += 1
    ev = CaseEvent.objects.create(
        case=case,
        region_code=case.region_code,
        seq=case.last_seq,
        at=clock.now(),
        actor=user if getattr(user, "pk", None) else None,
        actor_label=_actor_label(user),
        action=action,
        from_state=before[0],
        to_state=case.state,
        from_level=before[1],
        to_level=case.level,
        note=note,
    )
    if attachments:
        ev.attachments.set(attachments)
    return ev


def _save(case: Case, *fields: str) -> None:
    case.version += 1
    case.updated_at = clock.now()
    case.save(update_fields=[*fields, "version", "updated_at", "last_seq"])


def _open_assignment(case: Case) -> CaseAssignment | None:
    return case.assignments.filter(ended_at=None).order_by("-assigned_at", "-id").first()


def _end_assignment(case: Case, outcome: str) -> CaseAssignment | None:
    current = _open_assignment(case)
    if current is not None:
        current.ended_at = clock.now()
        current.outcome = outcome
        current.save(update_fields=["ended_at", "outcome"])
    return current


def _department_for(case: Case, code: str):
    from xiangzhi.core.models import Department

    if not code:
        return None
    return Department.objects.filter(town__code=routing.town_of(case.region_code), code=code).first()


def _give(
    case: Case,
    r: routing.Route,
    user,
    *,
    department=None,
    start: dt.datetime | None = None,
    save: bool = True,
) -> CaseAssignment:
    """Hand the case to the handler of route `r` with a fresh deadline (the previous assignment must be ended).
    With save=False the assignment is returned unsaved (for a case not inserted yet)."""
    start = start or clock.now()
    deadline = r.deadline_from(start)
    asg = CaseAssignment(
        case=case,
        region_code=case.region_code,
        level=r.level,
        handler=r.handler,
        department=department,
        assigned_by=user if getattr(user, "pk", None) else None,
        assigned_at=start,
        deadline=deadline,
        warn_at=r.warn_from(start, deadline),
        escalate_at=r.escalate_from(deadline),
    )
    if save:
        asg.save()
    case.level, case.handler, case.department = r.level, r.handler, department
    case.deadline, case.is_overdue = deadline, False
    if LEVELS.index(r.level) > LEVELS.index(case.max_level or "grid"):
        case.max_level = r.level
    return asg


ASSIGN_FIELDS = ("level", "handler", "department", "deadline", "is_overdue", "max_level")


def _lock(case: Case, *, version: int | None, user=None, action: str = "") -> Case:
    """The case row, locked for this transaction. The caller's copy may be stale: the version it saw is checked,
    and the right to act is checked again on what the row says now (it may have moved to another level)."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if version is not None and int(version) != locked.version:
        raise Conflict("该事件刚被他人更新过，请刷新页面查看最新状态后再操作。", code="stale")
    if user is not None and action and not policy.can(user, action, locked):
        raise Conflict("该事件已转到其他环节办理，您现在不能再操作。请刷新页面查看最新状态。", code="moved")
    return locked


def _guard(user, action: str, case: Case) -> None:
    """The policy check, audited when refused, on the case as it is now in the database (before the transaction,
    so that the refusal's audit record is not rolled back with it)."""
    if user is not None:
        current = Case.objects.filter(pk=case.pk).first() or case
        policy.require(user, action, current)


def _audit(action: str, case: Case, user, changes: dict) -> None:
    record(f"cases.{action}", case, changes=changes, actor=user, object_repr=case.number)


def _notify(users, event: str, case: Case, title: str) -> None:
    notify_many(users, event, case, title=title, url=f"/cases/{case.pk}/")


def _notify_handlers(case: Case, event: str, title: str) -> None:
    """Tell the case's handlers at its current level, looked up after the commit (outside the row lock)."""
    transaction.on_commit(lambda: _notify(handlers_of(case), event, case, title))


# -- 提: reporting ----------------------------------------------------------------------------------------------


def case_report(
    *,
    user,
    region_code: str,
    description: str,
    title: str = "",
    place: str = "",
    latitude=None,
    longitude=None,
    category: str = "",
    photos=(),
    source: str = "web",
    idempotency_key: str = "",
    reporter_name: str = "",
    reporter_phone: str = "",
    hotline_number: str = "",
    reported_at: dt.datetime | None = None,
) -> tuple[Case, bool]:
    """File a case. Returns (case, created): a second submission with the same idempotency key (the same
    reporter) or the same hotline order number returns the case already filed, created=False. `reported_at`
    (hotline orders only: the time of the call) dates the report; its deadline still runs from now."""
    idempotency_key = (idempotency_key or "").strip()[:80]
    hotline_number = (hotline_number or "").strip()[:40]
    existing = _existing(user, idempotency_key, hotline_number)
    if existing is not None:
        return existing, False
    description = clean_text(description, field="description", label="事件内容")
    title = clean_text(title, field="title", label="标题", required=False, limit=60) or _title_from(
        description
    )
    place = clean_text(place, field="place", label="地点", required=False, limit=120)
    lat, lon = _clean_point(latitude, longitude)
    top, sub = clean_category(category)
    photos = list(photos or [])
    if len(photos) > MAX_PHOTOS:
        raise ValidationFailed(f"照片最多 {MAX_PHOTOS} 张，您选了 {len(photos)} 张。", field="photos")
    region = _region_for_report(user, region_code)
    from xiangzhi.people.services import normalise_phone

    phone = normalise_phone(reporter_phone) if reporter_phone else ""
    level = "grid" if region.level in ("grid", "micro_grid") else "village"
    if reported_at is not None:
        if source != "hotline":
            raise ValueError("case_report: reported_at is for hotline orders only")
        if reported_at > clock.now():
            raise ValidationFailed("来电时间晚于现在，请核对。", field="reported_at")
    confidential = top == "PETITION" or bool(sub and sub.confidential_reporter)
    try:
        with transaction.atomic():
            now = clock.now()
            case = Case(
                region=region,
                region_code=region.code,
                title=title,
                description=description,
                place=place,
                latitude=lat,
                longitude=lon,
                category=top,
                subcategory=sub,
                confidential_reporter=confidential,
                source=source,
                # a hotline order is filed by a cadre for a caller without an account: the caller is the reporter
                reporter=user if getattr(user, "pk", None) and source != "hotline" else None,
                reporter_name=(reporter_name or "").strip()[:50],
                reporter_phone=phone,
                hotline_number=hotline_number,
                idempotency_key=idempotency_key,
                state=Case.REPORTED,
                level=level,
                max_level=level,
                reported_at=reported_at or now,
                updated_at=now,
            )
            # one insert each for the case, its assignment and its first timeline entry (the intake path is the
            # busiest: bench/case_intake.py)
            asg = _give(
                case, routing.intake(region_code=region.code, level=level), user, start=now, save=False
            )
            case.last_seq = 1
            case.save()
            asg.save()
            files = [
                file_store(
                    upload=p, purpose="case_photo", region_code=region.code, user=user, allowed={"image"}
                )
                for p in photos
            ]
            CasePhoto.objects.bulk_create([CasePhoto(case=case, file=f, sort=i) for i, f in enumerate(files)])
            first = CaseEvent.objects.create(
                case=case,
                region_code=case.region_code,
                seq=1,
                at=now,
                actor=case.reporter,
                actor_label=_actor_label(user),
                action="report",
                to_state=case.state,
                to_level=case.level,
            )
            # what was just written, so the answer needs no second read (no attachments, no extensions yet)
            case.just_filed = {"events": [first], "photo_files": files}
            _notify_handlers(case, "case.reported", f"新事件待受理：{case.title}")
            _audit(  # last: the county's audit chain is locked from here to the commit
                "report",
                case,
                user,
                {"source": source, "category": top, "level": level, "photos": len(files)},
            )
    except IntegrityError:
        again = _existing(user, idempotency_key, hotline_number)
        if again is None:
            raise
        return again, False
    return case, True


def _existing(user, key: str, hotline_number: str) -> Case | None:
    if hotline_number:
        found = Case.objects.filter(hotline_number=hotline_number).first()
        if found is not None:
            return found
    if key and getattr(user, "pk", None):
        return Case.objects.filter(reporter=user, idempotency_key=key).first()
    return None


# -- 分: accept, classify and assign, return -------------------------------------------------------------------


@transaction.atomic
def _classify(case: Case, *, category: str, triage: str, urgency: str) -> None:
    if category:
        case.category, case.subcategory = clean_category(category)
        if case.category == "PETITION" or (case.subcategory and case.subcategory.confidential_reporter):
            case.confidential_reporter = True
    if triage:
        if triage not in ("civil", "village", "government"):
            raise ValidationFailed("三事类型只能是民事、村事或政事。", field="triage")
        case.triage = triage
    if urgency:
        if urgency not in ("normal", "urgent", "critical"):
            raise ValidationFailed("紧急程度无效。", field="urgency")
        case.urgency = urgency


def case_accept(*, user, case: Case, version: int | None = None, note: str = "") -> Case:
    """受理: the current level takes the case on itself, with the handling deadline of its rule."""
    _guard(user, "cases.handle", case)
    note = clean_text(note, field="note", label="说明", required=False, limit=MAX_NOTE)
    with transaction.atomic():
        case = _lock(case, version=version, user=user, action="cases.handle")
        states.check(case, "accept")
        before = (case.state, case.level)
        triage = case.triage or routing.OWN_TRIAGE[case.level]
        r = routing.route(
            region_code=case.region_code, level=case.level, category=case.category, triage=triage
        )
        r = routing.Route(**{**r.__dict__, "handler": case.handler, "level": case.level})
        _end_assignment(case, "accepted")
        _give(case, r, user, department=case.department)
        case.state = Case.ASSIGNED
        _event(case, user, "accept", before=before, note=note)
        _save(case, "state", *ASSIGN_FIELDS)
        _audit("accept", case, user, {"level": case.level})
    return case


def case_assign(
    *,
    user,
    case: Case,
    triage: str,
    category: str = "",
    urgency: str = "",
    department=None,
    note: str = "",
    version: int | None = None,
) -> Case:
    """分类派遣: set category, 三事 type and urgency; the routing rule picks the handler (which may be another
    level: a 村事 found by the grid goes to the village, a 政事 to the town) and the deadline. At the town a
    department may be chosen by hand."""
    _guard(user, "cases.handle", case)
    note = clean_text(note, field="note", label="说明", required=False, limit=MAX_NOTE)
    if not triage:
        raise ValidationFailed("请选择三事类型（民事、村事或政事）。", field="triage")
    with transaction.atomic():
        case = _lock(case, version=version, user=user, action="cases.handle")
        states.check(case, "assign")
        before = (case.state, case.level)
        _classify(case, category=category, triage=triage, urgency=urgency)
        if not case.category:
            raise ValidationFailed("派遣前请选择事件类别。", field="category")
        r = routing.route(
            region_code=case.region_code, level=case.level, category=case.category, triage=case.triage
        )
        dept = None
        if r.handler == "department":
            dept = department if department is not None else _department_for(case, r.department_code)
            if dept is None:
                raise ValidationFailed(
                    "请选择承办部门（本镇尚未设置该类事件的默认部门）。", field="department"
                )
            if dept.region_code != routing.town_of(case.region_code):
                raise ValidationFailed("只能派给本镇的部门。", field="department")
        elif department is not None:
            raise ValidationFailed("只有政事才派给乡镇部门。", field="department")
        _end_assignment(case, "reassigned")
        _give(case, r, user, department=dept)
        case.state = Case.ASSIGNED
        where = dept.name if dept else routing_label(r)
        _event(case, user, "assign", before=before, note=f"派往{where}。{note}".strip())
        _save(
            case,
            "state",
            "category",
            "subcategory",
            "triage",
            "urgency",
            "confidential_reporter",
            *ASSIGN_FIELDS,
        )
        _audit(
            "assign",
            case,
            user,
            {
                "category": case.category,
                "triage": case.triage,
                "handler": r.handler,
                "level": r.level,
                "department": dept.pk if dept else None,
            },
        )
        _notify_handlers(case, "case.assigned", f"事件已派给您办理：{case.title}")
    return case


def routing_label(r: routing.Route) -> str:
    from xiangzhi.cases.models import HANDLER_LABELS

    return HANDLER_LABELS[r.handler]


def case_return(*, user, case: Case, reason: str, version: int | None = None) -> Case:
    """退回: a wrongly routed case goes back to whoever sent it, with the reason."""
    _guard(user, "cases.handle", case)
    reason = clean_text(reason, field="reason", label="退回理由", limit=MAX_NOTE)
    with transaction.atomic():
        case = _lock(case, version=version, user=user, action="cases.handle")
        states.check(case, "return")
        current = _open_assignment(case)
        previous = (
            case.assignments.exclude(pk=current.pk if current else None)
            .exclude(level=case.level, handler=case.handler, department=case.department)
            .order_by("-assigned_at", "-id")
            .first()
        )
        if previous is None:
            raise Conflict(
                "这是事件的第一个办理环节，没有可退回的上一环节；如不属于本级办理，请上报上级。",
                code="nothing_to_return_to",
            )
        before = (case.state, case.level)
        _end_assignment(case, "returned")
        r = routing.intake(region_code=case.region_code, level=previous.level)
        r = routing.Route(**{**r.__dict__, "handler": previous.handler})
        _give(case, r, user, department=previous.department)
        case.state = Case.REPORTED
        _event(case, user, "return", before=before, note=reason)
        _save(case, "state", *ASSIGN_FIELDS)
        _audit("return", case, user, {"to_level": case.level})
        _notify_handlers(case, "case.returned", f"事件被退回：{case.title}")
    return case


# -- 办: start, suspend, deliberate, resume, resolve ---------------------------------------------------------------


def _simple(
    user,
    case: Case,
    transition: str,
    to_state: str,
    *,
    note: str = "",
    version=None,
    note_required: bool = False,
    note_label: str = "说明",
    changes=None,
    attachments=(),
) -> Case:
    _guard(user, "cases.handle", case)
    note = clean_text(note, field="note", label=note_label, required=note_required, limit=MAX_NOTE)
    with transaction.atomic():
        case = _lock(case, version=version, user=user, action="cases.handle")
        states.check(case, transition)
        before = (case.state, case.level)
        fields = ["state"]
        now = clock.now()
        if to_state in (Case.SUSPENDED, Case.DELIBERATING):
            case.paused_at = now
            fields.append("paused_at")
        if transition == "resume" and case.paused_at is not None:
            _shift_deadline(case, now - case.paused_at)
            case.paused_at = None
            fields += ["paused_at", "deadline", "is_overdue"]
        case.state = to_state
        _event(case, user, transition, before=before, note=note, attachments=attachments)
        for key, value in (changes or {}).items():
            setattr(case, key, value)
            fields.append(key)
        _save(case, *fields)
        _audit(transition, case, user, {"state": to_state})
    return case


def _shift_deadline(case: Case, paused: dt.timedelta) -> None:
    """Time spent suspended or in deliberation does not count against the handler."""
    asg = _open_assignment(case)
    if asg is None:
        return
    asg.deadline += paused
    asg.warn_at += paused
    asg.escalate_at += paused
    asg.save(update_fields=["deadline", "warn_at", "escalate_at"])
    case.deadline = asg.deadline
    case.is_overdue = asg.deadline <= clock.now()


def case_start(*, user, case: Case, note: str = "", version=None) -> Case:
    return _simple(user, case, "start", Case.IN_PROGRESS, note=note, version=version)


def case_suspend(*, user, case: Case, reason: str, version=None) -> Case:
    return _simple(
        user,
        case,
        "suspend",
        Case.SUSPENDED,
        note=reason,
        version=version,
        note_required=True,
        note_label="挂起原因",
    )


def case_deliberate(*, user, case: Case, note: str, matter_ref: str = "", version=None) -> Case:
    """提交议事: the case waits for a deliberation (a 议题 of the deliberation module, linked by reference)."""
    return _simple(
        user,
        case,
        "deliberate",
        Case.DELIBERATING,
        note=note,
        version=version,
        note_required=True,
        note_label="议事事由",
        changes={"matter_ref": (matter_ref or "")[:40]},
    )


def case_resume(*, user, case: Case, note: str = "", version=None) -> Case:
    return _simple(user, case, "resume", Case.IN_PROGRESS, note=note, version=version)


def case_resolve(*, user, case: Case, result: str, photos=(), version=None) -> Case:
    """办结: the handler reports the result; the grid worker of the case's grid is asked to verify it."""
    _guard(user, "cases.handle", case)
    result = clean_text(result, field="result", label="办理结果")
    photos = list(photos or [])
    if len(photos) > MAX_PHOTOS:
        raise ValidationFailed(f"照片最多 {MAX_PHOTOS} 张。", field="photos")
    with transaction.atomic():
        case = _lock(case, version=version, user=user, action="cases.handle")
        states.check(case, "resolve")
        before = (case.state, case.level)
        now = clock.now()
        files = [
            file_store(
                upload=p, purpose="case_result", region_code=case.region_code, user=user, allowed={"image"}
            )
            for p in photos
        ]
        asg = _end_assignment(case, "resolved")
        case.state, case.result, case.resolved_at = Case.RESOLVED, result, now
        case.closed_on_time = not case.was_overdue and (asg is None or now <= asg.deadline)
        _event(case, user, "resolve", before=before, note=result, attachments=files)
        _save(case, "state", "result", "resolved_at", "closed_on_time")
        _audit("resolve", case, user, {"on_time": case.closed_on_time})
        _notify(verifiers_of(case), "case.verify", case, f"事件已办结，请核查：{case.title}")
    return case


# -- 核查 and 评 -------------------------------------------------------------------------------------------------


def _rehandle(case: Case, user) -> None:
    """Back to the last handler with a fresh deadline (verification failed, or the reporter was not satisfied)."""
    last = case.assignments.order_by("-assigned_at", "-id").first()
    r = routing.route(
        region_code=case.region_code, level=last.level, category=case.category, triage=case.triage
    )
    r = routing.Route(**{**r.__dict__, "handler": last.handler, "level": last.level})
    _end_assignment(case, "reopened")
    _give(case, r, user, department=last.department)
    case.state, case.resolved_at, case.closed_on_time = Case.IN_PROGRESS, None, None


def case_verify(*, user, case: Case, passed: bool, note: str = "", photos=(), version=None) -> Case:
    """核查: the grid worker confirms the result on the spot (or finds it not done: back to the handler)."""
    _guard(user, "cases.verify", case)
    note = clean_text(note, field="note", label="核查情况", required=not passed, limit=MAX_NOTE)
    with transaction.atomic():
        case = _lock(case, version=version, user=user, action="cases.verify")
        states.check(case, "verify")
        before = (case.state, case.level)
        files = [
            file_store(
                upload=p, purpose="case_verify", region_code=case.region_code, user=user, allowed={"image"}
            )
            for p in list(photos or [])[:MAX_PHOTOS]
        ]
        if passed:
            case.state = Case.VERIFIED
            _event(case, user, "verify", before=before, note=note, attachments=files)
            _save(case, "state")
            if case.reporter_id:
                _notify([case.reporter], "case.rate", case, f"您反映的事件已办结，请评价：{case.title}")
        else:
            _rehandle(case, user)
            _event(case, user, "verify_failed", before=before, note=note, attachments=files)
            _save(case, "state", "resolved_at", "closed_on_time", *ASSIGN_FIELDS)
            _notify_handlers(case, "case.verify_failed", f"核查未通过，请继续办理：{case.title}")
        _audit("verify", case, user, {"passed": passed})
    return case


def _settle_rating(case: Case, user, rating: str, *, source: str, note: str) -> None:
    before = (case.state, case.level)
    if rating in ("satisfied", "partly"):
        case.state, case.rating, case.rating_source, case.closed_at = Case.CLOSED, rating, source, clock.now()
        _event(
            case,
            user,
            "rate" if source == "reporter" else "visit",
            before=before,
            note=f"{dict(RATING_NOTE)[rating]}。{note}".strip("。") if note else dict(RATING_NOTE)[rating],
        )
        _save(case, "state", "rating", "rating_source", "closed_at")
        return
    # 不满意: reopen once, then escalate one level (at the county, the case closes as unsatisfied)
    if case.reopen_count == 0:
        case.reopen_count = 1
        _rehandle(case, user)
        _event(case, user, "reopen", before=before, note=f"不满意。{note}".strip("。"))
        _save(case, "state", "reopen_count", "resolved_at", "closed_on_time", *ASSIGN_FIELDS)
        _notify_handlers(case, "case.reopened", f"群众不满意，请重新办理：{case.title}")
        return
    case.reopen_count += 1
    if case.level == "county":
        case.state, case.rating, case.rating_source, case.closed_at = Case.CLOSED, rating, source, clock.now()
        _event(case, user, "rate" if source == "reporter" else "visit", before=before, note=f"不满意。{note}")
        _save(case, "state", "rating", "rating_source", "closed_at", "reopen_count")
        return
    _escalate(case, user, note=f"再次不满意，上报上级。{note}".strip("。"), action="escalate")
    case.resolved_at, case.closed_on_time = None, None
    _save(case, "state", "reopen_count", "resolved_at", "closed_on_time", *ASSIGN_FIELDS)


RATING_NOTE = [("satisfied", "满意"), ("partly", "基本满意"), ("unsatisfied", "不满意")]


def case_rate(*, user, case: Case, rating: str, note: str = "", version=None) -> Case:
    """评价 by the reporter: 满意 / 基本满意 close the case; 不满意 reopens it once, then escalates."""
    _guard(user, "cases.rate", case)
    if rating not in RATED:
        raise ValidationFailed("请选择满意、基本满意或不满意。", field="rating")
    note = clean_text(note, field="note", label="意见", required=False, limit=MAX_NOTE)
    with transaction.atomic():
        case = _lock(case, version=version, user=user, action="cases.rate")
        states.check(case, "rate")
        _settle_rating(case, user, rating, source="reporter", note=note)
        _audit("rate", case, user, {"rating": rating})
    return case


def case_visit(*, user, case: Case, rating: str, note: str, version=None) -> Case:
    """回访: staff record the rating of a reporter who did not rate (by phone or at the door)."""
    _guard(user, "cases.visit", case)
    if rating not in RATED:
        raise ValidationFailed("请选择回访得到的评价：满意、基本满意或不满意。", field="rating")
    note = clean_text(note, field="note", label="回访情况", limit=MAX_NOTE)
    with transaction.atomic():
        case = _lock(case, version=version, user=user, action="cases.visit")
        states.check(case, "visit")
        _settle_rating(case, user, rating, source="visit", note=note)
        _audit("visit", case, user, {"rating": rating})
    return case


def case_close(*, user, case: Case, note: str, version=None) -> Case:
    """结案 without a rating: the reporter could not be reached. Counted as 未评价, never as satisfied."""
    _guard(user, "cases.visit", case)
    note = clean_text(note, field="note", label="结案说明", limit=MAX_NOTE)
    with transaction.atomic():
        case = _lock(case, version=version, user=user, action="cases.visit")
        states.check(case, "close")
        before = (case.state, case.level)
        case.state, case.rating, case.rating_source, case.closed_at = Case.CLOSED, "unrated", "", clock.now()
        _event(case, user, "close", before=before, note=note)
        _save(case, "state", "rating", "rating_source", "closed_at")
        _audit("close", case, user, {"rating": "unrated"})
    return case


# -- 督: escalate, extend, merge ---------------------------------------------------------------------------------


def _escalate(case: Case, user, *, note: str, action: str) -> None:
    if case.level == "county":
        raise Conflict("事件已在县级办理，不能再上报。", code="top_level")
    before = (case.state, case.level)
    up = ONE_LEVEL_UP[case.level]
    _end_assignment(case, "escalated")
    _give(case, routing.intake(region_code=case.region_code, level=up), user)
    case.state = Case.REPORTED
    _event(case, user, action, before=before, note=note)
    _notify_handlers(case, "case.escalated", f"下级上报的事件待受理：{case.title}")


def case_escalate(*, user, case: Case, reason: str, version=None) -> Case:
    """上报上级: what this level cannot settle goes one level up (grid → village → town → county)."""
    _guard(user, "cases.handle", case)
    reason = clean_text(reason, field="reason", label="上报理由", limit=MAX_NOTE)
    with transaction.atomic():
        case = _lock(case, version=version, user=user, action="cases.handle")
        states.check(case, "escalate")
        _escalate(case, user, note=reason, action="escalate")
        _save(case, "state", *ASSIGN_FIELDS)
        _audit("escalate", case, user, {"to_level": case.level})
    return case


def case_merge(*, user, case: Case, into: Case, note: str = "", version=None) -> Case:
    """合并重复: `case` is a duplicate of `into`; it closes as merged and its timeline points to the other."""
    _guard(user, "cases.handle", case)
    _guard(user, "cases.view", into)
    if into.pk == case.pk:
        raise ValidationFailed("不能把事件合并到它自己。", field="into")
    if routing.town_of(into.region_code) != routing.town_of(case.region_code):
        raise ValidationFailed("只能合并同一乡镇的重复事件。", field="into")
    note = clean_text(note, field="note", label="说明", required=False, limit=MAX_NOTE)
    with transaction.atomic():
        first, second = sorted([case.pk, into.pk])
        locked = {
            c.pk: c for c in Case.objects.select_for_update().filter(pk__in=[first, second]).order_by("pk")
        }
        case, into = locked[case.pk], locked[into.pk]
        if version is not None and int(version) != case.version:
            raise Conflict("该事件刚被他人更新过，请刷新页面查看最新状态后再操作。", code="stale")
        states.check(case, "merge")
        if not into.is_open:
            raise Conflict("目标事件已结案或已合并，请选择一件仍在办理的事件。", code="target_closed")
        before = (case.state, case.level)
        _end_assignment(case, "merged")
        case.state, case.merged_into = Case.MERGED, into
        case.closed_at = clock.now()
        _event(case, user, "merge", before=before, note=f"并入 {into.number}。{note}".strip("。"))
        _save(case, "state", "merged_into", "closed_at")
        into_before = (into.state, into.level)
        _event(into, user, "merged_in", before=into_before, note=f"合并重复事件 {case.number}。")
        _save(into)
        _audit("merge", case, user, {"into": into.pk})
    return case


def extension_request(
    *, user, case: Case, new_deadline: dt.datetime, reason: str, version=None
) -> DeadlineExtension:
    """申请延期: the handler asks; one level up decides. A petition may be extended once, by at most 30 days."""
    _guard(user, "cases.handle", case)
    reason = clean_text(reason, field="reason", label="延期理由", limit=MAX_NOTE)
    with transaction.atomic():
        case = _lock(case, version=version, user=user, action="cases.handle")
        states.check(case, "extend")
        asg = _open_assignment(case)
        if asg is None:
            raise Conflict("事件当前没有办理时限，无需延期。")
        if case.extensions.filter(approved=None).exists():
            raise Conflict("已有一份延期申请在等待审批。", code="pending_extension")
        if new_deadline - clock.now() > MAX_EXTENSION:
            raise ValidationFailed("延期后的时限不能超过一年以后。", field="new_deadline")
        if new_deadline <= asg.deadline:
            raise ValidationFailed("延期后的时限须晚于现在的时限。", field="new_deadline")
        if case.is_petition:
            # 信访工作条例 Art. 32: extended once, by no more than 30 days
            if case.extension_count >= routing.PETITION_MAX_EXTENSIONS:
                raise ValidationFailed(
                    "信访事项只能延期一次（《信访工作条例》第三十二条）。", field="new_deadline"
                )
            if new_deadline > asg.deadline + dt.timedelta(days=routing.PETITION_MAX_EXTENSION_DAYS):
                raise ValidationFailed(
                    "信访事项延期不得超过30日（《信访工作条例》第三十二条）。", field="new_deadline"
                )
        ext = DeadlineExtension.objects.create(
            case=case,
            assignment=asg,
            region_code=case.region_code,
            requested_by=user,
            new_deadline=new_deadline,
            reason=reason,
        )
        before = (case.state, case.level)
        _event(case, user, "extend", before=before, note=f"申请延期至 {_fmt(new_deadline)}：{reason}")
        _save(case)
        _audit("extend", case, user, {"new_deadline": new_deadline.isoformat()})
    return ext


def extension_decide(
    *, user, extension: DeadlineExtension, approve: bool, note: str = "", version: int | None = None
) -> DeadlineExtension:
    case = extension.case
    _guard(user, "cases.decide_extension", case)
    note = clean_text(note, field="note", label="审批意见", required=not approve, limit=MAX_NOTE)
    with transaction.atomic():
        case = _lock(case, version=version, user=user, action="cases.decide_extension")
        ext = DeadlineExtension.objects.select_for_update().get(pk=extension.pk)
        if ext.approved is not None:
            raise Conflict("这份延期申请已经审批过了。", code="decided")
        asg = CaseAssignment.objects.get(pk=ext.assignment_id)
        if asg.ended_at is not None:
            raise Conflict("事件已转到其他环节，这份延期申请不再适用。", code="stale")
        ext.approved, ext.decided_by, ext.decided_at, ext.decision_note = approve, user, clock.now(), note
        ext.save(update_fields=["approved", "decided_by", "decided_at", "decision_note"])
        before = (case.state, case.level)
        fields = []
        if approve:
            shift = ext.new_deadline - asg.deadline
            asg.deadline, asg.warn_at, asg.escalate_at = (
                asg.deadline + shift,
                asg.warn_at + shift,
                asg.escalate_at + shift,
            )
            asg.warned_at, asg.overdue_at = None, None
            asg.save(update_fields=["deadline", "warn_at", "escalate_at", "warned_at", "overdue_at"])
            case.deadline, case.is_overdue = asg.deadline, asg.deadline <= clock.now()
            case.extension_count += 1
            fields = ["deadline", "is_overdue", "extension_count"]
        _event(
            case,
            user,
            "extend_approved" if approve else "extend_refused",
            before=before,
            note=note or f"时限延至 {_fmt(ext.new_deadline)}",
        )
        _save(case, *fields)
        _audit("extend_decide", case, user, {"approved": approve})
        if ext.requested_by_id:
            _notify(
                [ext.requested_by],
                "case.extension",
                case,
                f"延期申请{'已批准' if approve else '未获批准'}：{case.title}",
            )
    return ext


def _fmt(moment: dt.datetime) -> str:
    from django.utils import timezone

    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


# -- the deadline sweep (run by `xiangzhi worker`) ---------------------------------------------------------------

ACTIVE_STATES = (Case.REPORTED, Case.ASSIGNED, Case.IN_PROGRESS)


def deadline_sweep(*, now: dt.datetime | None = None, batch: int = 500) -> dict[str, int]:
    """督: warn before deadlines, mark 超期 after them, escalate one level after the grace period. Each step is a
    conditional change of one assignment under its case's row lock, so running twice (or twice at once) does
    each thing once; a sweep killed midway leaves finished cases finished and the rest for the next run."""
    now = now or clock.now()
    counts = {"warned": 0, "overdue": 0, "escalated": 0}
    base = CaseAssignment.objects.filter(ended_at=None, case__state__in=ACTIVE_STATES)
    for asg_id in list(
        base.filter(escalate_at__lte=now).exclude(level="county").values_list("id", flat=True)[:batch]
    ):
        counts["escalated"] += _sweep_one(asg_id, now, "escalate")
    for asg_id in list(base.filter(overdue_at=None, deadline__lte=now).values_list("id", flat=True)[:batch]):
        counts["overdue"] += _sweep_one(asg_id, now, "overdue")
    for asg_id in list(
        base.filter(warned_at=None, overdue_at=None, warn_at__lte=now, deadline__gt=now).values_list(
            "id", flat=True
        )[:batch]
    ):
        counts["warned"] += _sweep_one(asg_id, now, "warn")
    return counts


def _sweep_one(asg_id: int, now: dt.datetime, step: str) -> int:
    with transaction.atomic():
        asg = CaseAssignment.objects.filter(pk=asg_id).select_related("case").first()
        if asg is None:
            return 0
        locked = Case.objects.select_for_update(skip_locked=True).filter(pk=asg.case_id).first()
        if locked is None:
            return 0  # another sweep holds it: it will do this step
        case = locked
        asg = CaseAssignment.objects.get(pk=asg_id)  # re-read under the lock
        if asg.ended_at is not None or case.state not in ACTIVE_STATES:
            return 0
        before = (case.state, case.level)
        if step == "warn":
            if asg.warned_at is not None or asg.deadline <= now:
                return 0
            asg.warned_at = now
            asg.save(update_fields=["warned_at"])
            _event(case, None, "warn", before=before, note=f"距办理时限 {_fmt(asg.deadline)} 不足一天。")
            _save(case)
            _notify_handlers(case, "case.deadline_warning", f"事件临近办理时限：{case.title}")
            return 1
        if step == "overdue":
            if asg.overdue_at is not None or asg.deadline > now:
                return 0
            asg.overdue_at = now
            asg.save(update_fields=["overdue_at"])
            case.is_overdue = case.was_overdue = True
            _event(case, None, "overdue", before=before, note=f"已超过办理时限 {_fmt(asg.deadline)}。")
            _save(case, "is_overdue", "was_overdue")
            _audit("overdue", case, None, {"deadline": asg.deadline.isoformat()})
            _notify_handlers(case, "case.overdue", f"事件已超期：{case.title}")
            return 1
        if asg.escalate_at > now or case.level == "county":
            return 0
        if asg.overdue_at is None:
            asg.overdue_at = now
            asg.save(update_fields=["overdue_at"])
        case.was_overdue = True
        _escalate(
            case,
            None,
            note=f"超过办理时限 {_fmt(asg.deadline)} 未办结，自动上报上级。",
            action="auto_escalate",
        )
        _save(case, "state", "was_overdue", *ASSIGN_FIELDS)
        _audit("auto_escalate", case, None, {"to_level": case.level})
        return 1


# -- routing rules (the town's own) -------------------------------------------------------------------------------


def routing_rule_save(
    *,
    user,
    town: Region,
    category: str,
    triage: str,
    level: str,
    handler: str,
    department_code: str,
    deadline_value: int,
    deadline_unit: str,
    warn_before_hours: int = 24,
    grace_workdays: int = 1,
):
    from xiangzhi.cases.models import DEADLINE_UNITS, HANDLER_LABELS, RoutingRule

    policy.require(user, "cases.routing", town)
    if town.level != "town":
        raise ValidationFailed("分流规则按乡镇设置。", field="town")
    if category and category not in CATEGORY_CODES:
        raise ValidationFailed("未知的事件类别。", field="category")
    if triage and triage not in ("civil", "village", "government"):
        raise ValidationFailed("三事类型无效。", field="triage")
    if level not in LEVELS or handler not in HANDLER_LABELS:
        raise ValidationFailed("层级或办理主体无效。", field="handler")
    if deadline_unit not in dict(DEADLINE_UNITS):
        raise ValidationFailed("时限单位无效。", field="deadline_unit")
    try:
        value = int(deadline_value)
    except (TypeError, ValueError):
        raise ValidationFailed("时限须为正整数。", field="deadline_value") from None
    if not 1 <= value <= 365 * 24:
        raise ValidationFailed("时限须为 1 以上的整数。", field="deadline_value")
    if handler == "department" and not department_code:
        raise ValidationFailed("派给部门时请填写部门代码。", field="department_code")
    with transaction.atomic():
        rule, created = RoutingRule.objects.update_or_create(
            town_code=town.code,
            category=category,
            triage=triage,
            level=level,
            defaults=dict(
                handler=handler,
                department_code=department_code,
                deadline_value=value,
                deadline_unit=deadline_unit,
                warn_before_hours=warn_before_hours,
                grace_workdays=grace_workdays,
            ),
        )
        record(
            "cases.routing_rule",
            town,
            changes={
                "category": category,
                "triage": triage,
                "level": level,
                "handler": handler,
                "deadline": f"{value} {deadline_unit}",
            },
            actor=user,
        )
    return rule


# -- for other modules ---------------------------------------------------------------------------------------------

NOTE_ACTIONS = ("note", "mediation")


def case_note(*, user, case: Case, note: str, action: str = "note", attachments=()) -> CaseEvent:
    """A timeline entry without a change of state, written by another module about the case (a mediation opened
    or ended) or by a handler (a progress note). The caller's own policy check decides who may write it."""
    if action not in NOTE_ACTIONS:
        raise ValueError(f"case_note: action must be one of {NOTE_ACTIONS}")
    note = clean_text(note, field="note", label="说明", limit=MAX_NOTE)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        ev = _event(case, user, action, before=(case.state, case.level), note=note, attachments=attachments)
        _save(case)
        _audit(action, case, user, {})
    return ev
