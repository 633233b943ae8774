"""The volunteering pages and API: the same services; refusals out of reach write nothing."""

import pytest

from tests import factories
from tests.volunteering import factories as vf
from xiangzhi.core import clock
from xiangzhi.points.models import Claim
from xiangzhi.volunteering.models import Activity, Participation, Volunteer, VolunteerTeam

pytestmark = pytest.mark.django_db


@pytest.fixture
def c(township):
    return vf.cast(township)


def test_pages_record_hours_and_a_cap_overflow_is_shown_with_the_household(c):
    client = factories.signed_in_client(c.secretary)
    assert "应急救助队" in client.get("/volunteers/").content.decode()
    resp = client.post(
        f"/volunteers/teams/{c.team.pk}/activities/new/",
        {"title": "", "date": clock.today().isoformat(), "item": c.item.pk},
    )
    assert resp.status_code == 422 and "请填写活动名称" in resp.content.decode()
    resp = client.post(
        f"/volunteers/teams/{c.team.pk}/activities/new/",
        {"title": "防汛巡堤", "date": clock.today().isoformat(), "item": c.item.pk},
    )
    activity = Activity.objects.get(title="防汛巡堤")
    url = f"/volunteers/activities/{activity.pk}/"
    assert resp["Location"] == url
    assert client.post(url, {"volunteer": c.members[0].pk, "hours": 6, "minutes": 0}).status_code == 302
    bad = client.post(url, {"volunteer": c.members[1].pk, "hours": 25, "minutes": 0})
    assert bad.status_code == 422
    page = client.post(f"{url}confirm/", follow=True).content.decode()
    assert "赵大哥户" in page and "超过上限" in page and "没有为任何人记分" in page
    assert not Claim.objects.exists()
    client.post(url, {"volunteer": c.members[0].pk, "hours": 5, "minutes": 0})
    page = client.post(f"{url}confirm/", follow=True).content.decode()
    assert "已为 1 户录入积分申报" in page and Claim.objects.get().points == 10


def test_a_village_secretary_finds_and_adds_a_resident(township, c):
    from tests.people import factories as pf

    newcomer = pf.household(township.grid_b1, head_name="孙新来").head
    client = factories.signed_in_client(c.secretary)
    found = client.get(f"/volunteers/teams/{c.team.pk}/?q=孙新").content.decode()
    assert "孙新来" in found
    assert client.post(f"/volunteers/teams/{c.team.pk}/", {"resident": newcomer.pk}).status_code == 302
    assert Volunteer.objects.filter(team=c.team, resident=newcomer).exists()


def _api():
    from ninja.testing import TestClient

    from xiangzhi.volunteering.api import router

    return TestClient(router)


def test_api_teams_activities_hours_and_confirmation(township, c):
    api = _api()
    team = api.post(
        "/teams/", json={"village": township.village_b.code, "name": "日常服务队"}, auth=c.secretary
    )
    assert team.status_code == 201 and team.json()["members"] == []
    detail = api.get(f"/teams/{c.team.pk}", auth=c.secretary).json()
    assert detail["member_count"] == 3 and detail["members"][0]["name"] == "赵大哥"
    a = api.post(
        f"/teams/{c.team.pk}/activities",
        json={"title": "敬老院打扫", "date": clock.today().isoformat(), "item_id": c.item.pk},
        auth=c.secretary,
    ).json()
    hours = api.post(
        f"/activities/{a['id']}/participants",
        json={"volunteer_id": c.members[2].pk, "minutes": 61},
        auth=c.secretary,
    )
    assert hours.status_code == 200 and hours.json()["minutes"] == 61
    done = api.post(f"/activities/{a['id']}/confirm", auth=c.secretary).json()
    assert done["activity"]["state"] == "confirmed" and len(done["claims"]) == 1
    assert Claim.objects.get().points == 4
    listed = api.get("/activities/?state=confirmed", auth=c.secretary).json()
    assert listed["count"] == 1


def test_api_writes_out_of_reach_are_404_and_write_nothing(township, c):
    api = _api()
    outsider = factories.user_with_role("village_secretary", township.village_a)
    a = vf.activity(c)
    before = (VolunteerTeam.objects.count(), Volunteer.objects.count(), Activity.objects.count())
    calls = [
        ("/teams/", {"village": township.village_b.code, "name": "越权队"}),
        (f"/teams/{c.team.pk}/members", {"resident_id": c.other.head_id}),
        (f"/members/{c.members[0].pk}/remove", None),
        (f"/teams/{c.team.pk}/activities", {"title": "越权", "date": clock.today().isoformat()}),
        (f"/activities/{a.pk}/participants", {"volunteer_id": c.members[0].pk, "minutes": 30}),
        (f"/activities/{a.pk}/confirm", None),
    ]
    for path, body in calls:
        assert api.post(path, json=body, auth=outsider).status_code == 404, path
    assert before == (VolunteerTeam.objects.count(), Volunteer.objects.count(), Activity.objects.count())
    assert not Participation.objects.exists() and not Claim.objects.exists()
