"""Mediation pages: thin adapters over selectors and services (no permission logic here beyond asking the policy
what to offer). Each write page: fetch through the scoped selector (404 out of reach), ask the policy before
showing the form (403), let the service check again and do the work; a refusal goes next to its field and the
form re-renders (status 422) with what was typed."""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from xiangzhi import policy
from xiangzhi.core import clock
from xiangzhi.core.errors import Conflict
from xiangzhi.mediation import documents, excel, forms, selectors, services
from xiangzhi.mediation.models import (
    LEVEL_CHOICES,
    MEDIATOR_KIND_CHOICES,
    OUTCOME_CHOICES,
    SERVICE_KIND_CHOICES,
    Agreement,
    Mediation,
)
from xiangzhi.web.errors import FORM_ERRORS, add_domain_error
from xiangzhi.web.region import current_code

PAGE_SIZE = 20
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _bound(request):
    return request.POST if request.method == "POST" else None


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _query_without_page(request) -> str:
    return urlencode([(k, v) for k, v in request.GET.items() if k != "page" and v])


def _region_filter(request) -> str | None:
    code = request.GET.get("region", "").strip()
    return code if code.isdigit() else current_code(request)


def _date(value):
    import datetime as dt

    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def _status(form, request) -> int:
    return 422 if request.method == "POST" else 200


# -- mediations --------------------------------------------------------------------------------------------------------


@login_required
@require_GET
def mediation_list(request):
    policy.require(request.user, "mediation.view")
    g = request.GET
    filters = {
        "state": g.get("state", ""),
        "outcome": g.get("outcome", ""),
        "level": g.get("level", ""),
        "region": _region_filter(request),
        "q": g.get("q", "").strip()[:50],
    }
    page = _page(request, selectors.mediation_list(user=request.user, **filters))
    return render(
        request,
        "mediation/list.html",
        {
            "page": page,
            "filters": filters,
            "query": _query_without_page(request),
            "villages": selectors.villages(user=request.user),
            "states": Mediation.STATE_CHOICES,
            "outcomes": OUTCOME_CHOICES,
            "levels": LEVEL_CHOICES,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def mediation_open(request):
    """受理调解 from a case: /mediation/new/?case=<id>."""
    from xiangzhi.cases import selectors as case_selectors

    case_id = request.GET.get("case", "").strip()
    if not case_id.isdigit():
        return render(
            request, "error.html", {"message": "请从矛盾纠纷事件的页面发起调解（缺少事件编号）。"}, status=400
        )
    case = case_selectors.case_get(user=request.user, pk=int(case_id))
    policy.require(request.user, "mediation.open", case)
    current = selectors.open_mediation_for_case(user=request.user, case=case)
    # the village's roster and the town's: which of them a level may draw on is the service's rule
    form = forms.OpenForm(_bound(request), roster=selectors.committee_mediators(case=case, level="town"))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            m = services.mediation_open(
                user=request.user, case=case, level=d["level"], summary=d["summary"], mediators=d["mediators"]
            )
        except FORM_ERRORS as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"已受理调解（{m.number}）。请登记当事人。")
            return redirect("mediation:detail", pk=m.pk)
    return render(
        request,
        "mediation/open.html",
        {
            "form": form,
            "case": case,
            "current": current,
            "is_dispute": case.category == "DISPUTE",
            "can_open_town": policy.can(request.user, "mediation.open_town", case),
        },
        status=_status(form, request),
    )


@login_required
@require_GET
def mediation_detail(request, pk: int):
    m = selectors.mediation_get(user=request.user, pk=pk)
    agreement = selectors.agreement_of(m)
    parties = selectors.parties_of(m)
    can_act = policy.can(request.user, "mediation.act", m)
    return render(
        request,
        "mediation/detail.html",
        {
            "m": m,
            "parties": parties,
            "sessions": m.sessions.order_by("date", "id"),
            "mediators": m.mediators.order_by("kind", "id"),
            "agreement": agreement,
            "can_act": can_act and m.is_open,
            "can_seal": policy.can(request.user, "mediation.seal", m) and m.is_open,
            "can_view_case": policy.can(request.user, "cases.view", m.case),
            "today": clock.today(),
        },
    )


def _act_page(request, m, action: str = "mediation.act"):
    policy.require(request.user, action, m)


@sensitive_post_parameters("id_number")
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def party_add(request, pk: int):
    from xiangzhi.people import selectors as people_selectors
    from xiangzhi.people.models import Resident

    m = selectors.mediation_get(user=request.user, pk=pk)
    _act_page(request, m)
    q = (request.GET.get("q") or "").strip()[:50]
    candidates = []
    if request.method == "POST" and request.POST.get("resident", "").isdigit():
        candidates = list(
            people_selectors.resident_list(user=request.user).filter(pk=int(request.POST["resident"]))
        )
    elif q:
        candidates = list(
            people_selectors.resident_list(user=request.user, q=q, status=Resident.STATUS_NORMAL)[:20]
        )
    form = forms.PartyForm(
        _bound(request),
        candidates=candidates,
        initial={"role": "respondent" if m.parties.exists() else "applicant", "kind": "resident"},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            party = services.party_add(
                user=request.user,
                mediation=m,
                resident=d["resident"] if d["kind"] == "resident" else None,
                name=d["name"],
                id_number=d["id_number"],
                address=d["address"],
                role=d["role"],
            )
        except FORM_ERRORS as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"已登记当事人{party.name}。")
            return redirect("mediation:detail", pk=m.pk)
    return render(
        request,
        "mediation/party_add.html",
        {"form": form, "m": m, "q": q, "candidates": candidates},
        status=_status(form, request),
    )


@login_required
@require_http_methods(["GET", "POST"])
def party_refuse(request, pk: int):
    party = selectors.party_get(user=request.user, pk=pk)
    m = party.mediation
    _act_page(request, m)
    form = forms.RefuseForm(_bound(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.party_refuse(user=request.user, party=party, reason=form.cleaned_data["reason"])
        except FORM_ERRORS as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"已登记{party.name}拒绝调解，调解终止。")
            return redirect("mediation:detail", pk=m.pk)
    return render(
        request,
        "mediation/refuse.html",
        {
            "form": form,
            "m": m,
            "party": party,
            "heading": f"拒绝调解：{party.name}",
            "button": "登记拒绝调解，终止调解",
        },
        status=_status(form, request),
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_add(request, pk: int):
    m = selectors.mediation_get(user=request.user, pk=pk)
    _act_page(request, m)
    form = forms.SessionForm(_bound(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.session_add(user=request.user, mediation=m, **form.cleaned_data)
        except FORM_ERRORS as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "调解记录已保存。")
            return redirect("mediation:detail", pk=m.pk)
    return render(
        request,
        "mediation/session_add.html",
        {"form": form, "m": m, "heading": "记录调解", "button": "保存调解记录"},
        status=_status(form, request),
    )


@login_required
@require_http_methods(["GET", "POST"])
def mediators_set(request, pk: int):
    m = selectors.mediation_get(user=request.user, pk=pk)
    _act_page(request, m)
    form = forms.MediatorsForm(
        _bound(request),
        roster=selectors.committee_mediators(mediation=m),
        initial={"mediators": list(m.mediators.all())},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.mediation_set_mediators(
                user=request.user, mediation=m, mediators=form.cleaned_data["mediators"]
            )
        except FORM_ERRORS as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "调解员已调整。")
            return redirect("mediation:detail", pk=m.pk)
    return render(
        request,
        "mediation/mediators_set.html",
        {"form": form, "m": m, "heading": "调整调解员", "button": "保存"},
        status=_status(form, request),
    )


@login_required
@require_http_methods(["GET", "POST"])
def outcome(request, pk: int):
    m = selectors.mediation_get(user=request.user, pk=pk)
    _act_page(request, m)
    form = forms.OutcomeForm(_bound(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.mediation_outcome(user=request.user, mediation=m, **form.cleaned_data)
        except FORM_ERRORS as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "调解结果已登记，调解结束。")
            return redirect("mediation:detail", pk=m.pk)
    return render(
        request,
        "mediation/outcome.html",
        {"form": form, "m": m, "heading": "登记调解结果", "button": "登记结果，结束调解"},
        status=_status(form, request),
    )


@login_required
@require_http_methods(["GET", "POST"])
def agreement_record(request, pk: int):
    m = selectors.mediation_get(user=request.user, pk=pk)
    _act_page(request, m)
    form = forms.AgreementForm(_bound(request))
    if request.method == "POST" and form.is_valid():
        try:
            a = services.agreement_record(user=request.user, mediation=m, **form.cleaned_data)
        except FORM_ERRORS as exc:
            add_domain_error(form, exc)
        else:
            if a.is_effective:
                messages.success(request, "口头协议已记录并生效，调解成功。")
            else:
                messages.success(request, "调解协议书已记录。请登记各方当事人签名，并由调委会盖章。")
            return redirect("mediation:detail", pk=m.pk)
    return render(
        request,
        "mediation/agreement_form.html",
        {
            "form": form,
            "m": m,
            "parties": selectors.parties_of(m),
            "heading": "记录调解协议",
            "button": "保存调解协议",
        },
        status=_status(form, request),
    )


@login_required
@require_http_methods(["GET", "POST"])
def agreement_sign(request, pk: int):
    """登记当事人签名: a confirmation page, then the record (no pop-up)."""
    party = selectors.party_get(user=request.user, pk=pk)
    m = party.mediation
    _act_page(request, m)
    error = ""
    if request.method == "POST":
        try:
            services.agreement_sign(user=request.user, party=party)
        except FORM_ERRORS as exc:
            error = exc.message
        else:
            m.refresh_from_db()
            messages.success(
                request,
                f"已登记{party.name}签名。" + ("调解协议已生效，调解成功。" if not m.is_open else ""),
            )
            return redirect("mediation:detail", pk=m.pk)
    return render(
        request,
        "mediation/confirm.html",
        {
            "m": m,
            "title": f"登记签名：{party.name}",
            "text": f"请确认：{party.name}已在调解协议书上签名、盖章或者按指印。",
            "button": "确认已签名",
            "error": error,
        },
        status=409 if error else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def agreement_seal(request, pk: int):
    m = selectors.mediation_get(user=request.user, pk=pk)
    _act_page(request, m, "mediation.seal")
    error = ""
    if request.method == "POST":
        try:
            services.agreement_seal(user=request.user, mediation=m)
        except FORM_ERRORS as exc:
            error = exc.message
        else:
            m.refresh_from_db()
            messages.success(
                request, "调委会已盖章。" + ("调解协议已生效，调解成功。" if not m.is_open else "")
            )
            return redirect("mediation:detail", pk=m.pk)
    return render(
        request,
        "mediation/confirm.html",
        {
            "m": m,
            "title": "调委会盖章",
            "text": f"请确认：人民调解员已在调解协议书上签名，并已加盖{m.committee}印章。",
            "button": "确认已盖章",
            "error": error,
        },
        status=409 if error else 200,
    )


@login_required
@require_GET
def agreement_pdf(request, pk: int):
    m = selectors.mediation_get(user=request.user, pk=pk)
    agreement = selectors.agreement_of(m)
    if agreement is None or agreement.form != Agreement.WRITTEN:
        raise Conflict("本调解没有书面调解协议，无协议书可打印。")
    content = documents.agreement_pdf(
        mediation=m,
        agreement=agreement,
        parties=selectors.parties_of(m),
        mediators=list(m.mediators.order_by("kind", "id")),
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(f'调解协议书_{m.number}.pdf')}"
    response["Cache-Control"] = "no-store"
    return response


# -- the roster, the register, the service log -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def mediator_list(request):
    """调解员名册: the list (filters: village, kind), and the form that adds to it."""
    policy.require(request.user, "mediation.view")
    regions = list(selectors.roster_regions(user=request.user))
    form = forms.MediatorAddForm(_bound(request), regions=regions)
    if request.method == "POST":
        policy.require(request.user, "mediation.roster")
        if form.is_valid():
            d = form.cleaned_data
            try:
                added = services.mediator_add(
                    user=request.user, region=d["region"], name=d["name"], kind=d["kind"]
                )
            except FORM_ERRORS as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, f"已将{added.name}列入调解员名册。")
                return redirect("mediation:mediator_list")
    g = request.GET
    filters = {"region": _region_filter(request), "kind": g.get("kind", "")}
    page = _page(request, selectors.mediator_list(user=request.user, **filters))
    return render(
        request,
        "mediation/mediators.html",
        {
            "page": page,
            "filters": filters,
            "query": _query_without_page(request),
            "villages": selectors.villages(user=request.user),
            "kinds": MEDIATOR_KIND_CHOICES,
            "form": form,
            "can_change": bool(regions),
        },
        status=_status(form, request),
    )


@login_required
@require_http_methods(["GET", "POST"])
def mediator_deactivate(request, pk: int):
    mediator = selectors.mediator_get(user=request.user, pk=pk)
    policy.require(request.user, "mediation.roster", mediator)
    error = ""
    if request.method == "POST":
        try:
            services.mediator_deactivate(user=request.user, mediator=mediator)
        except FORM_ERRORS as exc:
            error = exc.message
        else:
            messages.success(request, f"{mediator.name}已移出调解员名册。")
            return redirect("mediation:mediator_list")
    return render(
        request,
        "mediation/confirm.html",
        {
            "title": f"移出名册：{mediator.name}",
            "text": f"请确认：{mediator.name}（{mediator.get_kind_display()}）不再担任调解员。已参与的调解记录保留。",
            "button": "确认移出",
            "error": error,
            "back": "mediation:mediator_list",
        },
        status=409 if error else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def adviser_list(request):
    """一村一法律顾问: the register, and the form that adds to it."""
    policy.require(request.user, "mediation.view")
    villages = list(selectors.villages(user=request.user, action="mediation.roster"))
    form = forms.AdviserAddForm(_bound(request), villages=villages)
    if request.method == "POST":
        policy.require(request.user, "mediation.roster")
        if form.is_valid():
            d = form.cleaned_data
            try:
                added = services.legal_adviser_add(
                    user=request.user, village=d["village"], name=d["name"], firm=d["firm"], since=d["since"]
                )
            except FORM_ERRORS as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, f"已登记{added.region.name}法律顾问{added.name}。")
                return redirect("mediation:adviser_detail", pk=added.pk)
    filters = {"region": _region_filter(request)}
    qs = selectors.adviser_list(user=request.user, **filters)
    page = _page(request, qs)
    return render(
        request,
        "mediation/advisers.html",
        {
            "page": page,
            "filters": filters,
            "query": _query_without_page(request),
            "villages": selectors.villages(user=request.user),
            "form": form,
            "can_change": bool(villages),
        },
        status=_status(form, request),
    )


@login_required
@require_http_methods(["GET", "POST"])
def adviser_detail(request, pk: int):
    """One legal adviser: the service log, and the form that adds to it."""
    adviser = selectors.adviser_get(user=request.user, pk=pk)
    can_log = policy.can(request.user, "mediation.service_log", adviser) and adviser.is_active
    form = forms.ServiceLogForm(_bound(request))
    if request.method == "POST":
        policy.require(request.user, "mediation.service_log", adviser)
        if form.is_valid():
            try:
                services.service_log_add(user=request.user, adviser=adviser, **form.cleaned_data)
            except FORM_ERRORS as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, "服务记录已保存。")
                return redirect("mediation:adviser_detail", pk=adviser.pk)
    logs = selectors.service_log_list(user=request.user, adviser=adviser)
    return render(
        request,
        "mediation/adviser_detail.html",
        {
            "adviser": adviser,
            "page": _page(request, logs),
            "query": _query_without_page(request),
            "totals": selectors.service_totals(logs),
            "form": form,
            "can_log": can_log,
            "can_change": policy.can(request.user, "mediation.roster", adviser) and adviser.is_active,
        },
        status=_status(form, request),
    )


@login_required
@require_http_methods(["GET", "POST"])
def adviser_deactivate(request, pk: int):
    adviser = selectors.adviser_get(user=request.user, pk=pk)
    policy.require(request.user, "mediation.roster", adviser)
    error = ""
    if request.method == "POST":
        try:
            services.legal_adviser_deactivate(user=request.user, adviser=adviser)
        except FORM_ERRORS as exc:
            error = exc.message
        else:
            messages.success(request, f"{adviser.name}已卸任。")
            return redirect("mediation:adviser_detail", pk=adviser.pk)
    return render(
        request,
        "mediation/confirm.html",
        {
            "title": f"卸任：{adviser.name}",
            "text": f"请确认：{adviser.name}不再担任{adviser.region.name}的法律顾问。服务记录保留。",
            "button": "确认卸任",
            "error": error,
            "back": "mediation:adviser_list",
        },
        status=409 if error else 200,
    )


def _log_filters(request) -> dict:
    g = request.GET
    return {
        "region": _region_filter(request),
        "kind": g.get("kind", ""),
        "start": _date(g.get("start")),
        "end": _date(g.get("end")),
    }


@login_required
@require_GET
def service_log(request):
    """法律顾问服务台账: every entry the user may see, with the totals as the town reports them."""
    policy.require(request.user, "mediation.view")
    filters = _log_filters(request)
    logs = selectors.service_log_list(user=request.user, **filters)
    return render(
        request,
        "mediation/service_log.html",
        {
            "page": _page(request, logs),
            "totals": selectors.service_totals(logs),
            "filters": filters,
            "query": _query_without_page(request),
            "villages": selectors.villages(user=request.user),
            "kinds": SERVICE_KIND_CHOICES,
            "can_export": policy.can(request.user, "mediation.export"),
        },
    )


@login_required
@require_GET
def service_log_export(request):
    filters = _log_filters(request)
    content = excel.service_log_export(user=request.user, **filters)
    response = HttpResponse(content, content_type=XLSX)
    name = f"法律顾问服务台账_{clock.today():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    response["Cache-Control"] = "no-store"
    return response
