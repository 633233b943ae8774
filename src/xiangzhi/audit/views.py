"""The audit administrator's pages: the log, filtered and paginated, and one record with its hash check."""

import datetime as dt
import json
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from xiangzhi import policy
from xiangzhi.audit import excel, selectors, services
from xiangzhi.core import clock

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat((text or "").strip())
    except ValueError:
        return None


@login_required
@require_GET
def record_list(request):
    if not policy.can(request.user, "audit.view"):
        return render(request, "audit/refused.html", status=403)
    g = request.GET
    filters = _filters(request)
    qs = selectors.audit_record_list(user=request.user, **filters)
    page = Paginator(qs, PAGE_SIZE).get_page(g.get("page"))
    query = urlencode([(k, v) for k, v in g.items() if k != "page" and v])
    return render(
        request,
        "audit/list.html",
        {
            "page_obj": page,
            "f": filters,
            "query": query,
            "results": selectors.RESULTS,
            "can_export": policy.can(request.user, "audit.view"),
            "max_export_rows": excel.MAX_ROWS,
        },
    )


def _filters(request) -> dict:
    """The list page's filters, read the same way by the page and by its export."""
    g = request.GET
    return {
        "action": g.get("action", "").strip()[:64],
        "result": g.get("result", "").strip(),
        "date_from": _date(g.get("from", "")),
        "date_to": _date(g.get("to", "")),
        "actor": g.get("actor", "").strip()[:50],
    }


@login_required
@require_GET
def record_export(request):
    """The filtered log as .xlsx (at most excel.MAX_ROWS records); the export is audited."""
    export = excel.audit_log_export(user=request.user, **_filters(request))
    response = HttpResponse(export.content, content_type=XLSX)
    name = quote(f"审计日志_{clock.today():%Y%m%d}.xlsx")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def record_detail(request, pk: int):
    rec = selectors.audit_record_get(user=request.user, pk=pk)
    return render(
        request,
        "audit/detail.html",
        {
            "rec": rec,
            "changes": json.dumps(rec.changes, ensure_ascii=False, indent=2, sort_keys=True),
            "hash_ok": services.compute_hash(rec) == rec.hash,
        },
    )
