"""Changing mediations, the mediator roster and the legal-adviser register: one function per change.

Every function takes `user` (the person acting; None for the system: the demo seeder), checks the policy before
its transaction opens (an audited refusal must not roll back with it), then in one transaction locks the
mediation row, checks its state, writes, and records one audit row. Opening a mediation and its end are written
on the case's timeline too (`cases.services.case_note`). ID numbers never enter an audit diff, a message or a
notification: only whether one was given.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone

from xiangzhi import policy
from xiangzhi.audit.services import record
from xiangzhi.core import clock, crypto, text
from xiangzhi.core.errors import Conflict, ValidationFailed
from xiangzhi.core.notify import notify_many
from xiangzhi.mediation.models import (
    JUDICIAL_CONFIRMATION_TEXT,
    LEVEL_LABELS,
    MEDIATOR_KIND_LABELS,
    OUTCOME_LABELS,
    SERVICE_KIND_LABELS,
    Agreement,
    LegalAdviser,
    Mediation,
    MediationParty,
    MediationSession,
    Mediator,
    ServiceLog,
    committee_name,
    confirmation_deadline_for,
)
from xiangzhi.people import idnumber
from xiangzhi.regions.models import Region

MAX_TEXT = 4000
MAX_NOTE = 1000
MAX_PARTIES = 20
ROLE_LABELS = dict(MediationParty.ROLE_CHOICES)
# The outcomes recorded by hand: success is recorded by the agreement taking effect (Art. 29, 30).
MANUAL_OUTCOMES = ("failed", "litigation", "petition")


# -- helpers ------------------------------------------------------------------------------------------------------


def clean_text(value, *, field: str, label: str, required: bool = True, limit: int = MAX_TEXT) -> str:
    return text.clean_text(value, field=field, label=label, required=required, limit=limit)


def _int(value, *, field: str, label: str, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationFailed(f"{label}须为整数。", field=field) from None
    if not low <= number <= high:
        raise ValidationFailed(f"{label}须在 {low} 到 {high} 之间。", field=field)
    return number


def _audit(action: str, obj, user, changes: dict, **kw) -> None:
    record(f"mediation.{action}", obj, changes=changes, actor=user, **kw)


def _guard(user, action: str, obj) -> None:
    if user is not None:
        policy.require(user, action, obj)


def _lock(mediation: Mediation) -> Mediation:
    return Mediation.objects.select_for_update().select_related("case").get(pk=mediation.pk)


def _require_open(mediation: Mediation, doing: str) -> None:
    if mediation.state != Mediation.OPEN:
        raise Conflict(
            f"该调解已结束（{OUTCOME_LABELS.get(mediation.outcome, '')}），不能再{doing}。请刷新页面查看最新状态。",
            code="mediation_ended",
        )


def _case_note(user, mediation: Mediation, note: str) -> None:
    from xiangzhi.cases.services import case_note

    case_note(user=user, case=mediation.case, action="mediation", note=note[:MAX_NOTE])


def _local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def _cadres_to_tell(mediation: Mediation) -> list:
    """The village's cadres (the parties usually have no account), and for a 镇-level mediation the town's
    leaders too."""
    from xiangzhi.accounts.models import RoleAssignment, User
    from xiangzhi.accounts.roles import VILLAGE_CADRES

    village = mediation.region_code[:12]
    q = RoleAssignment.objects.filter(is_active=True, role__in=VILLAGE_CADRES, region_code=village)
    ids = set(q.values_list("user_id", flat=True))
    if mediation.level == "town":
        ids |= set(
            RoleAssignment.objects.filter(
                is_active=True, role="town_leader", region_code=mediation.region_code[:9]
            ).values_list("user_id", flat=True)
        )
    return list(User.objects.filter(pk__in=ids, is_active=True))


# -- opening ------------------------------------------------------------------------------------------------------


def _committee_region(case, level: str) -> Region:
    code = case.region_code[:9] if level == "town" else case.region_code[:12]
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise ValidationFailed("找不到该事件所在的村（或乡镇），不能确定由哪个调委会调解。", field="level")
    return region


def _clean_mediators(mediators, committee: Region, case) -> list[Mediator]:
    """Mediators of the committee's roster; at the 镇 level the town's roster and the village's."""
    allowed = {committee.code, case.region_code[:12]}
    chosen = list(mediators or [])
    for m in chosen:
        if not m.is_active or m.region_code not in allowed:
            raise ValidationFailed(
                f"调解员{m.name}不在{committee.name}的调解员名册中（或已不在册）。", field="mediators"
            )
    return chosen


def mediation_open(*, user, case, level: str, summary: str, mediators=()) -> Mediation:
    """受理调解: a 矛盾纠纷 case still open, one mediation at a time. A 镇-level one is opened by the town."""
    _guard(user, "mediation.open", case)
    if level not in LEVEL_LABELS:
        raise ValidationFailed("请选择调解层级（组、村或镇）。", field="level")
    if level == "town":
        _guard(user, "mediation.open_town", case)
    if case.category != "DISPUTE":
        raise ValidationFailed("只有“矛盾纠纷”类事件才能发起调解：请先把事件分类为矛盾纠纷。", field="case")
    if not case.is_open:
        raise Conflict("该事件已结案或已合并，不能再发起调解。", code="case_closed")
    summary = clean_text(summary, field="summary", label="纠纷简要情况")
    committee = _committee_region(case, level)
    chosen = _clean_mediators(mediators, committee, case)
    try:
        with transaction.atomic():
            m = Mediation.objects.create(
                case=case,
                region_code=case.region_code,
                committee=committee_name(committee.name),
                level=level,
                summary=summary,
                opened_by=user if getattr(user, "pk", None) else None,
                opened_at=clock.now(),
            )
            m.mediators.set(chosen)
            names = "、".join(x.name for x in chosen)
            _case_note(
                user,
                m,
                f"发起{LEVEL_LABELS[level]}级调解（{m.committee}，编号 {m.number}）"
                + (f"，调解员：{names}" if names else "")
                + "。",
            )
            _audit("open", m, user, {"case": case.pk, "level": level, "mediators": [x.pk for x in chosen]})
    except IntegrityError:
        raise Conflict("该事件已有一项正在进行的调解，请在原调解中继续。", code="already_open") from None
    return m


def mediation_set_mediators(*, user, mediation: Mediation, mediators) -> Mediation:
    """Art. 23: the parties may choose or accept the mediators; the committee changes them on request."""
    _guard(user, "mediation.act", mediation)
    with transaction.atomic():
        m = _lock(mediation)
        _require_open(m, "调整调解员")
        committee = Region.objects.get(code=m.committee_code)
        chosen = _clean_mediators(mediators, committee, m.case)
        if not chosen:
            raise ValidationFailed("请至少选择一名调解员。", field="mediators")
        before = sorted(m.mediators.values_list("pk", flat=True))
        m.mediators.set(chosen)
        _audit("mediators", m, user, {"mediators": [before, sorted(x.pk for x in chosen)]})
    return m


# -- parties ------------------------------------------------------------------------------------------------------


def party_add(
    *,
    user,
    mediation: Mediation,
    resident=None,
    name: str = "",
    id_number: str = "",
    address: str = "",
    role: str = "applicant",
) -> MediationParty:
    """A party: a resident of the register (within the user's `people.view` reach), or an outsider by name with
    an optional ID number (checked as GB 11643, stored encrypted, found by its keyed hash, shown by its last
    four)."""
    from xiangzhi.people.models import Resident

    _guard(user, "mediation.act", mediation)
    if role not in ROLE_LABELS:
        raise ValidationFailed("请选择当事人身份。", field="role")
    address = clean_text(address, field="address", label="住址", required=False, limit=200)
    number = ""
    if resident is not None:
        if user is not None and not policy.can(user, "people.view", resident):
            raise ValidationFailed("该居民不在您可查看的户籍范围内：请按外来人员登记。", field="resident")
        if resident.status == Resident.STATUS_DECEASED:
            raise ValidationFailed("该居民已登记为去世，不能作为当事人。", field="resident")
        name = resident.name
    else:
        name = clean_text(name, field="name", label="当事人姓名", limit=50)
        if (id_number or "").strip():
            number = idnumber.validate(id_number)
    with transaction.atomic():
        m = _lock(mediation)
        _require_open(m, "增加当事人")
        if Agreement.objects.filter(mediation=m).exists():
            raise Conflict("已记录调解协议，不能再增加当事人。", code="agreement_recorded")
        if m.parties.count() >= MAX_PARTIES:
            raise ValidationFailed(f"一项调解最多登记 {MAX_PARTIES} 名当事人。")
        id_hash = crypto.lookup_hash(number, purpose="id_number") if number else ""
        if resident is not None and m.parties.filter(resident=resident).exists():
            raise ValidationFailed(f"{name}已是本调解的当事人。", field="resident")
        if id_hash and m.parties.filter(id_number_hash=id_hash).exists():
            raise ValidationFailed("该身份证号的当事人已登记。", field="id_number")
        party = MediationParty.objects.create(
            mediation=m,
            region_code=m.region_code,
            role=role,
            resident=resident,
            name=name,
            id_number=number,
            id_number_hash=id_hash,
            id_last4=number[-4:],
            address=address,
        )
        _audit(
            "party_add",
            m,
            user,
            {
                "party": party.pk,
                "name": name,
                "role": role,
                "resident": resident.pk if resident is not None else None,
                "identity_given": bool(number),
            },
        )
    return party


def party_refuse(*, user, party: MediationParty, reason: str) -> Mediation:
    """A party refuses mediation (Art. 23 (二)); once a party clearly refuses it, it may not go on (Art. 17): the
    mediation ends as 调解未成功, and the parties are told of their other ways (arbitration, administrative or
    judicial, Art. 26)."""
    _guard(user, "mediation.act", party.mediation)
    reason = clean_text(reason, field="reason", label="拒绝调解的情况", limit=MAX_NOTE)
    with transaction.atomic():
        m = _lock(party.mediation)
        _require_open(m, "登记拒绝调解")
        party = MediationParty.objects.select_for_update().get(pk=party.pk)
        if party.refused_at is not None:
            raise Conflict(f"{party.name}拒绝调解已登记。")
        now = clock.now()
        party.refused_at, party.refusal_reason = now, reason
        party.save(update_fields=["refused_at", "refusal_reason"])
        m.state, m.outcome, m.refused = Mediation.ENDED, "failed", True
        m.outcome_note = f"当事人{party.name}拒绝调解：{reason}"
        m.ended_at, m.ended_by = now, user if getattr(user, "pk", None) else None
        m.save(update_fields=["state", "outcome", "refused", "outcome_note", "ended_at", "ended_by"])
        _case_note(user, m, f"调解终止：当事人{party.name}拒绝调解。{reason}")
        _audit("refuse", m, user, {"party": party.pk, "outcome": "failed"})
    return m


# -- sessions -----------------------------------------------------------------------------------------------------


def session_add(
    *, user, mediation: Mediation, date: dt.date, place: str, notes: str, attendees: str = ""
) -> MediationSession:
    _guard(user, "mediation.act", mediation)
    place = clean_text(place, field="place", label="调解地点", limit=120)
    notes = clean_text(notes, field="notes", label="调解情况")
    attendees = clean_text(attendees, field="attendees", label="参加人员", required=False, limit=300)
    if not isinstance(date, dt.date):
        raise ValidationFailed("请填写调解日期。", field="date")
    with transaction.atomic():
        m = _lock(mediation)
        _require_open(m, "记录调解")
        if date > clock.today():
            raise ValidationFailed("调解日期不能晚于今天。", field="date")
        if date < _local_day(m.opened_at):
            raise ValidationFailed("调解日期不能早于受理调解的日期。", field="date")
        s = MediationSession.objects.create(
            mediation=m,
            region_code=m.region_code,
            date=date,
            place=place,
            attendees=attendees,
            notes=notes,
            recorded_by=user if getattr(user, "pk", None) else None,
        )
        _audit("session_add", m, user, {"session": s.pk, "date": date.isoformat()})
    return s


# -- outcome ------------------------------------------------------------------------------------------------------


def mediation_outcome(*, user, mediation: Mediation, outcome: str, note: str) -> Mediation:
    """调解未成功 / 转入诉讼 / 转信访. 调解成功 is recorded by the agreement: it is reached when the agreement takes
    effect (written: signed and sealed, Art. 29; oral: when recorded, Art. 30)."""
    _guard(user, "mediation.act", mediation)
    if outcome == "success":
        raise ValidationFailed(
            "调解成功请记录调解协议：书面协议经各方当事人签名、调委会盖章后生效，口头协议记录即生效，"
            "生效时自动登记为调解成功。",
            field="outcome",
        )
    if outcome not in MANUAL_OUTCOMES:
        raise ValidationFailed("请选择调解结果。", field="outcome")
    note = clean_text(note, field="note", label="结果说明", limit=MAX_NOTE)
    with transaction.atomic():
        m = _lock(mediation)
        _require_open(m, "登记调解结果")
        m.state, m.outcome, m.outcome_note = Mediation.ENDED, outcome, note
        m.ended_at, m.ended_by = clock.now(), user if getattr(user, "pk", None) else None
        m.save(update_fields=["state", "outcome", "outcome_note", "ended_at", "ended_by"])
        _case_note(user, m, f"调解结束：{OUTCOME_LABELS[outcome]}。{note}")
        _audit("outcome", m, user, {"outcome": outcome})
    return m


# -- the agreement (People's Mediation Law Art. 28-33) --------------------------------------------------------------


def agreement_record(
    *,
    user,
    mediation: Mediation,
    form: str,
    facts: str,
    terms: str,
    performance_method: str,
    performance_due: dt.date,
) -> Agreement:
    """Art. 28: the parties may reach a written agreement (调解协议书) or, where they think it unnecessary, an oral
    one that the mediator records. Art. 29: a written one states the parties, the main facts and the matters in
    dispute, the agreed terms, and how and by when they are performed."""
    _guard(user, "mediation.act", mediation)
    if form not in (Agreement.WRITTEN, Agreement.ORAL):
        raise ValidationFailed("请选择协议形式（书面或口头）。", field="form")
    facts = clean_text(facts, field="facts", label="纠纷的主要事实、争议事项")
    terms = clean_text(terms, field="terms", label="协议内容")
    performance_method = clean_text(
        performance_method, field="performance_method", label="履行方式", limit=MAX_NOTE
    )
    if not isinstance(performance_due, dt.date):
        raise ValidationFailed("请填写履行期限。", field="performance_due")
    with transaction.atomic():
        m = _lock(mediation)
        _require_open(m, "记录调解协议")
        if Agreement.objects.filter(mediation=m).exists():
            raise Conflict("本调解已记录调解协议。", code="agreement_recorded")
        if performance_due < _local_day(m.opened_at):
            raise ValidationFailed("履行期限不能早于受理调解的日期。", field="performance_due")
        if m.parties.count() < 2:
            raise ValidationFailed("调解协议至少需要两方当事人：请先登记当事人。", field="form")
        a = Agreement.objects.create(
            mediation=m,
            region_code=m.region_code,
            form=form,
            facts=facts,
            terms=terms,
            performance_method=performance_method,
            performance_due=performance_due,
            recorded_by=user if getattr(user, "pk", None) else None,
            recorded_at=clock.now(),
        )
        _audit("agreement_record", m, user, {"agreement": a.pk, "form": form})
        if form == Agreement.ORAL:
            # Art. 30: an oral agreement takes effect from the day the parties reach it
            _take_effect(m, a, user)
    return a


def agreement_sign(*, user, party: MediationParty) -> MediationParty:
    """A party has signed, sealed or put a fingerprint on the written agreement (签名、盖章或者按指印, Art. 29)."""
    _guard(user, "mediation.act", party.mediation)
    with transaction.atomic():
        m = _lock(party.mediation)
        _require_open(m, "登记签名")
        a = _written_agreement(m)
        party = MediationParty.objects.select_for_update().get(pk=party.pk)
        if party.signed_at is not None:
            raise Conflict(f"{party.name}的签名已登记。")
        party.signed_at = clock.now()
        party.save(update_fields=["signed_at"])
        _audit("agreement_sign", m, user, {"party": party.pk})
        _maybe_effective(m, a, user)
    return party


def agreement_seal(*, user, mediation: Mediation) -> Agreement:
    """The mediator signs and the committee seals the written agreement (Art. 29)."""
    _guard(user, "mediation.seal", mediation)
    with transaction.atomic():
        m = _lock(mediation)
        _require_open(m, "盖章")
        a = _written_agreement(m)
        if a.sealed_at is not None:
            raise Conflict("调解协议书已盖章。")
        a.sealed_at, a.sealed_by = clock.now(), user if getattr(user, "pk", None) else None
        a.save(update_fields=["sealed_at", "sealed_by"])
        _audit("agreement_seal", m, user, {"agreement": a.pk})
        _maybe_effective(m, a, user)
    return a


def _written_agreement(m: Mediation) -> Agreement:
    a = Agreement.objects.select_for_update().filter(mediation=m).first()
    if a is None:
        raise Conflict("尚未记录调解协议。", code="no_agreement")
    if a.form != Agreement.WRITTEN:
        raise Conflict("口头协议无需签名盖章，记录时已生效。", code="oral_agreement")
    return a


def _maybe_effective(m: Mediation, a: Agreement, user) -> None:
    """Art. 29: a written agreement takes effect once every party has signed and the committee has sealed it."""
    unsigned = m.parties.filter(signed_at__isnull=True).exists()
    if a.sealed_at is None or unsigned or a.effective_at is not None:
        return
    _take_effect(m, a, user)


def _take_effect(m: Mediation, a: Agreement, user) -> None:
    """The agreement binds the parties (Art. 31); they may jointly apply for judicial confirmation within 30 days
    (Art. 33). The mediation ends as 调解成功, the case's timeline says so, and the village's cadres are
    reminded of the 30 days (the parties themselves seldom have an account)."""
    now = clock.now()
    a.effective_at = now
    a.confirmation_deadline = confirmation_deadline_for(_local_day(now))
    a.save(update_fields=["effective_at", "confirmation_deadline"])
    m.state, m.outcome, m.ended_at = Mediation.ENDED, "success", now
    m.ended_by = user if getattr(user, "pk", None) else None
    m.outcome_note = f"达成{a.get_form_display()}，已生效。"
    m.save(update_fields=["state", "outcome", "outcome_note", "ended_at", "ended_by"])
    deadline = f"{a.confirmation_deadline:%Y年%m月%d日}"
    _case_note(
        user,
        m,
        f"调解成功：{a.get_form_display()}已生效。{JUDICIAL_CONFIRMATION_TEXT}（截至{deadline}）。",
    )
    _audit(
        "agreement_effective",
        m,
        user,
        {"agreement": a.pk, "confirmation_deadline": a.confirmation_deadline.isoformat()},
    )
    notify_many(
        _cadres_to_tell(m),
        "mediation.agreement_effective",
        m,
        title=f"调解协议已生效（{m.number}）：当事人可于{deadline}前共同申请司法确认",
        body=f"{m.committee}调解的“{m.case.title}”已达成调解协议并生效。{JUDICIAL_CONFIRMATION_TEXT}，"
        f"请提醒当事人在{deadline}前办理。",
        url=f"/mediation/{m.pk}/",
    )


# -- the roster and the legal-adviser register ---------------------------------------------------------------------


def _roster_region(region: Region, *, town_ok: bool) -> Region:
    levels = ("village", "town") if town_ok else ("village",)
    if region is None or region.level not in levels or not region.is_active:
        raise ValidationFailed("请选择村（或乡镇调委会）。" if town_ok else "请选择村。", field="region")
    return region


def mediator_add(*, user, region: Region, name: str = "", kind: str, account=None) -> Mediator:
    _guard(user, "mediation.roster", region)
    region = _roster_region(region, town_ok=True)
    if kind not in MEDIATOR_KIND_LABELS:
        raise ValidationFailed("请选择调解员类别。", field="kind")
    name = clean_text(name or getattr(account, "full_name", ""), field="name", label="姓名", limit=50)
    with transaction.atomic():
        m = Mediator.objects.create(
            region=region, region_code=region.code, user=account, name=name, kind=kind, created_at=clock.now()
        )
        _audit("mediator_add", m, user, {"name": name, "kind": kind, "region": region.code})
    return m


def mediator_deactivate(*, user, mediator: Mediator) -> Mediator:
    _guard(user, "mediation.roster", mediator)
    with transaction.atomic():
        mediator = Mediator.objects.select_for_update().get(pk=mediator.pk)
        if not mediator.is_active:
            raise Conflict(f"{mediator.name}已不在册。")
        mediator.is_active = False
        mediator.save(update_fields=["is_active"])
        _audit("mediator_deactivate", mediator, user, {"is_active": [True, False]})
    return mediator


def legal_adviser_add(
    *, user, village: Region, name: str, firm: str = "", since: dt.date | None = None, account=None
) -> LegalAdviser:
    _guard(user, "mediation.roster", village)
    village = _roster_region(village, town_ok=False)
    name = clean_text(name or getattr(account, "full_name", ""), field="name", label="姓名", limit=50)
    firm = clean_text(firm, field="firm", label="执业机构", required=False, limit=100)
    if since is not None and since > clock.today():
        raise ValidationFailed("聘任日期不能晚于今天。", field="since")
    with transaction.atomic():
        a = LegalAdviser.objects.create(
            region=village,
            region_code=village.code,
            user=account,
            name=name,
            firm=firm,
            since=since,
            created_at=clock.now(),
        )
        _audit("adviser_add", a, user, {"name": name, "firm": firm, "region": village.code})
    return a


def legal_adviser_deactivate(*, user, adviser: LegalAdviser) -> LegalAdviser:
    _guard(user, "mediation.roster", adviser)
    with transaction.atomic():
        adviser = LegalAdviser.objects.select_for_update().get(pk=adviser.pk)
        if not adviser.is_active:
            raise Conflict(f"{adviser.name}已卸任。")
        adviser.is_active = False
        adviser.save(update_fields=["is_active"])
        _audit("adviser_deactivate", adviser, user, {"is_active": [True, False]})
    return adviser


def service_log_add(
    *,
    user,
    adviser: LegalAdviser,
    kind: str,
    date: dt.date,
    hours,
    people=0,
    materials=0,
    notes: str = "",
) -> ServiceLog:
    """One 到村服务, 接访 or 普法讲座 of a legal adviser in the village."""
    _guard(user, "mediation.service_log", adviser)
    if kind not in SERVICE_KIND_LABELS:
        raise ValidationFailed("请选择服务类别。", field="kind")
    if not isinstance(date, dt.date):
        raise ValidationFailed("请填写服务日期。", field="date")
    if date > clock.today():
        raise ValidationFailed("服务日期不能晚于今天。", field="date")
    try:
        h = Decimal(str(hours)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationFailed("时长须为数字，如 2 或 1.5。", field="hours") from None
    if not Decimal("0.1") <= h <= Decimal("24"):
        raise ValidationFailed("时长须在 0.1 到 24 小时之间。", field="hours")
    people = _int(people, field="people", label="服务人数", low=0, high=100000)
    materials = _int(materials, field="materials", label="发放普法资料份数", low=0, high=1000000)
    if kind == "reception" and people < 1:
        raise ValidationFailed("接访请填写接待的群众人数（件次）。", field="people")
    notes = clean_text(notes, field="notes", label="内容", required=kind == "lecture", limit=MAX_NOTE)
    with transaction.atomic():
        adviser = LegalAdviser.objects.select_for_update().get(pk=adviser.pk)
        if not adviser.is_active:
            raise Conflict(f"{adviser.name}已卸任，不能再登记服务。")
        log = ServiceLog.objects.create(
            adviser=adviser,
            region_code=adviser.region_code,
            kind=kind,
            date=date,
            hours=h,
            people=people,
            materials=materials,
            notes=notes,
            recorded_by=user if getattr(user, "pk", None) else None,
        )
        _audit(
            "service_log_add",
            log,
            user,
            {"adviser": adviser.pk, "kind": kind, "date": date.isoformat(), "people": people},
        )
    return log
