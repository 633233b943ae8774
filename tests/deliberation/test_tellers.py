"""计票人 / 监票人: named (as accounts of the village's people) when a secret vote opens; only they enter the paper
ballots — a cadre running the meeting neither, unless named. Refusals in Chinese, nothing written."""

import json

import pytest

from tests import factories as tf
from tests.deliberation import factories as f
from tests.deliberation.test_bodies_rules import db_state, unchanged
from tests.factories import signed_in_client
from xiangzhi.audit.models import AuditRecord
from xiangzhi.core.errors import PermissionDenied, ValidationFailed
from xiangzhi.deliberation import rules, services
from xiangzhi.deliberation.models import Item, SecretTally, Teller

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(township):
    body = f.body_with_members(township.grid_a1, 3, kind=rules.COMMITTEES)
    m = f.meeting(body, days=0)
    f.attend(m, 3)
    return m


@pytest.fixture
def pending(meeting):
    return services.item_add(user=None, meeting=meeting, title="选举监委", secret=True)


def test_a_secret_vote_needs_one_counter_and_one_scrutineer(pending, meeting):
    counter, scrutineer = f.teller_users(meeting)
    for kwargs in ({}, {"counters": [counter]}, {"scrutineers": [scrutineer]}):
        state = db_state()
        with pytest.raises(ValidationFailed, match="至少指定一名计票人和一名监票人"):
            services.vote_open(user=None, item=pending, **kwargs)
        assert unchanged(state) == []
    with pytest.raises(ValidationFailed, match="不能重复"):
        services.vote_open(user=None, item=pending, counters=[counter], scrutineers=[counter])
    item = services.vote_open(user=None, item=pending, counters=[counter], scrutineers=[scrutineer])
    assert item.vote_status == Item.VOTE_OPEN
    assert item.tellers == f"计票人：{counter.resident.name}；监票人：{scrutineer.resident.name}"
    assert {(t.user_id, t.role) for t in item.teller_set.all()} == {
        (counter.pk, Teller.COUNTER),
        (scrutineer.pk, Teller.SCRUTINEER),
    }


def test_tellers_are_accounts_of_the_villages_people_and_not_the_clerk(township, pending, meeting):
    counter, scrutineer = f.teller_users(meeting)
    no_resident = tf.user_with_role("villager", township.village_a)
    other_village = f.teller_users(f.meeting(f.body_with_members(township.grid_b1, 2, kind="committees")))[0]
    for bad in (no_resident, other_village):
        with pytest.raises(ValidationFailed, match="不是本村村民的有效账号"):
            services.vote_open(user=None, item=pending, counters=[bad], scrutineers=[scrutineer])
    # the secretary who runs the vote may not count it
    clerk = tf.user_with_role("village_secretary", township.village_a)
    clerk.resident = counter.resident
    clerk.save()
    counter.resident = None
    counter.save()
    with pytest.raises(ValidationFailed, match="主持表决的人不能同时担任"):
        services.vote_open(user=clerk, item=pending, counters=[clerk], scrutineers=[scrutineer])
    assert Item.objects.get(pk=pending.pk).vote_status == Item.VOTE_PENDING
    assert not Teller.objects.exists()


def test_an_open_vote_takes_no_tellers(meeting):
    it = services.item_add(user=None, meeting=meeting, title="举手")
    counter, scrutineer = f.teller_users(meeting)
    with pytest.raises(ValidationFailed, match="无需计票人"):
        services.vote_open(user=None, item=it, counters=[counter], scrutineers=[scrutineer])


def _secret_item_with_paper(meeting):
    item = f.item(meeting, title="无记名", secret=True)
    for e in meeting.roll.all()[:2]:
        services.paper_ballot_issue(user=None, item=item, entry=e)
    return item


def test_only_the_named_tellers_enter_paper_ballots(township, meeting):
    item = _secret_item_with_paper(meeting)
    counter = item.teller_set.get(role=Teller.COUNTER).user
    secretary = tf.user_with_role("village_secretary", township.village_a)
    state = db_state()
    denied = AuditRecord.objects.filter(result=AuditRecord.RESULT_DENIED).count()
    with pytest.raises(PermissionDenied, match="只有本议题指定的计票人、监票人"):
        services.paper_ballots_enter(user=secretary, item=item, yes=1)
    assert unchanged(state) == []
    assert AuditRecord.objects.filter(result=AuditRecord.RESULT_DENIED).count() == denied + 1
    # a teller of another item is no teller of this one
    other = f.item(meeting, title="另一项", secret=True)
    other_teller = other.teller_set.first().user
    with pytest.raises(PermissionDenied):
        services.paper_ballots_enter(user=other_teller, item=item, yes=1)
    services.paper_ballots_enter(user=counter, item=item, yes=1, no=1)
    tally = SecretTally.objects.get(item=item)
    assert (tally.paper_entered, tally.yes, tally.no) == (2, 1, 1)
    decided = services.item_decide(user=None, item=item)
    assert (decided.yes, decided.no) == (1, 1)
    # the audit says how many were entered, never how one voter voted
    rec = AuditRecord.objects.filter(action="deliberation.paper_ballots_entered").get()
    assert rec.changes == {"count": 2}


def test_tellers_on_the_page_and_over_the_api(township, meeting):
    counter, scrutineer = f.teller_users(meeting)
    sec = signed_in_client(tf.user_with_role("village_secretary", township.village_a))
    page = sec.get(f"/deliberation/{meeting.pk}/").content.decode()
    assert 'name="counters"' in page and counter.resident.name in page
    # without a scrutineer: 422, nothing written
    state = db_state()
    r = sec.post(
        f"/deliberation/{meeting.pk}/items/new/",
        {"title": "监委人选", "kind": "ordinary", "secret": "1", "counters": [counter.pk]},
    )
    assert r.status_code == 422 and "至少指定一名计票人和一名监票人" in r.content.decode()
    assert unchanged(state) == []
    r = sec.post(
        f"/deliberation/{meeting.pk}/items/new/",
        {
            "title": "监委人选",
            "kind": "ordinary",
            "secret": "1",
            "counters": [counter.pk],
            "scrutineers": [scrutineer.pk],
        },
    )
    assert r.status_code == 302
    item = Item.objects.get(title="监委人选")
    entry = meeting.roll.first()
    sec.post(f"/deliberation/items/{item.pk}/paper/", {"action": "issue", "entry": entry.pk})
    # the secretary is no teller: refused (403), nothing written
    state = db_state()
    r = sec.post(f"/deliberation/items/{item.pk}/paper/", {"action": "enter", "yes": "1"})
    assert r.status_code == 403 and "计票人、监票人" in r.content.decode()
    assert unchanged(state) == []
    tc = signed_in_client(counter)
    assert "计票人、监票人录入纸质选票" in tc.get(f"/deliberation/{meeting.pk}/").content.decode()
    assert "计票人、监票人录入纸质选票" not in sec.get(f"/deliberation/{meeting.pk}/").content.decode()
    # over the API: the scrutineer enters; more than issued is refused
    sc = signed_in_client(scrutineer)
    url = f"/api/v1/deliberation/items/{item.pk}/paper"
    r = sc.post(url, json.dumps({"yes": 2}), content_type="application/json")
    assert r.status_code == 422 and "多于发出的选票" in r.json()["detail"]
    assert sc.post(url, json.dumps({"yes": 1}), content_type="application/json").status_code == 200
    assert SecretTally.objects.get(item=item).paper_entered == 1
    tellers = sc.get(f"/api/v1/deliberation/items/{item.pk}/tellers").json()
    assert {t["role"] for t in tellers} == {"counter", "scrutineer"}
    # a teller of another village's item: 404, nothing written
    kwargs, _ = f.make_open_item(township.grid_b1, secret=True)
    state = db_state()
    r = sc.post(
        f"/api/v1/deliberation/items/{kwargs['pk']}/paper",
        json.dumps({"yes": 0}),
        content_type="application/json",
    )
    assert r.status_code == 404 and unchanged(state) == []
    # the API opens a secret vote with tellers too; a refusal leaves no item behind
    api = "/api/v1/deliberation/"
    body = {"title": "API议题", "secret": True, "counters": [counter.pk], "scrutineers": []}
    state = db_state()
    r = sec.post(f"{api}meetings/{meeting.pk}/items", json.dumps(body), content_type="application/json")
    assert r.status_code == 422 and unchanged(state) == []
    body["scrutineers"] = [scrutineer.pk]
    r = sec.post(f"{api}meetings/{meeting.pk}/items", json.dumps(body), content_type="application/json")
    assert r.status_code == 201 and r.json()["vote_status"] == "open" and "监票人" in r.json()["tellers"]
