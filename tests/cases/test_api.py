"""Cases over the API: every transition through the same services, the version check, scope (404), idempotent
reports, photos on a multipart report, the hotline endpoint, and the OpenAPI document that declares it all."""

import datetime as dt
import json

import pytest
from django.test import Client

from tests.cases.factories import cast, photo, reported
from xiangzhi.accounts import services as accounts
from xiangzhi.audit.models import AuditRecord
from xiangzhi.cases import services
from xiangzhi.cases.models import Case, CaseEvent, DeadlineExtension
from xiangzhi.core import clock

pytestmark = pytest.mark.django_db


@pytest.fixture
def c(township):
    return cast(township)


def bearer(user) -> Client:
    raw = accounts.token_issue(user=user, otp_verified=True, name="手机")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def post(client, path, body=None, **headers):
    return client.post(
        f"/api/v1/cases/{path}", json.dumps(body or {}), content_type="application/json", **headers
    )


def act(user, case, action, **body):
    resp = post(bearer(user), f"{case.pk}/{action}", body)
    assert resp.status_code == 200, (action, resp.status_code, resp.content.decode())
    return resp.json()


def events(case_id):
    return list(CaseEvent.objects.filter(case_id=case_id).order_by("seq").values_list("action", flat=True))


def denials():
    return AuditRecord.objects.filter(result=AuditRecord.RESULT_DENIED).count()


# -- report --------------------------------------------------------------------------------------------------


def test_report_is_idempotent_per_user(township, c):
    body = {
        "region_code": township.grid_a1.code,
        "description": "村口路灯坏了三天。",
        "category": "INFRASTRUCTURE",
    }
    villager = bearer(c.villager)
    first = post(villager, "", body, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201, first.content
    again = post(villager, "", body, HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert Case.objects.count() == 1
    other = post(bearer(c.grid_worker), "", body, HTTP_IDEMPOTENCY_KEY="k-1")
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]
    assert Case.objects.count() == 2
    data = first.json()
    assert data["state"] == "reported" and data["level"] == "grid" and data["category"] == "INFRASTRUCTURE"
    assert data["title"] == "村口路灯坏了三天" and data["timeline"][0]["action"] == "report"
    assert data["allowed_actions"] == []  # the villager may not handle it
    assert Case.objects.get(pk=data["id"]).source == "api"


def test_report_with_photos_as_multipart(township, c):
    client = bearer(c.grid_worker)
    form = {
        "region_code": township.grid_a1.code,
        "description": "水渠堵塞。",
        "latitude": "35.97",
        "longitude": "110.83",
    }
    resp = client.post("/api/v1/cases/", {**form, "photos": [photo("a.jpg"), photo("b.jpg")]})
    assert resp.status_code == 201, resp.content
    data = resp.json()
    assert len(data["photos"]) == 2 and all(p.startswith("/files/") for p in data["photos"])
    assert data["latitude"] == pytest.approx(35.97)
    too_many = client.post("/api/v1/cases/", {**form, "photos": [photo() for _ in range(10)]})
    assert too_many.status_code == 422 and "最多 9 张" in too_many.json()["detail"]
    assert Case.objects.count() == 1


def test_bad_reports_are_refused_and_nothing_is_written(township, c):
    client = bearer(c.villager)
    out_of_village = post(client, "", {"region_code": township.grid_b1.code, "description": "某事"})
    assert out_of_village.status_code == 422 and "本村" in out_of_village.json()["detail"]
    empty = post(client, "", {"region_code": township.grid_a1.code, "description": "  "})
    assert empty.status_code == 422 and empty.json()["field"] == "description"
    boolean = post(client, "", {"region_code": township.grid_a1.code, "description": "x", "latitude": True})
    assert boolean.status_code == 422
    not_an_object = client.post("/api/v1/cases/", "[1]", content_type="application/json")
    assert not_an_object.status_code == 422 and "JSON 对象" in not_an_object.json()["detail"]
    nul = post(client, "", {"region_code": township.grid_a1.code, "description": "a\x00b"})
    assert nul.status_code == 422
    assert Case.objects.count() == 0


# -- every transition ------------------------------------------------------------------------------------------


def test_the_whole_loop_over_the_api(township, c):
    case = reported(township, c)
    act(c.grid_worker, case, "escalate", reason="需要村里协调。", version=case.version)
    act(c.secretary, case, "escalate", reason="请镇里处理。")
    data = act(
        c.town_leader, case, "assign", triage="government", category="ENVIRONMENT", department=c.department.pk
    )
    assert data["handler"] == "department" and data["department"] == "综合执法队"
    act(c.dept_staff, case, "start")
    deadline = Case.objects.get(pk=case.pk).deadline
    data = act(
        c.dept_staff,
        case,
        "extensions",
        new_deadline=(deadline + dt.timedelta(days=3)).isoformat(),
        reason="需要外协",
    )
    ext_id = data["extensions"][0]["id"]
    assert data["extensions"][0]["approved"] is None
    data = bearer(c.county).get(f"/api/v1/cases/{case.pk}/").json()
    assert "decide_extension" in data["allowed_actions"]
    data = act(c.county, case, f"extensions/{ext_id}/decide", approve=True)
    assert data["extension_count"] == 1 and DeadlineExtension.objects.get(pk=ext_id).approved is True
    act(c.dept_staff, case, "suspend", reason="等待天气好转")
    act(c.dept_staff, case, "resume")
    act(c.dept_staff, case, "deliberate", note="需村民代表会议议定清运费用", matter_ref="YT-1")
    act(c.dept_staff, case, "resume", note="已议定")
    act(c.dept_staff, case, "resolve", result="已清运完毕。")
    act(c.grid_worker, case, "verify", passed=True, note="现场干净。")
    data = act(c.villager, case, "rate", rating="satisfied")
    assert data["state"] == "closed" and data["rating"] == "satisfied" and data["allowed_actions"] == []
    assert [e["action"] for e in data["timeline"]] == events(case.pk) == [
        "report", "escalate", "escalate", "assign", "start", "extend", "extend_approved",
        "suspend", "resume", "deliberate", "resume", "resolve", "verify", "rate",
    ]  # fmt: skip


def test_accept_return_visit_close_and_merge(township, c):
    a = reported(township, c)
    act(c.grid_worker, a, "assign", triage="village", category="INFRASTRUCTURE")
    data = act(c.secretary, a, "return", reason="网格内协商即可")
    assert (data["state"], data["level"]) == ("reported", "grid")
    data = act(c.grid_worker, a, "accept", note="网格处理")
    assert data["state"] == "assigned"
    act(c.grid_worker, a, "start")
    act(c.grid_worker, a, "resolve", result="已修好")
    data = act(c.grid_worker, a, "verify", passed=True)
    assert "visit" in bearer(c.secretary).get(f"/api/v1/cases/{a.pk}/").json()["allowed_actions"]
    data = act(c.secretary, a, "visit", rating="partly", note="电话回访")
    assert (data["state"], data["rating"]) == ("closed", "partly")

    b = reported(township, c, description="水井盖丢了。")
    for step in ("accept", "start"):
        act(c.grid_worker, b, step)
    act(c.grid_worker, b, "resolve", result="已补盖")
    act(c.grid_worker, b, "verify", passed=True)
    data = act(c.secretary, b, "close", note="多次联系不上上报人")
    assert data["rating"] == "unrated" and data["rating_label"] == "未评价"

    d1 = reported(township, c, description="垃圾堆放。")
    d2 = reported(township, c, description="垃圾又堆放。")
    data = act(c.grid_worker, d2, "merge", into=d1.pk)
    assert data["state"] == "merged" and data["merged_into"] == d1.number


def test_a_stale_version_is_409_with_the_services_message(township, c):
    case = reported(township, c)
    seen = case.version
    act(c.grid_worker, case, "accept", version=seen)
    resp = post(bearer(c.grid_worker), f"{case.pk}/escalate", {"reason": "上报", "version": seen})
    assert resp.status_code == 409 and "他人更新" in resp.json()["detail"] and resp.json()["code"] == "stale"
    wrong_state = post(bearer(c.grid_worker), f"{case.pk}/verify", {"passed": True})
    assert wrong_state.status_code == 409 and "不能核查" in wrong_state.json()["detail"]
    assert events(case.pk) == ["report", "accept"]


def test_in_scope_but_not_theirs_to_do_is_403_and_bad_bodies_422(township, c):
    case = reported(township, c)
    resp = post(bearer(c.secretary), f"{case.pk}/accept", {})  # the case is at the grid
    assert resp.status_code == 403
    client = bearer(c.grid_worker)
    assert post(client, f"{case.pk}/accept", {"version": False}).status_code == 422  # strict: no bool for int
    assert post(client, f"{case.pk}/verify", {"passed": "yes"}).status_code == 422
    missing = post(client, f"{case.pk}/escalate", {})
    assert missing.status_code == 422 and "上报理由" in missing.json()["detail"]
    assert events(case.pk) == ["report"]


TRANSITION_BODIES = {
    "accept": {},
    "assign": {"triage": "civil", "category": "DISPUTE"},
    "return": {"reason": "x"},
    "start": {},
    "suspend": {"reason": "x"},
    "resume": {},
    "deliberate": {"note": "x"},
    "extensions": {"new_deadline": "2030-01-01T00:00:00+08:00", "reason": "x"},
    "resolve": {"result": "x"},
    "verify": {"passed": True},
    "rate": {"rating": "satisfied"},
    "visit": {"rating": "satisfied", "note": "x"},
    "close": {"note": "x"},
    "escalate": {"reason": "x"},
    "merge": {"into": 0},
}


@pytest.mark.parametrize("action", [*TRANSITION_BODIES, "decide"])
def test_a_case_out_of_reach_is_404_audited_and_untouched(township, c, action):
    from tests.isolation.test_every_route import changed_tables, db_state

    case = reported(township, c)
    ext = None
    if action == "decide":
        for step in ("accept", "start"):
            case = getattr(services, f"case_{step}")(user=c.grid_worker, case=case)
        ext = services.extension_request(
            user=c.grid_worker, case=case, new_deadline=case.deadline + dt.timedelta(days=1), reason="x"
        )
    body = {"approve": True} if action == "decide" else dict(TRANSITION_BODIES[action])
    if action == "merge":
        body["into"] = reported(township, c, region_code=township.grid_a1.code, description="另一件").pk
    path = f"{case.pk}/extensions/{ext.pk}/decide" if ext else f"{case.pk}/{action}"
    from tests.factories import signed_in_client

    client = signed_in_client(
        c.secretary_b
    )  # another village of the same town (a session: a token's use is a write)
    state, before = db_state(), denials()
    resp = post(client, path, body)
    assert resp.status_code == 404 and resp.json()["code"] == "not_found"
    assert denials() == before + 1
    assert changed_tables(state, db_state()) == []
    assert client.get(f"/api/v1/cases/{case.pk}/").status_code == 404


def test_merge_into_a_case_out_of_reach_is_404(township, c):
    mine = reported(township, c)
    theirs = reported(township, c, user=c.grid_worker_b, region_code=township.grid_b1.code)
    resp = post(bearer(c.grid_worker), f"{mine.pk}/merge", {"into": theirs.pk})
    assert resp.status_code == 404
    assert Case.objects.get(pk=mine.pk).state == Case.REPORTED


# -- reading ---------------------------------------------------------------------------------------------------


def test_list_is_scoped_filtered_and_paginated(township, c):
    a = reported(township, c, category="ENVIRONMENT", description="垃圾成堆。")
    b = reported(township, c, region_code=township.grid_a2.code, category="DISPUTE", description="邻里争吵。")
    reported(township, c, user=c.grid_worker_b, region_code=township.grid_b1.code, description="北坡的事。")
    client = bearer(c.secretary)
    page = client.get("/api/v1/cases/").json()
    assert page["count"] == 2 and {i["id"] for i in page["items"]} == {a.pk, b.pk}
    assert client.get("/api/v1/cases/?category=DISPUTE").json()["items"][0]["id"] == b.pk
    assert client.get(f"/api/v1/cases/?region={township.grid_a1.code}").json()["count"] == 1
    assert client.get(f"/api/v1/cases/?q={a.number}").json()["items"][0]["id"] == a.pk
    assert client.get("/api/v1/cases/?q=垃圾").json()["count"] == 1
    assert client.get("/api/v1/cases/?state=open&level=grid&overdue=false").json()["count"] == 2
    assert client.get("/api/v1/cases/?state=closed").json()["count"] == 0
    second = client.get("/api/v1/cases/?page=2&page_size=1").json()
    assert second["page"] == 2 and len(second["items"]) == 1
    assert client.get(f"/api/v1/cases/?region={township.grid_b1.code}").json()["count"] == 0
    assert client.get("/api/v1/cases/?state=bogus").status_code == 422
    clock.advance(Case.objects.get(pk=a.pk).deadline - clock.now() + dt.timedelta(minutes=1))
    assert services.deadline_sweep()["overdue"] >= 1
    overdue = client.get("/api/v1/cases/?overdue=true").json()
    assert overdue["count"] == 2 and overdue["items"][0]["is_overdue"] is True


def test_detail_never_shows_a_phone_in_clear(township, c):
    town_leader = bearer(c.town_leader)
    resp = post(
        town_leader,
        "hotline/",
        {
            "hotline_number": "GD2024-001",
            "description": "反映自来水停水。",
            "region": township.village_a.code,
            "reporter_name": "张三",
            "reporter_phone": "13912345678",
        },
    )
    assert resp.status_code == 201, resp.content
    text = resp.content.decode()
    assert "13912345678" not in text and "*******5678" in resp.json()["case"]["reporter_display"]
    detail = town_leader.get(f"/api/v1/cases/{resp.json()['case']['id']}/").content.decode()
    assert "13912345678" not in detail and "*******5678" in detail


def test_a_hotline_case_names_the_caller_not_the_importing_cadre(township, c):
    resp = post(
        bearer(c.town_leader),
        "hotline/",
        {
            "hotline_number": "GD-2",
            "description": "停水。",
            "region": township.village_a.code,
            "reporter_name": "张三",
        },
    )
    assert resp.json()["case"]["reporter_display"].startswith("张三")
    assert Case.objects.get(hotline_number="GD-2").reporter_id is None


def test_hotline_endpoint_once_per_order_and_only_for_hotline_roles(township, c):
    body = {"hotline_number": "GD-7", "description": "路面塌陷。", "region": "南山村", "category": "基础设施"}
    client = bearer(c.town_leader)
    first = post(client, "hotline/", body)
    assert first.status_code == 201 and first.json()["created"] is True
    case = Case.objects.get(hotline_number="GD-7")
    assert (case.source, case.region_code, case.category) == (
        "hotline",
        township.village_a.code,
        "INFRASTRUCTURE",
    )
    again = post(client, "hotline/", {**body, "description": "改了内容"})
    assert (
        again.status_code == 200
        and again.json()["created"] is False
        and again.json()["case"]["id"] == case.pk
    )
    assert Case.objects.count() == 1
    before = denials()
    assert post(bearer(c.grid_worker), "hotline/", {**body, "hotline_number": "GD-8"}).status_code == 403
    assert denials() == before + 1
    bad = post(client, "hotline/", {**body, "hotline_number": "GD-9", "reporter_phone": "12345"})
    assert (
        bad.status_code == 422
        and bad.json()["field"] == "reporter_phone"
        and "12345" not in bad.json()["detail"]
    )
    unknown = post(client, "hotline/", {**body, "hotline_number": "GD-9", "region": "不存在村"})
    assert unknown.status_code == 422 and unknown.json()["field"] == "region"
    assert Case.objects.count() == 1


def test_hotline_endpoint_refuses_a_village_out_of_reach(township, c):
    from xiangzhi.regions.services import region_create

    other_town = region_create(code="141029202", name="关王庙乡", parent=township.county)
    other_village = region_create(code="141029202201", name="河西村", parent=other_town)
    before = denials()
    resp = post(
        bearer(c.town_leader),
        "hotline/",
        {"hotline_number": "GD-1", "description": "x", "region": other_village.code},
    )
    assert resp.status_code == 403 and denials() == before + 1
    assert Case.objects.count() == 0


def test_openapi_lists_every_case_endpoint_with_its_errors():
    doc = Client().get("/api/v1/openapi.json").json()
    expected = {
        ("get", "/api/v1/cases/"),
        ("post", "/api/v1/cases/"),
        ("get", "/api/v1/cases/{case_id}/"),
        ("post", "/api/v1/cases/hotline/"),
        ("post", "/api/v1/cases/{case_id}/extensions/{extension_id}/decide"),
        *(
            ("post", f"/api/v1/cases/{{case_id}}/{a}")
            for a in (
                "accept assign return start suspend resume deliberate extensions resolve verify rate visit close "
                "escalate merge"
            ).split()
        ),
    }
    found = {
        (m, p)
        for p, ops in doc["paths"].items()
        if p.startswith("/api/v1/cases/") and not p.startswith("/api/v1/cases/figures/")  # the lead's
        for m in ops
    }
    assert found == expected
    for method, path in expected:
        declared = set(doc["paths"][path][method]["responses"])
        assert {"200", "400", "401", "403", "404", "409", "422"} <= declared, (method, path)
    create = doc["paths"]["/api/v1/cases/"]["post"]
    assert {"201"} <= set(create["responses"])
    assert set(create["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
    assert "Idempotency-Key" in {p["name"] for p in create["parameters"]}
