"""Changing state through Open311: API clients (issued and revoked from the CLI) and filing a service request.

Filing goes through `cases.services.case_report` with `user=None` (an Open311 submitter has no account); the
region check that the policy layer would do for a user is done here against the client's own region instead, and
the audit records of the report name the client (`open311:<name>`) as the actor.
"""

import re
import secrets

from django.db import transaction

from xiangzhi.audit.services import record
from xiangzhi.cases.models import Case, CaseCategory
from xiangzhi.cases.services import case_report
from xiangzhi.core import context
from xiangzhi.core.crypto import lookup_hash
from xiangzhi.core.errors import PermissionDenied, ValidationFailed
from xiangzhi.open311.models import Open311Client
from xiangzhi.regions.models import Region

KEY_PREFIX = "xzo_"
KEY_PURPOSE = "open311"
# The levels a request may be filed at: a village, or a grid inside it.
FILING_LEVELS = ("village", "grid", "micro_grid")
MAX_KEY_LENGTH = 200


def _key_hash(raw: str) -> str:
    return lookup_hash(raw, purpose=KEY_PURPOSE)


@transaction.atomic
def client_create(*, name: str, region_code: str) -> tuple[Open311Client, str]:
    """Issue an API key for a client that may file into `region_code` (a county or a town). Returns the client
    and the raw key, which is shown once: only its keyed hash is stored."""
    name = (name or "").strip()
    if not name or len(name) > 60:
        raise ValidationFailed("请填写接入方名称（最多 60 字）。", field="name")
    if Open311Client.objects.filter(name=name).exists():
        raise ValidationFailed(f"接入方“{name}”已存在。", field="name")
    code = (region_code or "").strip()
    region = Region.objects.filter(code=code, is_active=True).first()
    if region is None or region.level not in ("county", "town"):
        raise ValidationFailed("可上报辖区须为有效的县或乡镇区划代码（6 位或 9 位）。", field="region")
    # Hex only: lookup_hash upper-cases what it hashes, so the key must not rely on letter case.
    raw = KEY_PREFIX + secrets.token_hex(24)
    client = Open311Client.objects.create(name=name, key_hash=_key_hash(raw), region_code=region.code)
    record(
        "open311.client_created",
        client,
        changes={"name": name, "region_code": region.code},
        object_repr=name,
    )
    return client, raw


@transaction.atomic
def client_revoke(*, name: str) -> Open311Client:
    client = Open311Client.objects.select_for_update().filter(name=(name or "").strip()).first()
    if client is None:
        raise ValidationFailed(f"没有名为“{name}”的接入方。", field="name")
    if client.is_active:
        client.is_active = False
        client.save(update_fields=["is_active"])
        record("open311.client_revoked", client, changes={"name": client.name}, object_repr=client.name)
    return client


def client_authenticate(raw: str | None) -> Open311Client | None:
    """The active client a raw API key stands for, or None."""
    raw = (raw or "").strip()
    if not raw.startswith(KEY_PREFIX) or len(raw) > MAX_KEY_LENGTH:
        return None
    return Open311Client.objects.filter(key_hash=_key_hash(raw), is_active=True).first()


def _full_name(first: str, last: str) -> str:
    """Chinese names are written family name first (张 + 三 = 张三); Latin ones "given family"."""
    first, last = (first or "").strip(), (last or "").strip()
    if re.search(r"[\u3400-\u9fff]", first + last):
        return f"{last}{first}"
    return " ".join(p for p in (first, last) if p)


def _phone(raw: str) -> str:
    """A mobile number as clients send it (+86 138-0000-0000) → 13800000000; the cases service checks it."""
    phone = re.sub(r"[\s\-()]", "", raw or "")
    for prefix in ("+86", "0086"):
        if phone.startswith(prefix):
            phone = phone[len(prefix) :]
    return phone


def request_create(
    *,
    client: Open311Client,
    service: CaseCategory,
    region_code: str,
    jurisdiction: Region | None = None,
    description: str = "",
    latitude: str = "",
    longitude: str = "",
    address_string: str = "",
    address_id: str = "",
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
    actor_ip: str | None = None,
) -> Case:
    """File a case for an Open311 POST. `service` is a public category (selectors.service_get). Raises
    ValidationFailed (HTTP 400) for bad input and PermissionDenied (403) for a village outside the client's
    region. Nothing is written unless the whole request is valid."""
    code = (region_code or "").strip()
    if not code:
        raise ValidationFailed(
            "缺少 attribute[village]：请填写事件发生的村（社区）的区划代码（见服务定义）。", field="village"
        )
    region = Region.objects.filter(code=code, is_active=True).first()
    if region is None or region.level not in FILING_LEVELS:
        raise ValidationFailed(
            f"attribute[village] 无效：“{code[:20]}”不是本平台的村（社区）或网格区划代码。", field="village"
        )
    if jurisdiction is not None and not region.code.startswith(jurisdiction.code):
        raise ValidationFailed(
            f"{region.name}不在 jurisdiction_id（{jurisdiction.name}）范围内。", field="village"
        )
    if not region.code.startswith(client.region_code):
        raise PermissionDenied(
            f"该 api_key 只能上报本辖区内的事件，{region.name}不在其中。", code="out_of_region"
        )
    latitude, longitude = (latitude or "").strip(), (longitude or "").strip()
    address_string, address_id = (address_string or "").strip(), (address_id or "").strip()
    if bool(latitude) != bool(longitude):
        raise ValidationFailed("lat 和 long 须同时提供。", field="lat")
    if not (latitude or address_string or address_id):
        raise ValidationFailed("请提供事件位置：lat 和 long，或 address_string，或 address_id。", field="lat")
    place = address_string or (f"地址编号 {address_id}" if address_id else "")
    label = f"open311:{client.name}"
    with context.acting_as(label=label, ip=actor_ip):
        case, _created = case_report(
            user=None,
            region_code=region.code,
            description=description,
            place=place,
            latitude=latitude or None,
            longitude=longitude or None,
            category=service.code,
            source="open311",
            reporter_name=_full_name(first_name, last_name),
            reporter_phone=_phone(phone),
            idempotency_key="",
        )
    return case
