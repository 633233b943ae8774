"""The demo's bodies (xiangzhi.demo.bodies), built on a village like the demo's: the five bodies, the 村民代表会议's
roster showing exactly one Art. 25 warning (women), and a second call making nothing new."""

import pytest

from tests.party import factories as partyf
from tests.people import factories as pf
from xiangzhi.deliberation import rules, selectors
from xiangzhi.deliberation.models import Body
from xiangzhi.demo import bodies
from xiangzhi.party import services as party_services

pytestmark = pytest.mark.django_db


def test_the_demo_villages_bodies(township):
    heads = [
        pf.household(
            township.grid_a1 if i % 2 else township.grid_a2, head_name=f"户主{i}", sex="F" if i % 3 else "M"
        )
        for i in range(40)
    ]
    org = partyf.branch(township.village_a)
    for h in heads[:6]:
        party_services.party_member_add(user=None, org=org, resident=h.members.get())
    made = bodies.build(township.village_a)
    assert set(made) == {k for k, _ in rules.KIND_CHOICES}
    assert made[rules.PARTY_ASSEMBLY].party_org == org
    assert made[rules.BRANCH_COMMITTEE].members.count() == 5
    check = selectors.roster_check(made[rules.REPRESENTATIVES])
    assert [w.code for w in check["warnings"]] == ["women_share"], check
    assert (check["members"], check["representatives"], check["women"]) == (10, 8, 3)  # 40 households: 2 + 8
    count = Body.objects.count()
    again = bodies.build(township.village_a)
    assert {k: b.pk for k, b in again.items()} == {
        k: b.pk for k, b in made.items()
    } and Body.objects.count() == count
