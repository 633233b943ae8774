"""Account services: sign-in bookkeeping, second factor, API tokens, passwords, role grants with 三员分立,
villager accounts and their activation codes.

Every change of state is audited in its own transaction. No password, activation code, token key, OTP secret or
phone number ever reaches an audit record, a log line or an error message.
"""

import datetime as dt
import hashlib
import re
import secrets
import time
import unicodedata

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q

from xiangzhi import policy
from xiangzhi.accounts.middleware import mark_login
from xiangzhi.accounts.models import ActivationCode, ApiToken, RoleAssignment, User
from xiangzhi.accounts.passwords import password_validate
from xiangzhi.accounts.roles import PRIVILEGED_ROLES, ROLES, SEPARATED_ADMIN_ROLES
from xiangzhi.audit.models import AuditRecord
from xiangzhi.audit.services import record
from xiangzhi.core import clock, crypto
from xiangzhi.core.errors import Conflict, PermissionDenied, ValidationFailed

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
VILLAGER_PREFIX = "v-"

ACTIVATION_CODE_DAYS = 30
ACTIVATION_CODE_MAX_FAILURES = 5
API_TOKEN_DAYS = 90
API_TOKEN_MAX_ACTIVE = 10
API_TOKEN_PREFIX = "xzt_"
# last_used_at is written at most once a minute per token: a write per API call would be the hot path.
API_TOKEN_TOUCH_SECONDS = 60


# ---------------------------------------------------------------------------------------------------- sign-in


def villager_username(phone: str) -> str:
    """A villager's username is derived from the keyed hash of the phone, so the phone is never stored in clear."""
    return VILLAGER_PREFIX + crypto.lookup_hash(phone, purpose="phone")[:40]


# A mobile number as people write it: spaces or dashes between the groups, the +86 / 0086 / 86 country code.
_PHONE_WRITTEN = re.compile(r"(?:\+86|0086|86)?(1[3-9][0-9]{9})")
_PHONE_NOISE = re.compile(r"[\s\-]")
# A run of six or more digits: possibly a phone or an ID number typed into the name field.
_DIGIT_RUN = re.compile(r"[0-9]{6}")
UNKNOWN_NAME_PREFIX = "h-"


def phone_of(raw: str) -> str | None:
    """The 11-digit mobile number in `raw` as people write it ("139 1234 5678", "+86-139…"), or None."""
    text = _PHONE_NOISE.sub("", unicodedata.normalize("NFKC", raw or ""))
    m = _PHONE_WRITTEN.fullmatch(text)
    return m.group(1) if m else None


def login_username(raw: str) -> str:
    raw = (raw or "").strip()
    phone = phone_of(raw)
    return villager_username(phone) if phone else raw


def axes_username(request, credentials: dict | None = None) -> str:
    """AXES_USERNAME_CALLABLE: the username django-axes keys lockouts on and stores. A phone typed into the login
    form, however written, becomes the villager's `v-<hash>` username, so no phone number in clear reaches the axes
    tables; any other name with a run of six digits that is no account (an ID number typed by mistake) is stored
    as `h-<keyed hash>`. Either way the lock still counts per typed name and address."""
    raw = None
    if credentials:
        raw = credentials.get("username")
    if raw is None and request is not None:
        raw = getattr(request, "POST", {}).get("username")
    name = login_username(raw or "")
    if (
        not name.startswith(VILLAGER_PREFIX)
        and _DIGIT_RUN.search(name)
        and not User.objects.filter(username=name).exists()
    ):
        return UNKNOWN_NAME_PREFIX + crypto.lookup_hash(name, purpose="login_name")[:40]
    return name


def after_login(request, user: User) -> None:
    mark_login(request)
    record("auth.login", actor=user, object_repr=str(user), region_code="")


def before_logout(request, user: User) -> None:
    record("auth.logout", actor=user, object_repr=str(user), region_code="")


_SAFE_ATTEMPTED = re.compile(r"^[a-z0-9]{1,30}$")


def attempted_login_fields(username: str | None) -> tuple[User | None, dict]:
    """What an audit record of a failed or locked sign-in may say about the name that was typed.

    An existing account is named by the record's object. A phone (mapped to `v-…`) is never written. An unknown
    name is written only when it is lowercase letters and digits: such a string fails the staff complexity rule,
    so it cannot be a password typed into the wrong field; and never with a run of six digits (a phone or an ID
    number typed by mistake).
    """
    username = (username or "")[:150]
    account = User.objects.filter(username=username).first() if username else None
    if username.startswith(VILLAGER_PREFIX):
        return account, {"login_kind": "phone"}
    changes = {"login_kind": "username"}
    if account is not None:
        changes["username"] = account.username
    elif _SAFE_ATTEMPTED.match(username) and not _DIGIT_RUN.search(username):
        changes["username"] = username
    else:
        changes["username_withheld"] = True
    return account, changes


def login_failed_record(*, username: str | None) -> None:
    account, changes = attempted_login_fields(username)
    record(
        "auth.login_failed",
        account,
        actor=None,
        changes=changes,
        result=AuditRecord.RESULT_FAILED,
        region_code="",
        object_repr=str(account) if account else "",
    )


def lockout_record(*, username: str | None, event: str) -> None:
    """`event`: "locked" (the failure that reached the limit) or "refused_while_locked" (an attempt during the
    lock; the password was not even checked)."""
    account, changes = attempted_login_fields(username)
    record(
        "auth.locked",
        account,
        actor=None,
        changes={**changes, "event": event},
        result=AuditRecord.RESULT_DENIED,
        region_code="",
        object_repr=str(account) if account else "",
    )


# ------------------------------------------------------------------------------------------ what a user must do


def is_privileged(user) -> bool:
    """Holds a role that requires the TOTP second factor (roles.PRIVILEGED_ROLES)."""
    return any(a.role in PRIVILEGED_ROLES for a in policy.assignments(user))


def password_expired(user, *, at: dt.datetime | None = None) -> bool:
    """Staff passwords expire after settings.PASSWORD_MAX_AGE_DAYS; villagers' never do (SECURITY.md)."""
    if user.kind == User.KIND_VILLAGER or not user.has_usable_password():
        return False
    if user.password_changed_at is None:
        return True
    at = at or clock.now()
    return at - user.password_changed_at > dt.timedelta(days=settings.PASSWORD_MAX_AGE_DAYS)


def password_change_required(user) -> bool:
    return bool(user.must_change_password) or password_expired(user)


# ---------------------------------------------------------------------------------------------------- passwords


def _validation_failed(error: ValidationError, field: str = "new_password") -> ValidationFailed:
    return ValidationFailed("".join(error.messages), field=field)


def password_change(*, user: User, old_password: str, new_password: str) -> None:
    """The user changes their own password: the old one must match, the new one must follow the rules of the
    user's kind and differ from the old one. Stamps password_changed_at and clears must_change_password."""
    if not user.check_password(old_password or ""):
        record(
            "auth.password_change_refused", user, actor=user, result=AuditRecord.RESULT_FAILED, region_code=""
        )
        raise ValidationFailed("原密码不正确。", field="old_password")
    if new_password == old_password:
        raise ValidationFailed("新密码不能与原密码相同。", field="new_password")
    try:
        password_validate(new_password, user)
    except ValidationError as e:
        raise _validation_failed(e) from None
    with transaction.atomic():
        user.set_password(new_password)
        user.must_change_password = False
        user.save(update_fields=["password", "password_changed_at", "must_change_password"])
        record("auth.password_changed", user, actor=user, region_code="")


# ------------------------------------------------------------------------------------------------- second factor


def totp_device_confirmed(user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def totp_device_ensure(user):
    """The user's confirmed TOTP device, made if missing (the demo builder uses this so that `xiangzhi otp-code`
    can print codes). A real user enrols on /accounts/otp/ instead, scanning the QR code."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = totp_device_confirmed(user)
    if device is None:
        with transaction.atomic():
            device = TOTPDevice.objects.create(user=user, name="动态口令", confirmed=True)
            record("auth.otp_enrolled", user, actor=None, region_code="", changes={"via": "service"})
    return device


def totp_enrolment_device(user):
    """The unconfirmed device shown as a QR code until the user proves they scanned it."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="动态口令", confirmed=False)
    return device


def totp_current_code(device) -> str:
    """The code the user's authenticator shows now (django-otp counts in real time, not the movable clock)."""
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


def totp_verify(*, request, token: str) -> bool:
    """Check a code against the user's confirmed device, or, during enrolment, the pending one (which it then
    confirms). On success the session is marked verified (`django_otp.login`). Every outcome is audited."""
    import django_otp

    user = request.user
    token = re.sub(r"\s+", "", token or "")
    device = totp_device_confirmed(user)
    enrolling = device is None
    if enrolling:
        device = totp_enrolment_device(user)
    ok = (
        bool(re.fullmatch(r"\d{6,8}", token)) and device.verify_is_allowed()[0] and device.verify_token(token)
    )
    with transaction.atomic():
        if not ok:
            record("auth.otp_failed", user, actor=user, result=AuditRecord.RESULT_FAILED, region_code="")
            return False
        if enrolling:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            type(device).objects.filter(user=user, confirmed=False).delete()
            record("auth.otp_enrolled", user, actor=user, region_code="", changes={"via": "qr"})
        record("auth.otp_verified", user, actor=user, region_code="")
    django_otp.login(request, device)
    return True


def totp_qr_svg(device) -> str:
    """The device's otpauth:// address as an inline SVG QR code, rendered on the server (segno)."""
    import segno

    return segno.make(device.config_url, error="m").svg_inline(scale=5, dark="#1f2328", light="#ffffff")


def totp_secret_text(device) -> str:
    """The secret in base32 for typing into an authenticator by hand, in groups of four."""
    import base64

    text = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


# ---------------------------------------------------------------------------------------------------- API tokens


def _token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_issue(*, user: User, otp_verified: bool, name: str) -> str:
    """Issue an API token and return its raw key (shown once; only its SHA-256 is kept). A privileged user must
    be in a session verified by the second factor, or the token would bypass it."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("请填写令牌名称（例如“我的手机”）。", field="name")
    if len(name) > 60:
        raise ValidationFailed("令牌名称最多 60 个字。", field="name")
    if not user.is_active:
        raise PermissionDenied("该账号已停用。")
    if is_privileged(user) and not otp_verified:
        record(
            "accounts.token_issue_refused",
            user,
            actor=user,
            result=AuditRecord.RESULT_DENIED,
            region_code="",
            changes={"detail": "otp_required"},
        )
        raise PermissionDenied("您的账号需要动态口令：请先完成动态口令验证，再创建 API 令牌。")
    now = clock.now()
    raw = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        # Count under the user's row lock, so that concurrent requests cannot pass the limit together.
        list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))
        active = ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=now).count()
        if active >= API_TOKEN_MAX_ACTIVE:
            raise ValidationFailed(f"每人最多 {API_TOKEN_MAX_ACTIVE} 个有效令牌，请先吊销不用的。")
        _token_create(user=user, raw=raw, name=name, now=now)
    return raw


def _token_create(*, user: User, raw: str, name: str, now) -> ApiToken:
    token = ApiToken.objects.create(
        user=user,
        key_hash=_token_hash(raw),
        name=name,
        created_at=now,
        expires_at=now + dt.timedelta(days=API_TOKEN_DAYS),
    )
    record(
        "accounts.token_issued",
        token,
        actor=user,
        region_code="",
        changes={"name": name, "user": user.username},
    )
    return token


def token_authenticate(raw: str | None) -> User | None:
    """The user a raw API key stands for, or None: unknown, revoked, expired, a disabled account, or a staff
    password past its maximum age (the user must change it on the web first)."""
    if not raw or len(raw) > 200 or not raw.startswith(API_TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=_token_hash(raw)).first()
    now = clock.now()
    if token is None or not token.is_usable_at(now) or not token.user.is_active:
        return None
    if password_change_required(token.user):
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() >= API_TOKEN_TOUCH_SECONDS:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def token_revoke(*, token: ApiToken, by: User) -> None:
    if token.user_id != by.pk:
        raise PermissionDenied("只能吊销自己的令牌。")
    if token.revoked_at is not None:
        return
    token.revoked_at = clock.now()
    token.save(update_fields=["revoked_at"])
    record("accounts.token_revoked", token, actor=by, region_code="", changes={"name": token.name})


# ----------------------------------------------------------------------------------------------------- roles


def _person_holds(user: User, role: str) -> bool:
    accounts = User.objects.filter(pk=user.pk)
    if user.person_key:
        accounts = User.objects.filter(person_key=user.person_key)
    return RoleAssignment.objects.filter(user__in=accounts, role=role, is_active=True).exists()


@transaction.atomic
def role_grant(
    *,
    user: User,
    role: str,
    region=None,
    scope_type: str = "",
    scope_id: int | None = None,
    granted_by: User | None = None,
) -> RoleAssignment:
    """Grant `role` over `region`. Refuses a second 三员 role to the same person (checked across every account
    that shares the person's key), and a region of the wrong level."""
    spec = ROLES.get(role)
    if spec is None:
        raise ValidationFailed(f"未知角色：{role}")
    if spec.level is None and region is not None and region.level != "county":
        # 三员 work on the whole install, or on one county where a county runs its own administrators.
        raise ValidationFailed(
            f"{spec.label}作用于全系统或某个县，不能授予在{_level_label(region.level)}一级。"
        )
    if spec.level is not None and (region is None or region.level != spec.level):
        if not (
            region is not None
            and role in ("grid_worker", "grid_leader")
            and region.level in ("grid", "micro_grid")
        ):
            raise ValidationFailed(f"{spec.label}须授予在“{_level_label(spec.level)}”一级的辖区上。")
    if role in SEPARATED_ADMIN_ROLES:
        # Lock every account of the person (in one order), so that two concurrent grants to two accounts of
        # the same person serialise here and cannot both pass the check.
        person = Q(pk=user.pk) | Q(person_key=user.person_key) if user.person_key else Q(pk=user.pk)
        list(User.objects.select_for_update().filter(person).order_by("pk").values_list("pk", flat=True))
        for other in SEPARATED_ADMIN_ROLES:
            if other != role and _person_holds(user, other):
                raise ValidationFailed(
                    f"三员分立：此人已担任{ROLES[other].label}，不能再担任{spec.label}。",
                    code="separation_of_duties",
                    field="role",
                )
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user,
        role=role,
        region_code=region.code if region else "",
        scope_type=scope_type,
        scope_id=scope_id,
        defaults={"region": region, "granted_by": granted_by},
    )
    if not created and not assignment.is_active:
        assignment.is_active = True
        assignment.granted_at = clock.now()
        assignment.granted_by = granted_by
        assignment.save(update_fields=["is_active", "granted_at", "granted_by"])
    if region is not None and not user.region_code and not _holds_install_wide(user):
        # An account without a home region takes the region of its first regional grant, so that the
        # administrators of that county can manage it (accounts.view scopes accounts by their home region).
        User.objects.filter(pk=user.pk).update(region_code=region.code)
        user.region_code = region.code
    user.__dict__.pop("_xz_assignments", None)
    record(
        "accounts.role_granted",
        assignment,
        actor=granted_by,
        region_code=assignment.region_code,
        changes={"user": user.username, "role": role, "region": assignment.region_code},
    )
    return assignment


def _holds_install_wide(user: User) -> bool:
    return RoleAssignment.objects.filter(user=user, is_active=True, region_code="").exists()


def _level_label(level: str) -> str:
    from xiangzhi.regions.codes import LEVEL_LABELS

    return LEVEL_LABELS[level]


def _check_staff_username(username: str) -> str:
    username = (username or "").strip()
    if not re.fullmatch(r"[A-Za-z0-9_.@-]{3,60}", username):
        raise ValidationFailed(
            f"用户名“{username[:60]}”不合规：3–60 位字母、数字或 _ . @ -。", field="username"
        )
    if username.lower().startswith((VILLAGER_PREFIX, UNKNOWN_NAME_PREFIX)) or phone_of(username):
        raise ValidationFailed("工作人员用户名不能以 v- 或 h- 开头，也不能是手机号。", field="username")
    if User.objects.filter(username=username).exists():
        raise Conflict(f"用户名“{username}”已存在。", field="username")
    return username


@transaction.atomic
def admin_accounts_create(*, admins: list[dict]) -> list[User]:
    """Create the three administrators (三员): `admins` is three dicts with role, username, full_name, password,
    optionally person_key. Three different accounts of three different people; each must change the password
    at first sign-in (whoever ran the command knew it) and enrol TOTP."""
    roles = [a["role"] for a in admins]
    if sorted(roles) != sorted(SEPARATED_ADMIN_ROLES):
        raise ValidationFailed("须分别创建系统管理员、安全管理员、审计管理员各一名。")
    usernames = [a["username"].strip() for a in admins]
    if len(set(u.lower() for u in usernames)) != 3:
        raise ValidationFailed("三员须是三个不同的账号。")
    keys = [a.get("person_key") or "" for a in admins if a.get("person_key")]
    if len(set(keys)) != len(keys):
        raise ValidationFailed("三员分立：三员须由三个不同的人担任。")
    users = []
    for spec in admins:
        username = _check_staff_username(spec["username"])
        user = User(
            username=username,
            full_name=(spec.get("full_name") or ROLES[spec["role"]].label)[:50],
            kind=User.KIND_STAFF,
            person_key=spec.get("person_key") or "",
            must_change_password=True,
        )
        try:
            password_validate(spec["password"], user)
        except ValidationError as e:
            raise ValidationFailed(
                f"{ROLES[spec['role']].label}的密码不合规：{''.join(e.messages)}"
            ) from None
        user.set_password(spec["password"])
        user.save()
        record(
            "accounts.user_created", user, region_code="", changes={"username": username, "kind": user.kind}
        )
        role_grant(user=user, role=spec["role"])
        users.append(user)
    return users


# --------------------------------------------------------------------------------------------------- villagers


policy_villager_action = "accounts.villagers"


def _village_of(user: User) -> str:
    assignment = (
        RoleAssignment.objects.filter(user=user, role="villager", is_active=True).order_by("id").first()
    )
    return assignment.region_code if assignment else ""


@transaction.atomic
def villager_account_create(*, resident_or_name, phone: str, village, created_by: User | None):
    """Open a villager's account (sign-in by phone) and issue the first activation code.

    `resident_or_name` is a people.Resident or a name. The phone is kept only as a keyed hash (the username is
    derived from it). Returns (user, code): the 8-digit code is printed by the village and never stored in
    clear. `created_by` None means the system (demo builder, import); otherwise the policy decides."""
    if created_by is not None:
        policy.require(created_by, policy_villager_action, village)
    phone = (phone or "").strip()
    if not PHONE_RE.match(phone):
        raise ValidationFailed("手机号格式不正确（11 位，以 1 开头）。", field="phone")
    if getattr(village, "level", None) != "village":
        raise ValidationFailed("村民账号须开在行政村（社区）一级。", field="village")
    resident = None
    if isinstance(resident_or_name, str):
        full_name = resident_or_name.strip()
    else:
        resident = resident_or_name
        full_name = resident.name
        if not resident.region_code.startswith(village.code):
            raise ValidationFailed("该居民不属于这个村。", field="resident")
        if User.objects.filter(resident=resident, kind=User.KIND_VILLAGER).exists():
            raise Conflict(f"{resident.name}已开通账号；如忘记密码，请重新发放激活码。", field="resident")
    if not full_name:
        raise ValidationFailed("请填写姓名。", field="name")
    username = villager_username(phone)
    if User.objects.filter(username=username).exists():
        raise Conflict("这个手机号已开通账号；如忘记密码，请重新发放激活码。", field="phone")
    user = User(
        username=username,
        full_name=full_name[:50],
        kind=User.KIND_VILLAGER,
        phone_hash=crypto.lookup_hash(phone, purpose="phone"),
        resident=resident,
        person_key=resident.id_number_hash if resident is not None else "",
        region_code=village.code,
    )
    user.set_unusable_password()
    user.save()
    record(
        "accounts.villager_created",
        user,
        actor=created_by,
        region_code=village.code,
        changes={"kind": user.kind, "resident": resident.pk if resident else None},
    )
    role_grant(user=user, role="villager", region=village, granted_by=created_by)
    code = activation_code_issue(user=user, issued_by=created_by)
    return user, code


@transaction.atomic
def activation_code_issue(*, user: User, issued_by: User | None) -> str:
    """A new one-time 8-digit code for a villager (first sign-in or a forgotten password). Earlier open codes are
    revoked. Valid ACTIVATION_CODE_DAYS days, single use; the code is returned once and stored hashed."""
    if user.kind != User.KIND_VILLAGER:
        raise ValidationFailed("激活码只用于村民账号。")
    if not user.is_active:
        raise ValidationFailed("该账号已停用，不能发放激活码；请先请系统管理员启用。")
    village_code = _village_of(user)
    if issued_by is not None:
        from xiangzhi.regions.models import Region

        village = Region.objects.filter(code=village_code).first()
        if village is None:
            raise PermissionDenied("您没有权限执行此操作。")
        policy.require(issued_by, policy_villager_action, village)
    now = clock.now()
    ActivationCode.objects.filter(user=user, used_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=now
    )
    code = f"{secrets.randbelow(10**8):08d}"
    activation = ActivationCode.objects.create(
        user=user,
        code_hash=make_password(code),
        issued_by=issued_by,
        created_at=now,
        expires_at=now + dt.timedelta(days=ACTIVATION_CODE_DAYS),
    )
    record(
        "accounts.activation_code_issued",
        user,
        actor=issued_by,
        region_code=village_code,
        changes={"code_id": activation.pk, "expires_at": activation.expires_at.isoformat()},
    )
    return code


_WRONG_ACTIVATION = "手机号或激活码不正确，或激活码已过期。请核对，或请村里重新发放。"


def villager_activate(*, phone: str, code: str, password: str) -> User:
    """A villager sets a password with the code the village printed. The code is single use; five wrong tries
    revoke it (the village issues a new one). The messages never say whether the phone has an account.

    The phone is read as at sign-in (`phone_of`: spaces, dashes, +86). The new password is checked first, so a
    weak password does not cost the villager one of the five tries."""
    phone = phone_of(phone) or (phone or "").strip()
    code = re.sub(r"\s+", "", code or "")
    user = None
    if PHONE_RE.match(phone):
        user = User.objects.filter(
            username=villager_username(phone), kind=User.KIND_VILLAGER, is_active=True
        ).first()
    probe = user or User(kind=User.KIND_VILLAGER, phone_hash=crypto.lookup_hash(phone, purpose="phone"))
    probe._identity_digits = (phone,) if phone else ()
    try:
        password_validate(password or "", probe)
    except ValidationError as e:
        raise _validation_failed(e, "password") from None
    now = clock.now()
    with transaction.atomic():
        activation = None
        if user is not None:
            activation = (
                ActivationCode.objects.select_for_update()
                .filter(user=user, used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now)
                .order_by("-created_at", "-id")
                .first()
            )
        if activation is None:
            check_password(code, _dummy_code_hash())  # the same work whether or not the phone is known
            if user is not None:
                record(
                    "accounts.activation_failed",
                    user,
                    actor=None,
                    result=AuditRecord.RESULT_FAILED,
                    region_code=_village_of(user),
                    changes={"detail": "no_open_code"},
                )
            outcome = "refused"
        elif not _code_matches(activation, code):
            ActivationCode.objects.filter(pk=activation.pk).update(failed_attempts=F("failed_attempts") + 1)
            activation.refresh_from_db(fields=["failed_attempts"])
            revoked = activation.failed_attempts >= ACTIVATION_CODE_MAX_FAILURES
            if revoked:
                ActivationCode.objects.filter(pk=activation.pk).update(revoked_at=now)
            record(
                "accounts.activation_failed",
                user,
                actor=None,
                result=AuditRecord.RESULT_FAILED,
                region_code=_village_of(user),
                changes={
                    "code_id": activation.pk,
                    "failed_attempts": activation.failed_attempts,
                    "revoked": revoked,
                },
            )
            outcome = "refused"
        else:
            ActivationCode.objects.filter(pk=activation.pk).update(used_at=now)
            user.set_password(password)
            user.must_change_password = False
            user.save(update_fields=["password", "password_changed_at", "must_change_password"])
            record(
                "accounts.villager_activated",
                user,
                actor=user,
                region_code=_village_of(user),
                changes={"code_id": activation.pk},
            )
            outcome = "ok"
    if outcome != "ok":
        raise ValidationFailed(_WRONG_ACTIVATION, field="code")
    return user


def _code_matches(activation: ActivationCode, code: str) -> bool:
    return bool(re.fullmatch(r"\d{8}", code)) and check_password(code, activation.code_hash)


_dummy = {}


def _dummy_code_hash() -> str:
    if "hash" not in _dummy:
        _dummy["hash"] = make_password(secrets.token_hex(8))
    return _dummy["hash"]


# ------------------------------------------------------------------------------------- account administration
#
# The security administrator grants and revokes roles (accounts.roles); the system administrator creates staff
# accounts, disables and enables accounts and resets a lost second factor (accounts.manage); village cadres open
# villagers' accounts and print their activation codes (accounts.villagers). An account is within an
# administrator's reach when its home region (User.region_code) is inside the administrator's grant.

ACTION_VIEW = "accounts.view"
ACTION_ROLES = "accounts.roles"
ACTION_MANAGE = "accounts.manage"
ACTION_VILLAGERS = policy_villager_action


def same_person(a: User, b: User) -> bool:
    """One account, or two accounts of one person (same person_key)."""
    return a.pk == b.pk or bool(a.person_key and a.person_key == b.person_key)


def reaches_code(actor: User, action: str, code: str) -> bool:
    """`actor` holds `action` over the region `code` ("" = the whole install: install-wide grants only)."""
    return any(code.startswith(p) for p in policy.region_prefixes(actor, action))


def _refuse(action: str, message: str, *, detail: str, obj=None, region_code=None, field=None):
    """An audited refusal (written at once; re-written after a rollback by the request middleware)."""
    from xiangzhi.audit.services import record_denied

    record_denied(action, obj=obj, region_code=region_code, detail=detail)
    raise PermissionDenied(message, field=field)


def role_grant_as_admin(
    *, actor: User, user: User, role: str, region=None, scope_id: int | None = None
) -> RoleAssignment:
    """The security administrator grants `role` over `region` to `user` (the roles page).

    Refused, and audited: a user outside the administrator's reach, a grant to the administrator's own person
    (any account sharing the person_key), a region outside the administrator's grant, a second 三员 role to one
    person. Refused as invalid input: the villager role (it comes with a villager account), a privileged role on
    a villager account, a disabled account, a missing or foreign scope object, a grant the user already holds."""
    policy.require(actor, ACTION_ROLES, user)
    if same_person(actor, user):
        _refuse(
            ACTION_ROLES,
            "不能给自己（或本人的其他账号）授予角色。",
            detail="self_grant",
            obj=user,
            field="role",
        )
    spec = ROLES.get(role)
    if spec is None:
        raise ValidationFailed("请选择要授予的角色。", field="role")
    if role == "villager":
        raise ValidationFailed("村民角色随村民账号开通，不在这里授予。", field="role")
    if not user.is_active:
        raise ValidationFailed("该账号已停用，不能授予角色。", field="role")
    if user.is_villager and (spec.privileged or role in SEPARATED_ADMIN_ROLES):
        raise ValidationFailed(
            f"村民账号不能担任{spec.label}（需要动态口令的角色）：请为其另开工作人员账号。", field="role"
        )
    code = region.code if region is not None else ""
    if not reaches_code(actor, ACTION_ROLES, code):
        _refuse(
            ACTION_ROLES,
            "所选辖区不在您的管理范围内。",
            detail="region_out_of_scope",
            region_code=code,
            field="region",
        )
    scope_type, department = spec.scope_kind, None
    if scope_type:
        if scope_id is None:
            raise ValidationFailed(f"{spec.label}须指定对象（部门、积分超市或评议小组）。", field="scope_id")
        if scope_type == "department":
            from xiangzhi.core.models import Department

            department = Department.objects.filter(pk=scope_id).first()
            if department is None or region is None or department.town_id != region.pk:
                raise ValidationFailed("所选部门不在所选乡镇。", field="scope_id")
        elif scope_type == "store":
            from xiangzhi.store.selectors import store_serves_or_sits_in

            if region is None or not store_serves_or_sits_in(scope_id, region):
                raise ValidationFailed("所选积分超市不在所选村，也不服务该村。", field="scope_id")
    else:
        scope_id = None
    if RoleAssignment.objects.filter(
        user=user,
        role=role,
        region_code=code,
        scope_type=scope_type,
        scope_id=scope_id,
        is_active=True,
    ).exists():
        raise Conflict("此人已有这项授权。", field="role")
    try:
        with transaction.atomic():
            assignment = role_grant(
                user=user,
                role=role,
                region=region,
                scope_type=scope_type,
                scope_id=scope_id,
                granted_by=actor,
            )
            if department is not None and not department.staff.filter(pk=user.pk).exists():
                from xiangzhi.core.services import department_staff_add

                department_staff_add(department=department, user=user)
    except ValidationFailed as e:
        if e.code == "separation_of_duties":
            from xiangzhi.audit.services import record_denied

            record_denied(ACTION_ROLES, obj=user, detail="separation_of_duties")
        raise
    return assignment


def role_revoke(*, actor: User, assignment: RoleAssignment) -> RoleAssignment:
    """The security administrator ends a grant (is_active=False; the row stays as history). Refused, and
    audited: a user outside reach, the administrator's own person, a grant over a region outside the
    administrator's own. A grant already ended is a conflict, never a silent success."""
    user = assignment.user
    policy.require(actor, ACTION_ROLES, user)
    if same_person(actor, user):
        _refuse(ACTION_ROLES, "不能撤销自己（或本人的其他账号）的角色。", detail="self_revoke", obj=user)
    if not reaches_code(actor, ACTION_ROLES, assignment.region_code):
        _refuse(
            ACTION_ROLES,
            "这项授权的辖区不在您的管理范围内。",
            detail="region_out_of_scope",
            region_code=assignment.region_code,
        )
    if assignment.role == "villager":
        raise ValidationFailed("村民角色随村民账号存在；不再使用时，请由系统管理员停用该账号。")
    with transaction.atomic():
        locked = RoleAssignment.objects.select_for_update().get(pk=assignment.pk)
        if not locked.is_active:
            raise Conflict("这项授权已经撤销。")
        locked.is_active = False
        locked.save(update_fields=["is_active"])
        record(
            "accounts.role_revoked",
            locked,
            actor=actor,
            region_code=locked.region_code,
            changes={
                "user": user.username,
                "role": locked.role,
                "region": locked.region_code,
                "is_active": [True, False],
            },
        )
        if locked.scope_type == "department" and locked.scope_id:
            _department_membership_follow(user, locked.scope_id)
    user.__dict__.pop("_xz_assignments", None)
    assignment.is_active = False
    return locked


def _department_membership_follow(user: User, department_id: int) -> None:
    """After a department_staff grant ends: leave the department unless another active grant names it."""
    from xiangzhi.core.models import Department
    from xiangzhi.core.services import department_staff_remove

    still = RoleAssignment.objects.filter(
        user=user, scope_type="department", scope_id=department_id, is_active=True
    ).exists()
    department = Department.objects.filter(pk=department_id).first()
    if department is not None and not still and department.staff.filter(pk=user.pk).exists():
        department_staff_remove(department=department, user=user)


def staff_account_create(
    *,
    actor: User | None,
    username: str,
    full_name: str,
    password: str,
    region=None,
    id_number: str = "",
) -> User:
    """The system administrator opens a staff account with an initial password (staff rules), to be changed at
    first sign-in. `region` is the account's home region (None: the whole install, for install-wide
    administrators only). The optional ID number is kept only as the keyed hash that identifies the person
    across accounts (三员分立), and the password may not contain its digits. No role is granted here: that is
    the security administrator's job."""
    code = region.code if region is not None else ""
    if actor is not None:
        if not policy.can(actor, ACTION_MANAGE):
            policy.require(actor, ACTION_MANAGE)
        if not reaches_code(actor, ACTION_MANAGE, code):
            _refuse(
                ACTION_MANAGE,
                "所选辖区不在您的管理范围内。",
                detail="region_out_of_scope",
                region_code=code,
                field="region",
            )
    full_name = (full_name or "").strip()
    if not full_name:
        raise ValidationFailed("请填写姓名。", field="full_name")
    if len(full_name) > 50:
        raise ValidationFailed("姓名最多 50 个字。", field="full_name")
    person_key, digits = "", ()
    if (id_number or "").strip():
        from xiangzhi.people import idnumber

        number = idnumber.validate(id_number)
        person_key = crypto.lookup_hash(number, purpose="id_number")
        digits = (number,)
    username = _check_staff_username(username)
    user = User(
        username=username,
        full_name=full_name,
        kind=User.KIND_STAFF,
        person_key=person_key,
        region_code=code,
        must_change_password=True,
    )
    user._identity_digits = digits
    try:
        password_validate(password or "", user)
    except ValidationError as e:
        raise _validation_failed(e, "password") from None
    with transaction.atomic():
        user.set_password(password)
        user.save()
        record(
            "accounts.user_created",
            user,
            actor=actor,
            region_code=code,
            changes={
                "username": username,
                "full_name": full_name,
                "kind": user.kind,
                "region": code,
                "person_identified": bool(person_key),
                "must_change_password": True,
            },
        )
    return user


def account_set_active(*, actor: User, user: User, active: bool) -> User:
    """The system administrator disables or enables an account. A disabled account signs in nowhere (web, API
    token, activation code). Not one's own person; not an account that holds a 三员 role (the security
    administrator revokes the role first, so no single administrator can remove another)."""
    policy.require(actor, ACTION_MANAGE, user)
    if same_person(actor, user):
        _refuse(ACTION_MANAGE, "不能停用或启用自己（或本人的其他账号）。", detail="self_disable", obj=user)
    if user.is_active == active:
        raise Conflict("该账号已是启用状态。" if active else "该账号已是停用状态。")
    if (
        not active
        and RoleAssignment.objects.filter(user=user, role__in=SEPARATED_ADMIN_ROLES, is_active=True).exists()
    ):
        raise ValidationFailed("该账号担任三员之一：请先由安全管理员撤销其角色，再停用账号。")
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=active)
        if not active:
            ActivationCode.objects.filter(user=user, used_at__isnull=True, revoked_at__isnull=True).update(
                revoked_at=clock.now()
            )
        user.is_active = active
        record(
            "accounts.user_enabled" if active else "accounts.user_disabled",
            user,
            actor=actor,
            changes={"is_active": [not active, active]},
        )
    return user


def totp_reset(*, actor: User, user: User) -> int:
    """The system administrator removes a user's TOTP devices (a lost or replaced phone): at the next sign-in the
    user enrols a new one by scanning a fresh QR code. Not for one's own person. Returns the devices removed."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    policy.require(actor, ACTION_MANAGE, user)
    if same_person(actor, user):
        _refuse(
            ACTION_MANAGE, "不能重置自己（或本人的其他账号）的动态口令。", detail="self_otp_reset", obj=user
        )
    with transaction.atomic():
        devices = TOTPDevice.objects.filter(user=user)
        count = devices.count()
        if count == 0:
            raise Conflict("该账号还没有绑定动态口令，无需重置。")
        devices.delete()
        record("auth.otp_reset", user, actor=actor, changes={"devices_removed": count})
    return count


def villager_account_open(*, actor: User, resident) -> tuple[User, str]:
    """A village cadre opens the account of a resident with a phone on file (the phone is read, never shown).
    Returns (user, code): the code goes on the printed slip and nowhere else."""
    from xiangzhi.people.models import Resident
    from xiangzhi.regions.models import Region

    village = Region.objects.filter(code=resident.region_code[:12], level="village").first()
    if village is None:
        raise ValidationFailed("该居民不在任何行政村下。", field="resident")
    policy.require(actor, ACTION_VILLAGERS, resident)
    if resident.status != Resident.STATUS_NORMAL:
        raise ValidationFailed(
            f"{resident.name}已{resident.get_status_display()}，不能开通账号。", field="resident"
        )
    phone = str(resident.phone or "")
    if not phone:
        raise ValidationFailed(
            f"{resident.name}没有登记手机号：请先在户籍台账中补录手机号，再开通账号。", field="phone"
        )
    return villager_account_create(resident_or_name=resident, phone=phone, village=village, created_by=actor)
