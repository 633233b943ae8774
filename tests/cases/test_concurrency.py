"""Two cadres act on the same case at the same moment: exactly one wins, the other is told why (PostgreSQL: real
row locks across two connections; SQLite serialises writers and has no second connection in the test DB)."""

import pytest
from django.db import connection

from tests import factories
from tests.cases.factories import cast, reported
from tests.concurrency import at_once
from xiangzhi.cases import services
from xiangzhi.cases.models import Case, CaseAssignment, CaseEvent
from xiangzhi.core.errors import Conflict

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def pg():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency across connections is tested on PostgreSQL (.ci/run runs it)")


def test_two_cadres_assign_the_same_case_at_once(pg, township):
    from xiangzhi.core.services import department_create

    c = cast(township)
    department_create(town=township.town, name="应急办", code="yingji")
    case = reported(township, c)
    case = services.case_escalate(user=c.grid_worker, case=case, reason="上报")
    case = services.case_escalate(user=c.secretary, case=case, reason="上报")
    other_leader = factories.user_with_role("town_leader", township.town)
    seen = case.version
    results = at_once(
        lambda: services.case_assign(
            user=c.town_leader, case=case, category="ENVIRONMENT", triage="government", version=seen
        ),
        lambda: services.case_assign(
            user=other_leader, case=case, category="SAFETY", triage="government", version=seen
        ),
    )
    wins = [r for r in results if isinstance(r, Case)]
    losses = [r for r in results if isinstance(r, Conflict)]
    assert len(wins) == 1 and len(losses) == 1, results
    assert "他人" in losses[0].message or "不能分类派遣" in losses[0].message
    case.refresh_from_db()
    assert case.category == wins[0].category and case.state == Case.ASSIGNED
    assert CaseEvent.objects.filter(case=case, action="assign").count() == 1
    assert CaseAssignment.objects.filter(case=case, ended_at=None).count() == 1


def test_the_same_transition_twice_without_a_version_still_happens_once(pg, township):
    c = cast(township)
    case = reported(township, c)
    results = at_once(*[lambda: services.case_accept(user=c.grid_worker, case=case) for _ in range(2)])
    assert sum(isinstance(r, Case) for r in results) == 1
    assert sum(isinstance(r, Conflict) for r in results) == 1
    assert CaseEvent.objects.filter(case=case, action="accept").count() == 1
