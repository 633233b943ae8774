"""The 红黑榜 API: the same services as the pages, scoped alike, each refusal with its declared status."""

import datetime as dt

import pytest

from tests.factories import signed_in_client
from tests.honours import factories as hf
from tests.points import factories as pts
from xiangzhi.core import clock
from xiangzhi.honours.models import Appeal, HonourEntry, HonourList

pytestmark = pytest.mark.django_db
D = dt.date
API = "/api/v1/honours/"


@pytest.fixture
def c(township):
    hf.in_april()
    return hf.cast(township)


def test_generate_notify_appeal_decide_publish(township, c):
    pts.give(c.home, -5, code="KF01", day=D(2026, 3, 5))
    cadre = signed_in_client(c.secretary)
    early = cadre.post(
        API, {"village_code": township.village_a.code, "day": "2026-04-01"}, content_type="application/json"
    )
    assert early.status_code == 422 and "还没有结束" in early.json()["detail"]
    other = cadre.post(
        API, {"village_code": township.village_b.code, "day": "2026-03-01"}, content_type="application/json"
    )
    assert other.status_code == 404
    made = cadre.post(
        API, {"village_code": township.village_a.code, "day": "2026-03-15"}, content_type="application/json"
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert (
        body["state"] == "draft"
        and body["black"][0]["head_name"] == "王大爷"
        and "第二十七条" in body["lawful_note"]
    )
    pk = body["id"]
    assert cadre.get(f"{API}?state=draft").json()["count"] == 1
    notified = cadre.post(f"{API}{pk}/notify", {"appeal_days": 3}, content_type="application/json")
    assert notified.status_code == 200 and notified.json()["state"] == "notified"
    villager = signed_in_client(c.villager)
    mine = villager.get(f"{API}mine").json()
    assert [m["kind"] for m in mine] == ["black"] and mine[0]["list_state"] == "notified"
    raised = villager.post(
        f"{API}mine/{mine[0]['id']}/appeals", {"text": "有误"}, content_type="application/json"
    )
    assert raised.status_code == 201 and raised.json()["state"] == "open"
    assert villager.get(f"{API}{pk}").status_code in (403, 404)
    refused = cadre.post(f"{API}{pk}/publish", {}, content_type="application/json")
    assert refused.status_code == 409 and "申诉期未满" in refused.json()["detail"]
    appeal_id = cadre.get(f"{API}{pk}/appeals").json()[0]["id"]
    decided = cadre.post(
        f"{API}appeals/{appeal_id}/decision",
        {"upheld": False, "reason": "有照片"},
        content_type="application/json",
    )
    assert decided.status_code == 200 and decided.json()["state"] == "dismissed"
    clock.advance(dt.timedelta(days=3))
    cadre = signed_in_client(c.secretary)
    published = cadre.post(f"{API}{pk}/publish", {}, content_type="application/json")
    assert published.status_code == 200 and published.json()["state"] == "published"
    flag = cadre.get(f"{API}flag/{c.home.pk}").json()
    assert flag["barred"] is True and "黑榜" in flag["reason"]
    assert cadre.get(f"{API}flag/{c.other.pk}").json()["barred"] is False
    assert cadre.get(f"{API}flag/{c.far.pk}").status_code == 404
    assert Appeal.objects.get().state == "dismissed" and HonourList.objects.get().state == "published"


def test_stale_version_and_strict_types_are_refused(township, c):
    pts.give(c.home, 5, day=D(2026, 3, 5))
    cadre = signed_in_client(c.secretary)
    pk = cadre.post(
        API, {"village_code": township.village_a.code, "day": "2026-03-15"}, content_type="application/json"
    ).json()["id"]
    stale = cadre.post(f"{API}{pk}/notify", {"version": 9}, content_type="application/json")
    assert stale.status_code == 409 and HonourList.objects.get().state == "draft"
    bad = cadre.post(f"{API}{pk}/notify", {"appeal_days": "5天"}, content_type="application/json")
    assert bad.status_code == 422
    assert HonourEntry.objects.count() == 1


def test_writes_on_another_villages_list_are_404_and_write_nothing(township, c):
    from xiangzhi.honours import services

    hl = hf.notified(c, township)
    appeal = services.appeal_raise(
        user=c.villager, entry=HonourEntry.objects.get(household=c.home), text_="有误"
    )
    outsider = signed_in_client(c.secretary_b)
    before = (HonourList.objects.get().version, Appeal.objects.get().state)
    for path, body in (
        (f"{API}{hl.pk}/regenerate", {}),
        (f"{API}{hl.pk}/notify", {}),
        (f"{API}{hl.pk}/publish", {}),
        (f"{API}appeals/{appeal.pk}/decision", {"upheld": True, "reason": "越权"}),
        (API, {"village_code": township.village_a.code, "day": "2026-02-01"}),
    ):
        assert outsider.post(path, body, content_type="application/json").status_code == 404, path
    other_entry = HonourEntry.objects.get(household=c.other)
    raised = signed_in_client(c.villager).post(
        f"{API}mine/{other_entry.pk}/appeals", {"text": "替别人申诉"}, content_type="application/json"
    )
    assert raised.status_code == 404
    assert [m["head_name"] for m in signed_in_client(c.villager).get(f"{API}mine").json()] == ["王大爷"]
    assert (HonourList.objects.get().version, Appeal.objects.get().state) == before
    assert HonourList.objects.count() == 1 and Appeal.objects.count() == 1
