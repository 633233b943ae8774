"""Row locks that only matter where writers run in parallel. Two real connections race; the rule must hold.
On PostgreSQL the loser waits for the lock and is then refused by the rule (without the lock both would pass:
seen failing 2 runs in 3 with the person lock removed). On SQLite the in-memory test database refuses the second
writer outright ("database table is locked"): the rule holds there too, and the test says so."""

import threading

import pytest
from django.db import OperationalError, connection, connections

from tests import factories
from xiangzhi.accounts import services
from xiangzhi.accounts.models import RoleAssignment, User
from xiangzhi.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db(transaction=True)


def _race(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(i, fn):
        try:
            barrier.wait(timeout=10)
            fn()
            outcomes[i] = "ok"
        except ValidationFailed as exc:
            outcomes[i] = exc.message
        except OperationalError as exc:  # SQLite: the other writer holds the database
            outcomes[i] = f"locked: {exc}"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return outcomes


def test_two_admin_roles_granted_at_once_to_one_person_never_both_land():
    a = factories.user_with_role(username="one_a")
    b = factories.user_with_role(username="one_b")
    User.objects.filter(pk__in=[a.pk, b.pk]).update(person_key="person-1")
    a.refresh_from_db()
    b.refresh_from_db()
    outcomes = _race(
        lambda: services.role_grant(user=User.objects.get(pk=a.pk), role="system_admin"),
        lambda: services.role_grant(user=User.objects.get(pk=b.pk), role="audit_admin"),
    )
    held = set(
        RoleAssignment.objects.filter(user__person_key="person-1", is_active=True).values_list(
            "role", flat=True
        )
    )
    assert len(held) == 1, (outcomes, held, connection.vendor)
    assert sorted(o == "ok" for o in outcomes) == [False, True]
    loser = next(o for o in outcomes if o != "ok")
    assert "三员分立" in loser or (connection.vendor == "sqlite" and loser.startswith("locked")), loser


def test_the_token_limit_holds_under_concurrent_requests():
    user = factories.user_with_role(username="tok")
    for i in range(services.API_TOKEN_MAX_ACTIVE - 1):
        services.token_issue(user=user, otp_verified=True, name=f"t{i}")
    outcomes = _race(
        *[lambda: services.token_issue(user=User.objects.get(pk=user.pk), otp_verified=True, name="x")] * 3
    )
    from xiangzhi.accounts.models import ApiToken

    assert (
        ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() == services.API_TOKEN_MAX_ACTIVE
    )
    assert outcomes.count("ok") == 1
    assert all(
        "最多" in o or (connection.vendor == "sqlite" and o.startswith("locked"))
        for o in outcomes
        if o != "ok"
    )
