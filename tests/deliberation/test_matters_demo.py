"""The demo's matters through the real services: one done in six steps, one in progress, one consultation."""

import pytest

from tests import factories as tf
from tests.deliberation import factories as f
from tests.party import factories as partyf
from xiangzhi.deliberation.models import Matter
from xiangzhi.demo import deliberation as demo
from xiangzhi.disclosure.models import Notice
from xiangzhi.party import services as party_services

pytestmark = pytest.mark.django_db


def test_the_demo_builds_a_done_and_an_ongoing_matter(township):
    village = township.village_a
    f.residents(township.grid_a1, 30)
    org = partyf.branch(village)
    for i in range(7):
        party_services.party_member_add(user=None, org=org, name=f"党员{i}")
    tf.user_with_role("village_secretary", village)
    assert demo.build(village) == {"matters": 3}
    done = Matter.objects.get(title="村集体光伏电站2026年收益分配方案")
    assert done.status == Matter.DONE and done.steps.filter(status="done").count() == 6
    ongoing = Matter.objects.get(title="村民活动广场建设筹资筹劳方案")
    assert [s.status for s in ongoing.steps.order_by("seq")][:4] == ["done", "done", "active", "pending"]
    assert Notice.objects.filter(region_code=village.code, kind="resolution", state="published").count() == 2
    assert Matter.objects.get(title="村口停车秩序").steps.filter(status="done").count() == 2
