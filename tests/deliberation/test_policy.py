"""Who may do what: cadres and 包村干部 run meetings of their villages; the supervisor objects; villagers read."""

import pytest

from tests import factories as tf
from tests.deliberation import factories as f
from xiangzhi import policy
from xiangzhi.audit.models import AuditRecord
from xiangzhi.core import clock
from xiangzhi.core.errors import PermissionDenied
from xiangzhi.deliberation import rules, services
from xiangzhi.deliberation.models import Meeting, Objection

pytestmark = pytest.mark.django_db


@pytest.fixture
def committee(township):
    return f.body_with_members(township.grid_a1, 3, kind=rules.COMMITTEES)


@pytest.mark.parametrize(
    ("role", "where", "allowed"),
    [
        ("village_secretary", "village_a", True),
        ("village_committee", "village_a", True),
        ("town_staff", "village_a", True),
        ("town_staff", "village_b", False),
        ("village_secretary", "village_b", False),
        ("supervisor", "village_a", False),
        ("villager", "village_a", False),
    ],
)
def test_who_calls_a_meeting(township, committee, role, where, allowed):
    user = tf.user_with_role(role, getattr(township, where))
    if allowed:
        m = services.meeting_call(user=user, body=committee, title="两委会", held_on=clock.today())
        assert m.called_by == user
    else:
        with pytest.raises(PermissionDenied):
            services.meeting_call(user=user, body=committee, title="两委会", held_on=clock.today())
        assert not Meeting.objects.exists()
        assert AuditRecord.objects.filter(
            action="deliberation.manage", result=AuditRecord.RESULT_DENIED
        ).exists()


def test_the_supervisor_reads_and_objects_villagers_read(township, committee):
    m = f.meeting(committee, days=1)
    sup = tf.user_with_role("supervisor", township.village_a)
    villager = tf.user_with_role("villager", township.village_a)
    assert policy.can(sup, "deliberation.view", m) and policy.can(villager, "deliberation.view", m)
    obj = services.objection_record(user=sup, meeting=m, text="表决前未公示方案")
    assert obj.author == sup and AuditRecord.objects.filter(action="deliberation.objection").exists()
    with pytest.raises(PermissionDenied):
        services.objection_record(user=villager, meeting=m, text="不同意")
    other_sup = tf.user_with_role("supervisor", township.village_b)
    with pytest.raises(PermissionDenied):
        services.objection_record(user=other_sup, meeting=m, text="越界")
    assert Objection.objects.count() == 1
