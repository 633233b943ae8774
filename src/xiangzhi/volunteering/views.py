"""Volunteering pages: teams (members), activities (participants, hours), confirmation into points claims.
Thin adapters over the selectors and services; the services check the policy again."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiangzhi import policy
from xiangzhi.core import clock
from xiangzhi.core.errors import PermissionDenied
from xiangzhi.volunteering import forms, selectors, services
from xiangzhi.volunteering.models import KIND_CHOICES, Activity
from xiangzhi.web.errors import FORM_ERRORS, add_domain_error
from xiangzhi.web.region import current_code

PAGE_SIZE = 20
WRITE_ERRORS = (*FORM_ERRORS, PermissionDenied)


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _query(request) -> str:
    return urlencode([(k, v) for k, v in request.GET.items() if k != "page" and v])


def _region(request) -> str | None:
    region = request.GET.get("region", "").strip()
    return region if region.isdigit() and len(region) <= 18 else current_code(request)


@login_required
@require_GET
def team_list(request):
    policy.require(request.user, "volunteering.view")
    region = _region(request)
    kind = request.GET.get("kind") or None
    q = request.GET.get("q", "").strip()[:50] or None
    qs = selectors.team_list(user=request.user, region_code=region, kind=kind, q=q)
    return render(
        request,
        "volunteering/team_list.html",
        {
            "page": _page(request, qs),
            "filters": {"region": request.GET.get("region", ""), "kind": kind, "q": q or ""},
            "kinds": KIND_CHOICES,
            "query": _query(request),
            "can_manage": policy.can(request.user, "volunteering.manage"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def team_create(request):
    policy.require(request.user, "volunteering.manage")
    villages = list(selectors.village_choices(user=request.user))
    form = forms.TeamForm(request.POST or None, villages=villages)
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            village = next(v for v in villages if v.code == d["village"])
            try:
                team = services.team_create(
                    user=request.user,
                    village=village,
                    name=d["name"],
                    kind=d["kind"],
                    description=d["description"],
                )
            except WRITE_ERRORS as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, f"已组建“{team.name}”。")
                return redirect("volunteering:team_detail", pk=team.pk)
        return render(request, "volunteering/team_form.html", {"form": form}, status=422)
    return render(request, "volunteering/team_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def team_detail(request, pk: int):
    """The team, its members and activities; a cadre finds a resident of the village (?q=) and adds him or her."""
    team = selectors.team_get(user=request.user, pk=pk)
    can_manage = policy.can(request.user, "volunteering.manage", team)
    q = request.GET.get("q", "").strip()[:50]
    form = forms.MemberForm(request.POST or None)
    status = 200
    if request.method == "POST":
        resident = selectors.resident_get(user=request.user, team=team, pk=request.POST.get("resident", ""))
        if form.is_valid() and resident is None:
            form.add_error("resident", "找不到该居民，或不在本村。")
        if form.is_valid():
            try:
                services.team_member_add(
                    user=request.user, team=team, resident=resident, is_leader=form.cleaned_data["is_leader"]
                )
            except WRITE_ERRORS as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, f"{resident.name}已加入“{team.name}”。")
                return redirect("volunteering:team_detail", pk=team.pk)
        status = 422
    candidates = (
        list(selectors.resident_choices(user=request.user, team=team, q=q)[:20]) if q and can_manage else []
    )
    return render(
        request,
        "volunteering/team_detail.html",
        {
            "team": team,
            "members": list(selectors.team_members(team=team)),
            "page": _page(request, selectors.activity_list(user=request.user, team=team)),
            "query": urlencode([("q", q)] if q else []),
            "q": q,
            "candidates": candidates,
            "form": form,
            "can_manage": can_manage,
        },
        status=status,
    )


@login_required
@require_POST
def member_remove(request, pk: int):
    member = selectors.member_get(user=request.user, pk=pk)
    try:
        services.team_member_remove(user=request.user, member=member)
    except WRITE_ERRORS as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{member.resident.name}已退队。")
    return redirect("volunteering:team_detail", pk=member.team_id)


@login_required
@require_http_methods(["GET", "POST"])
def activity_create(request, pk: int):
    team = selectors.team_get(user=request.user, pk=pk, action="volunteering.manage")
    items = list(services.item_choices(team.region_code))
    form = forms.ActivityForm(request.POST or None, items=items, initial={"date": clock.today()})
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            item = next((i for i in items if i.pk == d["item"]), None)
            try:
                activity = services.activity_create(
                    user=request.user,
                    team=team,
                    title=d["title"],
                    date=d["date"],
                    place=d["place"],
                    description=d["description"],
                    item=item,
                )
            except WRITE_ERRORS as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, "活动已登记，请登记参加人员和服务时长。")
                return redirect("volunteering:activity_detail", pk=activity.pk)
        return render(request, "volunteering/activity_form.html", {"form": form, "team": team}, status=422)
    return render(request, "volunteering/activity_form.html", {"form": form, "team": team})


@login_required
@require_GET
def activity_list(request):
    policy.require(request.user, "volunteering.view")
    state = request.GET.get("state") or None
    qs = selectors.activity_list(user=request.user, region_code=_region(request), state=state)
    return render(
        request,
        "volunteering/activity_list.html",
        {
            "page": _page(request, qs),
            "filters": {"region": request.GET.get("region", ""), "state": state},
            "states": Activity.STATE_CHOICES,
            "query": _query(request),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def activity_detail(request, pk: int):
    """The activity and its participants; while open, a cadre records a member's hours (again: corrects them)."""
    activity = selectors.activity_get(user=request.user, pk=pk)
    members = list(selectors.team_members(team=activity.team))
    form = forms.HoursForm(request.POST or None, members=members)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            volunteer = next(m for m in members if m.pk == form.cleaned_data["volunteer"])
            try:
                services.participant_set(
                    user=request.user, activity=activity, volunteer=volunteer, minutes=form.total_minutes()
                )
            except WRITE_ERRORS as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, f"已登记{volunteer.resident.name}的服务时长。")
                return redirect("volunteering:activity_detail", pk=activity.pk)
        status = 422
    parts = list(selectors.participants(activity=activity))
    return render(
        request,
        "volunteering/activity_detail.html",
        {
            "a": activity,
            "parts": parts,
            "total_minutes": sum(p.minutes for p in parts),
            "form": form,
            "can_manage": activity.state == Activity.OPEN
            and policy.can(request.user, "volunteering.manage", activity),
            "can_confirm": activity.state == Activity.OPEN
            and policy.can(request.user, "volunteering.confirm", activity),
        },
        status=status,
    )


@login_required
@require_POST
def participant_remove(request, pk: int):
    part = selectors.participation_get(user=request.user, pk=pk)
    try:
        services.participant_remove(user=request.user, participation=part)
    except WRITE_ERRORS as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已删除{part.volunteer.resident.name}的服务时长。")
    return redirect("volunteering:activity_detail", pk=part.activity_id)


@login_required
@require_POST
def activity_confirm(request, pk: int):
    activity = selectors.activity_get(user=request.user, pk=pk)
    try:
        claims = services.activity_confirm(user=request.user, activity=activity)
    except WRITE_ERRORS as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            "服务时长已确认。" + (f"已为 {len(claims)} 户录入积分申报，待评议小组评议。" if claims else ""),
        )
    return redirect("volunteering:activity_detail", pk=activity.pk)
