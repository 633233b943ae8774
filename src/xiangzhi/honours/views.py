"""红黑榜 pages: thin adapters over selectors and services. Cadres' pages ask the policy (404 out of reach, 403
without the action); the villager's pages show the own household only; the public board (公开栏) needs no login and
shows published lists only, as the DESIGN's public board does (a QR code on the wall)."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiangzhi import policy
from xiangzhi.core import clock
from xiangzhi.honours import documents, excel, forms, selectors, services
from xiangzhi.honours.models import BLACK_RULE, LAWFUL_NOTE, TIE_RULE, HonourList
from xiangzhi.web.errors import FORM_ERRORS, add_domain_error
from xiangzhi.web.region import current_code

PAGE_SIZE = 20
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RULES = {"tie_rule": TIE_RULE, "black_rule": BLACK_RULE, "lawful_note": LAWFUL_NOTE}


def _bound(request):
    return request.POST if request.method == "POST" else None


def _query_without_page(request) -> str:
    return urlencode([(k, v) for k, v in request.GET.items() if k != "page" and v])


def _version(request):
    v = request.POST.get("version", "")
    return int(v) if v.isdigit() else None


def _filename(text: str, ext: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename*=UTF-8''{quote(text)}.{ext}"


# -- cadres ----------------------------------------------------------------------------------------------------


@login_required
@require_GET
def list_page(request):
    policy.require(request.user, "honours.view")
    g = request.GET
    region = g.get("region", "").strip()
    region = region if region.isdigit() else current_code(request)
    year = g.get("year", "").strip()
    filters = {"region": region, "state": g.get("state", ""), "year": int(year) if year.isdigit() else None}
    page = Paginator(selectors.list_list(user=request.user, **filters), PAGE_SIZE).get_page(g.get("page"))
    return render(
        request,
        "honours/list.html",
        {
            "page": page,
            "filters": {**filters, "year": year},
            "query": _query_without_page(request),
            "villages": selectors.villages(user=request.user),
            "states": HonourList.STATE_CHOICES,
            "can_generate": policy.can(request.user, "honours.generate"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def generate(request):
    policy.require(request.user, "honours.generate")
    villages = list(selectors.villages(user=request.user, action="honours.generate"))
    last_month = (clock.today().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    form = forms.GenerateForm(_bound(request), villages=villages, initial={"month": last_month})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            village = selectors.village_get(user=request.user, code=d["village"])
            hl = services.list_generate(user=request.user, village=village, day=d["month"])
        except FORM_ERRORS as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"已生成{hl}（草稿）。请核对后告知上榜农户。")
            return redirect("honours:detail", pk=hl.pk)
    return render(
        request, "honours/generate.html", {"form": form}, status=422 if request.method == "POST" else 200
    )


@login_required
@require_GET
def detail(request, pk: int):
    hl = selectors.list_get(user=request.user, pk=pk)
    u = request.user
    draft, notified = hl.state == HonourList.DRAFT, hl.state == HonourList.NOTIFIED
    entries = selectors.entries_of(hl)
    window_open = notified and clock.now() < hl.appeal_until
    return render(
        request,
        "honours/detail.html",
        {
            "hl": hl,
            "red": entries["red"],
            "black": entries["black"],
            "appeals": selectors.appeals_of(hl),
            "window_open": window_open,
            "can_regenerate": draft and policy.can(u, "honours.generate", hl),
            "can_notify": draft and policy.can(u, "honours.notify", hl),
            "can_publish": (notified or (draft and not entries["red"] and not entries["black"]))
            and policy.can(u, "honours.publish", hl),
            "can_decide": not hl.is_published and policy.can(u, "honours.decide", hl),
            "can_export": policy.can(u, "honours.export", hl),
            "notify_form": forms.NotifyForm(initial={"appeal_days": services.appeal_days_default()}),
            **RULES,
        },
    )


@login_required
@require_POST
def regenerate(request, pk: int):
    hl = selectors.list_get(user=request.user, pk=pk)
    policy.require(request.user, "honours.generate", hl)
    hl = services.list_regenerate(user=request.user, honour_list=hl, version=_version(request))
    messages.success(request, "已按最新积分流水重新生成。")
    return redirect("honours:detail", pk=hl.pk)


@login_required
@require_POST
def notify(request, pk: int):
    hl = selectors.list_get(user=request.user, pk=pk)
    policy.require(request.user, "honours.notify", hl)
    form = forms.NotifyForm(request.POST)
    if form.is_valid():
        try:
            services.list_notify(
                user=request.user,
                honour_list=hl,
                appeal_days=form.cleaned_data["appeal_days"],
                version=_version(request),
            )
        except FORM_ERRORS as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "已告知上榜农户，申诉期开始。")
            return redirect("honours:detail", pk=hl.pk)
    return render(request, "honours/notify.html", {"hl": hl, "form": form}, status=422)


@login_required
@require_POST
def publish(request, pk: int):
    hl = selectors.list_get(user=request.user, pk=pk)
    policy.require(request.user, "honours.publish", hl)
    try:
        services.list_publish(user=request.user, honour_list=hl, version=_version(request))
    except FORM_ERRORS as exc:
        messages.error(request, exc.message)
        return redirect("honours:detail", pk=hl.pk)
    messages.success(request, "已公布，公开栏可以看到了。")
    return redirect("honours:detail", pk=hl.pk)


@login_required
@require_http_methods(["GET", "POST"])
def appeal_decide(request, pk: int):
    appeal = selectors.appeal_get(user=request.user, pk=pk)
    hl = appeal.entry.honour_list
    policy.require(request.user, "honours.decide", hl)
    form = forms.DecideForm(_bound(request))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.appeal_decide(
                user=request.user, appeal=appeal, upheld=d["decision"] == "upheld", reason=d["reason"]
            )
        except FORM_ERRORS as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "申诉已处理。")
            return redirect("honours:detail", pk=hl.pk)
    return render(
        request,
        "honours/decide.html",
        {"appeal": appeal, "hl": hl, "form": form},
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def export(request, pk: int):
    hl = selectors.list_get(user=request.user, pk=pk)
    data = excel.ranking_xlsx(user=request.user, honour_list=hl)
    resp = HttpResponse(data, content_type=XLSX)
    resp["Content-Disposition"] = _filename(f"{documents.title_of(hl)}排名", "xlsx")
    return resp


@login_required
@require_GET
def pdf(request, pk: int):
    hl = selectors.list_get(user=request.user, pk=pk)
    resp = HttpResponse(
        documents.list_pdf(honour_list=hl, entries=selectors.entries_of(hl)), content_type="application/pdf"
    )
    resp["Content-Disposition"] = _filename(documents.title_of(hl), "pdf").replace("attachment", "inline")
    return resp


# -- a villager's own household ----------------------------------------------------------------------------------


@login_required
@require_GET
def mine(request):
    return render(
        request,
        "honours/mine.html",
        {"entries": selectors.my_entries(user=request.user), "now": clock.now(), **RULES},
    )


@login_required
@require_http_methods(["GET", "POST"])
def appeal(request, pk: int):
    entry = selectors.my_entry_get(user=request.user, pk=pk)
    hl = entry.honour_list
    form = forms.AppealForm(_bound(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.appeal_raise(user=request.user, entry=entry, text_=form.cleaned_data["text"])
        except FORM_ERRORS as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "申诉已提交，村两委处理后会告诉您结果。")
            return redirect("honours:mine")
    window_open = hl.state == HonourList.NOTIFIED and clock.now() < hl.appeal_until
    return render(
        request,
        "honours/appeal.html",
        {"entry": entry, "hl": hl, "form": form, "window_open": window_open, **RULES},
        status=422 if request.method == "POST" else 200,
    )


# -- the public board: no login ----------------------------------------------------------------------------------


@require_GET
def board(request, code: str):
    village = selectors.board_village(code)
    page = Paginator(selectors.board_lists(village), 12).get_page(request.GET.get("page"))
    latest = page.object_list[0] if page.number == 1 and page.object_list else None
    entries = selectors.entries_of(latest, public=True) if latest else {"red": [], "black": []}
    return render(
        request,
        "honours/board.html",
        {
            "village": village,
            "page": page,
            "hl": latest,
            "red": entries["red"],
            "black": entries["black"],
            "query": "",
            **RULES,
        },
    )


@require_GET
def board_detail(request, code: str, pk: int):
    village = selectors.board_village(code)
    hl = selectors.board_list_get(village, pk)
    entries = selectors.entries_of(hl, public=True)
    return render(
        request,
        "honours/board.html",
        {
            "village": village,
            "page": None,
            "hl": hl,
            "red": entries["red"],
            "black": entries["black"],
            **RULES,
        },
    )


@require_GET
def board_pdf(request, code: str, pk: int):
    village = selectors.board_village(code)
    hl = selectors.board_list_get(village, pk)
    resp = HttpResponse(
        documents.list_pdf(honour_list=hl, entries=selectors.entries_of(hl, public=True)),
        content_type="application/pdf",
    )
    resp["Content-Disposition"] = _filename(documents.title_of(hl), "pdf").replace("attachment", "inline")
    return resp
