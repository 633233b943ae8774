"""Case pages: report, list, the case with its timeline, and one POST route per transition. Thin adapters: the
selectors scope every read, the services check the policy, the state guard and the version, and do the work; a
ValidationFailed or Conflict goes next to its field on the re-drawn case page with what was typed kept, and a
success redirects back to the case (POST-redirect-GET)."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiangzhi import policy
from xiangzhi.cases import forms, presenters, selectors, services, states
from xiangzhi.cases.models import (
    CATEGORY_CHOICES,
    HANDLER_CHOICES,
    TRIAGE_CHOICES,
    Case,
    DeadlineExtension,
)
from xiangzhi.core.errors import Conflict
from xiangzhi.web.errors import FORM_ERRORS
from xiangzhi.web.region import current_code

PAGE_SIZE = 20
DRAFT_KEY = "xz-case-draft"


# -- 提: report ------------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def report(request):
    policy.require(request.user, "cases.report")
    regions = presenters.report_regions(request.user)
    initial = {"token": forms.new_token(), "region": _default_region(request.user, regions)}
    form = forms.ReportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        regions=regions,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            case, created = services.case_report(
                user=request.user,
                region_code=d["region"],
                description=d["description"],
                place=d["place"],
                latitude=d["latitude"] or None,
                longitude=d["longitude"] or None,
                category=d["category"],
                photos=d["photos"],
                source="web",
                idempotency_key=f"form:{d['token']}",
            )
        except FORM_ERRORS as exc:
            forms.show_error(form, exc)
        else:
            messages.success(
                request, f"已上报，编号 {case.number}。" if created else f"已上报过，编号 {case.number}。"
            )
            return redirect(reverse("cases:detail", kwargs={"pk": case.pk}) + "?reported=1")
    return render(
        request,
        "cases/report.html",
        {"form": form, "draft_key": DRAFT_KEY, "has_regions": bool(regions)},
    )


def _default_region(user, regions) -> str:
    codes = [r.code for r in regions]
    home = presenters.home_grid(user)
    if home in codes:
        return home
    grids = [r.code for r in regions if r.level == "grid"]
    return grids[0] if len(grids) == 1 else ""


# -- the list ----------------------------------------------------------------------------------------------------

STATE_FILTERS = [("open", "未结案（全部在办）"), *states.STATE_LABELS.items()]


def _filters(request) -> dict:
    g = request.GET
    region = g.get("region", "").strip()
    overdue = g.get("overdue", "")
    department = g.get("department", "")
    return {
        "state": g.get("state", "") if g.get("state", "") in dict(STATE_FILTERS) else "",
        "category": g.get("category", "").strip()[:40],
        "triage": g.get("triage", "") if g.get("triage", "") in dict(TRIAGE_CHOICES) else "",
        # an explicit filter wins; otherwise the region chosen in the top bar's switcher narrows the list
        "region": region if region.isdigit() else (current_code(request) or ""),
        "handler": g.get("handler", "") if g.get("handler", "") in dict(HANDLER_CHOICES) else "",
        "department": int(department) if department.isdigit() else None,
        "overdue": True if overdue == "1" else None,
        "q": g.get("q", "").strip()[:50],
    }


@login_required
@require_GET
def case_list(request):
    user = request.user
    is_villager = user.is_villager or not policy.can(user, "cases.view")
    f = _filters(request)
    if is_villager:
        f = {**f, "region": "", "handler": "", "department": None}
    qs = selectors.case_list(user=user, **f)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": presenters.list_rows(page),
        "filters": f,
        "query": urlencode([(k, v) for k, v in request.GET.items() if k != "page" and v]),
        "is_villager": is_villager,
        "can_report": policy.can(user, "cases.report"),
        "states": STATE_FILTERS,
        "categories": CATEGORY_CHOICES,
        "triages": TRIAGE_CHOICES,
        "handlers": HANDLER_CHOICES,
    }
    if not is_villager:
        from xiangzhi.core.selectors import department_list
        from xiangzhi.regions.selectors import region_list

        context["regions"] = forms.region_choices(
            list(
                region_list(user=user, action="cases.view", levels=("village", "grid"))
                .select_related("parent")
                .order_by("code")[:2000]
            )
        )
        context["departments"] = (
            list(department_list(user=user).order_by("name")) if policy.can(user, "departments.view") else []
        )
    return render(request, "cases/list.html", context)


# -- one case ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """A transition the case page offers: its form, how the service is called, what success says."""

    name: str
    label: str
    form: type
    run: object  # run(user, case, data) -> anything
    done: str
    files: bool = False


def _dept_choices(user, case: Case):
    if case.level != "town" or not policy.can(user, "departments.view"):
        return []
    from xiangzhi.cases.routing import town_of
    from xiangzhi.core.selectors import department_list

    return list(department_list(user=user, town_code=town_of(case.region_code)).order_by("name"))


def _into(user, case: Case, number: int) -> Case:
    from xiangzhi.core.errors import ValidationFailed

    target = selectors.case_scope(user).filter(pk=number).first()
    if target is None:
        raise ValidationFailed(f"找不到事件 SJ{number:08d}，或它不在您的辖区内。", field="into")
    return target


def _decide(user, case: Case, d):
    ext = DeadlineExtension.objects.filter(case=case, pk=d["extension"]).first()
    if ext is None:
        from xiangzhi.core.errors import Conflict

        raise Conflict("这份延期申请已不存在，请刷新页面。")
    return services.extension_decide(user=user, extension=ext, approve=d["approve"], note=d["note"])


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in [
        Action(
            "accept",
            "受理",
            forms.AcceptForm,
            lambda u, c, d: services.case_accept(user=u, case=c, note=d["note"], version=d["version"]),
            "已受理。",
        ),
        Action(
            "assign",
            "分类派遣",
            forms.AssignForm,
            lambda u, c, d: services.case_assign(
                user=u,
                case=c,
                category=d["category"],
                triage=d["triage"],
                urgency=d["urgency"],
                department=d.get("department"),
                note=d["note"],
                version=d["version"],
            ),
            "已派遣。",
        ),
        Action(
            "return",
            "退回",
            forms.ReturnForm,
            lambda u, c, d: services.case_return(user=u, case=c, reason=d["reason"], version=d["version"]),
            "已退回上一环节。",
        ),
        Action(
            "start",
            "开始办理",
            forms.StartForm,
            lambda u, c, d: services.case_start(user=u, case=c, note=d["note"], version=d["version"]),
            "已开始办理。",
        ),
        Action(
            "suspend",
            "挂起",
            forms.SuspendForm,
            lambda u, c, d: services.case_suspend(user=u, case=c, reason=d["reason"], version=d["version"]),
            "已挂起，时限暂停计算。",
        ),
        Action(
            "resume",
            "恢复办理",
            forms.ResumeForm,
            lambda u, c, d: services.case_resume(user=u, case=c, note=d["note"], version=d["version"]),
            "已恢复办理。",
        ),
        Action(
            "deliberate",
            "提交议事",
            forms.DeliberateForm,
            lambda u, c, d: services.case_deliberate(
                user=u, case=c, note=d["note"], matter_ref=d["matter_ref"], version=d["version"]
            ),
            "已提交议事，时限暂停计算。",
        ),
        Action(
            "extend",
            "申请延期",
            forms.ExtendForm,
            lambda u, c, d: services.extension_request(
                user=u, case=c, new_deadline=d["new_deadline"], reason=d["reason"], version=d["version"]
            ),
            "延期申请已提交，等待上级审批。",
        ),
        Action("decide_extension", "审批延期", forms.DecideExtensionForm, _decide, "延期申请已审批。"),
        Action(
            "resolve",
            "办结",
            forms.ResolveForm,
            lambda u, c, d: services.case_resolve(
                user=u, case=c, result=d["result"], photos=d["photos"], version=d["version"]
            ),
            "已办结，等待网格员核查。",
            files=True,
        ),
        Action(
            "verify",
            "核查",
            forms.VerifyForm,
            lambda u, c, d: services.case_verify(
                user=u, case=c, passed=d["passed"], note=d["note"], photos=d["photos"], version=d["version"]
            ),
            "核查结果已记录。",
            files=True,
        ),
        Action(
            "rate",
            "评价",
            forms.RateForm,
            lambda u, c, d: services.case_rate(
                user=u, case=c, rating=d["rating"], note=d["note"], version=d["version"]
            ),
            "谢谢您的评价。",
        ),
        Action(
            "visit",
            "回访",
            forms.VisitForm,
            lambda u, c, d: services.case_visit(
                user=u, case=c, rating=d["rating"], note=d["note"], version=d["version"]
            ),
            "回访结果已记录。",
        ),
        Action(
            "close",
            "结案（未评价）",
            forms.CloseForm,
            lambda u, c, d: services.case_close(user=u, case=c, note=d["note"], version=d["version"]),
            "已结案。",
        ),
        Action(
            "escalate",
            "上报上级",
            forms.EscalateForm,
            lambda u, c, d: services.case_escalate(user=u, case=c, reason=d["reason"], version=d["version"]),
            "已上报上级。",
        ),
        Action(
            "merge",
            "合并重复事件",
            forms.MergeForm,
            lambda u, c, d: services.case_merge(
                user=u, case=c, into=_into(u, c, d["into"]), note=d["note"], version=d["version"]
            ),
            "已合并。",
        ),
    ]
}


def _blank_form(name: str, user, case: Case, pending):
    spec = ACTIONS[name]
    initial = {"version": case.version}
    if name == "decide_extension":
        initial = {"extension": pending.pk if pending else ""}
    kwargs = {"prefix": name, "initial": initial}
    if name == "assign":
        kwargs["departments"] = _dept_choices(user, case)
        initial.update(category=case.category, triage=case.triage, urgency=case.urgency)
    return spec.form(**kwargs)


def _render_case(request, case: Case, *, bound: dict | None = None, status: int = 200):
    user = request.user
    allowed = selectors.allowed_actions(user, case)
    pending = presenters.pending_extension(case)
    action_forms = []
    for name in allowed:
        if name not in ACTIONS:
            continue
        form = (bound or {}).get(name) or _blank_form(name, user, case, pending)
        action_forms.append((ACTIONS[name], form))
    # a refused form whose action the case no longer offers: its message goes above the page
    refused = [
        str(e)
        for name, form in (bound or {}).items()
        if name not in allowed
        for errors in form.errors.values()
        for e in errors
    ]
    photos = list(case.photos.select_related("file"))
    context = {
        "case": case,
        "facts": presenters.facts(user, case),
        "timeline": presenters.timeline_entries(case),
        "photos": photos,
        "action_forms": action_forms,
        "refused": refused,
        "pending": pending,
        "is_reporter": case.reporter_id == user.pk,
        "just_reported": request.GET.get("reported") == "1",
        "draft_key": DRAFT_KEY,
        "state_label": states.STATE_LABELS.get(case.state, case.state),
        "deadline_words": presenters.deadline_words(case),
        **_mediation_context(user, case),
    }
    return render(request, "cases/detail.html", context, status=status)


def _mediation_context(user, case: Case) -> dict:
    """A 矛盾纠纷 case can open a mediation (人民调解); the case page lists the mediations it has."""
    from xiangzhi.mediation import selectors as mediation_selectors

    mediations = list(mediation_selectors.mediations_of_case(user=user, case=case))
    return {
        "mediations": mediations,
        "can_open_mediation": case.category == "DISPUTE"
        and case.is_open
        and not any(m.is_open for m in mediations)  # one open mediation per case
        and policy.can(user, "mediation.open", case),
    }


@login_required
@require_GET
def case_detail(request, pk: int):
    case = selectors.case_get(user=request.user, pk=pk)
    return _render_case(request, case)


def _act(request, pk: int, name: str):
    case = selectors.case_get(user=request.user, pk=pk)
    spec = ACTIONS[name]
    kwargs = {"prefix": name}
    if name == "assign":
        kwargs["departments"] = _dept_choices(request.user, case)
    form = spec.form(request.POST, request.FILES if spec.files else None, **kwargs)
    if form.is_valid():
        try:
            spec.run(request.user, case, form.cleaned_data)
        except Conflict as exc:
            # someone moved the case since the page was drawn: show the page as it is now, with what was typed
            # kept and the new version in the form, so that a second press is a decision made on fresh facts
            case = selectors.case_get(user=request.user, pk=pk)
            data = request.POST.copy()
            if f"{name}-version" in data:
                data[f"{name}-version"] = str(case.version)
            form = spec.form(data, None, **kwargs)
            form.is_valid()
            forms.show_error(form, exc)
            return _render_case(request, case, bound={name: form}, status=409)
        except FORM_ERRORS as exc:
            forms.show_error(form, exc)
        else:
            messages.success(request, spec.done)
            return redirect("cases:detail", pk=case.pk)
    # re-draw the page from what the database holds now, with this form as it was typed and its error
    case = selectors.case_get(user=request.user, pk=pk)
    return _render_case(request, case, bound={name: form}, status=422)


def _action_view(name: str):
    @login_required
    @require_POST
    def view(request, pk: int):
        return _act(request, pk, name)

    view.__name__ = f"case_{name}"
    view.__doc__ = f"{ACTIONS[name].label}: POST only; the form is on the case page."
    return view


@login_required
@require_GET
def case_file(request, pk: int, file_id: int):
    """A photo or attachment of a case, to whoever may see the case (staff in reach, and the reporter of their
    own case, whom the staff-only file view would refuse). A file that is not the case's own is a 404."""
    from xiangzhi.core.models import PrivateFile
    from xiangzhi.core.views import file_response

    case = selectors.case_get(user=request.user, pk=pk)
    belongs = (
        case.photos.filter(file_id=file_id).exists() or case.events.filter(attachments__pk=file_id).exists()
    )
    if not belongs:
        raise Http404("未找到")
    return file_response(PrivateFile.objects.get(pk=file_id))


urlpatterns = [
    path("", case_list, name="list"),
    path("<int:pk>/files/<int:file_id>/", case_file, name="file"),
    path("report/", report, name="report"),
    path("<int:pk>/", case_detail, name="detail"),
    *[path(f"<int:pk>/{name}/", _action_view(name), name=name) for name in ACTIONS],
]
