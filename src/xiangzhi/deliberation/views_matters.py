"""Matter pages (议题, 四议两公开): thin adapters over selectors_matters and matters. A write fetches through the
scoped selector (404 out of reach); the service checks the policy and the rules; a refusal re-renders the matter
page (422) with the service's Chinese message, nothing written."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiangzhi import policy
from xiangzhi.core import clock
from xiangzhi.core.errors import ValidationFailed
from xiangzhi.deliberation import documents, matter_rules, matters, rules
from xiangzhi.deliberation import selectors_matters as sel
from xiangzhi.deliberation.models import Body, Item, Matter, Meeting
from xiangzhi.disclosure.services import split_names
from xiangzhi.regions.models import Region
from xiangzhi.web.errors import FORM_ERRORS, add_domain_error
from xiangzhi.web.region import current_code

PAGE_SIZE = 20


@login_required
@require_GET
def matter_list(request):
    policy.require(request.user, "deliberation.matter_view")
    g = request.GET
    region = g.get("region", "").strip()
    region = region if region.isdigit() else current_code(request)
    status, kind, path, q = g.get("status", ""), g.get("kind", ""), g.get("path", ""), g.get("q", "").strip()
    qs = sel.matter_list(user=request.user, region=region, status=status, kind=kind, path=path, q=q)
    page = Paginator(qs, PAGE_SIZE).get_page(g.get("page"))
    query = urlencode([(k, v) for k, v in g.items() if k != "page" and v])
    return render(
        request,
        "deliberation/matter_list.html",
        {
            "page": page,
            "query": query,
            "f": {"status": status, "kind": kind, "path": path, "q": q, "region": region or ""},
            "statuses": Matter.STATUS_CHOICES,
            "kinds": matter_rules.KIND_CHOICES,
            "paths": matter_rules.PATH_CHOICES,
            "can_new": policy.can(request.user, "deliberation.matter_manage")
            or policy.can(request.user, "deliberation.matter_propose"),
        },
    )


# -- new matter ----------------------------------------------------------------------------------------------------


class MatterForm(forms.Form):
    village = forms.ChoiceField(label="村（社区）", choices=())
    title = forms.CharField(label="议题名称", max_length=100, error_messages={"required": "请填写议题名称。"})
    description = forms.CharField(
        label="内容和理由",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "请填写议题内容。"},
    )
    kind = forms.ChoiceField(
        label="类别", choices=matter_rules.KIND_CHOICES, error_messages={"invalid_choice": "请选择议题类别。"}
    )

    def __init__(self, *args, villages=(), **kw):
        super().__init__(*args, **kw)
        self.fields["village"].choices = [(v.code, v.name) for v in villages]
        self.fields["village"].error_messages["invalid_choice"] = "请选择一个您所在的村。"


def _villages(user, action: str) -> list[Region]:
    seen = {}
    for a in policy.granting(user, action):
        if a.region_id and a.region.level == "village":
            seen[a.region.code] = a.region
    return [seen[c] for c in sorted(seen)]


@login_required
@require_http_methods(["GET", "POST"])
def matter_new(request):
    """A villager's proposal (on a phone), a cadre's matter for the branch, or a case turned into a matter
    (?case=<id>, the case fetched through the cases app's own scoped selector)."""
    user = request.user
    manager = policy.can(user, "deliberation.matter_manage")
    if not manager:
        policy.require(user, "deliberation.matter_propose")
    case = None
    case_id = request.GET.get("case") or request.POST.get("case") or ""
    if manager and case_id.isdigit():
        from xiangzhi.cases import selectors as case_selectors

        case = case_selectors.case_get(user=user, pk=int(case_id))
    villages = _villages(user, "deliberation.matter_manage" if manager else "deliberation.matter_propose")
    if case is not None:
        villages = [v for v in villages if case.region_code.startswith(v.code)]
    initial = {"title": case.title[:100], "description": case.description} if case is not None else {}
    form = MatterForm(request.POST or None, villages=villages, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        village = next(v for v in villages if v.code == d["village"])
        source = (
            matter_rules.SOURCE_CASE
            if case is not None
            else matter_rules.SOURCE_BRANCH
            if manager
            else matter_rules.SOURCE_VILLAGER
        )
        try:
            m = matters.matter_create(
                user=user,
                village=village,
                title=d["title"],
                description=d["description"],
                kind=d["kind"],
                source=source,
                case=case,
            )
        except FORM_ERRORS as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                "议题已提出，请邀请村民附议。" if m.status == Matter.COLLECTING else "议题已提出。",
            )
            return redirect("deliberation:matter_detail", pk=m.pk)
    return render(
        request,
        "deliberation/matter_new.html",
        {
            "form": form,
            "manager": manager,
            "case": case,
            "min_supporters": matter_rules.MIN_SUPPORTERS,
        },
        status=422 if form.errors else 200,
    )


# -- the matter page -----------------------------------------------------------------------------------------------


def _resolution_text(m: Matter, steps) -> str:
    resolve = next((s for s in steps if s.code == "resolve"), None)
    lines = [m.description]
    if resolve is not None and resolve.outcome:
        lines.append(f"{resolve.outcome}。")
    lines.append("特此公告。")
    return "\n".join(lines)


def _page(request, m: Matter, *, error: str = "", status: int = 200):
    user = request.user
    steps = sel.steps(m)
    current = next((s for s in steps if s.status != "done"), None)
    can_manage = policy.can(user, "deliberation.matter_manage", m) and m.status == Matter.ACTIVE
    own_support = None
    rid = getattr(user, "resident_id", None)
    if rid and m.status == Matter.COLLECTING:
        own_support = m.supports.filter(resident_id=rid).exists()
    decided = []
    if can_manage and current is not None and current.spec.bodies:
        decided = list(
            Item.objects.filter(meeting__matter_step=current, vote_status=Item.VOTE_CLOSED)
            .select_related("meeting")
            .order_by("-id")
        )
    return render(
        request,
        "deliberation/matter_detail.html",
        {
            "m": m,
            "steps": steps,
            "current": current,
            "can_manage": can_manage,
            "can_stop": policy.can(user, "deliberation.matter_manage", m)
            and m.status in (Matter.ACTIVE, Matter.COLLECTING),
            "can_object": policy.can(user, "deliberation.matter_object", m),
            "can_support": m.status == Matter.COLLECTING
            and policy.can(user, "deliberation.matter_support", m)
            and bool(rid)
            and rid != m.raised_by_resident_id
            and not own_support,
            "own_support": own_support,
            "supporters": m.supports.count(),
            "min_supporters": matter_rules.MIN_SUPPORTERS,
            "bodies": sel.bodies_for(m, current) if can_manage else [],
            "attachable": sel.open_meetings_for(m, current) if can_manage else [],
            "decided": decided,
            "today": clock.today(),
            "kind_labels": rules.KIND_LABELS,
            "resolution_text": _resolution_text(m, steps),
            "resolution_notice": next((s.notice for s in steps if s.code == "publish_resolution"), None),
            "error": error,
        },
        status=status,
    )


@login_required
@require_GET
def matter_detail(request, pk: int):
    return _page(request, sel.matter_get(user=request.user, pk=pk))


def _done(request, m: Matter, fn, message: str):
    try:
        fn()
    except FORM_ERRORS as exc:
        m.refresh_from_db()
        return _page(request, m, error=exc.message, status=422)
    messages.success(request, message)
    return redirect("deliberation:matter_detail", pk=m.pk)


def _pick(model, value, **filters):
    value = (value or "").strip()
    obj = model.objects.filter(pk=value, **filters).first() if value.isdigit() else None
    return obj


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        raise ValidationFailed("请填写召开日期（年-月-日）。", field="held_on") from None


@login_required
@require_POST
def matter_support(request, pk: int):
    m = sel.matter_get(user=request.user, pk=pk)
    return _done(request, m, lambda: matters.matter_support(user=request.user, matter=m), "已附议，谢谢您。")


@login_required
@require_POST
def step_call(request, pk: int):
    """Call the meeting of the current step on one of the village's bodies of the right kind."""
    m = sel.matter_get(user=request.user, pk=pk)
    p = request.POST

    def act():
        body = _pick(Body, p.get("body"), region_id=m.region_id)
        if body is None:
            raise ValidationFailed("请选择本村的议事机构。", field="body")
        matters.step_meeting_call(
            user=request.user,
            matter=m,
            body=body,
            title=p.get("title", ""),
            held_on=_date(p.get("held_on")),
            secret=p.get("secret") == "1",
        )

    return _done(request, m, act, "会议已召集，请在会议页登记到会和表决。")


@login_required
@require_POST
def step_attach(request, pk: int):
    m = sel.matter_get(user=request.user, pk=pk)

    def act():
        meeting = _pick(Meeting, request.POST.get("meeting"), body__region_id=m.region_id)
        if meeting is None:
            raise ValidationFailed("请选择本村已召集的会议。", field="meeting")
        matters.step_meeting_attach(user=request.user, matter=m, meeting=meeting)

    return _done(request, m, act, "会议已用于本步骤。")


@login_required
@require_POST
def step_complete(request, pk: int):
    m = sel.matter_get(user=request.user, pk=pk)

    def act():
        item = _pick(Item, request.POST.get("item"), meeting__body__region_id=m.region_id)
        if item is None:
            raise ValidationFailed("请选择本步骤会议已表决的议题。", field="item")
        matters.step_complete(user=request.user, matter=m, item=item)

    return _done(request, m, act, "本步骤已完成。")


@login_required
@require_POST
def resolution(request, pk: int):
    m = sel.matter_get(user=request.user, pk=pk)
    p = request.POST
    return _done(
        request,
        m,
        lambda: matters.resolution_publish(
            user=request.user,
            matter=m,
            title=p.get("title", ""),
            body=p.get("body", ""),
            mask_names=split_names(p.get("mask_names", "")),
        ),
        "决议已在村务公开栏公开。",
    )


@login_required
@require_POST
def result(request, pk: int):
    m = sel.matter_get(user=request.user, pk=pk)
    p = request.POST
    return _done(
        request,
        m,
        lambda: matters.result_publish(
            user=request.user,
            matter=m,
            result=p.get("result", ""),
            mask_names=split_names(p.get("mask_names", "")),
        ),
        "实施结果已在村务公开栏公开。",
    )


@login_required
@require_POST
def consult(request, pk: int):
    m = sel.matter_get(user=request.user, pk=pk)
    p = request.POST
    return _done(
        request,
        m,
        lambda: matters.consult_step_record(
            user=request.user, matter=m, text=p.get("text", ""), title=p.get("title", "")
        ),
        "已记录。",
    )


@login_required
@require_POST
def stop(request, pk: int):
    m = sel.matter_get(user=request.user, pk=pk)
    return _done(
        request,
        m,
        lambda: matters.matter_stop(user=request.user, matter=m, reason=request.POST.get("reason", "")),
        "议题已终止。",
    )


@login_required
@require_POST
def step_objection(request, pk: int):
    step = sel.step_get(user=request.user, pk=pk)
    return _done(
        request,
        step.matter,
        lambda: matters.step_object(user=request.user, step=step, text=request.POST.get("text", "")),
        "监督意见已记录。",
    )


@login_required
@require_GET
def resolution_pdf(request, pk: int):
    """决议公告 as a PDF, once the resolution is published (the text the board shows)."""
    m = sel.matter_get(user=request.user, pk=pk)
    steps = sel.steps(m)
    data = documents.resolution_pdf(matter=m, steps=steps)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="resolution-{m.number}.pdf"'
    return response
