import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _reset_clock():
    from xiangzhi.core import clock

    clock.reset()
    yield
    clock.reset()


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    """Argon2 (the production hasher, see tests/accounts/test_hashing) costs ~0.4 s a hash on these machines;
    the rules under test do not depend on the hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def township(db):
    """A small tree: county 141029 → town 141029201 → villages A, B → two grids in A, one in B."""
    from tests import factories

    return factories.township()


@pytest.fixture
def make_user(db):
    from tests import factories

    return factories.user_with_role


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }
