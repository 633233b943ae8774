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
