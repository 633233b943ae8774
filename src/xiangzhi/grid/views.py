"""Grid work pages: thin adapters over the grid selectors and services (no permission logic here: the policy is
asked, the services check again). Mobile first: a grid worker fills these with one thumb in a field."""

import datetime as dt
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods

from xiangzhi import policy
from xiangzhi.core import clock
from xiangzhi.core.errors import PermissionDenied
from xiangzhi.grid import excel, forms, selectors, services
from xiangzhi.grid.models import PURPOSE_CHOICES
from xiangzhi.regions import selectors as region_selectors
from xiangzhi.web.errors import FORM_ERRORS, add_domain_error
from xiangzhi.web.region import current_code

PAGE_SIZE = 20
WRITE_ERRORS = (*FORM_ERRORS, PermissionDenied)


def _page(request, qs, param: str = "page"):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get(param))


def _query_without_page(request) -> str:
    return urlencode([(k, v) for k, v in request.GET.items() if k != "page" and v])


def _date(value: str | None):
    try:
        return dt.date.fromisoformat((value or "").strip()) if value else None
    except ValueError:
        return None


def _filters(request) -> dict:
    """The list filters; a date that cannot be read is dropped and said so (`bad_dates`)."""
    g = request.GET
    region = g.get("region", "").strip()
    worker = g.get("worker", "").strip()
    date_from, date_to = _date(g.get("date_from")), _date(g.get("date_to"))
    bad = [
        label
        for key, label, v in (("date_from", "开始日期", date_from), ("date_to", "结束日期", date_to))
        if g.get(key) and v is None
    ]
    return {
        "region_code": region if region.isdigit() else current_code(request),
        "worker_id": int(worker) if worker.isdigit() and len(worker) < 12 else None,
        "date_from": date_from,
        "date_to": date_to,
        "bad_dates": bad,
    }


def _filter_choices(user, region_code) -> dict:
    return {
        "regions": region_selectors.region_list(user=user, action="grid.view", levels=("village", "grid"))
        .filter(is_active=True)
        .only("code", "name", "level")
        .order_by("code"),
        "workers": selectors.worker_choices(user=user),
    }


def _invalid(form) -> int:
    return 422 if form.is_bound and form.errors else 200


# -- patrols ----------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def patrol_today(request):
    """Today's patrol: notes, photos, and a case raised inline. Sent again the same day, it adds to that patrol."""
    policy.require(request.user, "grid.record")
    grids = list(selectors.patrol_grid_choices(user=request.user))
    chosen = request.GET.get("grid") or (grids[0].code if grids else None)
    form = forms.PatrolForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        grids=grids,
        initial={"grid": chosen},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            patrol, created = services.patrol_record(
                user=request.user,
                grid=d["grid"],
                date=d["date"],
                notes=d["notes"],
                route=d["route"],
                started_at=d["started_at"],
                ended_at=d["ended_at"],
                photos=d["photos"],
                cases=form.case_drafts(),
            )
        except WRITE_ERRORS as exc:
            add_domain_error(form, exc)
        else:
            raised = len(form.case_drafts())
            done = "巡查已登记。" if created else "已补充到当天的巡查记录。"
            messages.success(request, done + (f"已上报 {raised} 个事件。" if raised else ""))
            return redirect("grid:patrol_detail", pk=patrol.pk)
    today = clock.today()
    sent = {
        p.region_id: p
        for p in selectors.patrol_list(
            user=request.user, worker_id=request.user.pk, date_from=today, date_to=today
        )
    }
    return render(
        request,
        "grid/patrol_form.html",
        {"form": form, "grids": grids, "today_patrols": list(sent.values())},
        status=_invalid(form),
    )


@login_required
@require_GET
def patrol_list(request):
    policy.require(request.user, "grid.view")
    f = _filters(request)
    qs = selectors.patrol_list(
        user=request.user,
        region_code=f["region_code"],
        worker_id=f["worker_id"],
        date_from=f["date_from"],
        date_to=f["date_to"],
    )
    return render(
        request,
        "grid/patrol_list.html",
        {
            "page": _page(request, qs),
            "filters": f,
            "query": _query_without_page(request),
            "can_record": policy.can(request.user, "grid.record"),
            **_filter_choices(request.user, f["region_code"]),
        },
    )


@login_required
@require_GET
def patrol_detail(request, pk: int):
    patrol = selectors.patrol_get(user=request.user, pk=pk)
    return render(
        request,
        "grid/patrol_detail.html",
        {
            "patrol": patrol,
            "photos": list(patrol.photos.order_by("id")),
            "cases": list(patrol.cases.order_by("id")),
            "is_mine": patrol.worker_id == request.user.pk and patrol.date == clock.today(),
        },
    )


# -- visits -----------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def visit_create(request):
    """Find a household of my grids (name, 户号, address), then record the visit. ?parent= makes it the follow-up
    (回访) of an earlier visit of the same household."""
    policy.require(request.user, "grid.record")
    parent = None
    parent_pk = request.GET.get("parent", "").strip()
    if parent_pk.isdigit():
        parent = selectors.visit_get(user=request.user, pk=int(parent_pk))
    q = request.GET.get("q", "").strip()[:50]
    form = forms.VisitForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        initial={"household": parent.household_id if parent else request.GET.get("household", "")},
    )
    household = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        household = selectors.visit_household_get(user=request.user, pk=d["household"])
        if household is None:
            form.add_error("household", services.VISIT_OUT_OF_REACH)
        else:
            try:
                visit = services.visit_record(
                    user=request.user,
                    household=household,
                    purpose=d["purpose"],
                    date=d["date"],
                    notes=d["notes"],
                    needs=d["needs"],
                    follow_up_due=d["follow_up_due"],
                    parent=parent,
                    cases=form.case_drafts(),
                )
            except WRITE_ERRORS as exc:
                add_domain_error(form, exc)
            else:
                raised = len(form.case_drafts())
                messages.success(request, "走访已登记。" + (f"已上报 {raised} 个事件。" if raised else ""))
                return redirect("grid:visit_detail", pk=visit.pk)
    chosen_pk = form["household"].value()
    if household is None and chosen_pk:
        household = selectors.visit_household_get(user=request.user, pk=chosen_pk)
    results = None
    if parent is None:
        results = _page(request, selectors.visit_household_choices(user=request.user, q=q))
    return render(
        request,
        "grid/visit_form.html",
        {
            "form": form,
            "parent": parent,
            "household": household,
            "q": q,
            "page": results,
            "query": urlencode([("q", q)] if q else []),
        },
        status=_invalid(form),
    )


@login_required
@require_GET
def visit_list(request):
    policy.require(request.user, "grid.view")
    f = _filters(request)
    purpose = request.GET.get("purpose") or None
    q = request.GET.get("q", "").strip()[:50] or None
    qs = selectors.visit_list(
        user=request.user,
        region_code=f["region_code"],
        worker_id=f["worker_id"],
        purpose=purpose,
        date_from=f["date_from"],
        date_to=f["date_to"],
        q=q,
    )
    return render(
        request,
        "grid/visit_list.html",
        {
            "page": _page(request, qs),
            "filters": {**f, "purpose": purpose, "q": q},
            "purposes": PURPOSE_CHOICES,
            "query": _query_without_page(request),
            "can_record": policy.can(request.user, "grid.record"),
            **_filter_choices(request.user, f["region_code"]),
        },
    )


@login_required
@require_GET
def visit_detail(request, pk: int):
    visit = selectors.visit_get(user=request.user, pk=pk)
    return render(
        request,
        "grid/visit_detail.html",
        {
            "visit": visit,
            "cases": list(visit.cases.order_by("id")),
            "follow_ups": list(visit.follow_ups.select_related("worker").order_by("date", "id")),
            "can_follow_up": policy.can(request.user, "grid.record", visit.household),
            "can_view_household": policy.can(request.user, "people.view", visit.household),
        },
    )


@login_required
@require_GET
def follow_up_list(request):
    policy.require(request.user, "grid.view")
    f = _filters(request)
    overdue = request.GET.get("overdue") == "1"
    qs = selectors.follow_up_list(user=request.user, region_code=f["region_code"], overdue_only=overdue)
    return render(
        request,
        "grid/follow_up_list.html",
        {
            "page": _page(request, qs),
            "filters": {**f, "overdue": overdue},
            "today": clock.today(),
            "query": _query_without_page(request),
            "can_record": policy.can(request.user, "grid.record"),
            **_filter_choices(request.user, f["region_code"]),
        },
    )


# -- coverage ---------------------------------------------------------------------------------------------------


def _period(request):
    """(form, start, end, region code) from the query string; this month by default."""
    form = forms.PeriodForm(request.GET or None)
    start, end = selectors.month_period()
    region = current_code(request)
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        start = d["start"] or start
        end = d["end"] or max(start, end)
        region = d["region"] or region
    if (end - start).days >= selectors.MAX_PERIOD_DAYS:
        form.add_error("end", f"统计期最长 {selectors.MAX_PERIOD_DAYS} 天，已按本月统计。")
        start, end = selectors.month_period()
    return form, start, end, region


@login_required
@require_GET
def coverage(request):
    policy.require(request.user, "grid.view")
    form, start, end, region = _period(request)
    cov = selectors.coverage(user=request.user, region=region, start=start, end=end)
    never = _page(request, selectors.never_visited(user=request.user, region=region, start=start, end=end))
    return render(
        request,
        "grid/coverage.html",
        {
            "form": form,
            "c": cov,
            "page": never,
            "region_code": region or "",
            "regions": _filter_choices(request.user, region)["regions"],
            "query": urlencode(
                [("start", start.isoformat()), ("end", end.isoformat())]
                + ([("region", region)] if region else [])
            ),
            "can_export": policy.can(request.user, "grid.export"),
        },
    )


@login_required
@require_GET
def coverage_export(request):
    _form, start, end, region = _period(request)
    content = excel.coverage_export(user=request.user, region=region, start=start, end=end)
    name = f"网格工作覆盖_{start:%Y%m%d}-{end:%Y%m%d}.xlsx"
    response = HttpResponse(content, content_type=excel.XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    response["Cache-Control"] = "no-store"
    return response
