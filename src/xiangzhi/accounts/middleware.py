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
ACTIVITY_GRANULARITY = 15  # seconds


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
            # Record activity at most every ACTIVITY_GRANULARITY seconds: otherwise every page view rewrites the
            # session row (a database write per GET). The idle limit is then at most that much early.
            stale = SESSION_LAST_ACTIVE not in request.session or now - last >= ACTIVITY_GRANULARITY
            if stale and not request.headers.get("X-Background-Poll"):
                request.session[SESSION_LAST_ACTIVE] = now
            request.session.setdefault(SESSION_STARTED, started)
        return self.get_response(request)


class AccountGateMiddleware:
    """What a signed-in user must do before anything else (after the password, in this order):

    1. a user holding a privileged role (roles.PRIVILEGED_ROLES) verifies the TOTP second factor on /accounts/otp/;
    2. a staff user whose password is past settings.PASSWORD_MAX_AGE_DAYS, or flagged `must_change_password`,
       changes it on /accounts/password/.

    Until then every other page redirects there (the API and htmx get a 403 JSON answer). Sits after
    OTPMiddleware, which tells whether the session is verified."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(_static_prefix()):
            blocked = self._gate(request, user)
            if blocked is not None:
                return blocked
        return self.get_response(request)

    def _gate(self, request, user):
        from xiangzhi.accounts import services

        otp_url = reverse("accounts:otp")
        logout_url = reverse("accounts:logout")
        password_url = reverse("accounts:password_change")
        path = request.path
        if path.startswith(logout_url):
            return None
        if path.startswith("/open311/"):
            return None  # the public Open311 API: no view there uses the session or request.user
        if path.startswith("/api/") and _valid_bearer_token(request):
            return None  # a token call: judged by services.token_authenticate, not by the browser session
        if services.is_privileged(user) and not getattr(user, "is_verified", lambda: False)():
            if path.startswith(otp_url):
                request.xz_gate_pending = True  # the page shows no menu until the gate is passed
                return None
            return self._refuse(request, otp_url, "otp_required", "请先完成动态口令验证。")
        if services.password_change_required(user):
            if path.startswith(password_url) or path.startswith(otp_url):
                request.xz_gate_pending = True
                return None
            return self._refuse(request, password_url, "password_change_required", "请先修改密码。")
        return None

    @staticmethod
    def _refuse(request, url, code, message):
        from django.http import JsonResponse
        from django.utils.http import urlencode

        if request.path.startswith("/api/") or request.headers.get("HX-Request"):
            return JsonResponse({"detail": message, "code": code, "location": url}, status=403)
        if request.method == "GET" and request.path != "/":
            url = f"{url}?{urlencode({'next': request.get_full_path()})}"
        return redirect(url)


def _valid_bearer_token(request) -> bool:
    """The request carries an API token that authenticates someone. Any other Authorization header leaves the
    browser session to be judged (the API would fall back to it)."""
    from xiangzhi.accounts import services

    scheme, _, key = (request.headers.get("Authorization") or "").partition(" ")
    return scheme.lower() == "bearer" and services.token_authenticate(key.strip()) is not None


def _static_prefix() -> str:
    return settings.STATIC_URL or "/static/"
