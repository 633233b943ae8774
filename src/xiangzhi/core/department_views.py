"""Town department pages (乡镇部门): list per town, create, add and remove staff. Thin adapters over
core.selectors / core.services; who may do what is the policy's (departments.view / departments.change)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from xiangzhi import policy
from xiangzhi.core import selectors, services
from xiangzhi.core.errors import DomainError
from xiangzhi.web.region import current_code


class DepartmentForm(forms.Form):
    town = forms.ChoiceField(label="乡镇", error_messages={"required": "请选择乡镇。"})
    name = forms.CharField(label="部门名称", max_length=200, required=False, strip=True)
    code = forms.CharField(label="部门代码", max_length=200, required=False, strip=True)

    def __init__(self, *args, towns, **kwargs):
        super().__init__(*args, **kwargs)
        self.towns = {t.code: t for t in towns}
        self.fields["town"].choices = [("", "请选择乡镇")] + [(t.code, t.name) for t in towns]
        self.fields["town"].error_messages["invalid_choice"] = "请从列表中选择您管辖的乡镇。"


class StaffForm(forms.Form):
    user = forms.TypedChoiceField(
        label="工作人员", coerce=int, error_messages={"required": "请选择要加入的工作人员。"}
    )

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.users = {u.pk: u for u in users}
        self.fields["user"].choices = [("", "请选择")] + [
            (u.pk, f"{u.full_name}（{u.username}）") for u in users
        ]
        self.fields["user"].error_messages["invalid_choice"] = "请从列表中选择本乡镇的工作人员。"


def _show(form, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@login_required
@require_GET
def department_list(request):
    towns = list(selectors.department_towns(user=request.user))
    wanted = request.GET.get("town") or (current_code(request) or "")[:9]
    town = next((t for t in towns if t.code == wanted), None)
    departments = selectors.department_list(
        user=request.user, town_code=town.code if town else None
    ).prefetch_related("staff")
    return render(
        request,
        "core/departments/list.html",
        {
            "towns": towns,
            "town": town,
            "departments": departments,
            "can_change": policy.can(request.user, "departments.change"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def department_create(request):
    towns = list(selectors.department_towns(user=request.user, action="departments.change"))
    if not towns:
        return render(
            request, "core/departments/refused.html", {"message": "您没有设立乡镇部门的权限。"}, status=403
        )
    initial_town = request.GET.get("town") or (towns[0].code if len(towns) == 1 else "")
    form = DepartmentForm(request.POST or None, towns=towns, initial={"town": initial_town})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                department = services.department_create(
                    town=form.towns[form.cleaned_data["town"]],
                    name=form.cleaned_data["name"],
                    code=form.cleaned_data["code"],
                )
            except DomainError as exc:
                _show(form, exc)
            else:
                messages.success(request, f"已设立{department.town.name}{department.name}。")
                return redirect("departments:detail", pk=department.pk)
        status = 422
    return render(request, "core/departments/create.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def department_detail(request, pk: int):
    """The department and its staff. POST `action=add` (user) or `action=remove` (user) changes the staff."""
    department = selectors.department_get(user=request.user, pk=pk)
    can_change = policy.can(request.user, "departments.change", department)
    form = StaffForm(users=selectors.department_staff_candidates(department=department))
    error, status = "", 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            policy.require(request.user, "departments.change", department)
            if action == "add":
                form = StaffForm(request.POST, users=form.users.values())
                if form.is_valid():
                    user = form.users[form.cleaned_data["user"]]
                    services.department_staff_add(department=department, user=user)
                    messages.success(request, f"{user.full_name}已加入{department.name}。")
                    return redirect("departments:detail", pk=department.pk)
                status = 422
            elif action == "remove":
                member = department.staff.filter(pk=_int(request.POST.get("user"))).first()
                if member is None:
                    raise DomainError("该人员不是本部门的成员。")
                services.department_staff_remove(department=department, user=member)
                messages.success(request, f"{member.full_name}已移出{department.name}。")
                return redirect("departments:detail", pk=department.pk)
            else:
                raise DomainError("无法识别的操作。")
        except DomainError as exc:
            if exc.field == "user" and action == "add":
                _show(form, exc)
            else:
                error = exc.message
            status = exc.status
    return render(
        request,
        "core/departments/detail.html",
        {
            "department": department,
            "staff": department.staff.order_by("full_name", "username"),
            "form": form,
            "can_change": can_change,
            "error": error,
        },
        status=status,
    )


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
