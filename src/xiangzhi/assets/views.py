"""三资 pages: thin adapters over the assets selectors and services (the policy is asked there).

The contract register (filters by village, category, matter, problem, ending soon; arrears and expiry alerts on
top), a contract's page (terms, schedule, payments, the 清理 checks with the law), forms to record and change a
contract and to record a payment, the village's settings, the Excel import and exports, the 合同摘要 PDF and the
合同清理 report of a village or a town."""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiangzhi import policy
from xiangzhi.assets import documents, excel, forms, rules, selectors, services
from xiangzhi.core.errors import PermissionDenied
from xiangzhi.core.money import fen_to_yuan
from xiangzhi.regions.models import Region
from xiangzhi.web.errors import FORM_ERRORS, add_domain_error
from xiangzhi.web.region import current_code

PAGE_SIZE = 20
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WRITE_ERRORS = (*FORM_ERRORS, PermissionDenied)


def _query_without_page(request) -> str:
    return urlencode([(k, v) for k, v in request.GET.items() if k != "page" and v])


def _filters(request) -> selectors.ContractFilter:
    g = request.GET
    try:
        days = min(max(int(g.get("days") or rules.EXPIRY_ALERT_DAYS), 1), rules.MAX_EXPIRY_ALERT_DAYS)
    except ValueError:
        days = rules.EXPIRY_ALERT_DAYS
    return selectors.ContractFilter(
        region=(g.get("region") or current_code(request) or "").strip()[:18] or None,
        category=g.get("category", ""),
        matter=g.get("matter", ""),
        problem=g.get("problem", ""),
        expiring=g.get("expiring") == "1",
        days=days,
        q=g.get("q", "").strip()[:40],
    )


def _village_of(request, code: str, action: str = "assets.manage") -> Region:
    """A village in the user's reach for `action`; another is an audited 404."""
    return policy.get_scoped_or_404(
        request.user, action, Region.objects.filter(level="village", is_active=True), code=str(code)[:18]
    )


def _attachment(content: bytes, name: str, content_type: str = XLSX) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@login_required
@require_GET
def index(request):
    policy.require(request.user, "assets.view")
    return redirect("assets:contract_list")


@login_required
@require_GET
def contract_list(request):
    policy.require(request.user, "assets.view")
    f = _filters(request)
    qs = selectors.contract_list(user=request.user, filters=f)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for c in page:
        c.arrears = selectors.arrears_of(c)
        c.problems = selectors.problems_of(c)
    return render(
        request,
        "assets/contract_list.html",
        {
            "page": page,
            "query": _query_without_page(request),
            "filters": f,
            "villages": selectors.villages(user=request.user),
            "categories": rules.CATEGORY_CHOICES,
            "matters": rules.MATTER_CHOICES,
            "checks": rules.CHECKS,
            "alerts": selectors.alerts(user=request.user, region=f.region, days=f.days, limit=5),
            "can_manage": policy.can(request.user, "assets.manage"),
            "can_export": policy.can(request.user, "assets.export"),
            "unit": "份合同",
        },
    )


@login_required
@require_GET
def contract_export(request):
    content = excel.contracts_export(user=request.user, filters=_filters(request))
    return _attachment(content, "三资合同台账.xlsx")


def _contract_form(request, *, data=None, initial=None, village=None, editing=False):
    villages = list(selectors.villages(user=request.user, action="assets.manage"))
    if village is None and data is not None:
        village = next((v for v in villages if v.code == data.get("village")), None)
    if village is None and len(villages) == 1:
        village = villages[0]
        initial = {**(initial or {}), "village": village.code}
    resolutions = selectors.resolution_choices(village=village) if village else []
    return forms.ContractForm(
        data, initial=initial, villages=villages, resolutions=resolutions, editing=editing
    ), village


@login_required
@require_http_methods(["GET", "POST"])
def contract_create(request):
    policy.require(request.user, "assets.manage")
    if request.method == "POST":
        form, village = _contract_form(request, data=request.POST)
        if form.is_valid():
            try:
                contract = services.contract_create(
                    user=request.user, village=village, **form.service_kwargs()
                )
            except WRITE_ERRORS as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, f"合同 {contract.code} 已登记。")
                return redirect("assets:contract_detail", pk=contract.pk)
        return render(request, "assets/contract_form.html", {"form": form}, status=422)
    form, _v = _contract_form(
        request,
        initial={
            "category": rules.RESOURCES,
            "amount_basis": rules.PER_YEAR,
            "counterparty_type": rules.INDIVIDUAL,
            "counterparty_is_member": "1",
            "has_written_contract": "1",
        },
    )
    return render(request, "assets/contract_form.html", {"form": form})


@login_required
@require_GET
def contract_detail(request, pk: int):
    contract = selectors.contract_get(user=request.user, pk=pk)
    can_manage = policy.can(request.user, "assets.manage", contract)
    return render(
        request,
        "assets/contract_detail.html",
        {
            "c": contract,
            "area": services.format_area(contract.area_cmu),
            "arrears": selectors.arrears_of(contract),
            "problems": selectors.problems_of(contract),
            "resolution_problem": services.resolution_problem(
                contract.matter, contract.counterparty_is_member, contract.resolution
            ),
            "instalments": list(contract.instalments.all()),
            "payments": selectors.payments_of(contract),
            "can_manage": can_manage,
            "payment_form": forms.PaymentForm() if can_manage else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def contract_edit(request, pk: int):
    contract = selectors.contract_get(user=request.user, pk=pk, action="assets.manage")
    if request.method == "POST":
        form, _v = _contract_form(request, data=request.POST, village=contract.region, editing=True)
        if form.is_valid():
            try:
                kwargs = form.service_kwargs()
                kwargs["counterparty_id_number"] = kwargs["counterparty_id_number"] or None  # empty: keep it
                services.contract_update(user=request.user, contract=contract, **kwargs)
            except WRITE_ERRORS as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, "合同已修改。")
                return redirect("assets:contract_detail", pk=contract.pk)
        return render(request, "assets/contract_form.html", {"form": form, "contract": contract}, status=422)
    initial = {
        "code": contract.code,
        "category": contract.category,
        "matter": contract.matter,
        "subject": contract.subject,
        "area": services.format_area(contract.area_cmu),
        "amount": fen_to_yuan(contract.amount).replace(",", ""),
        "amount_basis": contract.amount_basis,
        "counterparty_name": contract.counterparty_name,
        "counterparty_type": contract.counterparty_type,
        "counterparty_is_member": "1" if contract.counterparty_is_member else "0",
        "starts_on": contract.starts_on,
        "ends_on": contract.ends_on,
        "has_written_contract": "1" if contract.has_written_contract else "0",
        "resolution": str(contract.resolution_id or ""),
        "schedule": services.schedule_text(contract),
        "note": contract.note,
    }
    form, _v = _contract_form(request, initial=initial, village=contract.region, editing=True)
    form.fields["counterparty_id_number"].help_text = (
        f"已登记：{contract.id_number_masked}。留空则保留已登记的号码；要更正请填写完整号码"
        if contract.counterparty_id_number
        else form.fields["counterparty_id_number"].help_text
    )
    return render(request, "assets/contract_form.html", {"form": form, "contract": contract})


@login_required
@require_POST
def payment_add(request, pk: int):
    contract = selectors.contract_get(user=request.user, pk=pk, action="assets.manage")
    form = forms.PaymentForm(request.POST)
    if form.is_valid():
        try:
            services.payment_record(user=request.user, contract=contract, **form.cleaned_data)
        except WRITE_ERRORS as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "收款已登记。")
            return redirect("assets:contract_detail", pk=contract.pk)
    return render(request, "assets/payment_form.html", {"form": form, "c": contract}, status=422)


@login_required
@require_GET
def contract_pdf(request, pk: int):
    contract = selectors.contract_get(user=request.user, pk=pk)
    response = HttpResponse(documents.contract_pdf(contract), content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(f'合同摘要_{contract.code}.pdf')}"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def contract_import(request):
    policy.require(request.user, "assets.manage")
    villages = list(selectors.villages(user=request.user, action="assets.manage"))
    result, status = None, 200
    if request.method == "POST":
        form = forms.ImportForm(request.POST, request.FILES, villages=villages)
        if form.is_valid():
            village = _village_of(request, form.cleaned_data["village"])
            result = excel.run_import(user=request.user, file=form.cleaned_data["file"], village=village)
            if result.ok:
                messages.success(request, f"已导入 {result.created} 份合同。")
                return redirect(f"{_list_url()}?region={village.code}")
        status = 422
    else:
        form = forms.ImportForm(
            villages=villages, initial={"village": villages[0].code} if len(villages) == 1 else None
        )
    return render(
        request,
        "assets/contract_import.html",
        {"form": form, "result": result, "columns": excel.HEADERS, "required": excel.REQUIRED},
        status=status,
    )


def _list_url() -> str:
    from django.urls import reverse

    return reverse("assets:contract_list")


@login_required
@require_GET
def import_template(request):
    policy.require(request.user, "assets.manage")
    return _attachment(excel.template_bytes(), "三资合同台账模板.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def setting_edit(request, code: str):
    village = _village_of(request, code)
    setting = selectors.setting_of(village)
    if request.method == "POST":
        form = forms.SettingForm(request.POST)
        if form.is_valid():
            try:
                services.setting_save(user=request.user, village=village, **form.cleaned_data)
            except WRITE_ERRORS as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, f"{village.name}的三资设置已保存。")
                return redirect("assets:setting_edit", code=village.code)
        return render(request, "assets/setting_form.html", {"form": form, "village": village}, status=422)
    initial = (
        {
            "land_period_ends_on": setting.land_period_ends_on,
            "review_starts_on": setting.review_starts_on,
            "review_ends_on": setting.review_ends_on,
        }
        if setting
        else None
    )
    return render(
        request, "assets/setting_form.html", {"form": forms.SettingForm(initial=initial), "village": village}
    )


def _region(request) -> str | None:
    """The region filter of the report: a region code (digits only), else the user's current region."""
    region = (request.GET.get("region") or "").strip()[:18]
    return (region if region.isdigit() else current_code(request)) or None


@login_required
@require_GET
def report(request):
    region = _region(request)
    rep = selectors.report(user=request.user, region=region)
    return render(
        request,
        "assets/report.html",
        {
            "report": rep,
            "region": region or "",
            "towns": selectors.towns(user=request.user),
            "villages": selectors.villages(user=request.user, action="assets.report"),
            "can_export": policy.can(request.user, "assets.export"),
            "query": _query_without_page(request),
        },
    )


@login_required
@require_GET
def report_export(request):
    region = _region(request)
    return _attachment(excel.report_export(user=request.user, region=region), "合同清理报告.xlsx")
