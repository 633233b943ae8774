import datetime as dt

import pytest
from django.core.management import call_command

from xiangzhi.audit import services
from xiangzhi.audit.models import AuditRecord, ChainHead, Checkpoint
from xiangzhi.core import clock
from xiangzhi.core.errors import DomainError
from xiangzhi.regions.services import region_create

START = dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def history(db):
    """Chain 141029: 3 records on day 0, 2 records on day 10; then the clock moves to day 190."""
    with clock.frozen(START):
        county = region_create(code="141029", name="乡宁县")
        town = region_create(code="141029201", name="尉庄乡", parent=county)
        region_create(code="141029201201", name="南山村", parent=town)
    with clock.frozen(START + dt.timedelta(days=10)):
        region_create(code="141029201202", name="北坡村", parent=town)
        region_create(code="141029201203", name="东沟村", parent=town)
    clock.set_fixed(START + dt.timedelta(days=190))
    return county


def chain(name="141029"):
    return list(AuditRecord.objects.filter(chain=name).order_by("seq"))


def test_purge_leaves_a_checkpoint_and_the_chain_still_verifies(history):
    old = chain()[:3]
    assert services.purge() == 3  # day 0 is 190 days ago; day 10 only 180 days ago
    cp = Checkpoint.objects.get(chain="141029")
    assert (cp.seq, cp.hash, cp.purged_count) == (old[-1].seq, old[-1].hash, 3)
    assert cp.purged_before == clock.now() - dt.timedelta(days=180)
    assert [r.seq for r in chain()] == [4, 5]
    assert services.verify() == []
    purged = AuditRecord.objects.get(action="audit.purged")
    assert purged.changes["count"] == 3
    # The chain goes on after the purge.
    region_create(code="141029201204", name="西沟村", parent=history.children.get())
    assert [r.seq for r in chain()] == [4, 5, 6]
    assert services.verify() == []


def test_nothing_younger_than_180_days_is_purged(history):
    clock.set_fixed(START + dt.timedelta(days=190))  # day-10 records are exactly 180 days old
    services.purge(older_than_days=180)
    assert [r.seq for r in chain()] == [4, 5]
    clock.set_fixed(START + dt.timedelta(days=190, microseconds=1))  # now they are a hair older
    assert services.purge(older_than_days=180) == 2
    assert chain() == []
    assert services.verify() == []


@pytest.mark.parametrize("days", [179, 0, -5])
def test_purge_refuses_less_than_180_days(history, days):
    before = AuditRecord.objects.count()
    with pytest.raises(DomainError, match="180"):
        services.purge(older_than_days=days)
    assert AuditRecord.objects.count() == before
    assert not Checkpoint.objects.exists()


def test_a_shorter_retention_setting_cannot_purge_younger_records(history, settings):
    settings.AUDIT_RETENTION_DAYS = 30
    assert services.purge() == 3
    assert [r.seq for r in chain()] == [4, 5]


def test_longer_retention_keeps_more(history):
    assert services.purge(older_than_days=365) == 0
    assert len(chain()) == 5
    assert not Checkpoint.objects.exists()


def test_verify_detects_alteration_after_a_purge(history):
    services.purge()
    AuditRecord.objects.filter(chain="141029", seq=5).update(object_repr="篡改")
    assert [(p.seq, p.kind) for p in services.verify()] == [(5, "altered")]


def test_verify_detects_a_forged_checkpoint_or_a_removed_one(history):
    services.purge()
    Checkpoint.objects.filter(chain="141029").update(hash="f" * 64)
    assert [(p.seq, p.kind) for p in services.verify()] == [(4, "altered")]
    Checkpoint.objects.filter(chain="141029").delete()
    assert [(p.seq, p.kind) for p in services.verify()] == [(1, "missing")]


def test_purge_twice_accumulates_the_checkpoint(history):
    services.purge()
    clock.set_fixed(START + dt.timedelta(days=200))
    assert services.purge() == 2
    cp = Checkpoint.objects.get(chain="141029")
    assert (cp.seq, cp.purged_count) == (5, 5)
    assert services.verify() == []


def test_purge_command_and_periodic_job(history):
    from xiangzhi.audit.tasks import purge_expired

    call_command("audit", "purge")
    assert len(chain()) == 2
    clock.set_fixed(START + dt.timedelta(days=200))
    assert purge_expired.call() == 2


def test_first_record_of_a_chain_creates_the_head_once(db):
    """The head is created on the first record; an IntegrityError on a concurrent create is absorbed."""
    from django.db import IntegrityError, transaction

    assert not ChainHead.objects.filter(chain="141030").exists()
    region_create(code="141030", name="大宁县")
    head = ChainHead.objects.get(chain="141030")
    assert head.seq == 1
    # A second create of the same head (what the loser of the race attempts) fails on the primary key …
    with pytest.raises(IntegrityError), transaction.atomic():
        ChainHead.objects.create(chain="141030")
    # … and _lock_head then takes the existing row.
    assert services._lock_head("141030").seq == 1


def test_lock_head_recovers_when_the_head_appears_between_read_and_insert(db, monkeypatch):
    """Simulate the race: our locking read finds no head, but a rival transaction has created (and committed)
    it by the time we insert; the insert fails on the key and we lock the rival's row."""
    from xiangzhi.audit import services as svc

    ChainHead.objects.create(chain="141031", seq=7, hash="a" * 64)  # the rival's committed head
    real = ChainHead.objects.select_for_update
    calls = {"n": 0}

    def first_read_misses():
        calls["n"] += 1
        return ChainHead.objects.none() if calls["n"] == 1 else real()

    monkeypatch.setattr(ChainHead.objects, "select_for_update", first_read_misses)
    head = svc._lock_head("141031")
    assert (head.chain, head.seq, calls["n"]) == ("141031", 7, 2)
