"""三务公开 pages: the public board of a village (no login, phone first, a print view with a print stylesheet and a
QR code for the wall), a notice with its questions and answers (a signed-in villager of the village asks), the
town's 执法公示 board (the same pages for a town code: only the enforcement notices the hook published there), and
the town's page of villages behind schedule. The cadres' drafting, sign-off and publishing pages are in
views_staff.py (and the API, api.py)."""

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from xiangzhi import policy
from xiangzhi.core import clock
from xiangzhi.core.views import file_response
from xiangzhi.disclosure import selectors, services
from xiangzhi.disclosure.models import KIND_CHOICES, KIND_LABELS
from xiangzhi.regions import codes
from xiangzhi.web.errors import FORM_ERRORS, add_domain_error

PAGE_SIZE = 10
PRINT_LIMIT = 30


class AskForm(forms.Form):
    text = forms.CharField(
        label="您的问题",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写问题。", "max_length": "问题太长：最多 1000 字。"},
    )


def _qr_svg(request, village) -> str:
    url = request.build_absolute_uri(reverse("disclosure:board", args=[village.code]))
    return segno.make(url, error="m").svg_inline(scale=4, dark="#000000", light="#ffffff")


def _is_town(region) -> bool:
    return region.level == codes.TOWN


def _kind(request) -> str:
    kind = request.GET.get("kind", "")
    return kind if kind in KIND_LABELS else ""


@require_GET
def board(request, code: str):
    village = selectors.board_village(code)
    kind = _kind(request)
    page = Paginator(selectors.board_notices(village, kind=kind), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "disclosure/board.html",
        {
            "village": village,
            "page": page,
            "kind": kind,
            "kinds": KIND_CHOICES,
            "query": urlencode({"kind": kind}) if kind else "",
            "qr": _qr_svg(request, village),
            "is_town": _is_town(village),
        },
    )


@require_GET
def board_print(request, code: str):
    village = selectors.board_village(code)
    kind = _kind(request)
    notices = list(selectors.board_notices(village, kind=kind, current_only=True)[:PRINT_LIMIT])
    return render(
        request,
        "disclosure/print.html",
        {
            "village": village,
            "notices": notices,
            "qr": _qr_svg(request, village),
            "today": clock.today(),
            "is_town": _is_town(village),
        },
    )


@require_GET
def notice(request, code: str, pk: int):
    village = selectors.board_village(code)
    n = selectors.board_notice_get(village, pk)
    return _notice_page(request, village, n, AskForm())


def _notice_page(request, village, n, form, status=200):
    user = request.user
    return render(
        request,
        "disclosure/notice.html",
        {
            "village": village,
            "n": n,
            "questions": selectors.questions_of(n),
            "form": form,
            "can_ask": user.is_authenticated and policy.can(user, "disclosure.ask", n),
            "is_town": _is_town(village),
        },
        status=status,
    )


@login_required
@require_POST
def ask(request, code: str, pk: int):
    village = selectors.board_village(code)
    n = selectors.board_notice_get(village, pk)
    policy.require(request.user, "disclosure.ask", n)
    form = AskForm(request.POST)
    if form.is_valid():
        try:
            services.question_ask(user=request.user, notice=n, text=form.cleaned_data["text"])
        except FORM_ERRORS as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "问题已提交，村两委答复后会公开在这里。")
            return redirect("disclosure:notice", code=village.code, pk=n.pk)
    return _notice_page(request, village, n, form, status=422)


@require_GET
def attachment(request, code: str, pk: int):
    village = selectors.board_village(code)
    n = selectors.board_notice_get(village, pk)
    if n.attachment is None:
        from django.http import Http404

        raise Http404("未找到")
    return file_response(n.attachment)


@login_required
@require_GET
def town(request, code: str):
    # a role that may not oversee any town is refused (403); a town outside the user's reach is a 404
    policy.require(request.user, "disclosure.oversee")
    town_region = selectors.town_get(user=request.user, code=code)
    rows = selectors.overdue_villages(town_region, on=clock.today())
    page = Paginator(rows, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "disclosure/town.html",
        {"town": town_region, "page": page, "today": clock.today(), "query": ""},
    )
