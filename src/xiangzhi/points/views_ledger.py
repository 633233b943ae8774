"""Pages of the ledger: the villager's own passbook (phone first), a cadre's passbook of a household, the village
ledger list and its Excel export, the split page (分户) and the correction page. Thin adapters: the selectors read
through the policy (a household or entry out of reach is an audited 404), the services check again and write."""

from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods

from xiangzhi import policy
from xiangzhi.core import clock
from xiangzhi.points import documents, excel, ledger, services
from xiangzhi.points import selectors_ledger as selectors
from xiangzhi.points import split as split_rules
from xiangzhi.points.models import LedgerEntry
from xiangzhi.web.errors import FORM_ERRORS, add_domain_error
from xiangzhi.web.region import current_code

PAGE_SIZE = 20
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _page(request, qs, size: int = PAGE_SIZE):
    return Paginator(qs, size).get_page(request.GET.get("page"))


def _query_without_page(request) -> str:
    return urlencode([(k, v) for k, v in request.GET.items() if k != "page" and v])


def _village_name(household) -> str:
    region = household.region
    village = region.parent if region.level in ("grid", "micro_grid") and region.parent_id else region
    while village is not None and village.level == "micro_grid" and village.parent_id:
        village = village.parent
    return village.name if village is not None else ""


def _pdf(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(name)}"
    response["Cache-Control"] = "no-store"
    return response


def _passbook_pdf(household) -> HttpResponse:
    standing = selectors.standing(household)
    content = documents.passbook_pdf(
        household=household,
        village_name=_village_name(household),
        entries=selectors.passbook_entries(household, newest_first=False).iterator(),
        earned=standing.earned,
        available=standing.available,
    )
    return _pdf(content, f"积分存折_{household.head_name or household.pk}_{clock.today():%Y%m%d}.pdf")


# -- passbooks ---------------------------------------------------------------------------------------------------------


@login_required
@require_GET
def passbook_own(request):
    """积分存折 of the villager's own household, for a phone: balances, rank this period, entries (paginated)."""
    household = selectors.own_household(user=request.user)
    return render(
        request,
        "points/passbook_own.html",
        {
            "household": household,
            "standing": selectors.standing(household),
            "page": _page(request, selectors.passbook_entries(household), size=10),
            "query": "",
        },
    )


@login_required
@require_GET
def passbook_own_pdf(request):
    return _passbook_pdf(selectors.own_household(user=request.user))


@login_required
@require_GET
def passbook_household(request, pk: int):
    household = selectors.household_get(user=request.user, pk=pk)
    return render(
        request,
        "points/passbook_household.html",
        {
            "household": household,
            "village_name": _village_name(household),
            "standing": selectors.standing(household),
            "page": _page(request, selectors.passbook_entries(household)),
            "query": "",
            "can_split": policy.can(request.user, "points.split", household),
            "can_correct": policy.can(request.user, "points.correct", household),
        },
    )


@login_required
@require_GET
def passbook_household_pdf(request, pk: int):
    return _passbook_pdf(selectors.household_get(user=request.user, pk=pk))


# -- the village ledger ----------------------------------------------------------------------------------------------


def _ledger_filters(request) -> dict:
    g = request.GET
    region = g.get("region", "").strip()
    return {
        "region": region if region.isdigit() else current_code(request),
        "period": g.get("period", "").strip()[:8],
        "kind": g.get("kind", "").strip()[:12],
        "item": g.get("item", "").strip()[:20],
    }


@login_required
@require_GET
def ledger_list(request):
    policy.require(request.user, "points.view")
    filters = _ledger_filters(request)
    qs = selectors.ledger_list(user=request.user, **filters)
    return render(
        request,
        "points/ledger_list.html",
        {
            "page": _page(request, qs),
            "totals": selectors.ledger_totals(qs),
            "filters": filters,
            "query": _query_without_page(request),
            "export_query": urlencode([(k, v) for k, v in filters.items() if v]),
            "regions": selectors.grids(user=request.user),
            "periods": selectors.period_choices(),
            "kinds": LedgerEntry.KIND_CHOICES,
            "items": selectors.item_choices(user=request.user),
            "can_export": policy.can(request.user, "points.export"),
            "can_correct": policy.can(request.user, "points.correct"),
        },
    )


@login_required
@require_GET
def ledger_export(request):
    content = excel.ledger_export(user=request.user, **_ledger_filters(request))
    response = HttpResponse(content, content_type=XLSX)
    name = f"积分台账_{request.GET.get('period') or clock.today().strftime('%Y%m%d')}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    response["Cache-Control"] = "no-store"
    return response


# -- corrections -----------------------------------------------------------------------------------------------------


class CorrectForm(forms.Form):
    reason = forms.CharField(
        label="更正原因",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请写明更正原因。", "max_length": "更正原因最多 300 字。"},
    )
    earned = forms.IntegerField(
        label="更正分值",
        required=False,
        min_value=-services.MAX_POINTS,
        max_value=services.MAX_POINTS,
        help_text="留空：冲销原记录（记一笔相反的分值）。填写：按此分值另记一笔（正数加分，负数扣分）。",
        error_messages={
            "invalid": "更正分值须为整数。",
            "min_value": f"更正分值不能小于 -{services.MAX_POINTS}。",
            "max_value": f"更正分值不能大于 {services.MAX_POINTS}。",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def correct_entry(request, pk: int):
    entry = selectors.entry_get(user=request.user, pk=pk)
    policy.require(request.user, "points.correct", entry)
    form = CorrectForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            fixed = services.correction(
                user=request.user, entry=entry, reason=d["reason"], earned=d["earned"]
            )
        except FORM_ERRORS as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request, f"已记更正：累计积分 {fixed.earned_delta:+d}，可用积分 {fixed.available_delta:+d}。"
            )
            if fixed.household_id:
                return redirect("points:passbook_household", pk=fixed.household_id)
            return redirect("points:ledger_list")
    return render(
        request,
        "points/correct_entry.html",
        {
            "form": form,
            "entry": entry,
            "holder": excel.holder_label(entry),
            "item": documents.entry_item(entry),
            "corrections": entry.corrections.order_by("at", "id"),
        },
        status=422 if request.method == "POST" else 200,
    )


# -- 分户 -----------------------------------------------------------------------------------------------------------


class SplitForm(forms.Form):
    members = forms.ModelMultipleChoiceField(
        label="分出的成员",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请选择要分出的成员。", "invalid_choice": "所选成员不在本户。"},
    )
    new_head = forms.ModelChoiceField(
        label="新户户主",
        queryset=None,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择新户户主。", "invalid_choice": "新户户主须是本户成员。"},
    )
    address = forms.CharField(
        label="新户住址", max_length=200, error_messages={"required": "请填写新户的住址。"}
    )
    grid = forms.ModelChoiceField(
        label="新户所在网格",
        queryset=None,
        required=False,
        empty_label="与原户相同",
        error_messages={"invalid_choice": "请选择本村的网格。"},
    )
    number = forms.CharField(label="新户户号", max_length=32, required=False)
    earned = forms.IntegerField(
        label="分得累计积分（村两委另定时填写）",
        required=False,
        min_value=0,
        error_messages={"invalid": "须为整数。", "min_value": "不能为负数。"},
    )
    available = forms.IntegerField(
        label="分得可用积分（村两委另定时填写）",
        required=False,
        min_value=0,
        error_messages={"invalid": "须为整数。", "min_value": "不能为负数。"},
    )
    reason = forms.CharField(
        label="村两委决定依据（另定分得积分时必填）",
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, household, user, **kwargs):
        from xiangzhi.people.models import Resident
        from xiangzhi.people.selectors import household_grid_choices

        super().__init__(*args, **kwargs)
        movable = household.members.filter(status=Resident.STATUS_NORMAL).exclude(pk=household.head_id)
        movable = movable.defer("id_number", "phone").order_by("id")
        self.fields["members"].queryset = movable
        self.fields["members"].label_from_instance = lambda r: f"{r.name}（{r.get_relation_display()}）"
        self.fields["new_head"].queryset = movable
        self.fields["new_head"].label_from_instance = lambda r: r.name
        self.fields["grid"].queryset = household_grid_choices(user=user).filter(
            code__startswith=household.region_code[:12]
        )

    def clean(self):
        d = super().clean()
        members, head = d.get("members"), d.get("new_head")
        if members is not None and head is not None and head not in members:
            self.add_error("new_head", "新户户主须是分出的成员之一。")
        if (d.get("earned") is not None or d.get("available") is not None) and not (
            d.get("reason") or ""
        ).strip():
            self.add_error("reason", "另定分得积分时，请写明村两委的决定依据。")
        return d


@login_required
@require_http_methods(["GET", "POST"])
def split_household(request, pk: int):
    """分户: choose who moves; the page shows the shares the rule gives (and the bounds within which the village may
    decide otherwise); confirming does the split and the transfer in one step."""
    household = selectors.household_get(user=request.user, pk=pk)
    policy.require(request.user, "points.split", household)
    form = SplitForm(
        request.POST if request.method == "POST" else None, household=household, user=request.user
    )
    shares = None
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            d = form.cleaned_data
            try:
                shares = split_rules.shares_for(household=household, members=d["members"])
                if request.POST.get("confirm") == "1":
                    result = split_rules.household_split(
                        user=request.user,
                        household=household,
                        members=d["members"],
                        new_head=d["new_head"],
                        address=d["address"],
                        grid=d["grid"],
                        number=d["number"],
                        earned=d["earned"],
                        available=d["available"],
                        reason=d["reason"],
                    )
                    messages.success(
                        request,
                        f"已分户：新户户主{result.household.head_name}，分得累计积分 {result.earned} 分、"
                        f"可用积分 {result.available} 分。",
                    )
                    return redirect("points:passbook_household", pk=result.household.pk)
                status = 200  # the preview: shares shown, confirm next
            except FORM_ERRORS as exc:
                add_domain_error(form, exc)
                shares = None
    earned, available = ledger.balance_of(ledger.Holder.of(household))
    return render(
        request,
        "points/split_household.html",
        {
            "form": form,
            "household": household,
            "shares": shares,
            "earned": earned,
            "available": available,
            "split_rule": split_rules.SPLIT_RULE,
            "death_rule": split_rules.DEATH_RULE,
            "is_closed": household.status != household.STATUS_ACTIVE,
        },
        status=status,
    )
