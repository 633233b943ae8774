"""The enforcement demo seeder runs through the real services."""

import pytest

from tests import factories
from tests.enforcement import factories as ef
from xiangzhi.demo import enforcement as demo
from xiangzhi.disclosure.models import Notice
from xiangzhi.enforcement.models import Decision, Inspection

pytestmark = pytest.mark.django_db


def test_demo_builds_inspections_and_one_published_penalty(township):
    assert demo.build(township.town, township.village_a) == 0  # nobody to act yet
    c = ef.cast(township)
    assert demo.build(township.town, township.village_a) == 5
    assert demo.build(township.town, township.village_a) == 0  # a second run adds nothing
    assert Inspection.objects.count() == 5
    published = Decision.objects.get(published_on__isnull=False)
    assert published.amount_fen == 200_000
    notice = Notice.objects.get(kind="enforcement")
    assert notice.region_code == township.town.code and "刘某" in notice.body and "刘建国" not in notice.body
    assert Decision.objects.filter(state="draft", is_major=True).count() == 1
    assert factories.signed_in_client(c.leader).get("/enforcement/").status_code == 200
