"""Thin views of the shared parts: the inbox and the policy-checked private file download."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from xiangzhi import policy
from xiangzhi.core import selectors, services
from xiangzhi.core.errors import NotFound
from xiangzhi.core.models import PrivateFile

INBOX_PAGE_SIZE = 20
INLINE_TYPES = {"image/jpeg", "image/png", "image/webp", "application/pdf"}


@login_required
@require_GET
def inbox(request):
    unread_only = request.GET.get("unread") == "1"
    page = Paginator(selectors.notification_list(user=request.user, unread_only=unread_only), INBOX_PAGE_SIZE)
    page_obj = page.get_page(request.GET.get("page"))
    return render(
        request,
        "core/inbox.html",
        {
            "page_obj": page_obj,
            "unread_only": unread_only,
            "unread_count": selectors.notification_unread_count(user=request.user),
        },
    )


@login_required
@require_GET
def inbox_badge(request):
    """Polled by htmx every minute with `X-Background-Poll: 1`, so it never keeps a session alive."""
    count = selectors.notification_unread_count(user=request.user)
    return render(request, "core/inbox_badge.html", {"unread_count": count})


@login_required
@require_POST
def inbox_read(request, pk: int):
    try:
        notification = selectors.notification_get(user=request.user, pk=pk)
    except NotFound:
        raise Http404("未找到") from None
    services.notification_mark_read(user=request.user, notification=notification)
    target = request.POST.get("next") or ""
    if request.POST.get("open") and notification.url:
        target = notification.url
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("inbox:list")


@login_required
@require_POST
def inbox_read_all(request):
    services.notification_mark_all_read(user=request.user)
    return redirect("inbox:list")


@login_required
@require_GET
def private_file(request, pk: int):
    """Serve a private file only when the policy allows; anything else is a 404 (audited when out of scope)."""
    pf = policy.get_scoped_or_404(request.user, "files.view", PrivateFile.objects.all(), pk=pk)
    return file_response(pf)


def file_response(pf: PrivateFile):
    """The bytes of a private file, for a view that has already asked the policy (this one, or a module's own view
    that authorises through its object: a reporter opening the photos of their own case)."""
    try:
        handle = pf.file.open("rb")
    except FileNotFoundError:
        raise Http404("未找到") from None
    inline = pf.content_type in INLINE_TYPES
    response = FileResponse(
        handle, content_type=pf.content_type, as_attachment=not inline, filename=pf.original_name
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    return response
