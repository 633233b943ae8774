"""党员积分 pages: thin adapters over `xiangzhi.points.party` (the services check the policy again).

The branch ranking of a quarter (paginated, exported to Excel), a member's own points on a phone (with a claim
form for the village's party items), and the annual grades of a branch: base score, proposal, confirmation."""

from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods

from xiangzhi import policy
from xiangzhi.core import clock
from xiangzhi.core.errors import PermissionDenied
from xiangzhi.points import party
from xiangzhi.web.errors import FORM_ERRORS, add_domain_error

PAGE_SIZE = 20
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _int(value, default: int, low: int, high: int) -> int:
    value = (value or "").strip()
    return int(value) if value.isdigit() and low <= int(value) <= high else default


def _period(request) -> tuple[int, int]:
    today = clock.today()
    year = _int(request.GET.get("year"), today.year, 2000, today.year)
    quarter = _int(request.GET.get("quarter"), (today.month - 1) // 3 + 1, 1, 4)
    return year, quarter


def _org(request, action: str = "points.party_view"):
    pk = (request.GET.get("org") or "").strip()
    if pk.isdigit() and len(pk) < 12:
        return party.org_get(user=request.user, pk=int(pk), action=action)
    return None


@login_required
@require_GET
def party_ranking(request):
    policy.require(request.user, "points.party_view")
    year, quarter = _period(request)
    org = _org(request)
    r = party.ranking(user=request.user, year=year, quarter=quarter, org=org)
    query = urlencode([(k, v) for k, v in request.GET.items() if k != "page" and v])
    return render(
        request,
        "points/party_ranking.html",
        {
            "r": r,
            "page": Paginator(r.rows, PAGE_SIZE).get_page(request.GET.get("page")),
            "org": org,
            "orgs": party.org_choices(user=request.user),
            "years": range(clock.today().year, clock.today().year - 5, -1),
            "quarters": range(1, 5),
            "query": query,
            "can_act": policy.can(request.user, "points.party"),
        },
    )


@login_required
@require_GET
def party_ranking_export(request):
    policy.require(request.user, "points.party_view")
    year, quarter = _period(request)
    org = _org(request)
    content = party.ranking_export(user=request.user, year=year, quarter=quarter, org=org)
    name = f"党员积分排名_{year}年第{quarter}季度{('_' + org.name) if org else ''}.xlsx"
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    response["Cache-Control"] = "no-store"
    return response


class ClaimForm(forms.Form):
    item = forms.TypedChoiceField(label="申报事项", coerce=int, widget=forms.RadioSelect)
    occurred_on = forms.DateField(
        label="发生日期",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "日期格式不正确。"},
    )
    description = forms.CharField(
        label="事由", max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [(i.pk, f"{i.name}（{i.points:+d} 分）") for i in items]
        self.fields["item"].error_messages["required"] = "请选择申报的事项。"
        self.fields["occurred_on"].error_messages["required"] = "请填写发生日期。"


@login_required
@require_http_methods(["GET", "POST"])
def party_mine(request):
    """党员本人的积分 (a phone page): this year's score, the quarter, the ledger, claims, grades; and a claim."""
    mine = party.my_points(user=request.user)
    form = ClaimForm(
        request.POST if request.method == "POST" else None,
        items=mine.items,
        initial={"occurred_on": clock.today()},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                party.my_claim(
                    user=request.user,
                    item_id=d["item"],
                    occurred_on=d["occurred_on"],
                    description=d["description"],
                )
            except (*FORM_ERRORS, PermissionDenied) as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, "申报已提交，等待评议小组评议。")
                return redirect("points:party_mine")
        status = 422
    return render(
        request,
        "points/party_mine.html",
        {
            "mine": mine,
            "page": Paginator(mine.entries, PAGE_SIZE).get_page(request.GET.get("page")),
            "query": "",
            "form": form,
            "grade_rule": party.GRADE_RULE,
        },
        status=status,
    )


class ConfirmForm(forms.Form):
    confirmed = forms.ChoiceField(
        label="确定等次", choices=party.PartyGrade.GRADE_CHOICES, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="理由",
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="定为“不合格”或与建议等次不同时必填。",
    )


def _year(request, data) -> int:
    return _int(data.get("year"), clock.today().year, 2000, clock.today().year)


@login_required
@require_http_methods(["GET", "POST"])
def party_grades(request, pk: int):
    """A branch's annual grades: post the base score, propose, confirm all proposals but 不合格."""
    org = party.org_get(user=request.user, pk=pk)
    year = _year(request, request.POST if request.method == "POST" else request.GET)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "base":
                result = party.base_post(user=request.user, org=org, year=year)
                msg = f"{year} 年基础分：新发放 {len(result.posted)} 人，已有 {len(result.already)} 人。"
                if result.skipped:
                    msg += "未发放：" + "；".join(f"{m.name}（{why}）" for m, why in result.skipped[:10])
                messages.success(request, msg)
            elif action == "propose":
                result = party.grade_propose(user=request.user, org=org, year=year)
                messages.success(
                    request,
                    f"已按规则生成 {result.proposed} 人的建议等次（“优秀”名额 {result.cap} 名），"
                    f"已确定的 {result.kept} 人不变。",
                )
            elif action == "confirm_all":
                n = party.grade_confirm_all(user=request.user, org=org, year=year)
                messages.success(request, f"已按建议确定 {n} 人；建议“不合格”的须逐一写明理由后确定。")
            else:
                messages.error(request, "未知的操作。")
        except (*FORM_ERRORS, PermissionDenied) as exc:
            messages.error(request, exc.message)
        return redirect(f"{request.path}?{urlencode({'year': year})}")
    grades = party.grade_list(user=request.user, org=org, year=year)
    return render(
        request,
        "points/party_grades.html",
        {
            "org": org,
            "year": year,
            "years": range(clock.today().year, clock.today().year - 5, -1),
            "page": Paginator(grades, PAGE_SIZE).get_page(request.GET.get("page")),
            "query": urlencode({"year": year}),
            "grade_rule": party.GRADE_RULE,
            "can_act": policy.can(request.user, "points.party", org),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def party_grade_confirm(request, pk: int):
    grade = party.grade_get(user=request.user, pk=pk)
    form = ConfirmForm(request.POST or None, initial={"confirmed": grade.proposed})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                party.grade_confirm(
                    user=request.user,
                    grade=grade,
                    confirmed=form.cleaned_data["confirmed"],
                    note=form.cleaned_data["note"],
                )
            except (*FORM_ERRORS, PermissionDenied) as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, f"已确定{grade.party_member.name}的 {grade.year} 年等次。")
                return redirect(f"{reverse('points:party_grades', args=[grade.org_id])}?year={grade.year}")
        status = 422
    return render(
        request,
        "points/party_grade_confirm.html",
        {"grade": grade, "form": form, "grade_rule": party.GRADE_RULE},
        status=status,
    )
