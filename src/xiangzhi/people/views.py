"""People pages: thin adapters over selectors and services (no permission logic here)."""

import functools

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST

from xiangzhi import policy
from xiangzhi.core import clock
from xiangzhi.core.errors import DomainError, PermissionDenied
from xiangzhi.people import excel, presenters, selectors, services
from xiangzhi.people.models import TAG_CHOICES, Household, Resident
from xiangzhi.regions import selectors as region_selectors
from xiangzhi.web.region import current_code

PAGE_SIZE = 20
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def domain_errors(view):
    """Show a refused domain rule as a page with its status (403, 422 …) instead of a server error."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except DomainError as exc:
            return render(request, "people/error.html", {"message": exc.message}, status=exc.status)

    return wrapper


def _filters(request) -> dict:
    g = request.GET
    return {
        "q": g.get("q", "").strip()[:50] or None,
        "tag": g.get("tag") if g.get("tag") in TAG_CHOICES else None,
        # an explicit filter wins; otherwise the region chosen in the top bar's switcher narrows the list
        "region_code": g.get("region", "").strip()
        if g.get("region", "").strip().isdigit()
        else current_code(request),
        "status": g.get("status") or None,
    }


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _query_without_page(request) -> str:
    return urlencode([(k, v) for k, v in request.GET.items() if k != "page" and v])


def _grids(user):
    return region_selectors.region_list(user=user, level="grid").only("code", "name")


@login_required
@domain_errors
def household_list(request):
    policy.require(request.user, "people.view")
    f = _filters(request)
    page = _page(request, selectors.household_list(user=request.user, **f))
    return render(
        request,
        "people/household_list.html",
        {
            "page": page,
            "filters": f,
            "grids": _grids(request.user),
            "tags": TAG_CHOICES,
            "statuses": Household.STATUS_CHOICES,
            "query": _query_without_page(request),
            "can_export": policy.can(request.user, "people.export"),
            "can_import": policy.can(request.user, "people.import"),
        },
    )


@login_required
@domain_errors
def household_detail(request, pk: int):
    from xiangzhi.party import selectors as party_selectors

    household = selectors.household_get(user=request.user, pk=pk)
    members = [
        presenters.resident_view(request.user, r) for r in selectors.household_members(household=household)
    ]
    links = party_selectors.household_link_list(user=request.user, household=household)
    return render(
        request, "people/household_detail.html", {"household": household, "members": members, "links": links}
    )


@login_required
@domain_errors
def resident_list(request):
    policy.require(request.user, "people.view")
    f = _filters(request)
    page = _page(request, selectors.resident_list(user=request.user, **f))
    today = clock.today()
    rows = [
        {
            "r": r,
            "age": r.age_on(today),
            "id_masked": presenters.masked_id(r),
            "phone_masked": presenters.masked_phone(r),
        }
        for r in page
    ]
    return render(
        request,
        "people/resident_list.html",
        {
            "page": page,
            "rows": rows,
            "filters": f,
            "grids": _grids(request.user),
            "tags": TAG_CHOICES,
            "statuses": Resident.STATUS_CHOICES,
            "query": _query_without_page(request),
        },
    )


@login_required
@domain_errors
def resident_detail(request, pk: int):
    resident = selectors.resident_get(user=request.user, pk=pk)
    view = presenters.resident_view(request.user, resident)
    return render(request, "people/resident_detail.html", {"resident": resident, "view": view})


@login_required
@domain_errors
@require_POST
def resident_reveal(request, pk: int):
    resident = selectors.resident_get(user=request.user, pk=pk)
    try:
        services.resident_reveal(user=request.user, resident=resident)
    except PermissionDenied as exc:
        return render(request, "people/_reveal_refused.html", {"message": exc.message}, status=403)
    view = presenters.resident_view(request.user, resident, reveal=True)
    response = render(request, "people/_pii.html", {"view": view, "resident": resident})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@domain_errors
def ledger_template(request):
    response = HttpResponse(excel.template_bytes(), content_type=XLSX)
    response["Content-Disposition"] = (
        "attachment; filename*=UTF-8''%E6%88%B7%E7%B1%8D%E5%8F%B0%E8%B4%A6%E6%A8%A1%E6%9D%BF.xlsx"
    )
    return response


@login_required
@domain_errors
@require_http_methods(["GET", "POST"])
def ledger_import(request):
    policy.require(request.user, "people.import")
    villages = [
        v
        for v in region_selectors.region_list(user=request.user, level="village")
        if policy.can(request.user, "people.import", v)
    ]
    result, error = None, ""
    if request.method == "POST":
        code = request.POST.get("village", "")
        village = next((v for v in villages if v.code == code), None)
        upload = request.FILES.get("file")
        if village is None:
            error = "请选择村。"
        elif upload is None:
            error = "请选择要导入的 Excel 文件。"
        else:
            try:
                result = services.register_import(
                    user=request.user,
                    file=upload,
                    village=village,
                    all_or_nothing=request.POST.get("mode") == "all_or_nothing",
                )
            except DomainError as exc:
                error = exc.message
    return render(
        request, "people/ledger_import.html", {"villages": villages, "result": result, "error": error}
    )


@login_required
@domain_errors
def ledger_export(request):
    f = _filters(request)
    content, _ = services.register_export(user=request.user, **f)
    response = HttpResponse(content, content_type=XLSX)
    stamp = f"{clock.today():%Y%m%d}"
    response["Content-Disposition"] = f'attachment; filename="household-register-{stamp}.xlsx"'
    response["Cache-Control"] = "no-store"
    return response
