"""Region pages: thin adapters over the selectors and services."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods

from xiangzhi import policy
from xiangzhi.core import clock
from xiangzhi.core.errors import DomainError
from xiangzhi.core.files import file_store
from xiangzhi.regions import codes, selectors, services

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


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text)
