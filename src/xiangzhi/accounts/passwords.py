"""Password rules. Staff (等保 level 3): length, three character classes, not containing the user's name,
username, phone or ID digits; a maximum age. Villagers: length and a trivial-password check, no expiry
(the deviation is written in SECURITY.md)."""

import re

from django.core.exceptions import ValidationError


def _classes(password: str) -> int:
    return sum(bool(re.search(p, password)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9]"))


class StaffComplexityValidator:
    """At least three of lower case, upper case, digits and symbols; none of the user's own identifiers."""

    def validate(self, password, user=None):
        if user is not None and getattr(user, "kind", "staff") == "villager":
            return
        if _classes(password) < 3:
            raise ValidationError(
                "密码须包含大写字母、小写字母、数字、符号中的至少三类。", code="password_too_simple"
            )
        if user is None:
            return
        lowered = password.lower()
        for attr in ("username", "full_name"):
            value = (getattr(user, attr, "") or "").lower()
            if len(value) >= 2 and value in lowered:
                raise ValidationError("密码不能包含用户名或姓名。", code="password_contains_identity")
        for digits in getattr(
            user, "_identity_digits", ()
        ):  # phone, ID number: given by the service, never stored
            for i in range(0, max(len(digits) - 5, 0) + 1):
                if digits[i : i + 6] in password:
                    raise ValidationError(
                        "密码不能包含手机号或身份证号中的连续数字。", code="password_contains_identity"
                    )

    def get_help_text(self):
        return "至少 10 位，包含大写字母、小写字母、数字、符号中的至少三类，不能包含用户名、姓名、手机号或身份证号。"


# Weak passwords common among Chinese users (public leak top lists), on top of Django's English list.
CHINESE_COMMON = frozenset(
    """
    123456 a123456 123456a 5201314 111111 woaini1314 qq123456 123123 000000 1qaz2wsx 1q2w3e4r qwe123 7758521
    123qwe a123123 123456aa woaini520 woaini 100200 1314520 woaini123 123321 q123456 123456789a 147258369
    zxcvbnm 112233 520520 123456q abc123456 5201314520 wang123456 zhang123456 li123456 666666 888888 aa123456
    12345678 123456789 1234567890 88888888 11111111 66666666 asd123456 abc12345 a1234567 iloveyou 1qaz2wsx3edc
    """.split()
)

_KEYBOARD_ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm")


def _is_run(password: str) -> bool:
    """Each character one step after (or before) the previous one: 12345678, 87654321, abcdefgh, qwertyui."""
    low = password.lower()
    if len(low) < 3:
        return False
    steps = {ord(b) - ord(a) for a, b in zip(low, low[1:], strict=False)}
    if steps in ({1}, {-1}):
        return True
    for row in _KEYBOARD_ROWS:
        if low in row or low in row[::-1]:
            return True
    return False


def _is_repetition(password: str) -> bool:
    """A short unit repeated: 11111111, 12121212, 123123123, abcabcab."""
    n = len(password)
    for unit in range(1, min(4, n // 2) + 1):
        pattern = password[:unit]
        if (pattern * (n // unit + 1))[:n] == password:
            return True
    return False


def _is_date(password: str) -> bool:
    """A birth date such as 19560312: the first thing anyone in the village would try."""
    import datetime as dt

    if len(password) != 8 or not password.isdigit():
        return False
    try:
        day = dt.date(int(password[:4]), int(password[4:6]), int(password[6:]))
    except ValueError:
        return False
    return 1900 <= day.year <= 2099


class VillagerTrivialValidator:
    """Villagers (often elderly) choose a password they can remember: no complexity rule, but refuse what anyone
    would guess first — one character repeated, a run such as 12345678 or qwertyui, a date, a very common
    password, and the phone number itself."""

    def validate(self, password, user=None):
        if password.lower() in CHINESE_COMMON:
            raise ValidationError("这个密码太常见，很容易被猜到，请换一个。", code="password_too_common")
        if _is_repetition(password):
            raise ValidationError("密码不能是同一个字或同一组字重复，请换一个。", code="password_repetitive")
        if _is_run(password):
            raise ValidationError(
                "密码不能是 12345678 这样的连续数字或字母，请换一个。", code="password_sequence"
            )
        if _is_date(password):
            raise ValidationError("密码不能是生日等日期，请换一个。", code="password_date")
        if user is not None:
            from xiangzhi.core import crypto

            digits = "".join(ch for ch in password if ch.isdigit())
            phone_hash = getattr(user, "phone_hash", "") or ""
            if phone_hash and (
                crypto.lookup_hash(password, purpose="phone") == phone_hash
                or (len(digits) == 11 and crypto.lookup_hash(digits, purpose="phone") == phone_hash)
            ):
                raise ValidationError("密码不能是您的手机号，请换一个。", code="password_is_phone")
            for known in getattr(user, "_identity_digits", ()):
                if known and known in password:
                    raise ValidationError("密码不能包含您的手机号，请换一个。", code="password_is_phone")

    def get_help_text(self):
        return "不能是同一个字重复、12345678 这样的连续数字、生日或手机号。"


def villager_validators() -> list:
    from django.conf import settings
    from django.contrib.auth.password_validation import CommonPasswordValidator, MinimumLengthValidator

    return [
        MinimumLengthValidator(min_length=settings.VILLAGER_PASSWORD_MIN_LENGTH),
        CommonPasswordValidator(),
        VillagerTrivialValidator(),
    ]


def password_validate(password: str, user) -> None:
    """Check a new password against the rules of the user's kind; raise Django's ValidationError (a list of
    Chinese messages). Staff: settings.AUTH_PASSWORD_VALIDATORS (等保 level 3). Villagers: their own list."""
    from django.contrib.auth.password_validation import validate_password

    if getattr(user, "kind", "staff") == "villager":
        validate_password(password, user, password_validators=villager_validators())
    else:
        validate_password(password, user)
