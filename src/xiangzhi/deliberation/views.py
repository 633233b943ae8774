"""Deliberation pages: thin adapters over selectors and services. A write fetches through the scoped selector
(404 out of reach); the service checks the policy and the rules; a refusal re-renders the meeting page (422) with
the service's Chinese message, nothing written."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from xiangzhi import policy
from xiangzhi.core.errors import ValidationFailed
from xiangzhi.deliberation import rules, selectors, services
from xiangzhi.deliberation.models import CHOICE_CHOICES, Meeting
from xiangzhi.people.models import Resident
from xiangzhi.web.errors import FORM_ERRORS
from xiangzhi.web.region import current_code

PAGE_SIZE = 20


@login_required
@require_GET
def meeting_list(request):
    policy.require(request.user, "deliberation.view")
    region = request.GET.get("region", "").strip()
    region = region if region.isdigit() else current_code(request)
    status = request.GET.get("status", "")
    body = request.GET.get("body", "").strip()
    qs = selectors.meeting_list(user=request.user, region=region, status=status, body=body)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode([(k, v) for k, v in request.GET.items() if k != "page" and v])
    return render(
        request,
        "deliberation/list.html",
        {
            "page": page,
            "query": query,
            "status": status,
            "statuses": Meeting.STATUS_CHOICES,
            "region": region,
            "perms_town": policy.can(request.user, "deliberation.approve"),
            "can_call": policy.can(request.user, "deliberation.manage"),
            "body": body if body.isdigit() else "",
        },
    )


def _detail(request, meeting: Meeting, *, error: str = "", status: int = 200):
    user = request.user
    can_manage = policy.can(user, "deliberation.manage", meeting)
    can_object = policy.can(user, "deliberation.object", meeting)
    sees_roll = can_manage or can_object
    items = list(meeting.items.order_by("id"))
    own = selectors.own_line(user=user, meeting=meeting)
    voted = set(own and meeting.items.filter(marks__entry=own).values_list("pk", flat=True) or [])
    roll = list(meeting.roll.select_related("household").order_by("id")) if sees_roll else []
    for e in roll:
        if e.household_id and can_manage and not e.present:
            e.candidates = [r for r in e.household.members.all() if r.is_voter_on(meeting.held_on)]
    counts = services.attendance(meeting)
    quorum = services.quorum_threshold(meeting)
    teller_of = set(meeting.items.filter(teller_set__user_id=user.pk).values_list("pk", flat=True))
    candidates = (
        list(selectors.teller_candidates(meeting=meeting)[:300])
        if can_manage and meeting.status == Meeting.STATUS_CALLED
        else []
    )
    return render(
        request,
        "deliberation/detail.html",
        {
            "m": meeting,
            "kind_label": rules.KIND_LABELS[meeting.body.kind],
            "roll": roll,
            "items": items,
            "counts": counts,
            "quorum_text": quorum.describe(),
            "quorum_needed": quorum.needed(counts["roll"]),
            "has_quorum": quorum.met(counts["present"], counts["roll"]),
            "can_manage": can_manage and meeting.status == Meeting.STATUS_CALLED,
            "can_object": can_object,
            "sees_roll": sees_roll,
            "own": own,
            "voted": voted,
            "choices": CHOICE_CHOICES,
            "item_kinds": rules.ITEM_KIND_CHOICES,
            "objections": list(meeting.objections.all()) if sees_roll else [],
            "error": error,
            "teller_of": teller_of,
            "teller_candidates": candidates,
            "can_close": can_manage and meeting.status == Meeting.STATUS_CALLED,
        },
        status=status,
    )


@login_required
@require_GET
def meeting_detail(request, pk: int):
    return _detail(request, selectors.meeting_get(user=request.user, pk=pk))


def _done(request, meeting, fn, message: str):
    try:
        fn()
    except FORM_ERRORS as exc:
        return _detail(request, meeting, error=exc.message, status=422)
    messages.success(request, message)
    return redirect("deliberation:detail", pk=meeting.pk)


def _entry(meeting, pk):
    entry = selectors.entry_get(meeting=meeting, pk=pk)
    if entry is None:
        raise ValidationFailed("此人不在本次会议的名单上。", field="entry")
    return entry


@login_required
@require_POST
def attendance(request, pk: int):
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    p = request.POST

    def act():
        entry = _entry(meeting, p.get("entry", ""))
        rep_id = p.get("representative", "").strip()
        rep = (
            Resident.objects.filter(pk=rep_id, household_id=entry.household_id).first()
            if rep_id.isdigit()
            else None
        )
        services.attendance_record(
            user=request.user,
            meeting=meeting,
            entry=entry,
            present=p.get("present") == "1",
            representative=rep,
        )

    return _done(request, meeting, act, "已登记到会情况。")


def _tellers(meeting, ids) -> list:
    """The accounts picked as tellers, from the meeting's village only (anything else is refused by name)."""
    wanted = {int(i) for i in ids if str(i).strip().isdigit()}
    if len(wanted) != len([i for i in ids if str(i).strip()]):
        raise ValidationFailed("请从名单中选择计票人、监票人。", field="tellers")
    found = list(selectors.teller_candidates(meeting=meeting).filter(pk__in=wanted))
    if len(found) != len(wanted):
        raise ValidationFailed("计票人、监票人须为本村村民的有效账号。", field="tellers")
    return found


@login_required
@require_POST
def item_new(request, pk: int):
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    p = request.POST

    @transaction.atomic  # a vote that cannot open (no tellers, say) leaves no item behind
    def act():
        item = services.item_add(
            user=request.user,
            meeting=meeting,
            title=p.get("title", ""),
            kind=p.get("kind", rules.ITEM_ORDINARY),
            art24=p.get("art24") == "1",
            secret=p.get("secret") == "1",
        )
        services.vote_open(
            user=request.user,
            item=item,
            counters=_tellers(meeting, p.getlist("counters")),
            scrutineers=_tellers(meeting, p.getlist("scrutineers")),
        )

    return _done(request, meeting, act, "议题已提交表决。")


@login_required
@require_POST
def objection(request, pk: int):
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    return _done(
        request,
        meeting,
        lambda: services.objection_record(
            user=request.user, meeting=meeting, text=request.POST.get("text", "")
        ),
        "监督意见已记录。",
    )


@login_required
@require_POST
def open_vote(request, pk: int):
    item = selectors.item_get(user=request.user, pk=pk)
    p = request.POST
    return _done(
        request,
        item.meeting,
        lambda: services.open_vote_record(
            user=request.user,
            item=item,
            entry=_entry(item.meeting, p.get("entry", "")),
            choice=p.get("choice", ""),
        ),
        "已登记表决意见。",
    )


@login_required
@require_POST
def ballot(request, pk: int):
    """The voter's own secret ballot."""
    item = selectors.item_get(user=request.user, pk=pk)

    def act():
        own = selectors.own_line(user=request.user, meeting=item.meeting)
        if own is None:
            raise ValidationFailed("您不在本次会议的名单上，不能投票。")
        services.secret_vote_cast(
            user=request.user, item=item, entry=own, choice=request.POST.get("choice", "")
        )

    return _done(request, item.meeting, act, "您的选票已投出。")


def _count(value: str) -> int:
    value = (value or "0").strip() or "0"
    if not value.isdigit():
        raise ValidationFailed("票数须为不小于零的整数。")
    return int(value)


@login_required
@require_POST
def paper(request, pk: int):
    """Paper ballots: hand one to a roll member (action=issue), or the tellers enter the box (action=enter)."""
    item = selectors.item_get(user=request.user, pk=pk)
    p = request.POST

    def act():
        if p.get("action") == "issue":
            services.paper_ballot_issue(
                user=request.user, item=item, entry=_entry(item.meeting, p.get("entry", ""))
            )
        else:
            services.paper_ballots_enter(
                user=request.user,
                item=item,
                yes=_count(p.get("yes")),
                no=_count(p.get("no")),
                abstain=_count(p.get("abstain")),
            )

    return _done(request, item.meeting, act, "纸质选票已登记。")


@login_required
@require_POST
def decide(request, pk: int):
    item = selectors.item_get(user=request.user, pk=pk)
    return _done(
        request, item.meeting, lambda: services.item_decide(user=request.user, item=item), "表决结果已记录。"
    )


@login_required
@require_POST
def minutes(request, pk: int):
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    return _done(
        request,
        meeting,
        lambda: services.meeting_minutes_record(
            user=request.user, meeting=meeting, minutes=request.POST.get("minutes", "")
        ),
        "会议记录已保存。",
    )


@login_required
@require_POST
def close(request, pk: int):
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    return _done(
        request, meeting, lambda: services.meeting_close(user=request.user, meeting=meeting), "会议已结束。"
    )


@login_required
@require_GET
def meeting_record(request, pk: int):
    """The meeting record (result, roll, minutes), printable. The roll is for those who run or supervise it."""
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    user = request.user
    sees_roll = policy.can(user, "deliberation.manage", meeting) or policy.can(
        user, "deliberation.object", meeting
    )
    counts = services.attendance(meeting)
    quorum = services.quorum_threshold(meeting)
    return render(
        request,
        "deliberation/record.html",
        {
            "m": meeting,
            "kind_label": rules.KIND_LABELS[meeting.body.kind],
            "items": list(meeting.items.order_by("id")),
            "roll": list(meeting.roll.order_by("id")) if sees_roll else [],
            "sees_roll": sees_roll,
            "counts": counts,
            "quorum_text": quorum.describe(),
            "quorum_needed": quorum.needed(counts["roll"]),
            "has_quorum": quorum.met(counts["present"], counts["roll"]),
        },
    )
