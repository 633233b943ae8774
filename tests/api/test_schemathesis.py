"""The API against its own OpenAPI document (schemathesis 4, in-process over WSGI): whatever is sent, no answer is
a 5xx and every status is one the document declares. Authenticated as a grid worker with a bearer token."""

import pytest
import schemathesis
from django.core.signals import request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance

from tests.factories import user_with_role
from tests.people import factories as people
from xiangzhi.accounts import services as accounts


@pytest.fixture
def _keep_test_connection():
    """Each in-process request would close the test's open transaction (STACK.md)."""
    request_started.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)


@pytest.fixture
def token(township, _keep_test_connection):
    people.household(township.grid_a1, head_name="王南山")
    people.household(township.grid_b1, head_name="钱北坡")
    worker = user_with_role("grid_worker", township.grid_a1)
    return accounts.token_issue(user=worker, otp_verified=False, name="schemathesis")


# Loaded once at collection, as a client would: the served document, through the whole middleware stack.
# (schemathesis.pytest.from_fixture would load it per test, but fails under pytest 9: no `_nodeid`.)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.filter_too_much,
    ],
)
def test_no_server_error_and_only_declared_statuses(case, token):
    response = case.call(headers={"Authorization": f"Bearer {token}"})
    case.validate_response(response, checks=[not_a_server_error, status_code_conformance])
