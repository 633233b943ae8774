"""The demo builder of the 红黑榜 (for the lead's `xiangzhi demo`): through the real services, safe to run twice."""

import datetime as dt

import pytest

from tests.honours import factories as hf
from tests.points import factories as pts
from xiangzhi.honours import demo
from xiangzhi.honours.models import HonourList

pytestmark = pytest.mark.django_db


def test_demo_publishes_the_period_before_last_and_tells_the_last(township):
    hf.in_april()
    c = hf.cast(township)
    pts.give(c.home, -5, code="KF01", day=dt.date(2026, 2, 3))
    pts.give(c.other, 10, day=dt.date(2026, 3, 3))
    demo.build(township.village_a)
    demo.build(township.village_a)
    demo.build(township.village_b)  # no scheme there: nothing
    states = dict(HonourList.objects.values_list("period_start", "state"))
    assert states == {dt.date(2026, 2, 1): "published", dt.date(2026, 3, 1): "notified"}
