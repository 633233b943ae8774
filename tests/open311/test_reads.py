"""The reads, driven by the `georeport` client library (written by others, for any GeoReport v2 server) against
a live server, in both formats."""

import pytest
from georeport import GeoReport

pytestmark = pytest.mark.django_db(transaction=True)


def _listify(value):
    """xmltodict gives a dict for one element and a list for several."""
    return value if isinstance(value, list) else [value]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_client_reads_services_definition_requests_and_one_request(live_server, world, fmt):
    client = GeoReport(live_server.url + "/open311/v2", output_format=fmt)

    services = _listify(client.get_service_list())
    codes = [s["service_code"] for s in services]
    assert "ENVIRONMENT" in codes and "ENVIRONMENT.garbage" in codes and "INFRASTRUCTURE.road" in codes
    assert not [c for c in codes if c.startswith(("DISPUTE", "PETITION", "SECURITY", "LIVELIHOOD"))]
    garbage = next(s for s in services if s["service_code"] == "ENVIRONMENT.garbage")
    assert garbage["service_name"] == "垃圾乱堆乱放" and garbage["group"] == "人居环境"
    assert garbage["type"] == "realtime" and str(garbage["metadata"]).lower() == "true"

    definition = client.get_service_definition("ENVIRONMENT.garbage")
    assert definition["service_code"] == "ENVIRONMENT.garbage"
    attribute = definition["attributes"][0] if fmt == "json" else definition["attributes"]["attribute"]
    assert attribute["code"] == "village" and attribute["datatype"] == "singlevaluelist"
    assert str(attribute["required"]).lower() == "true"
    values = attribute["values"] if fmt == "json" else _listify(attribute["values"]["value"])
    assert {v["key"] for v in values} == {world.t.village_a.code, world.t.village_b.code}
    assert {v["name"] for v in values} == {"南山村（尉庄乡）", "北坡村（尉庄乡）"}

    requests = _listify(client.get_service_requests())
    by_id = {r["service_request_id"]: r for r in requests}
    assert set(by_id) == {str(world.garbage.pk), str(world.road.pk), str(world.duplicate.pk)}
    assert by_id[str(world.duplicate.pk)]["status"] == "closed"
    assert by_id[str(world.duplicate.pk)]["status_notes"] == "已合并"
    assert by_id[str(world.road.pk)]["address"] == "北坡村"

    open_only = _listify(client.get_service_requests(status="open", service_code="ENVIRONMENT.garbage"))
    assert [r["service_request_id"] for r in open_only] == [str(world.garbage.pk)]

    one = client.get_service_request(str(world.garbage.pk))
    assert one["service_request_id"] == str(world.garbage.pk)
    assert one["status"] == "open" and one["status_notes"] == "待受理"
    assert one["service_code"] == "ENVIRONMENT.garbage" and one["service_name"] == "垃圾乱堆乱放"
    assert one["description"] == "村口垃圾堆放多日，无人清理。"
    assert one["address"] == "南山村" and one["agency_responsible"] == "网格协商议事小组"
    assert str(one["lat"]) == "35.97" and str(one["long"]) == "110.85"
    assert one["requested_datetime"].endswith("+08:00") and one["expected_datetime"].endswith("+08:00")
    assert world.garbage.number in one["service_notice"]
