"""The demo 三务公开 (src/xiangzhi/demo/disclosure.py) on the small township: the demo village on time, the
second village three months behind on finance and flagged on the town's page."""

import datetime as dt

import pytest

from tests import factories
from xiangzhi.accounts.models import User
from xiangzhi.core import clock
from xiangzhi.demo import disclosure as demo
from xiangzhi.disclosure import selectors
from xiangzhi.disclosure.models import Notice, Question

pytestmark = pytest.mark.django_db


def test_the_demo_board(township):
    clock.set_fixed(dt.datetime(2026, 5, 20, 2, 0, tzinfo=dt.UTC))
    a, b = township.village_a, township.village_b
    factories.user_with_role("village_secretary", a)
    factories.user_with_role("supervisor", a, username="demo_supervisor")
    factories.user_with_role("villager", a)
    factories.user_with_role("town_staff", b)
    assert demo.build(a, behind=b) == 6
    mine = Notice.objects.filter(region_code=a.code, state="published")
    assert sorted(mine.values_list("kind", flat=True)) == ["finance", "party", "village"]
    finance = mine.get(kind="finance")
    assert finance.signed_off_at is not None
    assert "张某" in mine.get(kind="village").body and "张三" not in mine.get(kind="village").body
    q = Question.objects.get()
    assert q.notice == finance and q.answered_at is not None
    rows = {
        r["village"].code: [o["kind"] for o in r["overdue"]]
        for r in selectors.overdue_villages(township.town)
    }
    assert a.code not in rows
    assert rows[b.code] == ["finance"]
    last = Notice.objects.get(region_code=b.code, kind="finance")
    assert (clock.now() - last.published_at).days == demo.BEHIND_DAYS
    supervisor_b = User.objects.get(username=f"demo_supervisor_{b.code[-3:]}")
    assert last.signed_off_by == supervisor_b
    # idempotent
    assert demo.build(a, behind=b) == 0
    assert Notice.objects.count() == 6
