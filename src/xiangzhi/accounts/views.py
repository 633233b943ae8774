"""Sign-in, second factor, password change, API tokens and villager activation: thin adapters over services."""

from django import forms
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from xiangzhi.accounts import services
from xiangzhi.accounts.models import ApiToken
from xiangzhi.core.errors import DomainError
from xiangzhi.web.errors import add_domain_error


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
    form = LoginForm(request)
    if request.method == "POST":
        # A villager's phone number becomes the stored `v-<hash>` username before authenticating.
        data = request.POST.copy()
        data["username"] = services.login_username(request.POST.get("username", ""))
        form = LoginForm(request, data=data)
        if form.is_valid():
            user = form.get_user()
            auth_login(request, user)  # rotates the session key
            services.after_login(request, user)
            return redirect(_next_or(request, reverse("web:home")))
        # Never echo a phone number back into the page as its mapped hash: show what was typed.
        form.data = form.data.copy()
        form.data["username"] = request.POST.get("username", "")
    expired = request.GET.get("expired")
    return render(request, "accounts/login.html", {"form": form, "expired": expired})


def _next_or(request, default: str) -> str:
    nxt = request.POST.get("next") or request.GET.get("next")
    if nxt and url_has_allowed_host_and_scheme(
        nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return nxt
    return default


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        services.before_logout(request, request.user)
    auth_logout(request)
    return redirect("accounts:login")


# ------------------------------------------------------------------------------------------------ second factor


@login_required
def otp_view(request):
    user = request.user
    if getattr(user, "is_verified", lambda: False)():
        return redirect(_next_or(request, reverse("web:home")))
    error = None
    if request.method == "POST":
        if services.totp_verify(request=request, token=request.POST.get("token", "")):
            return redirect(_next_or(request, reverse("web:home")))
        error = "动态口令不正确或已使用过，请等待手机上的数字刷新后重新输入。"
    device = services.totp_device_confirmed(user)
    context = {"enrolling": device is None, "error": error, "next": request.GET.get("next", "")}
    if device is None:
        pending = services.totp_enrolment_device(user)
        context["qr_svg"] = services.totp_qr_svg(pending)
        context["secret"] = services.totp_secret_text(pending)
    return render(request, "accounts/otp.html", context)


# ---------------------------------------------------------------------------------------------------- password


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label="原密码", widget=forms.PasswordInput, strip=False)
    new_password = forms.CharField(label="新密码", widget=forms.PasswordInput, strip=False)
    new_password2 = forms.CharField(label="再输入一次新密码", widget=forms.PasswordInput, strip=False)

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", "两次输入的新密码不一致。")
        return data


@login_required
def password_change_view(request):
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(
                user=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except DomainError as e:
            add_domain_error(form, e)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, "密码已修改。")
            return redirect(_next_or(request, reverse("web:home")))
    context = {
        "form": form,
        "required": services.password_change_required(request.user),
        "expired": services.password_expired(request.user),
        "villager": request.user.is_villager,
    }
    return render(request, "accounts/password_change.html", context)


# ---------------------------------------------------------------------------------------------------- API tokens


@login_required
def tokens_view(request):
    raw_key = None
    error = None
    if request.method == "POST":
        try:
            raw_key = services.token_issue(
                user=request.user,
                otp_verified=getattr(request.user, "is_verified", lambda: False)(),
                name=request.POST.get("name", ""),
            )
        except DomainError as e:
            error = e.message
    tokens = ApiToken.objects.filter(user=request.user)
    response = render(request, "accounts/tokens.html", {"tokens": tokens, "raw_key": raw_key, "error": error})
    if raw_key:
        response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke_view(request, pk: int):
    # Scoped to the signed-in user: another user's token id is a 404.
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.token_revoke(token=token, by=request.user)
    messages.success(request, f"令牌“{token.name}”已吊销。")
    return redirect("accounts:tokens")


# ---------------------------------------------------------------------------------------------------- villagers


class ActivationForm(forms.Form):
    phone = forms.CharField(label="手机号", max_length=20)
    code = forms.CharField(label="激活码（8 位数字）", max_length=20)
    password = forms.CharField(label="设置密码", widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label="再输入一次密码", widget=forms.PasswordInput, strip=False)

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password2"):
            self.add_error("password2", "两次输入的密码不一致。")
        return data


def activate_view(request):
    form = ActivationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.villager_activate(
                phone=form.cleaned_data["phone"],
                code=form.cleaned_data["code"],
                password=form.cleaned_data["password"],
            )
        except DomainError as e:
            add_domain_error(form, e)
        else:
            messages.success(request, "账号已激活。请用手机号和刚设置的密码登录。")
            return redirect("accounts:login")
    from django.conf import settings

    return render(
        request,
        "accounts/activate.html",
        {"form": form, "min_length": settings.VILLAGER_PASSWORD_MIN_LENGTH},
    )
