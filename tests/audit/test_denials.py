import pytest
from django.db import transaction

from xiangzhi import policy
from xiangzhi.audit.models import AuditRecord
from xiangzhi.core import context
from xiangzhi.core.errors import PermissionDenied


@pytest.mark.django_db
def test_a_refusal_survives_the_rollback_of_its_transaction(township, make_user):
    user = make_user("grid_worker", township.grid_a1)
    with context.acting_as(user):
        with pytest.raises(PermissionDenied):
            with transaction.atomic():
                policy.require(user, "people.reveal_pii", township.grid_a1)
        # rolled back with the transaction that refused …
        assert not AuditRecord.objects.filter(action="people.reveal_pii", result="denied").exists()
    # … and written again when the actor's scope ends
    rec = AuditRecord.objects.get(action="people.reveal_pii", result="denied")
    assert rec.actor == user and rec.region_code == township.grid_a1.code


def test_redaction_reaches_into_lists():
    from xiangzhi.audit.services import REDACTED, redact

    out = redact({"members": [{"name": "张三", "id_number": "x"}, {"phone": "y"}], "tags": ["低保"]})
    assert out == {
        "members": [{"name": "张三", "id_number": REDACTED}, {"phone": REDACTED}],
        "tags": ["低保"],
    }
