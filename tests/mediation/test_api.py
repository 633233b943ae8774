"""The mediation API: the same services as the pages, scoped alike. The writes (JSON bodies) are checked for
isolation here: another village's mediation is a 404, audited, and nothing is written."""

import datetime as dt
import json

import pytest

from tests.factories import signed_in_client
from tests.isolation.test_every_route import changed_tables, db_state
from tests.mediation import factories as mf
from xiangzhi.audit.models import AuditRecord
from xiangzhi.core import clock
from xiangzhi.mediation.models import Mediation

pytestmark = pytest.mark.django_db

API = "/api/v1/mediation/"


@pytest.fixture
def c(township):
    return mf.crew(township)


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def denials() -> int:
    return AuditRecord.objects.filter(result=AuditRecord.RESULT_DENIED).count()


def test_open_list_detail(township, c):
    case = mf.dispute(township, c)
    client = signed_in_client(c.secretary)
    r = post(
        client,
        API,
        {"case_id": case.pk, "level": "village", "summary": "围墙纠纷。", "mediator_ids": [c.roster_a.pk]},
    )
    assert r.status_code == 201, r.content
    data = r.json()
    assert (
        data["committee"] == "南山村人民调解委员会"
        and data["mediators"] == ["王调解"]
        and data["state"] == "open"
    )
    listed = client.get(API).json()
    assert listed["count"] == 1 and listed["items"][0]["case_title"] == case.title
    assert client.get(f"{API}?state=ended").json()["count"] == 0
    # refusals, in Chinese, with the field
    env = mf.dispute(township, c, category="ENVIRONMENT")
    r = post(client, API, {"case_id": env.pk, "level": "village", "summary": "试试。"})
    assert r.status_code == 422 and r.json()["field"] == "case" and "矛盾纠纷" in r.json()["detail"]
    r = post(client, API, {"case_id": case.pk, "level": "village", "summary": "再开一个。"})
    assert r.status_code == 409 and r.json()["code"] == "already_open"
    r = post(
        client, API, {"case_id": case.pk, "level": "village", "summary": "x", "mediator_ids": [c.roster_b.pk]}
    )
    assert r.status_code == 422
    r = post(client, API, {"case_id": "1", "level": "village", "summary": "x"})  # strict: no strings for ids
    assert r.status_code == 422
    assert Mediation.objects.count() == 1


def test_detail_masks_ids_and_the_writes_work(township, c):
    m = mf.opened(township, c)
    number = mf.outsider_id()
    mf.with_parties(township, m, c.mediator, outsider_number=number)
    client = signed_in_client(c.mediator)
    detail = client.get(f"{API}{m.pk}")
    assert detail.status_code == 200
    assert number not in detail.content.decode()
    outsider = next(p for p in detail.json()["parties"] if p["is_outsider"])
    assert outsider["id_number"] == "*" * 14 + number[-4:]
    r = post(
        client,
        f"{API}{m.pk}/sessions",
        {"date": clock.today().isoformat(), "place": "村委会", "notes": "首次调解。"},
    )
    assert r.status_code == 201 and r.json()["place"] == "村委会"
    assert len(client.get(f"{API}{m.pk}/sessions").json()) == 1
    r = post(
        client,
        f"{API}{m.pk}/agreement",
        {
            "form": "oral",
            "facts": "排水纠纷。",
            "terms": "改道排水。",
            "performance_method": "当场改道。",
            "performance_due": clock.today().isoformat(),
        },
    )
    assert r.status_code == 201
    got = client.get(f"{API}{m.pk}/agreement").json()
    assert got["confirmation_deadline"] >= (clock.today() + dt.timedelta(days=30)).isoformat()
    outcome = client.get(f"{API}{m.pk}/outcome").json()
    assert outcome["outcome"] == "success" and outcome["outcome_label"] == "调解成功"
    r = post(client, f"{API}{m.pk}/outcome", {"outcome": "failed", "note": "又闹翻了。"})
    assert r.status_code == 409 and "已结束" in r.json()["detail"]


def test_outcome_over_the_api(township, c):
    m = mf.opened(township, c)
    client = signed_in_client(c.mediator)
    assert post(client, f"{API}{m.pk}/outcome", {"outcome": "success", "note": "x"}).status_code == 422
    r = post(client, f"{API}{m.pk}/outcome", {"outcome": "petition", "note": "当事人坚持上访。"})
    assert r.status_code == 200 and r.json()["outcome"] == "petition" and r.json()["state"] == "ended"


def test_writes_on_another_villages_mediation_are_404_audited_and_write_nothing(township, c):
    m = mf.opened(township, c)
    mf.with_parties(township, m, c.mediator)
    other_case = mf.dispute(township, c, region_code=township.grid_b1.code, user=c.grid_worker_b)
    outsider = signed_in_client(c.mediator_b)
    today = clock.today().isoformat()
    attempts = [
        (f"{API}{m.pk}/sessions", {"date": today, "place": "村委会", "notes": "越权。"}),
        (f"{API}{m.pk}/outcome", {"outcome": "failed", "note": "越权。"}),
        (
            f"{API}{m.pk}/agreement",
            {"form": "oral", "facts": "x", "terms": "y", "performance_method": "z", "performance_due": today},
        ),
    ]
    for url, body in attempts:
        state, before = db_state(), denials()
        r = post(outsider, url, body)
        assert r.status_code == 404, url
        assert denials() == before + 1, url
        assert changed_tables(state, db_state()) == [], url
        assert outsider.get(url.rsplit("/", 1)[0]).status_code == 404
    # opening on a case out of reach: 404 too (village A's secretary, village B's case)
    secretary = signed_in_client(c.secretary)
    state, before = db_state(), denials()
    r = post(
        secretary,
        API,
        {"case_id": other_case.pk, "level": "village", "summary": "越权。"},
    )
    assert r.status_code == 404 and denials() == before + 1
    assert changed_tables(state, db_state()) == []
    # positive control: village A's mediator does it
    r = post(
        signed_in_client(c.mediator), f"{API}{m.pk}/outcome", {"outcome": "failed", "note": "调解不成。"}
    )
    assert r.status_code == 200
