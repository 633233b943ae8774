"""The demo seeders run through the real services."""

import pytest

from tests import factories
from tests.party.factories import branch
from tests.people import factories as pf
from tests.points import factories as pts
from tests.volunteering.factories import ITEMS
from xiangzhi.party import services as party_services
from xiangzhi.points.models import Claim, LedgerEntry
from xiangzhi.volunteering import demo
from xiangzhi.volunteering.models import Activity, VolunteerTeam

pytestmark = pytest.mark.django_db


def test_demo_builds_teams_activities_and_party_points(township):
    secretary = factories.user_with_role("village_secretary", township.village_b)
    pts.scheme(township.village_b, secretary, items=ITEMS)
    households = [pf.household(township.grid_b1, head_name=f"户主{i}") for i in range(8)]
    org = branch(township.village_b)
    for h in households[:3]:
        party_services.party_member_add(user=None, org=org, resident=h.head)
    demo.build(township.village_b)
    demo.build(township.village_b)  # a second run adds nothing
    assert VolunteerTeam.objects.count() == 2
    assert Activity.objects.filter(state=Activity.CONFIRMED).count() == 2
    assert Claim.objects.filter(household__isnull=False).exists()
    demo.build_party(township.village_b)
    assert LedgerEntry.objects.filter(kind=LedgerEntry.BASE).count() == 3
    assert Claim.objects.filter(party_member__isnull=False).count() == 3
