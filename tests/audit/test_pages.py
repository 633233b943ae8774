import datetime as dt

import pytest

from tests.core.clients import signed_in
from xiangzhi import policy
from xiangzhi.audit.models import AuditRecord
from xiangzhi.audit.services import record
from xiangzhi.core import clock
from xiangzhi.regions.services import region_create


@pytest.fixture
def log(township, make_user):
    other = region_create(code="141030", name="大宁县")
    with clock.frozen(dt.datetime(2026, 3, 1, 10, 0, tzinfo=dt.UTC)):
        record("tests.old_event", other, changes={"note": "三月"})
    record("tests.denied_event", township.village_b, result="denied")
    admin = make_user("audit_admin")
    return township, other, admin


@pytest.mark.django_db
def test_audit_admin_sees_every_record(log):
    township, other, admin = log
    client = signed_in(admin)
    resp = client.get("/audit/")
    body = resp.content.decode()
    assert resp.status_code == 200
    assert "tests.old_event" in body and "tests.denied_event" in body and "regions.created" in body


@pytest.mark.django_db
def test_filters(log):
    township, other, admin = log
    client = signed_in(admin)
    body = client.get("/audit/?result=denied").content.decode()
    assert "tests.denied_event" in body and "tests.old_event" not in body
    body = client.get("/audit/?action=tests.").content.decode()
    assert "tests.old_event" in body and "regions.created" not in body
    body = client.get("/audit/?from=2026-03-01&to=2026-03-01").content.decode()
    assert "tests.old_event" in body and "tests.denied_event" not in body
    body = client.get("/audit/?to=2026-02-28").content.decode()
    assert "tests.old_event" not in body
    body = client.get("/audit/?actor=system").content.decode()
    assert "tests.old_event" in body
    assert "没有符合条件" in client.get("/audit/?actor=nobody-like-this").content.decode()


@pytest.mark.django_db
def test_pagination(log):
    _township, _other, admin = log
    for i in range(60):
        record("tests.bulk", None, region_code="", changes={"i": i})
    client = signed_in(admin)
    body = client.get("/audit/?action=tests.bulk").content.decode()
    assert "第 1 / 2 页，共 60 条" in body
    assert "action=tests.bulk&amp;page=2" in body


@pytest.mark.django_db
def test_detail_shows_the_record_and_its_hash_check(log):
    _township, other, admin = log
    rec = AuditRecord.objects.get(action="tests.old_event")
    client = signed_in(admin)
    body = client.get(f"/audit/{rec.pk}/").content.decode()
    assert "内容与哈希一致" in body and "三月" in body and rec.hash in body
    AuditRecord.objects.filter(pk=rec.pk).update(changes={"note": "改"})
    assert "本条记录被改动过" in client.get(f"/audit/{rec.pk}/").content.decode()


@pytest.mark.django_db
def test_others_may_not_read_the_log(log, make_user):
    township, _other, _admin = log
    leader = signed_in(make_user("town_leader", township.town))
    assert leader.get("/audit/").status_code == 403
    rec = AuditRecord.objects.get(action="tests.old_event")
    assert leader.get(f"/audit/{rec.pk}/").status_code == 404


@pytest.mark.django_db
def test_a_regional_grant_of_audit_view_is_scoped(log, make_user, monkeypatch):
    """Were audit.view ever granted with a region, the list and the detail keep to that subtree."""
    township, other, _admin = log
    spec = policy.actions()["audit.view"]
    monkeypatch.setitem(
        policy._actions, "audit.view", policy.ActionSpec("audit.view", spec.roles | {"county_officer"})
    )
    officer = signed_in(make_user("county_officer", township.county))
    body = officer.get("/audit/").content.decode()
    assert "tests.denied_event" in body and "tests.old_event" not in body
    outside = AuditRecord.objects.get(action="tests.old_event")
    denied = AuditRecord.objects.filter(result="denied").count()
    assert officer.get(f"/audit/{outside.pk}/").status_code == 404
    assert AuditRecord.objects.filter(result="denied").count() == denied + 1
