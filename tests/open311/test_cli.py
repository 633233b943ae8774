"""`xiangzhi open311-key`: issue (printed once, only a keyed hash stored), list, revoke."""

import io

import pytest
from django.core.management import CommandError, call_command

from xiangzhi.audit.models import AuditRecord
from xiangzhi.open311 import services
from xiangzhi.open311.models import Open311Client

pytestmark = pytest.mark.django_db


def _run(*args) -> str:
    out = io.StringIO()
    call_command("open311-key", *args, stdout=out)
    return out.getvalue()


def test_create_prints_the_key_once_and_stores_only_its_hash(township):
    out = _run("create", "--name", "县12345热线", "--region", township.town.code)
    key = next(line for line in out.splitlines() if line.startswith(services.KEY_PREFIX))
    client = Open311Client.objects.get(name="县12345热线")
    assert client.region_code == township.town.code and client.is_active
    assert key not in client.key_hash and services.client_authenticate(key) == client
    assert AuditRecord.objects.filter(action="open311.client_created", object_id=str(client.pk)).exists()
    assert key not in repr(list(AuditRecord.objects.values_list("changes", "object_repr")))
    listed = _run("list")
    assert "县12345热线" in listed and key not in listed

    assert "已停用" in _run("revoke", "--name", "县12345热线")
    assert services.client_authenticate(key) is None
    assert "已停用" in _run("list")


@pytest.mark.parametrize("region", ["141029201201", "999999", ""])
def test_create_wants_a_county_or_town(township, region):
    with pytest.raises(CommandError, match="县或乡镇"):
        _run("create", "--name", "某应用", "--region", region)
    assert not Open311Client.objects.exists()


def test_names_are_unique(township):
    _run("create", "--name", "随手拍", "--region", township.county.code)
    with pytest.raises(CommandError, match="已存在"):
        _run("create", "--name", "随手拍", "--region", township.town.code)
