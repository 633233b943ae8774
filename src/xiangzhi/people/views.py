"""People pages: thin adapters over selectors and services (no permission logic here)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from xiangzhi import policy
from xiangzhi.core import clock
from xiangzhi.core.errors import DomainError, PermissionDenied
from xiangzhi.people import excel, forms, presenters, selectors, services
from xiangzhi.people.models import TAG_CHOICES, Household, Resident
from xiangzhi.regions import selectors as region_selectors
from xiangzhi.web.errors import FORM_ERRORS, add_domain_error
from xiangzhi.web.region import current_code

PAGE_SIZE = 20
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
            "can_create": policy.can(request.user, "people.change"),
        },
    )


@login_required
def household_detail(request, pk: int):
    from xiangzhi.party import selectors as party_selectors

    household = selectors.household_get(user=request.user, pk=pk)
    members = [
        presenters.resident_view(request.user, r) for r in selectors.household_members(household=household)
    ]
    links = party_selectors.household_link_list(user=request.user, household=household)
    can_change = policy.can(request.user, "people.change", household)
    return render(
        request,
        "people/household_detail.html",
        {
            "household": household,
            "members": members,
            "links": links,
            "can_change": can_change,
            "can_link": policy.can(request.user, "party.change", household),
            "is_active": household.status == Household.STATUS_ACTIVE,
        },
    )


@login_required
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
def resident_detail(request, pk: int):
    resident = selectors.resident_get(user=request.user, pk=pk)
    view = presenters.resident_view(request.user, resident)
    return render(
        request,
        "people/resident_detail.html",
        {
            "resident": resident,
            "view": view,
            "can_change": policy.can(request.user, "people.change", resident),
            "is_normal": resident.status == Resident.STATUS_NORMAL,
            "is_head": resident.household.head_id == resident.pk,
        },
    )


@login_required
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
def register_template(request):
    response = HttpResponse(excel.template_bytes(), content_type=XLSX)
    response["Content-Disposition"] = (
        "attachment; filename*=UTF-8''%E6%88%B7%E7%B1%8D%E5%8F%B0%E8%B4%A6%E6%A8%A1%E6%9D%BF.xlsx"
    )
    return response


@login_required
@require_http_methods(["GET", "POST"])
def register_import(request):
    policy.require(request.user, "people.import")
    villages = list(region_selectors.region_list(user=request.user, action="people.import", level="village"))
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
        request, "people/register_import.html", {"villages": villages, "result": result, "error": error}
    )


@login_required
def register_export(request):
    f = _filters(request)
    content, _ = services.register_export(user=request.user, **f)
    response = HttpResponse(content, content_type=XLSX)
    stamp = f"{clock.today():%Y%m%d}"
    response["Content-Disposition"] = f'attachment; filename="household-register-{stamp}.xlsx"'
    response["Cache-Control"] = "no-store"
    return response


# -- write pages ------------------------------------------------------------------------------------------------
# Each one: fetch through the scoped selector (404 out of reach), ask the policy for `people.change` before
# showing the form (403), let the service check again and do the work; a ValidationFailed or Conflict goes
# next to its field and the form re-renders with what was typed. ID numbers and phones typed in a form are
# kept out of error reports (sensitive_post_parameters) and out of caches (never_cache).

SENSITIVE_INPUTS = ("id_number", "phone")


def _bound(request):
    return request.POST if request.method == "POST" else None


@login_required
@require_http_methods(["GET", "POST"])
def household_create(request):
    policy.require(request.user, "people.change")
    grids = list(selectors.household_grid_choices(user=request.user))
    chosen = request.GET.get("grid") or (grids[0].code if len(grids) == 1 else None)
    form = forms.HouseholdCreateForm(_bound(request), grids=grids, initial={"grid": chosen})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            household = services.household_create(
                user=request.user,
                grid=d["grid"],
                address=d["address"],
                number=d["number"],
                group_name=d["group_name"],
                tags=d["tags"],
            )
        except FORM_ERRORS as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "已新建户。请登记户主。")
            return redirect("people:resident_create", pk=household.pk)
    return render(request, "people/household_form.html", {"form": form, "household": None})


@login_required
@require_http_methods(["GET", "POST"])
def household_edit(request, pk: int):
    household = selectors.household_get(user=request.user, pk=pk)
    policy.require(request.user, "people.change", household)
    initial = {
        "address": household.address,
        "number": household.number,
        "group_name": household.group_name,
        "tags": household.tag_list,
    }
    form = forms.HouseholdForm(_bound(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.household_update(
                user=request.user,
                household=household,
                address=d["address"],
                number=d["number"],
                group_name=d["group_name"],
                tags=d["tags"],
            )
        except FORM_ERRORS as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "户信息已保存。")
            return redirect("people:household_detail", pk=household.pk)
    return render(request, "people/household_form.html", {"form": form, "household": household})


@sensitive_post_parameters(*SENSITIVE_INPUTS)
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def resident_create(request, pk: int):
    household = selectors.household_get(user=request.user, pk=pk)
    policy.require(request.user, "people.change", household)
    has_head = household.head_id is not None and household.head.status == Resident.STATUS_NORMAL
    form = forms.ResidentForm(_bound(request), initial={"relation": "child" if has_head else "head"})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            resident = services.resident_create(
                user=request.user,
                household=household,
                name=d["name"],
                id_number=d["id_number"],
                birth_date=d["birth_date"],
                sex=d["sex"],
                phone=d["phone"],
                relation=d["relation"],
                residence=d["residence"],
                tags=d["tags"],
            )
        except FORM_ERRORS as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"已登记{resident.name}。")
            if "add_another" in request.POST:
                return redirect("people:resident_create", pk=household.pk)
            return redirect("people:household_detail", pk=household.pk)
    return render(
        request, "people/resident_form.html", {"form": form, "household": household, "resident": None}
    )


@sensitive_post_parameters(*SENSITIVE_INPUTS)
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def resident_edit(request, pk: int):
    resident = selectors.resident_get(user=request.user, pk=pk)
    policy.require(request.user, "people.change", resident)
    initial = {
        "name": resident.name,
        "sex": resident.sex,
        "relation": resident.relation,
        "residence": resident.residence,
        "tags": resident.tag_list,
    }
    form = forms.ResidentEditForm(_bound(request), initial=initial, resident=resident)
    if request.method == "POST" and form.is_valid():
        try:
            updated = services.resident_update(
                user=request.user, resident=resident, tags=form.cleaned_data["tags"], **form.changes()
            )
        except FORM_ERRORS as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"{updated.name}的信息已保存。")
            return redirect("people:resident_detail", pk=resident.pk)
    return render(
        request,
        "people/resident_form.html",
        {"form": form, "household": resident.household, "resident": resident},
    )


@login_required
@require_http_methods(["GET", "POST"])
def resident_set_head(request, pk: int):
    """A confirmation page, then the change (no pop-up: DESIGN.md)."""
    resident = selectors.resident_get(user=request.user, pk=pk)
    household = resident.household
    policy.require(request.user, "people.change", household)
    error = ""
    if request.method == "POST":
        try:
            services.resident_set_head(user=request.user, household=household, resident=resident)
        except FORM_ERRORS as exc:
            error = exc.message
        else:
            messages.success(request, f"已将{resident.name}设为户主。")
            return redirect("people:household_detail", pk=household.pk)
    old_head = household.head if household.head_id and household.head_id != resident.pk else None
    return render(
        request,
        "people/resident_set_head.html",
        {
            "resident": resident,
            "household": household,
            "old_head": old_head,
            "is_head": household.head_id == resident.pk,
            "is_normal": resident.status == Resident.STATUS_NORMAL,
            "error": error,
        },
    )


LEAVE_KINDS = {
    # kind: (service, status label, what the date is called, success message)
    "moved_away": (services.resident_move_away, "迁出", "迁出日期", "已登记{name}迁出。"),
    "deceased": (services.resident_mark_deceased, "去世", "去世日期", "已登记{name}去世。"),
}


@login_required
@require_http_methods(["GET", "POST"])
def resident_leave(request, pk: int, kind: str):
    """迁出 / 去世 in two steps: the date, then a page that says what will happen and asks to confirm."""
    service, label, date_label, done = LEAVE_KINDS[kind]
    resident = selectors.resident_get(user=request.user, pk=pk)
    policy.require(request.user, "people.change", resident)
    form = forms.LeaveForm(_bound(request), initial={"date": clock.today()})
    form.fields["date"].label = date_label
    confirming = False
    if request.method == "POST" and form.is_valid():
        date = form.cleaned_data["date"]
        try:
            services.leave_check(resident=resident, date=date)
            if form.cleaned_data["confirmed"] and "edit" not in request.POST:
                service(user=request.user, resident=resident, date=date)
                messages.success(request, done.format(name=resident.name))
                return redirect("people:resident_detail", pk=resident.pk)
            confirming = "edit" not in request.POST
        except FORM_ERRORS as exc:
            add_domain_error(form, exc)
    household = resident.household
    return render(
        request,
        "people/resident_leave.html",
        {
            "form": form,
            "resident": resident,
            "household": household,
            "kind": kind,
            "label": label,
            "date_label": date_label,
            "confirming": confirming,
            "is_normal": resident.status == Resident.STATUS_NORMAL,
            "last_member": household.member_count <= 1 and resident.status == Resident.STATUS_NORMAL,
            "is_head": household.head_id == resident.pk,
        },
    )
