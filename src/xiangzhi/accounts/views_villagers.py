"""Villagers' accounts, run by the village: residents with and without an account, opening one for a resident with a
phone on file, and printing the activation slip (web page or PDF). The code appears only on the slip returned by
the request that issued it; a new slip means a new code, and the old one stops working.

Also the 长辈模式 switch (larger text), kept in a cookie so that it survives signing out."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_POST

from xiangzhi.accounts import selectors, services
from xiangzhi.accounts.models import User
from xiangzhi.accounts.views_admin import require_action
from xiangzhi.core import clock
from xiangzhi.core.errors import DomainError

PAGE_SIZE = 50
ELDER_COOKIE = "xz_elder"


@login_required
def village_list_view(request):
    require_action(request, services.ACTION_VILLAGERS)
    page = Paginator(selectors.villages_in_reach(actor=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "accounts/village_list.html", {"page": page, "query": ""})


@login_required
def village_residents_view(request, code: str):
    village = selectors.village_get(actor=request.user, code=code)
    g = request.GET
    q = g.get("q", "").strip()[:50] or None
    account = g.get("account") if g.get("account") in ("yes", "no") else None
    qs = selectors.village_residents(actor=request.user, village=village, q=q, account=account)
    page = Paginator(qs, PAGE_SIZE).get_page(g.get("page"))
    accounts = selectors.villager_accounts_by_resident(r.pk for r in page)
    today = clock.today()
    rows = [
        {
            "resident": r,
            "age": r.age_on(today),
            "phone_last4": r.phone_last4,
            "account": accounts.get(r.pk),
        }
        for r in page
    ]
    context = {
        "village": village,
        "page": page,
        "rows": rows,
        "unlinked": selectors.village_unlinked_accounts(actor=request.user, village=village),
        "filters": {"q": q or "", "account": account or ""},
        "query": urlencode([(k, v) for k, v in g.items() if k != "page" and v]),
    }
    return render(request, "accounts/village_residents.html", context)


@login_required
@require_POST
def villager_open_view(request, pk: int):
    resident = selectors.resident_for_account(actor=request.user, pk=pk)
    village_code = resident.region_code[:12]
    try:
        user, code = services.villager_account_open(actor=request.user, resident=resident)
    except DomainError as e:
        messages.error(request, e.message)
        return redirect("accounts:village_residents", code=village_code)
    return _slip(request, user=user, code=code, resident=resident)


@login_required
@require_POST
def activation_code_issue_view(request, pk: int):
    user = selectors.villager_account_get(actor=request.user, pk=pk)
    village_code = user.region_code[:12]
    try:
        code = services.activation_code_issue(user=user, issued_by=request.user)
    except DomainError as e:
        messages.error(request, e.message)
        return redirect("accounts:village_residents", code=village_code)
    return _slip(request, user=user, code=code, resident=user.resident)


def _slip(request, *, user: User, code: str, resident) -> HttpResponse:
    """The printed slip, as a web page to print or as a PDF (`format`). Never cached: the code is on it."""
    activation = selectors.activation_code_latest(user=user)
    village = selectors.region_by_code(code=user.region_code[:12])
    expires = timezone.localtime(activation.expires_at) if activation else None
    slip = {
        "village": village.name if village else "",
        "village_code": village.code if village else "",
        "name": user.full_name,
        "code": code,
        "expires": expires,
        "phone_last4": getattr(resident, "phone_last4", "") if resident is not None else "",
        "address": request.build_absolute_uri("/accounts/activate/"),
        "issued_by": request.user.full_name,
        "issued_on": clock.today(),
    }
    if request.POST.get("format") == "pdf":
        response = HttpResponse(_slip_pdf(slip), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="activation-{user.pk}.pdf"'
    else:
        response = render(request, "accounts/activation_slip.html", {"slip": slip, "lines": slip_lines(slip)})
    response["Cache-Control"] = "no-store"
    return response


def _date_cn(day: dt.date | dt.datetime | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def slip_lines(slip: dict) -> list[str]:
    """The instructions, in plain words for an elderly reader (shared by the page and the PDF)."""
    phone = f"（尾号 {slip['phone_last4']}）" if slip["phone_last4"] else ""
    return [
        "第一步：用手机打开这个网址：" + slip["address"],
        f"第二步：输入您在村里登记的手机号{phone}。",
        "第三步：输入上面的 8 位激活码。",
        "第四步：自己设一个新密码，输两遍。密码至少 8 位，不要用生日、手机号或 12345678 这样的数字。",
        "以后登录：输入手机号和您设的密码。",
        "激活码只能用一次，请不要告诉别人。过期了或忘了密码，请到村委会重新打印一张。",
    ]


def _slip_pdf(slip: dict) -> bytes:
    # Large type for elderly readers: render_document's body text (12 pt) is too small for this slip, so the
    # same helper module's build_pdf and styles are used with bigger sizes.
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer

    from xiangzhi.core import pdf

    st = pdf.styles()
    big = ParagraphStyle("xz-slip", parent=st["body"], fontSize=16, leading=26)
    code_style = ParagraphStyle("xz-slip-code", parent=st["title"], fontSize=40, leading=52)
    parts = [
        Paragraph(pdf.escape(f"{slip['village']} 村民账号激活码"), st["title"]),
        Paragraph(pdf.escape(f"姓名：{slip['name']}"), big),
        Paragraph(pdf.escape("激活码："), big),
        Paragraph(pdf.escape(slip["code"]), code_style),
        Paragraph(pdf.escape(f"有效期至：{_date_cn(slip['expires'])}"), big),
        Spacer(1, 6 * mm),
        *[Paragraph(pdf.escape(line), big) for line in slip_lines(slip)],
        Spacer(1, 8 * mm),
        Paragraph(
            pdf.escape(f"发放人：{slip['issued_by']}　发放日期：{_date_cn(slip['issued_on'])}"), st["small"]
        ),
    ]
    return pdf.build_pdf(parts, title=f"{slip['village']}村民账号激活码")


@require_POST
def elder_mode_view(request):
    """长辈模式 on or off: a cookie (not the session), so it survives signing out and works on the sign-in page."""
    on = request.POST.get("on") == "1"
    nxt = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        nxt = "/"
    response = redirect(nxt)
    if on:
        response.set_cookie(ELDER_COOKIE, "1", max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    else:
        response.delete_cookie(ELDER_COOKIE, samesite="Lax")
    return response


def villager_home(request):
    """A villager's home page (web.views.home sends villagers here): their own household only, big buttons, no
    pop-ups; what is not built yet is labelled 即将上线 and is not a link."""
    from xiangzhi.people.presenters import resident_view

    household, members = selectors.villager_household(user=request.user)
    context = {
        "household": household,
        "members": [resident_view(request.user, m) for m in members],
        "elder": request.COOKIES.get(ELDER_COOKIE) == "1",
    }
    return render(request, "web/villager_home.html", context)
