"""Watching cases (督、评): the figures page with its Excel export, the case register export, and the town's
routing rules. Thin adapters: the selectors and services decide and check."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods

from xiangzhi import policy
from xiangzhi.cases import excel, figures, services
from xiangzhi.cases.models import (
    CATEGORY_CHOICES,
    DEADLINE_UNITS,
    HANDLER_CHOICES,
    LEVEL_CHOICES,
    TRIAGE_CHOICES,
    RoutingRule,
)
from xiangzhi.core import clock
from xiangzhi.core.errors import DomainError
from xiangzhi.regions import selectors as region_selectors
from xiangzhi.web.errors import add_domain_error
from xiangzhi.web.region import current_code

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _month(text: str, default: dt.date) -> dt.date:
    try:
        return dt.datetime.strptime((text or "").strip(), "%Y-%m").date()
    except ValueError:
        return default


def _attachment(content: bytes, filename: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def figures_page(request):
    policy.require(request.user, "cases.figures")
    g = request.GET
    today = clock.today()
    start = _month(g.get("start"), today.replace(month=1, day=1))
    end = _month(g.get("end"), today.replace(day=1))
    if end < start:
        start, end = end, start
    region = g.get("region", "").strip()
    region = region if region.isdigit() else (current_code(request) or "")
    category = g.get("category", "") if g.get("category", "") in dict(CATEGORY_CHOICES) else ""
    data = figures.figures(user=request.user, region=region, start=start, end=end, category=category)
    for row in [data["total"], *data["by_region"], *data["by_category"]]:
        row["on_time_pct"] = excel.pct(row["on_time_rate"])
        row["reopen_pct"] = excel.pct(row["reopen_rate"])
        row["satisfaction_pct"] = excel.pct(row["satisfaction_rate"])
    if g.get("format") == "xlsx":
        content = excel.figures_export(data, start=start, end=end)
        return _attachment(content, f"事件统计_{start:%Y%m}-{end:%Y%m}.xlsx")
    regions = region_selectors.region_list(
        user=request.user, action="cases.figures", levels=["town", "village"]
    )
    mediation = None
    if policy.can(request.user, "mediation.view"):
        from xiangzhi.mediation.selectors import mediation_figures

        end_day = (end.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        mediation = mediation_figures(request.user, region=region, start=start, end=end_day)
        mediation["success_pct"] = excel.pct(mediation["success_rate"])
    return render(
        request,
        "cases/figures.html",
        {
            "f": data,
            "start": start,
            "end": end,
            "region": region,
            "category": category,
            "categories": CATEGORY_CHOICES,
            "regions": regions.only("code", "name", "level"),
            "query": g.urlencode(),
            "mediation": mediation,
        },
    )


@login_required
@require_GET
def case_export(request):
    """事件台账 as .xlsx, with the list's filters (state, category, triage, region, overdue)."""
    from xiangzhi.cases.selectors import case_list

    policy.require(request.user, "cases.export")
    g = request.GET
    region = g.get("region", "").strip()
    qs = case_list(
        user=request.user,
        state=g.get("state", ""),
        category=g.get("category", ""),
        triage=g.get("triage", ""),
        region=region if region.isdigit() else (current_code(request) or ""),
        overdue=True if g.get("overdue") == "1" else None,
    )
    content = excel.case_register(user=request.user, cases=qs)
    return _attachment(content, f"事件台账_{clock.today():%Y%m%d}.xlsx")


class RuleForm(forms.Form):
    town = forms.ChoiceField(label="乡镇")
    category = forms.ChoiceField(label="类别", choices=[("", "任意类别"), *CATEGORY_CHOICES], required=False)
    triage = forms.ChoiceField(label="三事类型", choices=[("", "任意"), *TRIAGE_CHOICES], required=False)
    level = forms.ChoiceField(label="所在层级", choices=LEVEL_CHOICES)
    handler = forms.ChoiceField(label="办理主体", choices=HANDLER_CHOICES)
    department_code = forms.SlugField(label="部门代码", required=False, max_length=32)
    deadline_value = forms.IntegerField(label="时限", min_value=1, max_value=8760)
    deadline_unit = forms.ChoiceField(label="单位", choices=DEADLINE_UNITS)
    warn_before_hours = forms.IntegerField(label="提前预警（小时）", min_value=0, max_value=720, initial=24)
    grace_workdays = forms.IntegerField(
        label="超期后自动上报（工作日）", min_value=0, max_value=30, initial=1
    )

    def __init__(self, *args, towns=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].choices = [(t.code, t.name) for t in towns]


@login_required
@require_http_methods(["GET", "POST"])
def routing_rules(request):
    """分流规则: the defaults and the town's own rules, which win over them."""
    policy.require(request.user, "cases.routing")
    towns = list(region_selectors.region_list(user=request.user, action="cases.routing", level="town"))
    form = RuleForm(request.POST or None, towns=towns)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            town = next(t for t in towns if t.code == d["town"])
            try:
                services.routing_rule_save(
                    user=request.user, town=town, **{k: v for k, v in d.items() if k != "town"}
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, "分流规则已保存。")
                return redirect("cases:routing")
        status = 422
    names = {t.code: t.name for t in towns}
    rules = list(
        RoutingRule.objects.filter(town_code__in=["", *names]).order_by(
            "town_code", "level", "category", "triage"
        )
    )
    for rule in rules:
        rule.town_name = names.get(rule.town_code, "系统默认")
    return render(request, "cases/routing.html", {"form": form, "rules": rules}, status=status)


urlpatterns = [
    path("figures/", figures_page, name="figures"),
    path("export/", case_export, name="export"),
    path("routing/", routing_rules, name="routing"),
]
