"""Changing enforcement records: one function per change.

Every function takes `user` (the person acting; None for the system), checks the policy before its transaction
opens (an audited refusal must not roll back with it), then in one transaction locks the row, checks its state,
writes, appends a line to the full-process record (`Entry`, never edited) and records one audit row. A refused
change leaves nothing behind. ID numbers never enter an audit diff, a timeline line, a message or a 公示: only
whether one was given.
"""

import datetime as dt
import re

from django.db import IntegrityError, transaction
from django.utils import timezone

from xiangzhi import policy
from xiangzhi.audit.services import record
from xiangzhi.core import calendar, clock, crypto, text
from xiangzhi.core.errors import Conflict, ValidationFailed
from xiangzhi.core.files import file_store
from xiangzhi.core.money import fen_to_yuan
from xiangzhi.enforcement.models import (
    MONEY_KINDS,
    PENALTY_LABELS,
    PERSON,
    PUBLISH_WORKDAYS,
    SUBJECT_LABELS,
    Attachment,
    Decision,
    Entry,
    Inspection,
    LegalReview,
)
from xiangzhi.people import idnumber
from xiangzhi.regions import codes
from xiangzhi.regions.models import Region

MAX_TEXT = 4000
ORG_CODE = re.compile(
    r"^[0-9A-HJ-NPQRTUWXY]{18}$"
)  # 统一社会信用代码 (GB 32100): 18 characters, no I O S V Z
CASE_NUMBER = re.compile(r"^[\w〔〕（）()\[\]【】\-－—·第号字执罚]{2,60}$")
REVIEW_REQUIRED = (
    "重大执法决定须经法制审核且审核通过后才能作出（《行政处罚法》第五十八条）。请先由司法所进行法制审核。"
)


# -- helpers ------------------------------------------------------------------------------------------------------


def _text(value, *, field: str, label: str, required: bool = True, limit: int = MAX_TEXT) -> str:
    return text.clean_text(value, field=field, label=label, required=required, limit=limit)


def _actor(user):
    return user if getattr(user, "pk", None) else None


def _guard(user, action: str, obj) -> None:
    if user is not None:
        policy.require(user, action, obj)


def _entry(inspection: Inspection, user, action: str, note: str) -> Entry:
    return Entry.objects.create(
        inspection=inspection,
        region_code=inspection.region_code,
        action=action,
        note=note[:MAX_TEXT],
        actor=_actor(user),
        at=clock.now(),
    )


def _audit(action: str, obj, user, changes: dict) -> None:
    record(f"enforcement.{action}", obj, changes=changes, actor=user)


def _date(value, *, field: str, label: str) -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise ValidationFailed(f"请填写{label}。", field=field)
    if value > clock.today():
        raise ValidationFailed(f"{label}不能晚于今天。", field=field)
    return value


def _lock_decision(decision: Decision) -> Decision:
    return Decision.objects.select_for_update().select_related("inspection").get(pk=decision.pk)


def _person_name(name: str) -> str:
    """A person's name must be one the 公示 can de-identify (张三 → 张某)."""
    from xiangzhi.disclosure.services import clean_names

    try:
        clean_names([name])
    except ValidationFailed:
        raise ValidationFailed(
            "个人当事人的姓名须为 2 到 6 个汉字（公示时显示为“张某”）。", field="subject_name"
        ) from None
    return name


def publish_due_for(decided_on: dt.date) -> dt.date:
    """The last day of the 执法公示: the 7th working day after the decision (the decision's own day not
    counted; weekends, public holidays and make-up working days from the working-day calendar)."""
    return calendar.add_workdays(decided_on, PUBLISH_WORKDAYS)


# -- inspections --------------------------------------------------------------------------------------------------


def inspection_create(
    *,
    user,
    town: Region,
    department,
    date: dt.date,
    place: str,
    inspectors: str,
    subject_kind: str,
    subject_name: str,
    findings: str,
    problem_found: bool = False,
    village: Region | None = None,
    id_number: str = "",
    org_code: str = "",
) -> Inspection:
    """执法检查: by a department of the town, in the town (optionally one of its villages)."""
    if town is None or town.level != codes.TOWN or not town.is_active:
        raise ValidationFailed("请选择乡镇。", field="town")
    if department is None or department.town_id != town.pk:
        raise ValidationFailed("请选择本乡镇的执法部门。", field="department")
    if village is not None and (village.parent_id != town.pk or village.level != codes.VILLAGE):
        raise ValidationFailed("所选的村不属于该乡镇。", field="village")
    region_code = village.code if village is not None else town.code
    _guard(user, "enforcement.record", Inspection(region_code=region_code, department_id=department.pk))
    date = _date(date, field="date", label="检查日期")
    place = _text(place, field="place", label="检查地点", limit=200)
    inspectors = _text(inspectors, field="inspectors", label="执法人员", limit=200)
    findings = _text(findings, field="findings", label="检查情况")
    if subject_kind not in SUBJECT_LABELS:
        raise ValidationFailed("请选择当事人类别（个人或单位）。", field="subject_kind")
    subject_name = _text(subject_name, field="subject_name", label="当事人名称", limit=100)
    number, org = "", ""
    if subject_kind == PERSON:
        _person_name(subject_name)
        if (org_code or "").strip():
            raise ValidationFailed("个人当事人没有统一社会信用代码。", field="org_code")
        if (id_number or "").strip():
            number = idnumber.validate(id_number)
    else:
        if (id_number or "").strip():
            raise ValidationFailed("单位当事人不登记身份证号：请填写统一社会信用代码。", field="id_number")
        org = (org_code or "").strip().upper()
        if org and not ORG_CODE.match(org):
            raise ValidationFailed("统一社会信用代码应为 18 位数字或大写字母。", field="org_code")
    with transaction.atomic():
        inspection = Inspection.objects.create(
            town=town,
            village=village,
            region_code=region_code,
            department=department,
            date=date,
            place=place,
            inspectors=inspectors,
            subject_kind=subject_kind,
            subject_name=subject_name,
            subject_id_number=number,
            subject_id_hash=crypto.lookup_hash(number, purpose="id_number") if number else "",
            subject_id_last4=number[-4:],
            subject_org_code=org,
            findings=findings,
            problem_found=bool(problem_found),
            created_by=_actor(user),
            created_at=clock.now(),
        )
        _entry(
            inspection,
            user,
            "inspected",
            f"{department.name}执法检查（{date:%Y-%m-%d}，{place}）。执法人员：{inspectors}。"
            + ("发现问题。" if problem_found else "未发现问题。"),
        )
        _audit(
            "inspection_created",
            inspection,
            user,
            {
                "department": department.pk,
                "date": date.isoformat(),
                "subject_kind": subject_kind,
                "identity_given": bool(number),
                "problem_found": bool(problem_found),
            },
        )
    return inspection


def entry_add(*, user, inspection: Inspection, note: str) -> Entry:
    """A line of the full-process record typed by the handler (询问、送达、整改复查 …). Never edited."""
    _guard(user, "enforcement.record", inspection)
    note = _text(note, field="note", label="记录内容", limit=2000)
    with transaction.atomic():
        entry = _entry(inspection, user, "note", note)
        _audit("entry_added", inspection, user, {"entry": entry.pk})
    return entry


def attachment_add(*, user, inspection: Inspection, upload, label: str) -> Attachment:
    """A photo or PDF of the record, kept in the private file store (served only through the file view)."""
    _guard(user, "enforcement.record", inspection)
    label = _text(label, field="label", label="附件说明", limit=100)
    if upload is None:
        raise ValidationFailed("请选择要上传的文件。", field="file")
    with transaction.atomic():
        stored = file_store(
            upload=upload,
            purpose="enforcement",
            region_code=inspection.region_code,
            user=_actor(user),
            allowed={"image", "pdf"},
        )
        att = Attachment.objects.create(
            inspection=inspection,
            region_code=inspection.region_code,
            file=stored,
            label=label,
            added_by=_actor(user),
            added_at=clock.now(),
        )
        _entry(inspection, user, "attachment", f"上传附件：{label}（{stored.original_name}）")
        _audit("attachment_added", inspection, user, {"attachment": att.pk, "file": stored.pk})
    return att


# -- decisions ----------------------------------------------------------------------------------------------------


def _amount(kind: str, amount_fen) -> int:
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int):
        raise ValidationFailed("金额须为整数（分）。", field="amount")
    if amount_fen < 0:
        raise ValidationFailed("金额不能为负数。", field="amount")
    if kind == "fine" and amount_fen == 0:
        raise ValidationFailed("罚款须填写罚款金额。", field="amount")
    if kind not in MONEY_KINDS and amount_fen != 0:
        raise ValidationFailed(f"“{PENALTY_LABELS[kind]}”不涉及金额，金额请填 0。", field="amount")
    return amount_fen


def decision_propose(
    *,
    user,
    inspection: Inspection,
    kind: str,
    amount_fen: int,
    legal_basis: str,
    facts: str,
    is_major: bool = False,
) -> Decision:
    """拟作出执法决定: the contents are fixed here; a major one goes to 法制审核 before it can be made."""
    _guard(user, "enforcement.record", inspection)
    if kind not in PENALTY_LABELS:
        raise ValidationFailed("请选择处罚种类。", field="kind")
    amount_fen = _amount(kind, amount_fen)
    legal_basis = _text(legal_basis, field="legal_basis", label="法律依据", limit=2000)
    facts = _text(facts, field="facts", label="违法事实")
    with transaction.atomic():
        insp = Inspection.objects.select_for_update().get(pk=inspection.pk)
        if insp.decisions.exclude(state=Decision.WITHDRAWN).exists():
            raise Conflict("该检查已有执法决定（或拟作出的决定）；如需改动，请先撤回拟作出的决定。")
        try:
            with transaction.atomic():
                decision = Decision.objects.create(
                    inspection=insp,
                    region_code=insp.region_code,
                    department_id=insp.department_id,
                    kind=kind,
                    amount_fen=amount_fen,
                    legal_basis=legal_basis,
                    facts=facts,
                    is_major=bool(is_major),
                    proposed_by=_actor(user),
                    proposed_at=clock.now(),
                )
        except IntegrityError:
            raise Conflict("该检查已有执法决定（或拟作出的决定）。") from None
        money = f"，金额 {fen_to_yuan(amount_fen)} 元" if kind in MONEY_KINDS else ""
        _entry(
            insp,
            user,
            "proposed",
            f"拟作出{'重大' if is_major else ''}执法决定：{PENALTY_LABELS[kind]}{money}。"
            + ("待法制审核。" if is_major else ""),
        )
        _audit(
            "decision_proposed",
            decision,
            user,
            {"kind": kind, "amount_fen": amount_fen, "is_major": bool(is_major)},
        )
    return decision


def legal_review_record(*, user, decision: Decision, opinion: str, passed: bool) -> LegalReview:
    """法制审核 (Art. 58) by the town's 司法所. The reviewer did not handle the case (Art. 58 ¶2)."""
    _guard(user, "enforcement.review", decision)
    opinion = _text(opinion, field="opinion", label="审核意见", limit=2000)
    with transaction.atomic():
        d = _lock_decision(decision)
        if d.state != Decision.DRAFT:
            raise Conflict("只能审核拟作出的决定；该决定已作出或已撤回。")
        if user is not None and user.pk in (d.proposed_by_id, d.inspection.created_by_id):
            raise ValidationFailed("法制审核人员不能是本案的承办人员（《行政处罚法》第五十八条）。")
        review = LegalReview.objects.create(
            decision=d,
            region_code=d.region_code,
            reviewer=user,
            opinion=opinion,
            passed=bool(passed),
            reviewed_at=clock.now(),
        )
        _entry(
            d.inspection,
            user,
            "reviewed",
            f"法制审核{'通过' if passed else '未通过'}：{opinion}",
        )
        _audit("legal_reviewed", d, user, {"review": review.pk, "passed": bool(passed)})
    return review


def latest_review(decision: Decision) -> LegalReview | None:
    return decision.reviews.order_by("-reviewed_at", "-id").first()


def decision_make(*, user, decision: Decision, case_number: str, decided_on: dt.date) -> Decision:
    """作出决定: the 文书编号 and date are given; a major decision needs a passed 法制审核 (its latest review)
    and is made by the town leader (Art. 57). The 执法公示 is then due within 7 working days."""
    _guard(user, "enforcement.record", decision)
    if decision.is_major:
        _guard(user, "enforcement.decide_major", decision)
    case_number = _text(case_number, field="case_number", label="文书编号", limit=60)
    if not CASE_NUMBER.match(case_number):
        raise ValidationFailed(
            "文书编号只能含汉字、字母、数字和〔〕（）-等符号，如“尉庄乡罚〔2026〕3 号”。", field="case_number"
        )
    decided_on = _date(decided_on, field="decided_on", label="决定日期")
    with transaction.atomic():
        d = _lock_decision(decision)
        if d.state != Decision.DRAFT:
            raise Conflict("该决定已作出或已撤回，不能再次作出。")
        if decided_on < d.inspection.date:
            raise ValidationFailed(
                f"决定日期不能早于检查日期（{d.inspection.date:%Y-%m-%d}）。", field="decided_on"
            )
        if d.is_major:
            review = latest_review(d)
            if review is None or not review.passed:
                raise ValidationFailed(REVIEW_REQUIRED)
            if decided_on < timezone.localtime(review.reviewed_at).date():
                raise ValidationFailed("重大执法决定的决定日期不能早于法制审核日期。", field="decided_on")
        if Decision.objects.filter(
            department_id=d.department_id, case_number=case_number, state=Decision.DECIDED
        ).exists():
            raise ValidationFailed("该文书编号已被本部门的其他决定使用。", field="case_number")
        d.state, d.case_number, d.decided_on, d.decided_by = (
            Decision.DECIDED,
            case_number,
            decided_on,
            _actor(user),
        )
        d.publish_due = publish_due_for(decided_on) if d.is_penalty else None
        d.save(update_fields=["state", "case_number", "decided_on", "decided_by", "publish_due"])
        due = f"执法公示截止 {d.publish_due:%Y-%m-%d}。" if d.publish_due else ""
        _entry(d.inspection, user, "decided", f"作出执法决定（{case_number}，{decided_on:%Y-%m-%d}）。{due}")
        _audit(
            "decision_made",
            d,
            user,
            {"case_number": case_number, "decided_on": decided_on.isoformat(), "is_major": d.is_major},
        )
    return d


def decision_withdraw(*, user, decision: Decision, reason: str) -> Decision:
    """撤回拟作出的决定 (after a failed review, say); a new one may then be proposed. A made decision is not
    withdrawn here: it is changed only by 行政复议 or litigation, outside this record."""
    _guard(user, "enforcement.record", decision)
    reason = _text(reason, field="reason", label="撤回理由", limit=1000)
    with transaction.atomic():
        d = _lock_decision(decision)
        if d.state != Decision.DRAFT:
            raise Conflict("只能撤回拟作出的决定；已作出的决定不能撤回。")
        d.state = Decision.WITHDRAWN
        d.save(update_fields=["state"])
        _entry(d.inspection, user, "withdrawn", f"撤回拟作出的决定：{reason}")
        _audit("decision_withdrawn", d, user, {"reason": reason})
    return d


# -- 执法公示 -------------------------------------------------------------------------------------------------------


def publication_texts(decision: Decision, *, mask_names=()) -> tuple[str, str, list[str]]:
    """(title, body, names to mask) of the 执法公示. A person is named 张某 (the name masked everywhere in the
    text, with any other names the publisher lists), with no ID number, phone or address; an organisation is
    named in full."""
    insp = decision.inspection
    names = [n for n in (mask_names or ()) if (n or "").strip()]
    if insp.is_person:
        names.append(insp.subject_name)
    town = Region.objects.get(pk=insp.town_id)
    money = f"\n罚没金额：{fen_to_yuan(decision.amount_fen)} 元" if decision.kind in MONEY_KINDS else ""
    title = f"行政处罚决定公示（{decision.case_number}）"
    body = (
        f"文书编号：{decision.case_number}\n"
        f"当事人：{insp.subject_name}（{SUBJECT_LABELS[insp.subject_kind]}）\n"
        f"违法事实：{decision.facts}\n"
        f"处罚依据：{decision.legal_basis}\n"
        f"处罚种类：{PENALTY_LABELS[decision.kind]}{money}\n"
        f"作出决定的机关：{town.name}人民政府（{insp.department.name}）\n"
        f"作出决定日期：{decision.decided_on:%Y年%m月%d日}"
    )
    return title, body, names


def decision_publish(*, user, decision: Decision, mask_names=()) -> Decision:
    """执法公示 on the town's public board (Art. 48; within 7 working days of the decision) through the
    disclosure module's hook, which refuses a text holding an ID or phone number. Published once."""
    from xiangzhi.disclosure import services as disclosure
    from xiangzhi.disclosure.services import clean_names

    _guard(user, "enforcement.record", decision)
    extra = clean_names(mask_names)
    with transaction.atomic():
        d = _lock_decision(decision)
        if d.state != Decision.DECIDED:
            raise Conflict("只有已作出的决定才能公示。")
        if d.published_on is not None:
            raise Conflict(f"该决定已于 {d.published_on:%Y-%m-%d} 公示，不能重复公示。")
        title, body, names = publication_texts(d, mask_names=extra)
        town = Region.objects.get(pk=d.inspection.town_id)
        notice = disclosure.publish(
            region=town,
            kind="enforcement",
            title=disclosure.mask_names(title, names),
            body=disclosure.mask_names(body, names),
            source_ref=f"enforcement:{d.pk}",
            published_by=user,
        )
        today = clock.today()
        d.published_on, d.published_by, d.notice = today, _actor(user), notice
        d.save(update_fields=["published_on", "published_by", "notice"])
        late = d.publish_due is not None and today > d.publish_due
        _entry(
            d.inspection,
            user,
            "published",
            f"在{town.name}公开栏执法公示（{today:%Y-%m-%d}）"
            + ("，已超过 7 个工作日的公示期限。" if late else "。"),
        )
        _audit("decision_published", d, user, {"notice": notice.pk, "late": late})
    return d
