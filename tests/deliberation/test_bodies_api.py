"""The bodies API (/api/v1/deliberation/…): the same services as the pages; JSON writes scoped (another village's
object: 404, nothing written); refusals in Chinese, nothing written."""

import datetime as dt
import json

import pytest

from tests import factories as tf
from tests.deliberation import factories as f
from tests.deliberation.test_bodies_rules import db_state, unchanged
from tests.factories import signed_in_client
from tests.people import factories as pf
from xiangzhi.core import clock
from xiangzhi.core.errors import ValidationFailed
from xiangzhi.deliberation import rules, services
from xiangzhi.deliberation.models import Authorisation, Body, BodyMember, Meeting

pytestmark = pytest.mark.django_db
API = "/api/v1/deliberation/"


def post(client, path, data=None):
    return client.post(API + path, json.dumps(data or {}), content_type="application/json")


@pytest.fixture
def sec(township):
    return signed_in_client(tf.user_with_role("village_secretary", township.village_a))


def test_bodies_and_members_over_the_api(township, sec):
    state = db_state()
    r = post(sec, "bodies", {"village_code": township.village_b.code, "kind": "committees"})
    assert r.status_code == 404
    r = post(
        sec,
        "bodies",
        {
            "village_code": township.village_a.code,
            "kind": "representatives",
            "quorum": {"num": 1, "den": 2, "strict": True},
        },
    )
    assert r.status_code == 422 and "由法律规定" in r.json()["detail"]
    assert unchanged(state) == []
    r = post(
        sec,
        "bodies",
        {"village_code": township.village_a.code, "kind": "representatives", "name": "代表会议"},
    )
    assert r.status_code == 201
    body = r.json()
    assert body["art25"]["warnings"] and body["quorum"] == rules.TWO_THIRDS_ROLL.describe()
    woman = pf.household(township.grid_a1, head_name="李桂兰", sex="F").head_id
    man = pf.household(township.grid_a1, head_name="赵大", sex="M").head_id
    assert (
        post(sec, f"bodies/{body['id']}/members", {"resident": woman, "role": "representative"}).status_code
        == 201
    )
    assert (
        post(sec, f"bodies/{body['id']}/members", {"resident": man, "role": "representative"}).status_code
        == 201
    )
    r = post(sec, f"bodies/{body['id']}/members", {"resident": man, "role": "representative"})
    assert r.status_code == 409 and "已是" in r.json()["detail"]
    detail = sec.get(f"{API}bodies/{body['id']}").json()["art25"]
    assert (detail["members"], detail["representatives"], detail["women"], detail["households"]) == (
        2,
        2,
        1,
        2,
    )
    assert {w["code"] for w in detail["warnings"]} == {"households"}  # 1 household each: fewer than 5
    listed = sec.get(f"{API}bodies/{body['id']}/members?role=representative&q=桂兰").json()
    assert listed["count"] == 1 and listed["items"][0]["sex"] == "F"
    assert post(sec, f"bodies/{body['id']}/members/remove", {"resident": man}).json() == {"ok": True}
    assert not BodyMember.objects.get(resident_id=man).is_active
    page = sec.get(f"{API}bodies?kind=representatives").json()
    assert page["count"] == 1 and page["items"][0]["member_count"] == 1
    # another village's body: 404, nothing written
    other = f.body_with_members(township.grid_b1, 2, kind=rules.COMMITTEES)
    state = db_state()
    assert post(sec, f"bodies/{other.pk}/members", {"resident": woman, "role": "member"}).status_code == 404
    assert (
        post(sec, f"bodies/{other.pk}/meetings", {"title": "越权", "held_on": str(clock.today())}).status_code
        == 404
    )
    assert unchanged(state) == []


def test_meetings_minutes_and_close_over_the_api(township, sec):
    f.residents(township.grid_a1, 3)
    assembly = services.body_create(user=None, village=township.village_a, kind=rules.VILLAGERS_ASSEMBLY)
    state = db_state()
    nine = (clock.today() + dt.timedelta(days=9)).isoformat()
    r = post(sec, f"bodies/{assembly.pk}/meetings", {"title": "村民会议", "held_on": nine})
    assert r.status_code == 422 and "须提前10天通知" in r.json()["detail"]
    assert unchanged(state) == []
    ten = (clock.today() + dt.timedelta(days=10)).isoformat()
    r = post(sec, f"bodies/{assembly.pk}/meetings", {"title": "村民会议", "held_on": ten})
    assert r.status_code == 201
    mid = r.json()["id"]
    assert (
        post(sec, f"meetings/{mid}/minutes", {"minutes": "通知已张贴。"}).json()["minutes"] == "通知已张贴。"
    )
    assert post(sec, f"meetings/{mid}/close").json()["status"] == "closed"
    r = post(sec, f"meetings/{mid}/minutes", {"minutes": "改"})
    assert r.status_code == 409 and Meeting.objects.get(pk=mid).minutes == "通知已张贴。"
    villager = signed_in_client(tf.user_with_role("villager", township.village_a))
    assert post(villager, f"meetings/{mid}/minutes", {"minutes": "x"}).status_code == 403


def test_authorisation_revoked_stops_the_representatives_deciding_art24(township, sec):
    r = post(
        sec,
        "authorisations",
        {"village_code": township.village_a.code, "scope": "村内道路", "valid_from": "2026-01-01"},
    )
    assert r.status_code == 201
    aid = r.json()["id"]
    body = f.body_with_members(township.grid_a1, 3)
    m = f.meeting(body, days=0)
    lines = f.attend(m, 3)
    first = f.item(m, title="道路一", art24=True)
    f.open_votes(first, lines, yes=3)
    assert services.item_decide(user=None, item=first).passed
    assert post(sec, f"authorisations/{aid}/revoke").json()["revoked"] is True
    r = post(sec, f"authorisations/{aid}/revoke")
    assert r.status_code == 409 and "已撤销" in r.json()["detail"]
    second = f.item(m, title="道路二", art24=True)
    f.open_votes(second, lines, yes=3)
    with pytest.raises(ValidationFailed, match="未授权"):
        services.item_decide(user=None, item=second)
    listed = sec.get(f"{API}authorisations?status=revoked").json()
    assert listed["count"] == 1 and listed["items"][0]["scope"] == "村内道路"
    # a grant citing an item that is not a passed decision of a 村民会议 is refused, nothing written
    state = db_state()
    r = post(
        sec,
        "authorisations",
        {
            "village_code": township.village_a.code,
            "scope": "x",
            "valid_from": "2026-01-01",
            "granted_by": first.pk,
        },
    )
    assert r.status_code == 422 and "村民会议已通过的决定" in r.json()["detail"]
    r = post(
        sec,
        "authorisations",
        {"village_code": township.village_b.code, "scope": "x", "valid_from": "2026-01-01"},
    )
    assert r.status_code == 404
    assert unchanged(state) == [] and Authorisation.objects.count() == 1


def test_the_towns_queue_and_quarterly_check_over_the_api(township, sec):
    body = f.body_with_members(township.grid_a1, 3)
    m = f.meeting(body, days=0)
    lines = f.attend(m, 3)
    it = f.item(m, title="发包荒山", kind=rules.ITEM_LAND_CONTRACT_OUTSIDER)
    f.open_votes(it, lines, yes=2)
    services.item_decide(user=None, item=it)
    leader = signed_in_client(tf.user_with_role("town_leader", township.town))
    queue = leader.get(f"{API}approvals").json()
    assert queue["count"] == 1 and queue["items"][0]["title"] == "发包荒山"
    assert sec.get(f"{API}approvals").status_code == 403
    assert post(sec, f"approvals/{it.pk}/approve").status_code in (403, 404)
    r = post(leader, f"approvals/{it.pk}/approve")
    assert r.status_code == 200 and r.json()["township_approved_at"]
    assert post(leader, f"approvals/{it.pk}/approve").status_code == 409
    q = leader.get(f"{API}quarterly?show=all").json()
    rows = {row["village_code"]: row for row in q["items"]}
    assert rows[township.village_a.code]["late"] is False and rows[township.village_a.code]["last"] == str(
        clock.today()
    )
    assert rows[township.village_b.code]["late"] is True and rows[township.village_b.code]["body_id"] is None
    late = leader.get(f"{API}quarterly").json()
    assert [row["village_code"] for row in late["items"]] == [township.village_b.code]
    assert Body.objects.filter(kind=rules.REPRESENTATIVES).count() == 1
