import json

import pytest
from django.core.management import call_command

from xiangzhi.audit import services
from xiangzhi.audit.models import AuditRecord


@pytest.mark.django_db
def test_records_chain_per_county(township):
    recs = list(AuditRecord.objects.filter(chain="141029").order_by("seq"))
    assert [r.seq for r in recs] == list(range(1, len(recs) + 1))
    assert recs[0].prev_hash == services.GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(recs, recs[1:], strict=False))
    assert services.verify() == []


@pytest.mark.django_db
def test_verify_names_the_altered_record(township):
    target = AuditRecord.objects.filter(chain="141029").order_by("seq")[3]
    AuditRecord.objects.filter(pk=target.pk).update(object_repr="篡改")
    problems = services.verify()
    assert [(p.chain, p.seq, p.kind) for p in problems] == [("141029", target.seq, "altered")]


@pytest.mark.django_db
def test_verify_names_a_removed_record(township):
    target = AuditRecord.objects.filter(chain="141029").order_by("seq")[2]
    AuditRecord.objects.filter(pk=target.pk).delete()
    assert [(p.seq, p.kind) for p in services.verify()] == [(target.seq, "missing")]


@pytest.mark.django_db
def test_region_code_is_outside_the_hash(township):
    AuditRecord.objects.filter(chain="141029").update(region_code="141029202201")
    assert services.verify() == []


@pytest.mark.django_db
def test_anchor_detects_newest_records_deleted(township, tmp_path):
    anchor_file = tmp_path / "anchor.json"
    call_command("audit", "anchor", "--output", str(anchor_file))
    heads = json.loads(anchor_file.read_text())["heads"]
    last_seq = heads["141029"][0]
    AuditRecord.objects.filter(chain="141029", seq__gte=last_seq - 1).delete()
    assert services.verify() == []  # without the anchor, a cut tail looks like a shorter chain
    problems = services.verify(anchor=heads)
    assert [(p.seq, p.kind) for p in problems] == [(last_seq - 1, "truncated")]
    with pytest.raises(SystemExit):
        call_command("audit", "verify", "--anchor", str(anchor_file))
