from django.conf import settings as project_settings
from django.contrib.auth.hashers import get_hasher, make_password
from django.test import override_settings

from xiangzhi import settings as settings_module


def test_production_hasher_is_argon2():
    # The suite swaps in a fast hasher per test; the project's own setting is Argon2 first.
    assert settings_module.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    with override_settings(PASSWORD_HASHERS=settings_module.PASSWORD_HASHERS):
        assert get_hasher("default").algorithm == "argon2"
        assert make_password("Xz-Pass-2026!").startswith("argon2$argon2id$")
    assert project_settings.AUTH_USER_MODEL == "accounts.User"
