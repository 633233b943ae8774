"""The enforcement API: the same services and rules as the pages; out of reach is 404 and writes nothing."""

import datetime as dt

import pytest

from tests import factories
from tests.enforcement import factories as ef
from xiangzhi.core import clock
from xiangzhi.enforcement.models import Decision, Inspection, LegalReview
from xiangzhi.regions.services import region_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def c(township):
    return ef.cast(township)


class _Api:
    """The real /api/v1/enforcement/ routes with a bearer token per user (errors mapped as in production)."""

    def _client(self, user):
        from django.test import Client

        from xiangzhi.accounts import services as accounts

        raw = accounts.token_issue(user=user, otp_verified=True, name="手机")
        return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    def get(self, path, *, auth):
        return self._client(auth).get(f"/api/v1/enforcement{path}")

    def post(self, path, *, json, auth):
        return self._client(auth).post(f"/api/v1/enforcement{path}", json, content_type="application/json")


def _api():
    return _Api()


def test_api_records_reviews_decides_and_publishes(c):
    api = _api()
    resp = api.post(
        "/inspections/",
        json={
            "department_id": c.zhifa.pk,
            "village": c.t.village_a.code,
            "date": clock.today().isoformat(),
            "place": "南山村",
            "inspectors": "李执法、王执法",
            "subject_kind": "person",
            "subject_name": "钱多多",
            "id_number": ef.ID_NUMBER,
            "findings": "无证经营。",
            "problem_found": True,
        },
        auth=c.officer,
    )
    assert resp.status_code == 201, resp.json()
    body = resp.json()
    assert body["subject_id_masked"] == "**************002X" and ef.ID_NUMBER not in str(body)
    iid = body["id"]
    bad = api.post(
        f"/inspections/{iid}/decision",
        json={"kind": "fine", "amount_fen": -100, "legal_basis": "依据", "facts": "事实", "is_major": True},
        auth=c.officer,
    )
    assert bad.status_code == 422 and not Decision.objects.exists()
    resp = api.post(
        f"/inspections/{iid}/decision",
        json={
            "kind": "fine",
            "amount_fen": 2040000,
            "legal_basis": "依据",
            "facts": "事实",
            "is_major": True,
        },
        auth=c.officer,
    )
    assert resp.status_code == 201
    did = resp.json()["id"]
    decide = {"case_number": "罚〔2026〕3号", "decided_on": clock.today().isoformat()}
    resp = api.post(f"/decisions/{did}/decide", json=decide, auth=c.leader)
    assert resp.status_code == 422 and "法制审核" in resp.json()["detail"]
    assert (
        api.post(
            f"/decisions/{did}/review", json={"opinion": "好", "passed": True}, auth=c.officer
        ).status_code
        == 403
    )
    assert (
        api.post(
            f"/decisions/{did}/review", json={"opinion": "合法", "passed": True}, auth=c.reviewer
        ).status_code
        == 201
    )
    resp = api.post(f"/decisions/{did}/decide", json=decide, auth=c.leader)
    assert resp.status_code == 200 and resp.json()["state"] == "decided"
    resp = api.post(f"/decisions/{did}/publish", json={}, auth=c.officer)
    assert resp.status_code == 200 and resp.json()["notice_id"]
    again = api.post(f"/decisions/{did}/publish", json={}, auth=c.officer)
    assert again.status_code == 409
    detail = api.get(f"/inspections/{iid}", auth=c.county).json()
    assert [e["action"] for e in detail["timeline"]] == [
        "inspected",
        "proposed",
        "reviewed",
        "decided",
        "published",
    ]
    f = api.get(f"/figures?town={c.t.town.code}", auth=c.county).json()
    assert f["penalties"] == 1 and f["fine_fen"] == 2040000
    assert api.get("/inspections/?status=published", auth=c.leader).json()["count"] == 1


def test_api_out_of_reach_is_404_and_writes_nothing(c, township):
    insp = ef.inspection(c)
    d = ef.proposal(c, insp, major=True)
    other_town = region_create(code="141029202", name="关王庙乡", parent=township.county)
    stranger = factories.user_with_role("town_leader", other_town)
    api = _api()
    assert api.get(f"/inspections/{insp.pk}", auth=stranger).status_code == 404
    assert api.get(f"/inspections/{insp.pk}", auth=c.farm_officer).status_code == 404
    resp = api.post(
        f"/inspections/{insp.pk}/decision",
        json={"kind": "warning", "amount_fen": 0, "legal_basis": "x", "facts": "y"},
        auth=stranger,
    )
    assert resp.status_code == 404
    resp = api.post(
        f"/decisions/{d.pk}/decide",
        json={"case_number": "罚1号", "decided_on": clock.today().isoformat()},
        auth=stranger,
    )
    assert resp.status_code == 404
    assert api.post(f"/decisions/{d.pk}/publish", json={}, auth=stranger).status_code == 404
    sifa = ef.department(other_town, code="sifa", name="司法所")
    reviewer = factories.user_with_role(
        "department_staff", other_town, scope_type="department", scope_id=sifa.pk
    )
    assert (
        api.post(
            f"/decisions/{d.pk}/review", json={"opinion": "x", "passed": True}, auth=reviewer
        ).status_code
        == 404
    )
    assert not LegalReview.objects.exists()
    assert Decision.objects.get(pk=d.pk).state == Decision.DRAFT
    assert api.get("/figures?town=141029202", auth=c.leader).status_code == 404
    assert api.get("/figures", auth=c.farm_officer).json()["inspections"] == 0
    # another town's department cannot be picked
    resp = api.post(
        "/inspections/",
        json={
            "department_id": c.zhifa.pk,
            "date": clock.today().isoformat(),
            "place": "x",
            "inspectors": "y",
            "subject_kind": "organisation",
            "subject_name": "某公司",
            "findings": "z",
        },
        auth=stranger,
    )
    assert resp.status_code == 422 and Inspection.objects.count() == 1


def test_api_overdue_lists_late_publication(c):
    day = clock.today() - dt.timedelta(days=30)
    ef.decided(c, ef.inspection(c, date=day), decided_on=day, case_number="罚〔2026〕77号")
    items = _api().get("/overdue", auth=c.leader).json()["items"]
    assert [i["case_number"] for i in items] == ["罚〔2026〕77号"]
