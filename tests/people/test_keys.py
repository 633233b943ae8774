import io
import json
import secrets
import stat

import pytest
from django.core.management import call_command
from django.db import connection

from tests.people import factories as pf
from xiangzhi.audit.models import AuditRecord
from xiangzhi.core import crypto
from xiangzhi.people.models import Resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def keys_file(settings, tmp_path):
    path = tmp_path / "keys.json"
    k1 = secrets.token_hex(32)
    keys = {
        "secret_key": "x",
        "audit_key": settings.XIANGZHI_AUDIT_KEY,
        "lookup_key": settings.XIANGZHI_LOOKUP_KEY,
        "pii_keys": {"k1": k1},
        "pii_current": "k1",
    }
    path.write_text(json.dumps(keys))
    path.chmod(0o600)
    settings.KEYS_FILE = path
    settings.XIANGZHI_PII_KEYS = {"k1": k1}
    settings.XIANGZHI_PII_CURRENT_KEY = "k1"
    return path


def raw_tokens():
    with connection.cursor() as cur:
        cur.execute("SELECT id_number, phone FROM people_resident ORDER BY id")
        return cur.fetchall()


def test_rotate_adds_a_key_and_reencrypts_everything(keys_file, township, settings):
    households = [
        pf.household(township.grid_a1, head_name=f"张{i}", phone=f"1380000{i:04d}") for i in range(7)
    ]
    pf.resident(households[0], name="无电话")
    numbers = {r.pk: (r.id_number, r.phone) for r in Resident.objects.all()}
    assert {t[0].split(":")[0] for t in raw_tokens()} == {"k1"}
    assert crypto.key_counts()["people.Resident.id_number"] == {"k1": 8}
    assert crypto.key_counts()["people.Resident.phone"] == {"k1": 7}

    out = io.StringIO()
    call_command("keys", "rotate", "--batch-size", "3", stdout=out)

    data = json.loads(keys_file.read_text())
    assert data["pii_current"] == "k2" and set(data["pii_keys"]) == {"k1", "k2"}
    assert stat.S_IMODE(keys_file.stat().st_mode) == 0o600
    assert settings.XIANGZHI_PII_CURRENT_KEY == "k2"
    assert settings.XIANGZHI_PII_KEYS == data["pii_keys"]
    tokens = raw_tokens()
    assert all(t[0].startswith("k2:") for t in tokens)
    assert sorted(t[1][:3] for t in tokens if t[1]) == ["k2:"] * 7
    assert [t[1] for t in tokens].count("") == 1  # empty values stay empty
    assert {r.pk: (r.id_number, r.phone) for r in Resident.objects.all()} == numbers
    assert crypto.key_counts()["people.Resident.id_number"] == {"k2": 8}
    assert "已用 k2 重新加密 15 个值" in out.getvalue()
    rec = AuditRecord.objects.get(action="core.pii_key_rotated")
    assert rec.changes == {"from": "k1", "to": "k2"} and data["pii_keys"]["k2"] not in json.dumps(rec.changes)
    assert list(keys_file.parent.glob(".keys-*")) == []

    # The old key alone can no longer read the values; the new file can.
    settings.XIANGZHI_PII_KEYS = {"k1": data["pii_keys"]["k1"]}
    with pytest.raises(LookupError):
        crypto.decrypt(tokens[0][0])
    settings.XIANGZHI_PII_KEYS = data["pii_keys"]

    # A second rotation goes on to k3; reencrypt with nothing stale rewrites nothing.
    call_command("keys", "rotate", stdout=io.StringIO())
    assert json.loads(keys_file.read_text())["pii_current"] == "k3"
    out = io.StringIO()
    call_command("keys", "reencrypt", stdout=out)
    assert "重新加密 0 个值" in out.getvalue()


def test_status_counts_values_per_key(keys_file, township):
    pf.household(township.grid_a1, phone="13800000000")
    out = io.StringIO()
    call_command("keys", "status", stdout=out)
    text = out.getvalue()
    assert "当前密钥：k1" in text
    assert "people.Resident.id_number  k1: 1" in text and "people.Resident.phone  k1: 1" in text
