"""Matters (议题) and their steps: 四议两公开 for major matters, the consultation steps for lighter ones.

Every change here: the policy asked first (before the transaction, so an audited refusal is not rolled back), then
one transaction that locks the matter, checks the rules of matter_rules.py and those of the services it calls
(services.meeting_call / item_add / item_decide; disclosure.notice_draft / notice_publish / notice_supersede),
writes, records an audit entry, and notifies the 村务监督委员会 of the village after the commit.

The order of the steps is the one rule everything turns on: a step can be worked on only when every step before it
is done (`current_step`), a meeting fulfils one step only (MatterStep.meeting is one-to-one, Meeting.matter_step
names the step it was called for), the meeting is of the step's body, of the matter's village, held on or after the
day the step before was completed. A failed vote leaves the step open to a new meeting (see matter_rules).
`user=None` is the system acting (tests of the rules alone); publishing on the board needs a real publisher.
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from xiangzhi import policy
from xiangzhi.accounts.models import RoleAssignment
from xiangzhi.audit.services import record
from xiangzhi.core import clock
from xiangzhi.core.errors import Conflict, ValidationFailed
from xiangzhi.core.notify import notify_many
from xiangzhi.core.text import clean_text
from xiangzhi.deliberation import matter_rules, rules, services
from xiangzhi.deliberation.models import (
    Body,
    Item,
    Matter,
    MatterStep,
    MatterSupport,
    Meeting,
    StepObjection,
)
from xiangzhi.people.models import Resident
from xiangzhi.regions import codes

NOT_ACTIVE = {
    Matter.COLLECTING: "该议题尚在征集附议，附议人数达到后才能进入议事程序。",
    Matter.DONE: "该议题已办结。",
    Matter.STOPPED: "该议题已终止。",
}


def _require(user, action: str, obj) -> None:
    if user is not None:
        policy.require(user, action, obj)


def _locked(matter: Matter) -> Matter:
    return Matter.objects.select_for_update().select_related("region").get(pk=matter.pk)


def _active(matter: Matter) -> None:
    if matter.status != Matter.ACTIVE:
        raise Conflict(NOT_ACTIVE[matter.status])


def steps_of(matter: Matter) -> list[MatterStep]:
    return list(matter.steps.order_by("seq"))


def current_step(matter: Matter) -> MatterStep | None:
    """The first step not done: the only one that may be worked on."""
    return matter.steps.exclude(status=MatterStep.DONE).order_by("seq").first()


def previous_step(step: MatterStep) -> MatterStep | None:
    return step.matter.steps.filter(seq__lt=step.seq).order_by("-seq").first()


def _current(matter: Matter, *, code: str | None = None, kind: str = "") -> MatterStep:
    """The step to work on now; refused when the request is for another one (skipped or reordered)."""
    step = current_step(matter)
    if step is None:
        raise Conflict("该议题的所有步骤都已完成。")
    if code is not None and step.code != code:
        wanted = matter_rules.STEP_BY_CODE[code].label
        raise Conflict(f"现在应进行“{step.label}”，不能跳过或调换步骤去进行“{wanted}”。")
    if kind == "meeting" and not step.spec.bodies:
        raise Conflict(f"现在应进行“{step.label}”，这一步不是以会议表决完成的。")
    if kind == "text" and (step.spec.bodies or step.code in ("publish_resolution", "publish_result")):
        raise Conflict(f"现在应进行“{step.label}”，不能以文字记录完成。")
    return step


def _supervisors(matter: Matter) -> list:
    grants = RoleAssignment.objects.filter(
        role="supervisor", is_active=True, region_code=matter.region_code
    ).select_related("user")
    return [g.user for g in grants]


def _tell_supervisors(matter: Matter, step: MatterStep | None, title: str) -> None:
    notify_many(
        _supervisors(matter),
        "deliberation.matter_step",
        step or matter,
        title=title[:200],
        url=reverse("deliberation:matter_detail", args=[matter.pk]),
    )


def _village(region) -> None:
    if region is None or region.level != codes.VILLAGE:
        raise ValidationFailed("议题须属于一个村（社区）。", field="village")


def _resident_of(user, village) -> Resident:
    rid = getattr(user, "resident_id", None)
    resident = Resident.objects.filter(pk=rid).first() if rid else None
    if resident is None or not resident.region_code.startswith(village.code):
        raise ValidationFailed("您的账号未关联本村村民登记，不能提出或附议议题。")
    if resident.status != Resident.STATUS_NORMAL or not resident.is_voter_on(clock.today()):
        raise ValidationFailed("只有年满十八周岁的本村在册村民可以提出或附议议题。")
    return resident


def _link_case(*, user, case, matter: Matter) -> None:
    """Tie the case to the matter through the cases app's own service (提交议事): an open case in hand is sent to
    deliberation with the matter's number; one already sent (议事中) is only linked."""
    from xiangzhi.cases import services as case_services
    from xiangzhi.cases.models import Case

    if not case.region_code.startswith(matter.region_code):
        raise ValidationFailed("该事件不在本村。", field="case")
    if case.state == Case.IN_PROGRESS:
        if user is not None and not policy.can(user, "cases.handle", case):
            raise ValidationFailed("该事件正由办理人办理：请办理人先“提交议事”，再转为议题。", field="case")
        case_services.case_deliberate(
            user=user,
            case=case,
            note=f"转为议题{matter.number}：{matter.title}"[:500],
            matter_ref=matter.number,
        )
    elif case.state != Case.DELIBERATING:
        raise ValidationFailed("只有办理中或已提交议事的事件可以转为议题。", field="case")


# -- matters -----------------------------------------------------------------------------------------------------


def matter_create(
    *, user, village, title: str, description: str, kind: str, source: str, case=None
) -> Matter:
    """Raise a matter. A villager proposes (source villager) and waits for MIN_SUPPORTERS supporters; cadres raise
    one for the branch or from a case (source branch / case), which enters its path at once."""
    _village(village)
    spec = matter_rules.KIND_BY_CODE.get(kind)
    if spec is None:
        raise ValidationFailed("请选择议题类别。", field="kind")
    if source not in dict(matter_rules.SOURCE_CHOICES):
        raise ValidationFailed("请选择议题来源。", field="source")
    probe = Matter(region=village, region_code=village.code)
    action = (
        "deliberation.matter_propose"
        if source == matter_rules.SOURCE_VILLAGER
        else "deliberation.matter_manage"
    )
    _require(user, action, probe)
    title = clean_text(title, field="title", label="议题名称", limit=100)
    description = clean_text(description, field="description", label="议题内容", limit=5000)
    if source == matter_rules.SOURCE_CASE and case is None:
        raise ValidationFailed("请选择要转为议题的事件。", field="case")
    if source != matter_rules.SOURCE_CASE and case is not None:
        raise ValidationFailed("只有“事件转议”的议题关联事件。", field="source")
    with transaction.atomic():
        resident = _resident_of(user, village) if source == matter_rules.SOURCE_VILLAGER and user else None
        collecting = source == matter_rules.SOURCE_VILLAGER and matter_rules.MIN_SUPPORTERS > 0
        matter = Matter.objects.create(
            region=village,
            region_code=village.code,
            title=title,
            description=description,
            kind=kind,
            path=spec.path,
            source=source,
            case=case,
            raised_by=user if getattr(user, "pk", None) else None,
            raised_by_resident=resident,
            status=Matter.COLLECTING if collecting else Matter.ACTIVE,
            created_at=clock.now(),
        )
        MatterStep.objects.bulk_create(
            [
                MatterStep(matter=matter, region_code=village.code, seq=i, code=s.code)
                for i, s in enumerate(matter_rules.STEPS[spec.path], start=1)
            ]
        )
        if case is not None:
            _link_case(user=user, case=case, matter=matter)
        record(
            "deliberation.matter_created",
            matter,
            actor=user,
            changes={"kind": kind, "path": spec.path, "source": source, "case": getattr(case, "pk", None)},
        )
        _tell_supervisors(matter, None, f"新议题：{matter.title}（{matter.get_source_display()}）")
    return matter


def matter_support(*, user, matter: Matter) -> MatterSupport:
    """附议: one per villager, not the proposer; the proposal enters its path at MIN_SUPPORTERS."""
    _require(user, "deliberation.matter_support", matter)
    with transaction.atomic():
        matter = _locked(matter)
        if matter.source != matter_rules.SOURCE_VILLAGER:
            raise ValidationFailed("只有村民提出的议题需要附议。")
        if matter.status != Matter.COLLECTING:
            raise Conflict("该议题已不在征集附议阶段。")
        resident = _resident_of(user, matter.region)
        if resident.pk == matter.raised_by_resident_id:
            raise ValidationFailed("提议人不能附议自己的议题。")
        try:
            with transaction.atomic():
                support = MatterSupport.objects.create(
                    matter=matter,
                    resident=resident,
                    user=user,
                    region_code=matter.region_code,
                    created_at=clock.now(),
                )
        except IntegrityError:
            raise Conflict("您已经附议过该议题，每人只能附议一次。") from None
        count = matter.supports.count()
        if count >= matter_rules.MIN_SUPPORTERS:
            matter.status = Matter.ACTIVE
            matter.save(update_fields=["status"])
            _tell_supervisors(matter, None, f"议题“{matter.title}”附议人数已达{count}人，进入议事程序")
        record("deliberation.matter_supported", matter, actor=user, changes={"supporters": count})
    return support


def matter_stop(*, user, matter: Matter, reason: str) -> Matter:
    """End a matter that goes no further (a proposal voted down and not to be revised), with a public reason."""
    _require(user, "deliberation.matter_manage", matter)
    reason = clean_text(reason, field="reason", label="终止原因", limit=300)
    with transaction.atomic():
        matter = _locked(matter)
        if matter.status in (Matter.DONE, Matter.STOPPED):
            raise Conflict(NOT_ACTIVE[matter.status])
        matter.status, matter.stop_reason = Matter.STOPPED, reason
        matter.save(update_fields=["status", "stop_reason"])
        record("deliberation.matter_stopped", matter, actor=user, changes={"reason": reason})
        _tell_supervisors(matter, None, f"议题“{matter.title}”已终止：{reason}")
    return matter


# -- the meeting steps (村党组织提议, 两委商议, 党员大会审议, 决议) ---------------------------------------------------------


def _not_before(step: MatterStep) -> dt.date | None:
    prev = previous_step(step)
    return timezone.localdate(prev.done_at) if prev is not None and prev.done_at else None


def _check_meeting(matter: Matter, step: MatterStep, meeting: Meeting) -> None:
    body = meeting.body
    spec = step.spec
    if body.region_id != matter.region_id:
        raise ValidationFailed("会议不是本村议事机构的会议。", field="meeting")
    if body.kind not in spec.bodies:
        wanted = "或".join(rules.KIND_LABELS[k] for k in spec.bodies)
        raise ValidationFailed(
            f"“{step.label}”须由{wanted}完成，不能用{rules.KIND_LABELS[body.kind]}的会议。", field="meeting"
        )
    fulfilled = getattr(meeting, "fulfilled_step", None) if meeting.pk else None
    if (meeting.matter_step_id and meeting.matter_step_id != step.pk) or (
        fulfilled is not None and fulfilled.pk != step.pk
    ):
        raise Conflict("该会议已用于另一个议事步骤：一次会议只能完成一个步骤，各步骤须分别开会。")
    earliest = _not_before(step)
    if earliest and meeting.held_on < earliest:
        raise ValidationFailed(
            f"会议召开日期（{meeting.held_on:%Y-%m-%d}）早于上一步骤完成的日期（{earliest:%Y-%m-%d}），"
            "不能用于本步骤。",
            field="meeting",
        )


def _attach(step: MatterStep, meeting: Meeting) -> None:
    if meeting.matter_step_id != step.pk:
        Meeting.objects.filter(pk=meeting.pk).update(matter_step=step)
        meeting.matter_step = step
    if step.status == MatterStep.PENDING:
        step.status = MatterStep.ACTIVE
        step.save(update_fields=["status"])


def _item_kind(matter: Matter, step: MatterStep) -> tuple[str, bool]:
    """The item's kind and Art. 24 flag: only the decision (决议) carries the matter's own threshold."""
    if step.code != "resolve":
        return rules.ITEM_ORDINARY, False
    spec = matter.kind_spec
    return spec.item_kind, spec.art24


def step_meeting_call(
    *,
    user,
    matter: Matter,
    body: Body,
    title: str,
    held_on: dt.date,
    secret: bool = False,
    quorum_basis: str = rules.QUORUM_PERSONS,
) -> Meeting:
    """Call the meeting of the current step on `body` (services.meeting_call freezes its roll), tie it to the
    step, and put the matter to its vote (the decision of an Art. 24 or special-kind matter with its flag). An open
    vote is opened at once; a secret one is put on the meeting page, with its tellers."""
    _require(user, "deliberation.matter_manage", matter)
    with transaction.atomic():
        matter = _locked(matter)
        _active(matter)
        step = _current(matter, kind="meeting")
        probe = Meeting(body=body, region_code=body.region_code, held_on=held_on)
        _check_meeting(matter, step, probe)
        meeting = services.meeting_call(
            user=user, body=body, title=title, held_on=held_on, quorum_basis=quorum_basis
        )
        _attach(step, meeting)
        if not secret:
            kind, art24 = _item_kind(matter, step)
            item = services.item_add(
                user=user, meeting=meeting, title=f"{step.label}：{matter.title}", kind=kind, art24=art24
            )
            services.vote_open(user=user, item=item)
        # a secret vote is put on the meeting page, where its 计票人 and 监票人 are named (step_complete checks the
        # item's kind and Art. 24 flag all the same)
        record(
            "deliberation.step_meeting_called",
            step,
            actor=user,
            changes={"matter": matter.pk, "step": step.code, "meeting": meeting.pk, "body": body.pk},
        )
    return meeting


def step_meeting_attach(*, user, matter: Matter, meeting: Meeting) -> MatterStep:
    """Tie a meeting already called (on the bodies pages) to the current step; its items are added there."""
    _require(user, "deliberation.matter_manage", matter)
    with transaction.atomic():
        matter = _locked(matter)
        _active(matter)
        step = _current(matter, kind="meeting")
        meeting = Meeting.objects.select_for_update().select_related("body").get(pk=meeting.pk)
        _check_meeting(matter, step, meeting)
        _attach(step, meeting)
        record(
            "deliberation.step_meeting_attached",
            step,
            actor=user,
            changes={"matter": matter.pk, "step": step.code, "meeting": meeting.pk},
        )
    return step


def _outcome(item: Item) -> str:
    m = item.meeting
    return (
        f"{m.held_on:%Y年%m月%d日}{m.body.name}表决通过：赞成{item.yes}，反对{item.no}，弃权{item.abstain}"
        f"（到会{item.present_count}人，{item.threshold_text}）"
    )[:300]


def step_complete(*, user, matter: Matter, item: Item) -> MatterStep:
    """Complete the current meeting step with a passed item of its meeting. A vote not passed leaves the step
    open (a new meeting may be called for it); nothing is written."""
    _require(user, "deliberation.matter_manage", matter)
    with transaction.atomic():
        matter = _locked(matter)
        _active(matter)
        step = _current(matter, kind="meeting")
        item = Item.objects.select_related("meeting", "meeting__body").get(pk=item.pk)
        meeting = item.meeting
        _check_meeting(matter, step, meeting)
        if item.vote_status != Item.VOTE_CLOSED:
            raise ValidationFailed("该议题尚未表决结束，请先在会议页记录表决结果。", field="item")
        if not item.passed:
            raise ValidationFailed(
                f"表决未通过（赞成{item.yes}，反对{item.no}，弃权{item.abstain}；{item.threshold_text}），"
                f"“{step.label}”未完成。可修改后重新召集会议表决，或终止该议题。",
                field="item",
            )
        if step.code == "resolve":
            spec = matter.kind_spec
            if spec.art24 and not item.art24:
                raise ValidationFailed(
                    f"“{spec.label}”是村民委员会组织法第二十四条事项，决议须作为第二十四条事项表决"
                    "（村民代表会议须经村民会议授权）。",
                    field="item",
                )
            if spec.item_kind != rules.ITEM_ORDINARY and item.kind != spec.item_kind:
                raise ValidationFailed(
                    f"“{spec.label}”须按其法定比例表决（{spec.basis}），该议题的事项类型不符。", field="item"
                )
            if item.needs_township_approval and not item.township_approved_at:
                raise ValidationFailed(
                    "该事项须报乡（镇）人民政府批准（农村土地承包法第五十二条），批准后本步骤才算完成。",
                    field="item",
                )
        _attach(step, meeting)
        step.status, step.meeting, step.item = MatterStep.DONE, meeting, item
        step.outcome, step.done_at = _outcome(item), clock.now()
        step.done_by = user if getattr(user, "pk", None) else None
        step.save()
        record(
            "deliberation.step_completed",
            step,
            actor=user,
            changes={"matter": matter.pk, "step": step.code, "meeting": meeting.pk, "item": item.pk},
        )
        _tell_supervisors(matter, step, f"议题“{matter.title}”：{step.label}已完成")
    return step


# -- the notice steps (决议公开, 实施结果公开) and the consultation steps -------------------------------------------


def _finish(matter: Matter, step: MatterStep, user, **fields) -> MatterStep:
    for k, v in fields.items():
        setattr(step, k, v)
    step.status, step.done_at = MatterStep.DONE, clock.now()
    step.done_by = user if getattr(user, "pk", None) else None
    step.save()
    if current_step(matter) is None:
        matter.status = Matter.DONE
        matter.save(update_fields=["status"])
    record(
        "deliberation.step_completed",
        step,
        actor=user,
        changes={"matter": matter.pk, "step": step.code, "notice": step.notice_id},
    )
    _tell_supervisors(matter, step, f"议题“{matter.title}”：{step.label}已完成")
    return step


def resolution_publish(*, user, matter: Matter, title: str, body: str, mask_names=()) -> MatterStep:
    """决议公开: the resolution as a published notice (kind resolution, major) on the village's public board."""
    from xiangzhi.disclosure import services as board

    _require(user, "deliberation.matter_manage", matter)
    with transaction.atomic():
        matter = _locked(matter)
        _active(matter)
        step = _current(matter, code="publish_resolution")
        notice = board.notice_draft(
            user=user,
            village=matter.region,
            kind="resolution",
            title=title,
            body=body,
            major=True,
            mask_names=mask_names,
        )
        notice = board.notice_publish(user=user, notice=notice)
        return _finish(
            matter, step, user, notice=notice, outcome=f"决议已于{clock.today():%Y年%m月%d日}在公开栏公开"
        )


def result_publish(*, user, matter: Matter, result: str, mask_names=()) -> MatterStep:
    """实施结果公开: the resolution notice superseded by a version with the result filled (the first stays
    visible, marked 已更新)."""
    from xiangzhi.disclosure import services as board

    _require(user, "deliberation.matter_manage", matter)
    result = clean_text(result, field="result", label="实施结果", limit=5000)
    with transaction.atomic():
        matter = _locked(matter)
        _active(matter)
        step = _current(matter, code="publish_result")
        published = matter.steps.get(code="publish_resolution").notice
        new = board.notice_supersede(
            user=user,
            notice=published,
            title=published.title,
            body=published.body,
            result=result,
            mask_names=mask_names,
        )
        new = board.notice_publish(user=user, notice=new)
        return _finish(matter, step, user, notice=new, outcome="实施结果已在公开栏公开")


def consult_step_record(*, user, matter: Matter, text: str, title: str = "") -> MatterStep:
    """Record the current consultation step with its text; the last (发布公告) publishes a 村务 notice titled
    `title` with the text as its body."""
    _require(user, "deliberation.matter_manage", matter)
    text = clean_text(text, field="text", label="记录内容", limit=5000)
    with transaction.atomic():
        matter = _locked(matter)
        _active(matter)
        step = _current(matter, kind="text")
        notice = None
        if step.spec.notice:
            from xiangzhi.disclosure import services as board

            notice = board.notice_draft(
                user=user,
                village=matter.region,
                kind=step.spec.notice,
                title=title or matter.title,
                body=text,
            )
            notice = board.notice_publish(user=user, notice=notice)
        return _finish(matter, step, user, text=text, notice=notice, outcome=text[:300])


# -- the 村务监督委员会 ------------------------------------------------------------------------------------------------


def step_object(*, user, step: MatterStep, text: str) -> StepObjection:
    """An objection of the 村务监督委员会 on a step, kept with the step (any step, done or not)."""
    _require(user, "deliberation.matter_object", step)
    text = clean_text(text, field="text", label="监督意见", limit=2000)
    with transaction.atomic():
        obj = StepObjection.objects.create(
            step=step,
            region_code=step.region_code,
            text=text,
            author=user if getattr(user, "pk", None) else None,
            created_at=clock.now(),
        )
        record("deliberation.step_objection", step, actor=user, changes={"objection": obj.pk})
    return obj
