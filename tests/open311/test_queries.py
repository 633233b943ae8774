"""GET requests: the date window, the filters, the page cap; jurisdiction_id; the discovery file."""

import datetime as dt
import json

import pytest

from xiangzhi.core import clock
from xiangzhi.open311 import selectors

pytestmark = pytest.mark.django_db


def _ids(resp):
    assert resp.status_code == 200, resp.content.decode()
    return {r["service_request_id"] for r in json.loads(resp.content)}


def _error(resp, status):
    assert resp.status_code == status, resp.content.decode()
    return json.loads(resp.content)[0]["description"]


def test_the_default_window_is_the_last_90_days(client, world):
    reported = world.garbage.reported_at
    clock.set_fixed(reported + dt.timedelta(days=100))
    assert str(world.garbage.pk) not in _ids(client.get("/open311/v2/requests.json"))
    day = reported.date().isoformat()
    got = _ids(client.get(f"/open311/v2/requests.json?start_date={day}T00:00:00%2B08:00"))
    assert str(world.garbage.pk) in got
    assert str(world.garbage.pk) in _ids(
        client.get(f"/open311/v2/requests.json?service_request_id={world.garbage.pk}")
    )


@pytest.mark.parametrize(
    "query, words",
    [
        ("start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z", "90 天"),
        ("start_date=2026-06-01T00:00:00Z&end_date=2026-01-01T00:00:00Z", "不能早于"),
        ("start_date=yesterday", "start_date 格式无效"),
        ("status=pending", "status 只能是"),
        ("service_request_id=1,abc", "应为数字"),
        ("page=0", "page"),
    ],
)
def test_bad_arguments_are_400_in_the_spec_format(client, world, query, words):
    assert words in _error(client.get(f"/open311/v2/requests.json?{query}"), 400)


def test_filters_by_status_code_and_jurisdiction(client, world):
    base = "/open311/v2/requests.json"
    g, r, d = str(world.garbage.pk), str(world.road.pk), str(world.duplicate.pk)
    assert _ids(client.get(f"{base}?status=closed")) == {d}
    assert _ids(client.get(f"{base}?status=open,closed")) == {g, r, d}
    assert _ids(client.get(f"{base}?status=open&status=closed")) == {g, r, d}
    assert _ids(client.get(f"{base}?service_code=INFRASTRUCTURE.road,ENVIRONMENT")) == {r}
    assert _ids(client.get(f"{base}?jurisdiction_id={world.t.town.code}")) == {g, r, d}
    assert "jurisdiction_id" in _error(client.get(f"{base}?jurisdiction_id={world.t.village_a.code}"), 404)
    assert "jurisdiction_id" in _error(client.get("/open311/v2/services.json?jurisdiction_id=sfgov.org"), 404)


def test_a_page_holds_at_most_the_cap_newest_first(client, world, monkeypatch):
    monkeypatch.setattr(selectors, "PAGE_CAP", 2)
    first = json.loads(client.get("/open311/v2/requests.json").content)
    second = json.loads(client.get("/open311/v2/requests.json?page=2").content)
    assert [r["service_request_id"] for r in first] == [str(world.duplicate.pk), str(world.road.pk)]
    assert [r["service_request_id"] for r in second] == [str(world.garbage.pk)]


def test_discovery_in_both_formats(client, world):
    import xml.etree.ElementTree as ET

    data = json.loads(client.get("/open311/v2/discovery.json").content)
    [endpoint] = data["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert {"changeset", "contact", "key_service"} <= set(data)
    root = ET.fromstring(client.get("/open311/v2/discovery.xml").content)
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == [
        "text/xml",
        "application/json",
    ]


def test_a_service_definition_needs_a_jurisdiction_when_there_are_several_counties(client, world):
    from xiangzhi.regions.services import region_create

    region_create(code="141030", name="另一县")
    assert "jurisdiction_id" in _error(client.get("/open311/v2/services/ENVIRONMENT.json"), 400)
    got = json.loads(
        client.get(f"/open311/v2/services/ENVIRONMENT.json?jurisdiction_id={world.t.town.code}").content
    )
    assert [v["key"] for v in got["attributes"][0]["values"]] == [
        world.t.village_a.code,
        world.t.village_b.code,
    ]


def test_anonymous_and_signed_in_readers_get_the_same_answer(client, world, make_user):
    """The account gate only concerns signed-in users; Open311 clients send no cookies."""
    from tests.factories import signed_in_client

    anon = client.get("/open311/v2/requests.json")
    cadre = signed_in_client(make_user("town_leader", world.t.town)).get("/open311/v2/requests.json")
    assert anon.status_code == cadre.status_code == 200
    assert _ids(anon) == _ids(cadre)
