"""The pages and the API: the same services; refusals in Chinese with nothing written; villagers see results."""

import json

import pytest

from tests import factories as tf
from tests.deliberation import factories as f
from tests.factories import signed_in_client
from tests.isolation.test_every_route import changed_tables, db_state
from xiangzhi.audit.models import AuditRecord
from xiangzhi.deliberation.models import Item, VoteMark

pytestmark = pytest.mark.django_db
API = "/api/v1/deliberation/"


def test_a_secretary_runs_a_meeting_on_the_pages(township):
    body = f.body_with_members(township.grid_a1, 3, kind="committees")
    m = f.meeting(body, title="两委会第一次会议", days=0)
    sec = signed_in_client(tf.user_with_role("village_secretary", township.village_a))
    page = sec.get(f"/deliberation/{m.pk}/")
    assert page.status_code == 200 and "两委会第一次会议" in page.content.decode()
    lines = list(m.roll.order_by("id"))
    r = sec.post(f"/deliberation/{m.pk}/items/new/", {"title": "修缮村道", "kind": "ordinary"})
    assert r.status_code == 302
    item = Item.objects.get(title="修缮村道")
    # one present of three: not more than half; deciding is refused, in Chinese, and nothing is written
    sec.post(f"/deliberation/{m.pk}/attendance/", {"entry": lines[0].pk, "present": "1"})
    sec.post(f"/deliberation/items/{item.pk}/open-vote/", {"entry": lines[0].pk, "choice": "yes"})
    state = db_state()
    r = sec.post(f"/deliberation/items/{item.pk}/decide/")
    assert r.status_code == 422 and "未达到法定人数" in r.content.decode()
    assert [t for t in changed_tables(state, db_state()) if not t.startswith(("audit.", "sessions."))] == []
    sec.post(f"/deliberation/{m.pk}/attendance/", {"entry": lines[1].pk, "present": "1"})
    r = sec.post(f"/deliberation/items/{item.pk}/open-vote/", {"entry": lines[0].pk, "choice": "no"})
    assert r.status_code == 422 and "已经投过票" in r.content.decode()
    sec.post(f"/deliberation/items/{item.pk}/open-vote/", {"entry": lines[1].pk, "choice": "yes"})
    assert sec.post(f"/deliberation/items/{item.pk}/decide/").status_code == 302
    text = sec.get(f"/deliberation/{m.pk}/").content.decode()
    assert "通过" in text and "赞成 2" in text


def test_a_villager_votes_secretly_and_sees_the_result_but_not_the_roll(township):
    kwargs, _ = f.make_open_item(township.grid_a1, secret=True)
    item = Item.objects.get(pk=kwargs["pk"])
    villager = tf.user_with_role("villager", township.village_a)
    villager.resident_id = item.meeting.roll.get(pk=kwargs["_entry"]).resident_id
    villager.save()
    c = signed_in_client(villager)
    page = c.get(f"/deliberation/{item.meeting_id}/").content.decode()
    assert "villager-page" in page and 'value="yes"' in page and "名单与到会" not in page
    assert c.post(f"/deliberation/items/{item.pk}/ballot/", {"choice": "yes"}).status_code == 302
    r = c.post(f"/deliberation/items/{item.pk}/ballot/", {"choice": "no"})
    assert r.status_code == 422 and "已经投过票" in r.content.decode()
    assert VoteMark.objects.filter(item=item).count() == 1
    # over the API: the other member votes; a second time is refused
    other = tf.user_with_role("villager", township.village_a)
    other.resident_id = item.meeting.roll.exclude(pk=kwargs["_entry"]).get().resident_id
    other.save()
    oc = signed_in_client(other)
    body = json.dumps({"choice": "no"})
    assert oc.post(f"{API}items/{item.pk}", body, content_type="application/json").status_code == 200
    r = oc.post(f"{API}items/{item.pk}", body, content_type="application/json")
    assert r.status_code == 409 and "已经投过票" in r.json()["detail"]
    from xiangzhi.deliberation import services

    services.item_decide(user=None, item=item)
    d = c.get(f"{API}{item.meeting_id}").json()
    assert d["roll"] is None and d["items"][0]["yes"] == 1 and d["items"][0]["no"] == 1
    assert d["items"][0]["passed"] is False  # 1 of 2 members: not more than half


def test_the_api_is_scoped(township):
    kwargs, marker = f.make_meeting(township.grid_b1)
    c = signed_in_client(tf.user_with_role("village_secretary", township.village_a))
    assert marker not in json.dumps(c.get(API).json(), ensure_ascii=False)
    before = AuditRecord.objects.filter(result=AuditRecord.RESULT_DENIED).count()
    assert c.get(f"{API}{kwargs['pk']}").status_code == 404
    assert AuditRecord.objects.filter(result=AuditRecord.RESULT_DENIED).count() == before + 1
    item_kwargs, _ = f.make_open_item(township.grid_b1, secret=True)
    state = db_state()
    r = c.post(
        f"{API}items/{item_kwargs['pk']}", json.dumps({"choice": "yes"}), content_type="application/json"
    )
    assert r.status_code == 404
    assert [t for t in changed_tables(state, db_state()) if not t.startswith(("audit.", "sessions."))] == []
