"""Account administration pages: the account list and detail (system and security administrators), granting and
revoking roles (security administrator), creating, disabling and enabling accounts and resetting a lost second
factor (system administrator). Thin adapters: selectors read, services decide and audit."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from xiangzhi import policy
from xiangzhi.accounts import selectors, services
from xiangzhi.accounts.forms import INSTALL_WIDE, RoleGrantForm, StaffAccountForm
from xiangzhi.accounts.models import User
from xiangzhi.accounts.roles import ROLE_CHOICES
from xiangzhi.core.errors import DomainError
from xiangzhi.web.errors import add_domain_error

PAGE_SIZE = 30
FILTER_LEVELS = ["county", "town", "village"]


def require_action(request, action: str):
    """Pages of an action the user does not hold at all: 404, audited (the page's existence is not a secret,
    but there is nothing for them on it)."""
    if not policy.can(request.user, action):
        from xiangzhi.audit.services import record_denied

        record_denied(action, detail="no_grant")
        raise Http404("未找到")


@login_required
def user_list_view(request):
    require_action(request, services.ACTION_VIEW)
    g = request.GET
    role = g.get("role") if g.get("role") in dict(ROLE_CHOICES) else None
    region = g.get("region", "").strip()
    region = region if region.isdigit() else None
    kind = g.get("kind") if g.get("kind") in (User.KIND_STAFF, User.KIND_VILLAGER) else None
    active = {"1": True, "0": False}.get(g.get("active", ""))
    q = g.get("q", "").strip()[:50] or None
    qs = selectors.user_list(actor=request.user, q=q, role=role, region_code=region, kind=kind, active=active)
    page = Paginator(qs, PAGE_SIZE).get_page(g.get("page"))
    regions = selectors.regions_in_reach(
        actor=request.user, action=services.ACTION_VIEW, levels=FILTER_LEVELS
    )
    context = {
        "page": page,
        "query": urlencode([(k, v) for k, v in g.items() if k != "page" and v]),
        "filters": {
            "q": q or "",
            "role": role or "",
            "region": region or "",
            "kind": kind or "",
            "active": g.get("active", ""),
        },
        "roles": ROLE_CHOICES,
        "regions": regions[: selectors.REGION_CHOICES_LIMIT],
        "can_create": policy.can(request.user, services.ACTION_MANAGE),
    }
    return render(request, "accounts/user_list.html", context)


def _grant_form(request, user, data=None):
    install_wide = services.reaches_code(request.user, services.ACTION_ROLES, "")
    return RoleGrantForm(
        data,
        regions=selectors.grant_region_choices(actor=request.user, user=user),
        departments=selectors.departments_in_reach(actor=request.user),
        install_wide=install_wide,
    )


def _detail(request, user, *, grant_form=None):
    can_roles = policy.can(request.user, services.ACTION_ROLES, user)
    can_manage = policy.can(request.user, services.ACTION_MANAGE, user)
    context = {
        "account": user,
        "assignments": selectors.user_assignments(user=user),
        "same_person": selectors.same_person_accounts(actor=request.user, user=user),
        "is_self": services.same_person(request.user, user),
        "can_roles": can_roles,
        "can_manage": can_manage,
        "has_totp": can_manage and services.totp_device_confirmed(user) is not None,
        "grant_form": grant_form
        if grant_form is not None
        else (_grant_form(request, user) if can_roles else None),
        "home_region": _region_name(user.region_code),
    }
    return render(request, "accounts/user_detail.html", context)


def _region_name(code: str) -> str:
    if not code:
        return "全系统"
    region = selectors.region_by_code(code=code)
    return f"{region.name}（{code}）" if region else code


@login_required
def user_detail_view(request, pk: int):
    user = selectors.user_get(actor=request.user, pk=pk)
    return _detail(request, user)


@login_required
@require_POST
def role_grant_view(request, pk: int):
    user = selectors.user_get(actor=request.user, pk=pk)
    form = _grant_form(request, user, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            assignment = services.role_grant_as_admin(
                actor=request.user,
                user=user,
                role=data["role"],
                region=data["region_obj"],
                scope_id=data["scope"],
            )
        except DomainError as e:
            field = e.field if e.field in form.fields else None
            if field == "region" and data.get("region_code"):
                field = "region_code"
            form.add_error(field, e.message)
        else:
            messages.success(request, f"已授予：{assignment}")
            return redirect("accounts:user_detail", pk=user.pk)
    return _detail(request, user, grant_form=form)


@login_required
@require_POST
def role_revoke_view(request, pk: int, assignment_pk: int):
    user = selectors.user_get(actor=request.user, pk=pk)
    assignment = user.role_assignments.filter(pk=assignment_pk).select_related("user", "region").first()
    if assignment is None:
        raise Http404("未找到")
    try:
        services.role_revoke(actor=request.user, assignment=assignment)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"已撤销：{assignment}")
    return redirect("accounts:user_detail", pk=user.pk)


@login_required
@require_POST
def user_set_active_view(request, pk: int):
    user = selectors.user_get(actor=request.user, pk=pk)
    active = request.POST.get("active") == "1"
    try:
        services.account_set_active(actor=request.user, user=user, active=active)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"账号“{user}”已{'启用' if active else '停用'}。")
    return redirect("accounts:user_detail", pk=user.pk)


@login_required
@require_POST
def otp_reset_view(request, pk: int):
    user = selectors.user_get(actor=request.user, pk=pk)
    try:
        services.totp_reset(actor=request.user, user=user)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"已重置“{user}”的动态口令：其下次登录时须重新扫码绑定。")
    return redirect("accounts:user_detail", pk=user.pk)


@login_required
def user_create_view(request):
    require_action(request, services.ACTION_MANAGE)
    install_wide = services.reaches_code(request.user, services.ACTION_MANAGE, "")
    regions = selectors.regions_in_reach(
        actor=request.user, action=services.ACTION_MANAGE, levels=FILTER_LEVELS
    )
    form = StaffAccountForm(
        request.POST or None, regions=regions[: selectors.REGION_CHOICES_LIMIT], install_wide=install_wide
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.staff_account_create(
                actor=request.user,
                username=data["username"],
                full_name=data["full_name"],
                password=data["password"],
                region=data.get("region_obj"),
                id_number=data.get("id_number", ""),
            )
        except DomainError as e:
            add_domain_error(form, e)
        else:
            messages.success(
                request, f"已创建账号“{user.username}”。首次登录须修改密码；角色由安全管理员授予。"
            )
            return redirect(reverse("accounts:user_detail", kwargs={"pk": user.pk}))
    return render(
        request,
        "accounts/user_create.html",
        {"form": form, "install_wide_value": INSTALL_WIDE},
    )
