"""POST requests, form-encoded as the specification's own example, and the errors in the spec's format."""

import json
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import pytest

from xiangzhi.audit.models import AuditRecord
from xiangzhi.cases.models import Case
from xiangzhi.open311 import services
from xiangzhi.regions.services import region_create

pytestmark = pytest.mark.django_db

URL = "/open311/v2/requests.json"
FORM = "application/x-www-form-urlencoded; charset=utf-8"

# The example request of the GeoReport v2 specification ("POST Service Request"), byte for byte.
SPEC_EXAMPLE = (
    "api_key=xyz&jurisdiction_id=city.gov&service_code=001&lat=37.76524078&long=-122.4212043"
    "&address_string=1234+5th+street&email=smit333%40sfgov.edu&device_id=tt222111&account_id=123456"
    "&first_name=john&last_name=smith&phone=111111111&description=A+large+sinkhole+is+destroying+the+street"
    "&media_url=http%3A%2F%2Ffarm3.static.flickr.com%2F2002%2F2212426634_5ed477a060.jpg"
    "&attribute[WHISPAWN]=123456&attribute[WHISDORN]=COISL001"
)


def _replace(body: str, **values) -> str:
    """The spec's example with some fields replaced (or added), still form-encoded the way it is."""
    pairs = [p.split("=", 1) for p in body.split("&")]
    seen = set()
    out = []
    for name, value in pairs:
        if name in values:
            seen.add(name)
            value = urlencode({"v": values[name]})[2:]
        out.append(f"{name}={value}")
    out += [f"{n}={urlencode({'v': v})[2:]}" for n, v in values.items() if n not in seen]
    return "&".join(out)


def _post(client, body: str, url: str = URL):
    return client.post(url, data=body, content_type=FORM)


def _error(resp, status: int) -> str:
    assert resp.status_code == status, resp.content.decode()
    body = json.loads(resp.content)
    assert isinstance(body, list) and body[0]["code"] == status and set(body[0]) == {"code", "description"}
    return body[0]["description"]


def test_the_spec_example_walked_from_refusal_to_a_filed_case(client, world):
    """Each field of the example that does not fit this platform is refused in turn with the spec's error,
    until the example (our key, jurisdiction, service, village, a point in China, a mobile) files a case."""
    t = world.t
    assert "api_key" in _error(_post(client, SPEC_EXAMPLE), 403)
    body = _replace(SPEC_EXAMPLE, api_key=world.key)
    assert "jurisdiction_id" in _error(_post(client, body), 404)
    body = _replace(body, jurisdiction_id=t.county.code)
    assert "001" in _error(_post(client, body), 404)
    body = _replace(body, service_code="INFRASTRUCTURE.road")
    assert "attribute[village]" in _error(_post(client, body), 400)
    body = _replace(body, **{"attribute[village]": t.village_a.code})
    assert "境内" in _error(_post(client, body), 400)  # San Francisco is not in a village here
    body = _replace(body, lat="35.9712348", long="110.8398768")
    assert "手机号码" in _error(_post(client, body), 400)
    assert not Case.objects.filter(source="open311").exists()  # every refusal wrote nothing

    body = _replace(body, phone="+86 138-0000-0000")
    resp = _post(client, body)
    assert resp.status_code == 200, resp.content.decode()
    [answer] = json.loads(resp.content)
    assert set(answer) == {"service_request_id", "service_notice"}  # realtime: the id, never a token
    case = Case.objects.get(pk=int(answer["service_request_id"]))
    assert case.number in answer["service_notice"]
    assert case.source == "open311" and case.reporter is None
    assert (case.region_code, case.category, case.subcategory.code) == (
        t.village_a.code,
        "INFRASTRUCTURE",
        "INFRASTRUCTURE.road",
    )
    assert case.description == "A large sinkhole is destroying the street"
    assert case.place == "1234 5th street"
    assert case.reporter_name == "john smith" and case.reporter_phone == "13800000000"
    assert str(case.latitude) == "35.971235" and str(case.longitude) == "110.839877"
    assert case.state == Case.REPORTED and case.level == "village"
    report = AuditRecord.objects.get(action="cases.report", object_id=str(case.pk))
    assert report.actor_label == "open311:随手拍" and report.actor is None


def test_a_chinese_name_is_family_name_first_and_xml_answers_in_xml(client, world):
    body = _replace(
        SPEC_EXAMPLE,
        api_key=world.key,
        jurisdiction_id="",
        service_code="ENVIRONMENT",
        lat="",
        long="",
        address_string="南山村村委会东侧",
        first_name="秀英",
        last_name="王",
        phone="",
        description="村委会东侧垃圾无人清运。",
        **{"attribute[village]": world.t.grid_a2.code},
    )
    resp = _post(client, body, url="/open311/v2/requests.xml")
    assert resp.status_code == 200 and resp["Content-Type"] == "text/xml; charset=utf-8"
    assert resp.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    root = ET.fromstring(resp.content)
    assert root.tag == "service_requests" and root.find("request/token") is None
    case = Case.objects.get(pk=int(root.findtext("request/service_request_id")))
    assert (
        case.reporter_name == "王秀英"
        and case.reporter_phone == ""
        and case.region_code == world.t.grid_a2.code
    )
    assert case.category == "ENVIRONMENT" and case.subcategory is None and case.latitude is None


@pytest.fixture
def form(world):
    return {
        "api_key": world.key,
        "service_code": "ENVIRONMENT.garbage",
        "attribute[village]": world.t.village_a.code,
        "address_string": "南山村小学门口",
        "description": "小学门口垃圾桶满了。",
    }


@pytest.mark.parametrize(
    "change, status, words",
    [
        ({"api_key": ""}, 403, "缺少 api_key"),
        ({"api_key": "xzo_" + "0" * 48}, 403, "api_key 无效"),
        ({"service_code": "POTHOLE"}, 404, "POTHOLE"),
        ({"service_code": "DISPUTE.neighbour"}, 404, "DISPUTE.neighbour"),  # private: said not to exist
        ({"service_code": ""}, 400, "缺少 service_code"),
        ({"attribute[village]": ""}, 400, "缺少 attribute[village]"),
        ({"attribute[village]": "141029201"}, 400, "attribute[village] 无效"),  # a town is not a village
        ({"attribute[village]": "999999999999"}, 400, "attribute[village] 无效"),
        ({"description": ""}, 400, "请填写事件内容"),
        ({"description": "   "}, 400, "请填写事件内容"),
        ({"description": "很长" * 1001}, 400, "太长"),
        ({"address_string": ""}, 400, "请提供事件位置"),
        ({"lat": "35.97"}, 400, "lat 和 long 须同时提供"),
        ({"phone": "12345"}, 400, "手机号码"),
        ({"jurisdiction_id": "141029202"}, 404, "jurisdiction_id"),
    ],
)
def test_errors_in_the_spec_format_and_nothing_written(client, world, form, change, status, words):
    before = Case.objects.count()
    description = _error(client.post(URL, {**form, **change}), status)
    assert words in description
    assert Case.objects.count() == before


def test_a_village_outside_the_keys_region_is_403(client, world, form):
    other_town = region_create(code="141029202", name="西坡镇", parent=world.t.county)
    other_village = region_create(code="141029202201", name="西坡村", parent=other_town)
    before = Case.objects.count()
    description = _error(client.post(URL, {**form, "attribute[village]": other_village.code}), 403)
    assert "西坡村不在其中" in description
    assert Case.objects.count() == before


def test_a_revoked_key_is_refused_and_errors_come_in_xml_too(client, world, form):
    services.client_revoke(name=world.client.name)
    resp = client.post("/open311/v2/requests.xml", form)
    assert resp.status_code == 403 and resp["Content-Type"] == "text/xml; charset=utf-8"
    root = ET.fromstring(resp.content)
    assert root.tag == "errors" and root.findtext("error/code") == "403"
    assert "api_key 无效" in root.findtext("error/description")


def test_text_is_escaped_in_xml(client, world, form):
    text = '垃圾 <b>堆</b> & "桶" 满了\x07'
    resp = client.post(URL, {**form, "description": text})
    assert resp.status_code == 200
    pk = json.loads(resp.content)[0]["service_request_id"]
    got = client.get(f"/open311/v2/requests/{pk}.xml")
    assert b"<b>" not in got.content
    assert ET.fromstring(got.content).findtext("request/description") == '垃圾 <b>堆</b> & "桶" 满了'


def test_posting_needs_no_csrf_token_but_other_methods_are_refused(world, form):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(URL, form).status_code == 200
    resp = strict.put(URL, "x=1")
    assert resp.status_code == 405 and resp["Allow"] == "GET, POST"
    assert json.loads(resp.content)[0]["code"] == 405
    assert strict.post("/open311/v2/services.json", form).status_code == 405
