"""Region pages: thin adapters over the selectors and services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods

from xiangzhi import policy
from xiangzhi.core import clock
from xiangzhi.core.errors import DomainError
from xiangzhi.core.files import file_store
from xiangzhi.regions import codes, selectors, services
from xiangzhi.regions.forms import MergeChooseForm, RegionChildForm, RegionNameForm
from xiangzhi.web.errors import add_domain_error
from xiangzhi.web.region import current_code

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_GET
def region_list(request):
    q = request.GET.get("q", "").strip()[:50]
    level = request.GET.get("level") if request.GET.get("level") in codes.LEVELS else None
    qs = selectors.region_search(user=request.user, q=q, level=level)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode([(k, v) for k, v in (("q", q), ("level", level or "")) if v])
    return render(
        request,
        "regions/list.html",
        {
            "page_obj": page,
            "q": q,
            "level": level or "",
            "levels": [(lvl, codes.LEVEL_LABELS[lvl]) for lvl in codes.LEVELS],
            "query": query,
            "can_change": policy.can(request.user, "regions.change"),
            "can_merge": policy.can(request.user, "regions.merge"),
        },
    )


@login_required
@require_GET
def region_detail(request, code: str):
    region = selectors.region_get(user=request.user, code=code)
    children = region.children.filter(is_active=True).order_by("code")
    return render(
        request,
        "regions/detail.html",
        {
            "region": region,
            "ancestors": selectors.ancestors(region),
            "children": children,
            "counts": selectors.region_counts(region),
            "merged_into": region.merged_into if region.merged_into_id else None,
            "can_change": region.is_active and policy.can(request.user, "regions.change", region),
            "child_level": _child_level(region),
        },
    )


@login_required
@require_GET
def region_export(request):
    within = request.GET.get("within", "").strip()
    within = within if within.isdigit() and codes.level_of(within) else None
    data, _rows = selectors.region_export_xlsx(user=request.user, within=within)
    response = HttpResponse(data, content_type=XLSX)
    name = f"辖区_{within or '全部'}_{clock.today():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(name)}"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def region_import(request):
    if not policy.can(request.user, "regions.change"):
        return render(request, "regions/import.html", {"refused": True}, status=403)
    context = {"errors": [], "report": None, "message": ""}
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise DomainError("请选择要导入的 Excel 文件。")
            stored = file_store(
                upload=upload, purpose="regions_import", region_code="", user=request.user, allowed={"xlsx"}
            )
            with stored.file.open("rb") as fh:
                data = fh.read()
            context["report"] = services.region_import(data=data, user=request.user)
        except services.ImportFailed as exc:
            context["message"], context["errors"] = exc.message, exc.errors
        except DomainError as exc:
            context["message"] = exc.message
        status = 200 if context["report"] else 422
        return render(request, "regions/import.html", context, status=status)
    return render(request, "regions/import.html", context)


# --- create a child, rename ---------------------------------------------------------------------------------


def _child_level(region) -> str | None:
    i = codes.LEVELS.index(region.level)
    return codes.LEVELS[i + 1] if i + 1 < len(codes.LEVELS) else None


@login_required
@require_http_methods(["GET", "POST"])
def region_edit(request, code: str):
    region = selectors.region_get(user=request.user, code=code, action="regions.change")
    form = RegionNameForm(request.POST or None, initial={"name": region.name})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.region_rename(region=region, name=form.cleaned_data["name"])
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, f"名称已改为“{form.cleaned_data['name']}”。")
                return redirect("regions:detail", code=region.code)
        status = 422
    return render(request, "regions/edit.html", {"region": region, "form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def region_create(request, code: str):
    parent = selectors.region_get(user=request.user, code=code, action="regions.change")
    level = _child_level(parent)
    form = RegionChildForm(request.POST or None, initial={"code": parent.code})
    status = 200
    if request.method == "POST" and level is not None:
        if form.is_valid():
            try:
                child = services.region_create(
                    code=form.cleaned_data["code"], name=form.cleaned_data["name"], parent=parent
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, f"已新增{child.level_label}“{child.name}”（{child.code}）。")
                return redirect("regions:detail", code=child.code)
        status = 422
    context = {
        "parent": parent,
        "form": form,
        "level_label": codes.LEVEL_LABELS[level] if level else "",
        "length": codes.LENGTHS[level] if level else 0,
    }
    return render(request, "regions/create.html", context, status=status)


# --- 撤并 -------------------------------------------------------------------------------------------------


@login_required
@require_GET
def region_merge_choose(request):
    """Step 1: the town, then the two villages (plain GET forms, no script)."""
    if not policy.can(request.user, "regions.merge"):
        return render(request, "regions/refused.html", {"message": "您没有村庄撤并的权限。"}, status=403)
    villages = list(selectors.region_mergeable_villages(user=request.user))
    towns = sorted({v.parent.code: v.parent for v in villages if v.parent_id}.values(), key=lambda t: t.code)
    asked = request.GET.get("town", "")
    wanted = asked or (current_code(request) or "")[:9]
    town = next((t for t in towns if t.code == wanted), towns[0] if len(towns) == 1 and not asked else None)
    form = None
    status = 200
    if asked and town is None:
        status = 422  # a town out of reach (or unknown) is not a choice
    elif town is not None:
        in_town = [v for v in villages if v.parent_id == town.pk]
        chosen = "source" in request.GET or "target" in request.GET
        form = MergeChooseForm(request.GET if chosen else None, villages=in_town)
        if chosen:
            if form.is_valid():
                return redirect(
                    "regions:merge_confirm",
                    source=form.cleaned_data["source"],
                    target=form.cleaned_data["target"],
                )
            status = 422
    context = {"towns": towns, "town": town, "form": form, "bad_town": status == 422 and town is None}
    return render(request, "regions/merge_choose.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def region_merge_confirm(request, source: str, target: str):
    """Step 2: what would move (a dry run), then the merger itself on POST. The form carries the plan's
    fingerprint: if the villages changed in between, the new plan is shown again instead of being run."""
    src = selectors.region_get(user=request.user, code=source, action="regions.merge")
    dst = selectors.region_get(user=request.user, code=target, action="regions.merge")
    context = {"source": src, "target": dst, "plan": None, "error": "", "changed": False}
    status = 200
    try:
        context["plan"] = plan = selectors.region_merge_plan(source=src, target=dst)
    except DomainError as exc:
        context["error"], status = exc.message, exc.status
        plan = None
    if request.method == "POST" and plan is not None:
        if request.POST.get("plan") != plan.fingerprint:
            context["changed"], status = True, 409
        elif plan.stranded:
            status = 422
        else:
            try:
                result = services.region_merge(source=src, target=dst, actor=request.user)
            except DomainError as exc:
                context["error"], status = exc.message, exc.status
            else:
                messages.success(
                    request,
                    f"{src.name}已并入{dst.name}：{len(result.grid_codes)} 个网格已改为新的编号，"
                    f"{plan.households} 户、{plan.residents} 名居民随之迁入。",
                )
                return redirect("regions:detail", code=dst.code)
    elif plan is not None and plan.stranded:
        status = 422
    return render(request, "regions/merge_confirm.html", context, status=status)


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text)
