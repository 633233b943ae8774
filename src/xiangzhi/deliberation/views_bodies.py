"""Pages for a village's bodies (议事机构) and their rosters, calling a meeting, the 村民会议's authorisations
(Art. 24) and the town's two views (items awaiting its approval; villages whose 村民代表会议 is behind).

Thin adapters: reads through the scoped selectors (out of reach: an audited 404), writes through the services,
which ask the policy and check the rules; a refusal re-renders the page with the service's Chinese message and
status 422 (409 for a conflict), nothing written."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiangzhi import policy
from xiangzhi.core import clock
from xiangzhi.core.errors import ValidationFailed
from xiangzhi.deliberation import rules, selectors, services
from xiangzhi.deliberation.models import Body
from xiangzhi.party.models import PartyOrg
from xiangzhi.people.models import Resident
from xiangzhi.web.errors import FORM_ERRORS
from xiangzhi.web.region import current_code

PAGE_SIZE = 20
FRACTIONS = [((1, 2, True), "超过半数"), ((2, 3, False), "三分之二以上"), ((1, 2, False), "半数以上")]


def _query(request) -> str:
    return urlencode([(k, v) for k, v in request.GET.items() if k != "page" and v])


def _region(request) -> str | None:
    region = request.GET.get("region", "").strip()
    return region if region.isdigit() else current_code(request)


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _status(exc) -> int:
    return 409 if exc.status == 409 else 422


def _date(value: str, field: str, label: str, *, required: bool = True) -> dt.date | None:
    value = (value or "").strip()
    if not value:
        if required:
            raise ValidationFailed(f"请填写{label}。", field=field)
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(f"{label}格式不对，请按“2026-01-31”填写。", field=field) from None


def _rules_text(body: Body) -> dict:
    r = body.rules()
    return {
        "quorum": r.quorum.describe(),
        "decision": r.decision.describe(),
        "notice_days": r.notice_days,
        "configurable": body.kind in rules.CONFIGURABLE_KINDS,
    }


# -- bodies ------------------------------------------------------------------------------------------------------


@login_required
@require_GET
def body_list(request):
    policy.require(request.user, "deliberation.view")
    region = _region(request)
    kind = request.GET.get("kind", "")
    active = request.GET.get("active", "")
    qs = selectors.body_list(user=request.user, region=region, kind=kind, active=active)
    return render(
        request,
        "deliberation/body_list.html",
        {
            "page": _page(request, qs),
            "query": _query(request),
            "region": region,
            "kind": kind,
            "active": active,
            "kinds": rules.KIND_CHOICES,
            "can_manage": policy.can(request.user, "deliberation.manage"),
        },
    )


def _fraction(p, prefix: str):
    value = p.get(prefix, "")
    for (num, den, strict), _label in FRACTIONS:
        if value == f"{num}/{den}/{int(strict)}":
            return num, den, strict
    if not value:
        return None
    raise ValidationFailed("请选择比例。", field=prefix)


@login_required
@require_http_methods(["GET", "POST"])
def body_create(request):
    policy.require(request.user, "deliberation.manage")
    villages = selectors.village_choices(user=request.user)
    orgs = policy.scope(
        request.user, "deliberation.manage", PartyOrg.objects.filter(kind__in=["branch", "general_branch"])
    ).order_by("region_code", "id")[:200]
    error, status, p = "", 200, request.POST
    if request.method == "POST":
        try:
            village = selectors.village_get(user=request.user, code=p.get("village", "").strip())
            kind = p.get("kind", "")
            org = None
            if kind == rules.PARTY_ASSEMBLY and p.get("party_org", "").isdigit():
                org = policy.get_scoped_or_404(
                    request.user, "deliberation.manage", PartyOrg.objects.all(), pk=p["party_org"]
                )
            body = services.body_create(
                user=request.user,
                village=village,
                kind=kind,
                name=p.get("name", ""),
                party_org=org,
                quorum=_fraction(p, "quorum"),
                passing=_fraction(p, "passing"),
            )
        except FORM_ERRORS as exc:
            error, status = exc.message, _status(exc)
        else:
            messages.success(request, f"已建立{body.name}。")
            return redirect("deliberation:body_detail", pk=body.pk)
    return render(
        request,
        "deliberation/body_form.html",
        {
            "villages": villages,
            "orgs": orgs,
            "kinds": rules.KIND_CHOICES,
            "configurable": rules.CONFIGURABLE_KINDS,
            "fractions": [(f"{n}/{d}/{int(s)}", label) for (n, d, s), label in FRACTIONS],
            "fixed": [
                (rules.KIND_LABELS[k], r.quorum.describe(), r.decision.describe(), r.notice_days)
                for k, r in rules.DEFAULTS.items()
                if k not in rules.CONFIGURABLE_KINDS
            ],
            "error": error,
            "form": p,
        },
        status=status,
    )


def _body_page(request, body: Body, *, error: str = "", status: int = 200):
    user = request.user
    role = request.GET.get("role", "")
    q = request.GET.get("q", "")
    active = request.GET.get("active", "1")
    can_manage = policy.can(user, "deliberation.manage", body)
    members = selectors.body_members(body=body, role=role, q=q, active=active)
    today = clock.today()
    return render(
        request,
        "deliberation/body_detail.html",
        {
            "body": body,
            "kind_label": rules.KIND_LABELS[body.kind],
            "rules_text": _rules_text(body),
            "check": selectors.roster_check(body),
            "page": _page(request, members),
            "query": _query(request),
            "role": role,
            "q": q,
            "active": active,
            "roles": rules.MEMBER_ROLE_CHOICES,
            "own_members": body.kind not in (rules.VILLAGERS_ASSEMBLY, rules.PARTY_ASSEMBLY),
            "candidates": selectors.member_candidates(body=body, q=request.GET.get("cq", ""))
            if can_manage
            else [],
            "cq": request.GET.get("cq", ""),
            "meetings": list(selectors.body_meetings(body=body)[:10]),
            "can_manage": can_manage and body.is_active,
            "bases": rules.QUORUM_BASIS_CHOICES,
            "is_assembly": body.kind == rules.VILLAGERS_ASSEMBLY,
            "earliest": today + dt.timedelta(days=body.rules().notice_days),
            "error": error,
            "form": request.POST,
        },
        status=status,
    )


@login_required
@require_GET
def body_detail(request, pk: int):
    return _body_page(request, selectors.body_get(user=request.user, pk=pk))


def _body_done(request, body, fn, message: str, to=None):
    try:
        result = fn()
    except FORM_ERRORS as exc:
        return _body_page(request, body, error=exc.message, status=_status(exc))
    messages.success(request, message)
    if to is not None:
        return redirect(*to(result))
    return redirect("deliberation:body_detail", pk=body.pk)


def _resident(body: Body, value) -> Resident:
    value = str(value or "").strip()
    resident = (
        Resident.objects.filter(pk=value, region_code__startswith=body.region_code).first()
        if value.isdigit()
        else None
    )
    if resident is None:
        raise ValidationFailed("请选择本村的居民。", field="resident")
    return resident


@login_required
@require_POST
def member_add(request, pk: int):
    body = selectors.body_get(user=request.user, pk=pk)
    p = request.POST
    return _body_done(
        request,
        body,
        lambda: services.body_member_add(
            user=request.user, body=body, resident=_resident(body, p.get("resident")), role=p.get("role", "")
        ),
        "已添加成员。",
    )


@login_required
@require_POST
def member_remove(request, pk: int):
    body = selectors.body_get(user=request.user, pk=pk)
    return _body_done(
        request,
        body,
        lambda: services.body_member_remove(
            user=request.user, body=body, resident=_resident(body, request.POST.get("resident"))
        ),
        "已移出成员。",
    )


@login_required
@require_POST
def meeting_call(request, pk: int):
    body = selectors.body_get(user=request.user, pk=pk)
    p = request.POST
    return _body_done(
        request,
        body,
        lambda: services.meeting_call(
            user=request.user,
            body=body,
            title=p.get("title", ""),
            held_on=_date(p.get("held_on"), "held_on", "召开日期"),
            quorum_basis=p.get("quorum_basis") or rules.QUORUM_PERSONS,
        ),
        "会议已召集，名单已确定。",
        to=lambda m: ("deliberation:detail", m.pk),
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_new(request):
    """Call a meeting of any body in reach (the same as the form on a body's page, with the body picked here)."""
    policy.require(request.user, "deliberation.manage")
    bodies = policy.scope(
        request.user, "deliberation.manage", Body.objects.filter(is_active=True).select_related("region")
    ).order_by("region_code", "kind", "id")
    error, status, p = "", 200, request.POST
    if request.method == "POST":
        try:
            body = selectors.body_get(user=request.user, pk=p.get("body", "").strip() or 0)
            meeting = services.meeting_call(
                user=request.user,
                body=body,
                title=p.get("title", ""),
                held_on=_date(p.get("held_on"), "held_on", "召开日期"),
                quorum_basis=p.get("quorum_basis") or rules.QUORUM_PERSONS,
            )
        except FORM_ERRORS as exc:
            error, status = exc.message, _status(exc)
        else:
            messages.success(request, "会议已召集，名单已确定。")
            return redirect("deliberation:detail", pk=meeting.pk)
    return render(
        request,
        "deliberation/meeting_form.html",
        {"bodies": bodies[:200], "bases": rules.QUORUM_BASIS_CHOICES, "error": error, "form": p},
        status=status,
    )


# -- authorisations (Art. 24) ------------------------------------------------------------------------------------


def _authorisation_page(request, *, error: str = "", status: int = 200):
    region = _region(request)
    state = request.GET.get("status", "")
    qs = selectors.authorisation_list(user=request.user, region=region, status=state)
    can_manage = policy.can(request.user, "deliberation.manage")
    return render(
        request,
        "deliberation/body_authorisations.html",
        {
            "page": _page(request, qs),
            "query": _query(request),
            "region": region,
            "status": state,
            "can_manage": can_manage,
            "villages": selectors.village_choices(user=request.user) if can_manage else [],
            "grant_items": selectors.grant_items(user=request.user) if can_manage else [],
            "today": clock.today(),
            "error": error,
            "form": request.POST,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def authorisation_list(request):
    policy.require(request.user, "deliberation.view")
    if request.method == "GET":
        return _authorisation_page(request)
    policy.require(request.user, "deliberation.manage")
    p = request.POST
    try:
        village = selectors.village_get(user=request.user, code=p.get("village", "").strip())
        granted_by = None
        if p.get("granted_by", "").strip():
            granted_by = selectors.item_get(user=request.user, pk=p["granted_by"].strip())
        services.authorisation_grant(
            user=request.user,
            village=village,
            scope=p.get("scope", ""),
            valid_from=_date(p.get("valid_from"), "valid_from", "生效日期"),
            valid_until=_date(p.get("valid_until"), "valid_until", "截止日期", required=False),
            granted_by=granted_by,
        )
    except FORM_ERRORS as exc:
        return _authorisation_page(request, error=exc.message, status=_status(exc))
    messages.success(request, "已记录村民会议的授权。")
    return redirect("deliberation:authorisation_list")


@login_required
@require_POST
def authorisation_revoke(request, pk: int):
    auth = selectors.authorisation_get(user=request.user, pk=pk)
    try:
        services.authorisation_revoke(user=request.user, authorisation=auth)
    except FORM_ERRORS as exc:
        return _authorisation_page(request, error=exc.message, status=_status(exc))
    messages.success(request, "授权已撤销。")
    return redirect("deliberation:authorisation_list")


# -- the town: approvals (农村土地承包法 Art. 52) and the quarterly check --------------------------------------


def _approval_page(request, *, error: str = "", status: int = 200):
    region = _region(request)
    state = request.GET.get("status", "pending")
    qs = selectors.approval_queue(user=request.user, region=region, status=state)
    return render(
        request,
        "deliberation/body_approvals.html",
        {
            "page": _page(request, qs),
            "query": _query(request),
            "region": region,
            "status": state,
            "error": error,
        },
        status=status,
    )


@login_required
@require_GET
def approval_list(request):
    policy.require(request.user, "deliberation.approve")
    return _approval_page(request)


@login_required
@require_POST
def approval_approve(request, pk: int):
    item = selectors.approval_get(user=request.user, pk=pk)
    try:
        services.item_township_approve(user=request.user, item=item)
    except FORM_ERRORS as exc:
        return _approval_page(request, error=exc.message, status=_status(exc))
    messages.success(request, f"已批准：{item.title}。")
    return redirect("deliberation:approval_list")


@login_required
@require_GET
def quarterly(request):
    policy.require(request.user, "deliberation.oversee")
    region = _region(request)
    show = request.GET.get("show", "")
    today = clock.today()
    rows = selectors.quarterly(user=request.user, today=today, region=region, late_only=show != "all")
    return render(
        request,
        "deliberation/body_quarterly.html",
        {
            "page": _page(request, rows),
            "query": _query(request),
            "region": region,
            "show": show,
            "today": today,
        },
    )


@login_required
@require_GET
def body_export(request, pk: int):
    """The roster as an Excel workbook (the filters of the roster page: role, status)."""
    from urllib.parse import quote

    from django.http import HttpResponse

    from xiangzhi.deliberation import excel

    body = selectors.body_get(user=request.user, pk=pk)
    content = excel.roster_export(
        user=request.user, body=body, role=request.GET.get("role", ""), active=request.GET.get("active", "1")
    )
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"{body.name}成员名册_{clock.today().strftime('%Y%m%d')}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    response["Cache-Control"] = "no-store"
    return response
