"""Writing, verifying, anchoring and purging the audit chain."""

import contextvars
import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction

from xiangzhi.audit.models import AuditRecord, ChainHead, Checkpoint
from xiangzhi.core import clock, context
from xiangzhi.core.errors import DomainError

GENESIS = "0" * 64
SYSTEM_CHAIN = "000000"  # events with no county (logins of the 三员, system settings)
REDACTED = "***"
MIN_RETENTION_DAYS = 180  # 网络安全法 Art. 21: logs are kept at least six months
# Field names whose values never enter an audit record (only the fact that they changed).
SENSITIVE_FIELDS = {
    "password",
    "id_number",
    "phone",
    "id_number_enc",
    "phone_enc",
    "otp",
    "token",
    "secret",
    "key",
}


def _canonical(record: AuditRecord) -> bytes:
    body = {
        "chain": record.chain,
        "seq": record.seq,
        "at": record.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor": record.actor_id,
        "actor_label": record.actor_label,
        "action": record.action,
        "object_type": record.object_type,
        "object_id": record.object_id,
        "object_repr": record.object_repr,
        "changes": record.changes,
        "result": record.result,
        "ip": record.ip,
        "request_id": record.request_id,
        "prev": record.prev_hash,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def compute_hash(record: AuditRecord) -> str:
    return hmac.new(settings.XIANGZHI_AUDIT_KEY.encode(), _canonical(record), hashlib.sha256).hexdigest()


def redact(changes: dict) -> dict:
    """Replace the values of sensitive fields, at any depth (dicts, and dicts inside lists), by a marker."""
    out = {}
    for key, value in (changes or {}).items():
        out[key] = REDACTED if any(s in key.lower() for s in SENSITIVE_FIELDS) else _redact_value(value)
    return out


def _redact_value(value):
    if isinstance(value, dict):
        return redact(value)
    if isinstance(value, list | tuple):
        return [_redact_value(v) for v in value]
    return value


def _lock_head(chain: str) -> ChainHead:
    """Lock the chain's head row (created on the chain's first record), so appends to one chain are serial.

    Two transactions writing the first record of a new county at once both find no head; both insert, the
    database lets one through and makes the other wait on the primary key, then fail with IntegrityError (inside
    its own savepoint, so the caller's transaction is intact); the loser then locks the winner's committed row
    and carries on from its seq. Under PostgreSQL's READ COMMITTED the locking read sees that committed row.
    """
    head = ChainHead.objects.select_for_update().filter(chain=chain).first()
    if head is not None:
        return head
    try:
        with transaction.atomic():
            ChainHead.objects.create(chain=chain)
    except IntegrityError:
        pass  # created by a concurrent first record of this chain
    return ChainHead.objects.select_for_update().get(chain=chain)


def record(
    action: str,
    obj=None,
    *,
    changes: dict | None = None,
    result: str = AuditRecord.RESULT_OK,
    region_code: str | None = None,
    actor=None,
    object_repr: str | None = None,
) -> AuditRecord:
    """Append one record to the chain of the object's county. Call inside the transaction of the change itself,
    so that the change and its record commit or roll back together."""
    who = context.current()
    user = actor if actor is not None else who.user
    if region_code is None:
        region_code = getattr(obj, "region_code", "") or ""
    chain = region_code[:6] if len(region_code) >= 6 else SYSTEM_CHAIN
    # no savepoint: a failure here fails the caller's transaction anyway (two round trips less per change)
    with transaction.atomic(savepoint=False):
        head = _lock_head(chain)
        rec = AuditRecord(
            chain=chain,
            seq=head.seq + 1,
            at=clock.now(),
            actor=user if getattr(user, "pk", None) else None,
            actor_label=(getattr(user, "username", "") if user is not None else who.label)
            or who.label
            or "system",
            action=action,
            object_type=obj._meta.label_lower if obj is not None and hasattr(obj, "_meta") else "",
            object_id=str(getattr(obj, "pk", "") or "") if obj is not None else "",
            object_repr=(object_repr if object_repr is not None else (str(obj) if obj is not None else ""))[
                :200
            ],
            region_code=region_code,
            changes=redact(changes or {}),
            result=result,
            ip=who.ip,
            request_id=who.request_id,
            prev_hash=head.hash,
        )
        rec.hash = compute_hash(rec)
        rec.save()
        head.seq, head.hash = rec.seq, rec.hash
        head.save(update_fields=["seq", "hash"])
    return rec


def record_denied(action: str, *, obj=None, region_code: str | None = None, detail: str = "") -> None:
    """A refused authorisation. Written at once; when that happens inside an open transaction (which the
    refusal will most likely roll back), it is also remembered, and `flush_denials()` — called by the request
    middleware when the request is over and by `acting_as` on exit — writes it again if it did not survive."""
    kwargs = {
        "result": AuditRecord.RESULT_DENIED,
        "region_code": region_code,
        "changes": {"detail": detail} if detail else None,
    }
    rec = record(action, obj, **kwargs)
    if transaction.get_connection().in_atomic_block:
        pending = _pending_denials.get()
        if pending is not None:
            pending.append((rec.hash, action, obj, kwargs))


_pending_denials: contextvars.ContextVar[list | None] = contextvars.ContextVar(
    "xz_pending_denials", default=None
)


def start_denials_scope():
    return _pending_denials.set([])


def flush_denials(token=None) -> None:
    """Re-write refusals whose records were rolled back with the transaction they were made in."""
    pending = _pending_denials.get() or []
    if token is not None:
        _pending_denials.reset(token)
    for rec_hash, action, obj, kwargs in pending:
        if not AuditRecord.objects.filter(hash=rec_hash).exists():
            record(action, obj, **kwargs)


@dataclass
class Problem:
    chain: str
    seq: int
    kind: str  # "altered", "missing", "truncated"
    message: str


def verify(anchor: dict | None = None) -> list[Problem]:
    """Walk every chain; name the first record altered or removed in each. With an anchor ({chain: [seq, hash]})
    also detect the newest records removed (the chain must still reach the anchored head)."""
    problems: list[Problem] = []
    chains = set(AuditRecord.objects.values_list("chain", flat=True).distinct())
    chains |= set(Checkpoint.objects.values_list("chain", flat=True))
    chains |= set((anchor or {}).keys())
    for chain in sorted(chains):
        cp = Checkpoint.objects.filter(chain=chain).first()
        prev_hash, prev_seq = (cp.hash, cp.seq) if cp else (GENESIS, 0)
        found = None
        seen_hashes = {}
        for rec in (
            AuditRecord.objects.filter(chain=chain, seq__gt=prev_seq)
            .order_by("seq")
            .iterator(chunk_size=2000)
        ):
            if rec.seq != prev_seq + 1:
                found = Problem(
                    chain, prev_seq + 1, "missing", f"链 {chain}：第 {prev_seq + 1} 条记录缺失（被删除）。"
                )
                break
            if rec.prev_hash != prev_hash:
                found = Problem(
                    chain,
                    rec.seq,
                    "altered",
                    f"链 {chain}：第 {rec.seq} 条记录的前序哈希不符（前一条被改动或删除）。",
                )
                break
            if not hmac.compare_digest(compute_hash(rec), rec.hash):
                found = Problem(
                    chain, rec.seq, "altered", f"链 {chain}：第 {rec.seq} 条记录（{rec.action}）内容被改动。"
                )
                break
            prev_hash, prev_seq = rec.hash, rec.seq
            seen_hashes[rec.seq] = rec.hash
        if found:
            problems.append(found)
            continue
        if anchor and chain in anchor:
            a_seq, a_hash = int(anchor[chain][0]), anchor[chain][1]
            if prev_seq < a_seq:
                problems.append(
                    Problem(
                        chain,
                        prev_seq + 1,
                        "truncated",
                        f"链 {chain}：锚点记到第 {a_seq} 条，现仅到第 {prev_seq} 条，最新记录被删除。",
                    )
                )
            elif a_seq in seen_hashes and seen_hashes[a_seq] != a_hash:
                problems.append(
                    Problem(chain, a_seq, "altered", f"链 {chain}：第 {a_seq} 条记录与锚点不符。")
                )
    return problems


def anchor() -> dict:
    """Chain heads to keep outside the database (printed, mailed, stored elsewhere)."""
    heads = {}
    for chain in AuditRecord.objects.values_list("chain", flat=True).distinct():
        last = AuditRecord.objects.filter(chain=chain).order_by("-seq").values("seq", "hash").first()
        heads[chain] = [last["seq"], last["hash"]]
    return {"at": clock.now().isoformat(), "heads": heads}


def purge(*, older_than_days: int | None = None) -> int:
    """Delete records past retention, leaving a checkpoint that carries each chain on. Never purges anything
    younger than 180 days, whatever is asked."""
    if older_than_days is not None and older_than_days < MIN_RETENTION_DAYS:
        raise DomainError("审计记录至少保留 180 天，不能清理更近的记录。")
    days = max(MIN_RETENTION_DAYS, settings.AUDIT_RETENTION_DAYS, older_than_days or 0)
    cutoff = clock.now() - dt.timedelta(days=days)
    total = 0
    with transaction.atomic():
        for chain in sorted(set(AuditRecord.objects.filter(at__lt=cutoff).values_list("chain", flat=True))):
            # Hold the chain head while cutting its tail, as record() does while appending.
            _lock_head(chain)
            # Purge a prefix of the chain only: stop at the first record younger than the cutoff.
            first_young = (
                AuditRecord.objects.filter(chain=chain, at__gte=cutoff)
                .order_by("seq")
                .values_list("seq", flat=True)
                .first()
            )
            old = AuditRecord.objects.filter(chain=chain, at__lt=cutoff)
            if first_young is not None:
                old = old.filter(seq__lt=first_young)
            last = old.order_by("-seq").first()
            if last is None:
                continue
            count = old.count()
            previous = Checkpoint.objects.filter(chain=chain).first()
            Checkpoint.objects.update_or_create(
                chain=chain,
                defaults={
                    "seq": last.seq,
                    "hash": last.hash,
                    "purged_before": cutoff,
                    "purged_count": count + (previous.purged_count if previous else 0),
                },
            )
            old.delete()
            total += count
        if total:
            record("audit.purged", changes={"count": total, "before": cutoff.isoformat()})
    return total
