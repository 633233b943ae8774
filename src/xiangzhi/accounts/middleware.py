"""Session limits enforced on the server (等保 level 3): 30 minutes idle, 12 hours absolute.

Background polling (requests marked with the `X-Background-Poll` header, as the inbox badge sends) does not count
as activity. Times come from the movable clock so tests can cross the boundaries exactly.
"""

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

from xiangzhi.core import clock

SESSION_STARTED = "xz_started"
SESSION_LAST_ACTIVE = "xz_active"


def mark_login(request) -> None:
    stamp = clock.now().timestamp()
    request.session[SESSION_STARTED] = stamp
    request.session[SESSION_LAST_ACTIVE] = stamp


class SessionLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "_auth_user_id" in request.session:
            now = clock.now().timestamp()
            started = request.session.get(SESSION_STARTED, now)
            last = request.session.get(SESSION_LAST_ACTIVE, now)
            reason = None
            if now - last > settings.SESSION_IDLE_SECONDS:
                reason = "idle"
            elif now - started > settings.SESSION_ABSOLUTE_SECONDS:
                reason = "absolute"
            if reason:
                from xiangzhi.audit.services import record

                record("auth.session_expired", actor=user, changes={"reason": reason}, region_code="")
                logout(request)
                if request.path.startswith("/api/") or request.headers.get("HX-Request"):
                    from django.http import JsonResponse

                    return JsonResponse(
                        {"detail": "会话已过期，请重新登录。", "code": "session_expired"}, status=401
                    )
                return redirect(reverse("accounts:login") + f"?expired={reason}")
            if not request.headers.get("X-Background-Poll"):
                request.session[SESSION_LAST_ACTIVE] = now
            request.session.setdefault(SESSION_STARTED, started)
        return self.get_response(request)
