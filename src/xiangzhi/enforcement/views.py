"""Enforcement pages: the 执法台账 (list, filters, Excel), an inspection's record page (timeline, attachments,
decision, legal review), the decision's steps, the 公示 deadline list and the figures. Thin adapters over the
selectors and services; the services check the policy again."""

import datetime as dt
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods

from xiangzhi import policy
from xiangzhi.core import clock
from xiangzhi.core.errors import PermissionDenied
from xiangzhi.enforcement import excel, forms, selectors, services
from xiangzhi.enforcement.models import Decision
from xiangzhi.regions.models import Region
from xiangzhi.web.errors import FORM_ERRORS, add_domain_error

PAGE_SIZE = 20
WRITE_ERRORS = (*FORM_ERRORS, PermissionDenied)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _query(request) -> str:
    return urlencode([(k, v) for k, v in request.GET.items() if k != "page" and v])


def _day(request, name: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(request.GET.get(name, "").strip())
    except ValueError:
        return None


def _filters(request) -> dict:
    region = request.GET.get("region", "").strip()
    department = request.GET.get("department", "").strip()
    status = request.GET.get("status", "").strip()
    return {
        "region_code": region if region.isdigit() and len(region) <= 18 else None,
        "department": int(department) if department.isdigit() and len(department) < 12 else None,
        "status": status if status in selectors.STATUS_LABELS else None,
        "date_from": _day(request, "date_from"),
        "date_to": _day(request, "date_to"),
    }


@login_required
@require_GET
def inspection_list(request):
    policy.require(request.user, "enforcement.view")
    f = _filters(request)
    q = request.GET.get("q", "").strip()[:50] or None
    page = _page(request, selectors.inspection_list(user=request.user, q=q, **f))
    page.object_list = selectors.with_decisions(page.object_list)
    return render(
        request,
        "enforcement/list.html",
        {
            "page": page,
            "filters": {
                k: request.GET.get(k, "")
                for k in ("region", "department", "status", "date_from", "date_to", "q")
            },
            "statuses": selectors.STATUS_CHOICES,
            "departments": selectors.department_choices(user=request.user),
            "query": _query(request),
            "can_record": policy.can(request.user, "enforcement.record"),
            "can_export": policy.can(request.user, "enforcement.export"),
        },
    )


@login_required
@require_GET
def register_export(request):
    policy.require(request.user, "enforcement.export")
    content = excel.register_export(user=request.user, **_filters(request))
    response = HttpResponse(content, content_type=XLSX)
    name = f"执法台账_{clock.today():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def inspection_create(request):
    policy.require(request.user, "enforcement.record")
    departments = selectors.recording_departments(user=request.user)
    towns = {d.town_id: d.town for d in departments}
    villages = [v for t in towns.values() for v in selectors.village_choices(town=t)]
    form = forms.InspectionForm(
        request.POST if request.method == "POST" else None,
        departments=departments,
        villages=villages,
        initial={"date": clock.today()},
    )
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            department = next(x for x in departments if x.pk == d["department"])
            village = next((v for v in villages if v.code == d["village"]), None) if d["village"] else None
            try:
                inspection = services.inspection_create(
                    user=request.user,
                    town=department.town,
                    village=village,
                    department=department,
                    date=d["date"],
                    place=d["place"],
                    inspectors=d["inspectors"],
                    subject_kind=d["subject_kind"],
                    subject_name=d["subject_name"],
                    id_number=d["id_number"],
                    org_code=d["org_code"],
                    findings=d["findings"],
                    problem_found=d["problem_found"],
                )
            except WRITE_ERRORS as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, f"执法检查 {inspection.number} 已登记。")
                return redirect("enforcement:detail", pk=inspection.pk)
        return render(request, "enforcement/inspection_form.html", {"form": form}, status=422)
    return render(request, "enforcement/inspection_form.html", {"form": form})


def _record_context(request, inspection, **extra) -> dict:
    decision = selectors.live_decision(inspection)
    user = request.user
    ctx = {
        "i": inspection,
        "decision": decision,
        "reviews": list(decision.reviews.select_related("reviewer")) if decision else [],
        "withdrawn": selectors.withdrawn_decisions(inspection),
        "entries": list(selectors.timeline(inspection)),
        "attachments": list(selectors.attachments(inspection)),
        "can_record": policy.can(user, "enforcement.record", inspection),
        "can_review": decision is not None
        and decision.state == Decision.DRAFT
        and policy.can(user, "enforcement.review", decision),
        "note_form": forms.NoteForm(),
        **extra,
    }
    if decision is not None and decision.state == Decision.DRAFT and decision.is_major:
        review = services.latest_review(decision)
        ctx["review_passed"] = review is not None and review.passed
    return ctx


@login_required
@require_http_methods(["GET", "POST"])
def inspection_detail(request, pk: int):
    """The record page (全过程记录): the inspection, its decision and reviews, the timeline, the attachments; a
    handler adds a line to the timeline here."""
    inspection = selectors.inspection_get(user=request.user, pk=pk)
    status = 200
    extra = {}
    if request.method == "POST":
        form = forms.NoteForm(request.POST)
        if form.is_valid():
            try:
                services.entry_add(user=request.user, inspection=inspection, note=form.cleaned_data["note"])
            except WRITE_ERRORS as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, "已记入执法全过程记录。")
                return redirect("enforcement:detail", pk=inspection.pk)
        status, extra = 422, {"note_form": form}
    return render(
        request, "enforcement/detail.html", _record_context(request, inspection, **extra), status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def attachment_add(request, pk: int):
    inspection = selectors.inspection_get(user=request.user, pk=pk)
    policy.require(request.user, "enforcement.record", inspection)
    form = forms.AttachmentForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                services.attachment_add(
                    user=request.user,
                    inspection=inspection,
                    upload=form.cleaned_data["file"],
                    label=form.cleaned_data["label"],
                )
            except WRITE_ERRORS as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, "附件已上传。")
                return redirect("enforcement:detail", pk=inspection.pk)
        return render(
            request, "enforcement/attachment_form.html", {"form": form, "i": inspection}, status=422
        )
    return render(request, "enforcement/attachment_form.html", {"form": form, "i": inspection})


@login_required
@require_http_methods(["GET", "POST"])
def decision_propose(request, pk: int):
    inspection = selectors.inspection_get(user=request.user, pk=pk)
    policy.require(request.user, "enforcement.record", inspection)
    form = forms.ProposeForm(
        request.POST if request.method == "POST" else None, initial={"facts": inspection.findings}
    )
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.decision_propose(
                    user=request.user,
                    inspection=inspection,
                    kind=d["kind"],
                    amount_fen=d["amount"],
                    legal_basis=d["legal_basis"],
                    facts=d["facts"],
                    is_major=d["is_major"],
                )
            except WRITE_ERRORS as exc:
                add_domain_error(form, exc)
            else:
                messages.success(
                    request, "拟作出的决定已登记。" + ("请交司法所法制审核。" if d["is_major"] else "")
                )
                return redirect("enforcement:detail", pk=inspection.pk)
        return render(request, "enforcement/propose.html", {"form": form, "i": inspection}, status=422)
    return render(request, "enforcement/propose.html", {"form": form, "i": inspection})


def _decision_step(request, pk: int, *, action: str, form_class, template: str, run, done: str):
    decision = selectors.decision_get(user=request.user, pk=pk)
    policy.require(request.user, action, decision)
    if form_class is forms.DecideForm and decision.is_major:
        policy.require(request.user, "enforcement.decide_major", decision)
    form = form_class(
        request.POST if request.method == "POST" else None,
        **({"initial": {"decided_on": clock.today()}} if form_class is forms.DecideForm else {}),
    )
    ctx = {"form": form, "d": decision, "i": decision.inspection}
    if template == "enforcement/publish.html":
        ctx["preview"] = _preview(decision)
    if request.method == "POST":
        if form.is_valid():
            try:
                run(decision, form)
            except WRITE_ERRORS as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, done)
                return redirect("enforcement:detail", pk=decision.inspection_id)
        return render(request, template, ctx, status=422)
    return render(request, template, ctx)


def _preview(decision):
    from xiangzhi.disclosure.services import mask_names

    if decision.state != Decision.DECIDED:
        return None
    title, body, names = services.publication_texts(decision)
    return {"title": mask_names(title, names), "body": mask_names(body, names)}


@login_required
@require_http_methods(["GET", "POST"])
def decision_review(request, pk: int):
    return _decision_step(
        request,
        pk,
        action="enforcement.review",
        form_class=forms.ReviewForm,
        template="enforcement/review.html",
        run=lambda d, f: services.legal_review_record(
            user=request.user, decision=d, opinion=f.cleaned_data["opinion"], passed=f.cleaned_data["passed"]
        ),
        done="法制审核意见已记录。",
    )


@login_required
@require_http_methods(["GET", "POST"])
def decision_make(request, pk: int):
    return _decision_step(
        request,
        pk,
        action="enforcement.record",
        form_class=forms.DecideForm,
        template="enforcement/decide.html",
        run=lambda d, f: services.decision_make(
            user=request.user,
            decision=d,
            case_number=f.cleaned_data["case_number"],
            decided_on=f.cleaned_data["decided_on"],
        ),
        done="执法决定已作出，请在 7 个工作日内公示。",
    )


@login_required
@require_http_methods(["GET", "POST"])
def decision_withdraw(request, pk: int):
    return _decision_step(
        request,
        pk,
        action="enforcement.record",
        form_class=forms.WithdrawForm,
        template="enforcement/withdraw.html",
        run=lambda d, f: services.decision_withdraw(
            user=request.user, decision=d, reason=f.cleaned_data["reason"]
        ),
        done="拟作出的决定已撤回。",
    )


@login_required
@require_http_methods(["GET", "POST"])
def decision_publish(request, pk: int):
    return _decision_step(
        request,
        pk,
        action="enforcement.record",
        form_class=forms.PublishForm,
        template="enforcement/publish.html",
        run=lambda d, f: services.decision_publish(user=request.user, decision=d, mask_names=f.names()),
        done="已在乡镇公开栏执法公示。",
    )


@login_required
@require_GET
def overdue(request):
    policy.require(request.user, "enforcement.view")
    region = _filters(request)["region_code"]
    qs = selectors.overdue_list(user=request.user, region_code=region)
    return render(
        request,
        "enforcement/overdue.html",
        {
            "page": _page(request, qs),
            "filters": {"region": request.GET.get("region", "")},
            "query": _query(request),
            "today": clock.today(),
        },
    )


@login_required
@require_GET
def figures(request):
    policy.require(request.user, "enforcement.view")
    towns = selectors.town_choices(user=request.user)
    town = request.GET.get("town", "").strip()
    town_code = town if any(t.code == town for t in towns) else None
    if town and not town.isdigit():
        raise Http404("未找到")
    if town and town_code is None:
        # a town out of reach (or none such): nothing of it is shown, and the refusal is audited
        policy.get_scoped_or_404(
            request.user, "enforcement.view", Region.objects.filter(level="town"), code=town
        )
        town_code = town
    today = clock.today()
    date_from = _day(request, "date_from") or today.replace(month=1, day=1)
    date_to = _day(request, "date_to") or today
    f = selectors.figures(user=request.user, town_code=town_code, date_from=date_from, date_to=date_to)
    return render(
        request,
        "enforcement/figures.html",
        {
            "f": f,
            "towns": towns,
            "filters": {"town": town_code or "", "date_from": date_from, "date_to": date_to},
        },
    )
