"""Calling a meeting from the meetings page (body picked in the form): the body in reach, the rules of the
service (10 days' notice for a 村民会议; households basis only for it); refusals 422/404, nothing written."""

import datetime as dt

import pytest

from tests import factories as tf
from tests.deliberation import factories as f
from tests.deliberation.test_bodies_rules import db_state, unchanged
from tests.factories import signed_in_client
from xiangzhi.core import clock
from xiangzhi.deliberation import rules
from xiangzhi.deliberation.models import Meeting

pytestmark = pytest.mark.django_db
URL = "/deliberation/bodies/meetings/new/"


def test_calling_a_meeting_with_the_body_picked(township):
    sec = signed_in_client(tf.user_with_role("village_secretary", township.village_a))
    mine = f.body_with_members(township.grid_a1, 2, kind=rules.COMMITTEES, name="南山两委")
    theirs = f.body_with_members(township.grid_b1, 2, kind=rules.COMMITTEES, name="北坡两委")
    page = sec.get(URL).content.decode()
    assert "南山两委" in page and "北坡两委" not in page
    today = clock.today().isoformat()
    state = db_state()
    r = sec.post(URL, {"body": theirs.pk, "title": "越权", "held_on": today})
    assert r.status_code == 404
    r = sec.post(URL, {"body": mine.pk, "title": "两委会", "held_on": today, "quorum_basis": "households"})
    assert r.status_code == 422 and "只有村民会议可以按户" in r.content.decode()
    yesterday = (clock.today() - dt.timedelta(days=1)).isoformat()
    r = sec.post(URL, {"body": mine.pk, "title": "两委会", "held_on": yesterday})
    assert r.status_code == 422 and "不能早于今天" in r.content.decode()
    r = sec.post(URL, {"body": mine.pk, "title": "", "held_on": today})
    assert r.status_code == 422 and "请填写会议名称" in r.content.decode()
    assert unchanged(state) == []
    r = sec.post(URL, {"body": mine.pk, "title": "两委会", "held_on": today})
    m = Meeting.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/deliberation/{m.pk}/" and m.roll.count() == 2
    assert signed_in_client(tf.user_with_role("villager", township.village_a)).get(URL).status_code == 403
