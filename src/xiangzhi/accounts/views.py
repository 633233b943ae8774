from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from xiangzhi.accounts import services


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码不正确。连续失败 5 次将锁定 30 分钟。",
        "inactive": "该账号已停用，请联系管理员。",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "用户名或手机号"
        self.fields["password"].label = "密码"


def login_view(request):
    if request.user.is_authenticated:
        return redirect("web:home")
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST":
        # The form normalises a villager's phone number to the stored username before authenticating.
        username = services.login_username(request.POST.get("username", ""))
        data = request.POST.copy()
        data["username"] = username
        form = LoginForm(request, data=data)
        if form.is_valid():
            user = form.get_user()
            auth_login(request, user)
            services.after_login(request, user)
            return redirect(request.GET.get("next") if _safe_next(request) else reverse("web:home"))
    expired = request.GET.get("expired")
    return render(request, "accounts/login.html", {"form": form, "expired": expired})


def _safe_next(request) -> bool:
    from django.utils.http import url_has_allowed_host_and_scheme

    nxt = request.GET.get("next")
    return bool(nxt) and url_has_allowed_host_and_scheme(
        nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        services.before_logout(request, request.user)
    auth_logout(request)
    return redirect("accounts:login")
