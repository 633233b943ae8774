"""The points ledger: the one writer of `LedgerEntry` and `PointBalance`, and its verification.

Every change of a holder's points goes through `post()` inside the caller's transaction: it locks the holder's
balance row, then the village chain's head (always in that order; two holders in id order), applies the deltas,
appends one entry whose keyed hash covers its content and the previous hash, and updates the balance. A correction
is another entry that references the one it corrects; nothing is updated or deleted. `verify()` recomputes every
balance from the entries and checks each chain, naming the first bad entry.
"""

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum

from xiangzhi.core import clock
from xiangzhi.core.errors import Conflict, ValidationFailed
from xiangzhi.points.models import LedgerChainHead, LedgerEntry, PointBalance, PointItem


@dataclass(frozen=True)
class Holder:
    """A household (civility points) or a party member (党员积分)."""

    household_id: int | None = None
    party_member_id: int | None = None
    region_code: str = ""

    @classmethod
    def of(cls, obj) -> "Holder":
        from xiangzhi.party.models import PartyMember
        from xiangzhi.people.models import Household

        if isinstance(obj, Household):
            return cls(household_id=obj.pk, region_code=obj.region_code)
        if isinstance(obj, PartyMember):
            return cls(party_member_id=obj.pk, region_code=obj.region_code)
        raise TypeError(f"not a points holder: {obj!r}")

    @property
    def chain(self) -> str:
        """The village's chain (a holder registered above village level keeps a chain of its own region)."""
        return self.region_code[:12]

    def filter(self) -> dict:
        if self.household_id:
            return {"household_id": self.household_id}
        return {"party_member_id": self.party_member_id}


def _canonical(e: LedgerEntry) -> bytes:
    body = {
        "chain": e.chain,
        "seq": e.seq,
        "household": e.household_id,
        "party_member": e.party_member_id,
        "kind": e.kind,
        "earned": e.earned_delta,
        "available": e.available_delta,
        "item": e.item_id,
        "item_code": e.item_code,
        "item_name": e.item_name,
        "category": e.category,
        "violation": e.is_violation,
        "source": e.source_ref,
        "corrects": e.corrects_id,
        "occurred_on": e.occurred_on.isoformat(),
        "at": e.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor": e.actor_id,
        "actor_label": e.actor_label,
        "note": e.note,
        "earned_after": e.earned_after,
        "available_after": e.available_after,
        "prev": e.prev_hash,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def compute_hash(entry: LedgerEntry) -> str:
    key = hmac.new(settings.XIANGZHI_AUDIT_KEY.encode(), b"points-ledger", hashlib.sha256).digest()
    return hmac.new(key, _canonical(entry), hashlib.sha256).hexdigest()


def lock_balance(holder: Holder) -> PointBalance:
    found = PointBalance.objects.select_for_update().filter(**holder.filter()).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            PointBalance.objects.create(region_code=holder.region_code, **holder.filter())
    except IntegrityError:
        pass  # made by a concurrent first entry of this holder
    return PointBalance.objects.select_for_update().get(**holder.filter())


def _lock_head(chain: str) -> LedgerChainHead:
    head = LedgerChainHead.objects.select_for_update().filter(chain=chain).first()
    if head is not None:
        return head
    try:
        with transaction.atomic():
            LedgerChainHead.objects.create(chain=chain)
    except IntegrityError:
        pass
    return LedgerChainHead.objects.select_for_update().get(chain=chain)


def balance_of(holder: Holder) -> tuple[int, int]:
    """(累计积分, 可用积分) as the balance row says (0, 0 for a holder without entries)."""
    row = PointBalance.objects.filter(**holder.filter()).values_list("earned", "available").first()
    return row or (0, 0)


def post(
    *,
    holder: Holder,
    kind: str,
    earned: int = 0,
    available: int | None = None,
    item: PointItem | None = None,
    occurred_on: dt.date | None = None,
    actor=None,
    actor_label: str = "",
    note: str = "",
    source_ref: str = "",
    corrects: LedgerEntry | None = None,
    strict_available: bool = False,
    balance: PointBalance | None = None,
) -> LedgerEntry:
    """Append one entry for `holder` and move its balance, in the caller's transaction.

    `earned` moves 累计积分. `available` moves 可用积分 (default: the same as `earned`). A negative `available` is
    applied at most down to zero and the entry records what was applied — unless `strict_available` (a
    redemption, a transfer), where too few points is an error that changes nothing. `balance`: the holder's row
    already locked by the caller (a caller that must lock something else first, such as a store's goods)."""
    if not transaction.get_connection().in_atomic_block:
        with transaction.atomic():
            return post(
                holder=holder,
                kind=kind,
                earned=earned,
                available=available,
                item=item,
                occurred_on=occurred_on,
                actor=actor,
                actor_label=actor_label,
                note=note,
                source_ref=source_ref,
                corrects=corrects,
                strict_available=strict_available,
                balance=balance,
            )
    # inside the caller's transaction, without a savepoint: a refusal below raises before anything is written
    if available is None:
        available = earned
    bal = balance if balance is not None else lock_balance(holder)
    if available < 0 and bal.available + available < 0:
        if strict_available:
            raise ValidationFailed(
                f"可用积分不足：需要 {-available} 分，现有 {bal.available} 分。", field="points"
            )
        available = -bal.available
    if earned == 0 and available == 0 and kind not in (LedgerEntry.CORRECTION,):
        raise ValidationFailed("积分变动不能为零。", field="points")
    head = _lock_head(holder.chain)
    now = clock.now()
    user = actor if getattr(actor, "pk", None) else None
    entry = LedgerEntry(
        chain=holder.chain,
        seq=head.seq + 1,
        region_code=holder.region_code,
        household_id=holder.household_id,
        party_member_id=holder.party_member_id,
        kind=kind,
        earned_delta=earned,
        available_delta=available,
        item=item,
        item_code=item.code if item else "",
        item_name=item.name if item else "",
        category=item.category if item else "",
        is_violation=bool(item and item.is_violation),
        source_ref=source_ref,
        corrects=corrects,
        occurred_on=occurred_on or clock.today(),
        at=now,
        actor=user,
        actor_label=(actor_label or getattr(user, "username", "") or "system")[:150],
        note=note[:300],
        earned_after=bal.earned + earned,
        available_after=bal.available + available,
        prev_hash=head.hash,
    )
    entry.hash = compute_hash(entry)
    entry.save()
    head.seq, head.hash = entry.seq, entry.hash
    head.save(update_fields=["seq", "hash"])
    bal.earned, bal.available = entry.earned_after, entry.available_after
    bal.entries += 1
    bal.updated_at = now
    bal.save(update_fields=["earned", "available", "entries", "updated_at"])
    return entry


def correct(*, entry: LedgerEntry, actor, reason: str, earned: int | None = None) -> LedgerEntry:
    """A correcting entry for `entry`: by default it undoes the entry (−its deltas); with `earned` it moves 累计积分
    by that amount instead (可用积分 the same, at most to zero). The corrected entry itself is never touched."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("更正须写明原因。", field="reason")
    if entry.kind not in (LedgerEntry.CLAIM, LedgerEntry.BASE, LedgerEntry.CORRECTION):
        raise Conflict("兑换、退还和转移不能更正；请在积分超市取消兑换。")
    holder = Holder(
        household_id=entry.household_id, party_member_id=entry.party_member_id, region_code=entry.region_code
    )
    if earned is None:
        earned, available = -entry.earned_delta, -entry.available_delta
    else:
        available = earned
    return post(
        holder=holder,
        kind=LedgerEntry.CORRECTION,
        earned=earned,
        available=available,
        occurred_on=entry.occurred_on,  # a correction belongs to the period of what it corrects
        actor=actor,
        note=reason,
        source_ref=f"entry:{entry.pk}",
        corrects=entry,
    )


def transfer(
    *, source: Holder, target: Holder, earned: int, available: int, actor, note: str, source_ref: str
):
    """Move points between two holders (分户, a head's death): one entry on each side, locks in id order."""
    if earned < 0 or available < 0:
        raise ValidationFailed("转移的积分不能为负数。", field="points")
    with transaction.atomic():
        first, second = sorted([source, target], key=lambda h: (h.household_id or 0, h.party_member_id or 0))
        locked = {first: lock_balance(first), second: lock_balance(second)}
        out = post(
            holder=source,
            kind=LedgerEntry.TRANSFER,
            earned=-earned,
            available=-available,
            strict_available=True,
            actor=actor,
            note=note,
            source_ref=source_ref,
            balance=locked[source],
        )
        into = post(
            holder=target,
            kind=LedgerEntry.TRANSFER,
            earned=earned,
            available=available,
            actor=actor,
            note=note,
            source_ref=source_ref,
            balance=locked[target],
        )
    return out, into


@dataclass
class VerifyReport:
    entries: int = 0
    chains: int = 0
    balances: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(*, chain: str | None = None, batch_size: int = 5000) -> VerifyReport:
    """Walk every chain (or one) in order: each entry's hash, its link to the previous, its seq without gaps and
    its after-balances; then every balance row against the sums of its entries. The first bad entry of a chain is
    named (id, chain, seq) and the chain's walk stops there."""
    report = VerifyReport()
    heads = LedgerChainHead.objects.all()
    if chain:
        heads = heads.filter(chain=chain)
    for head in heads.order_by("chain").iterator():
        report.chains += 1
        prev_hash, expected_seq, running = "", 1, {}
        qs = LedgerEntry.objects.filter(chain=head.chain).order_by("seq")
        last_seq = 0
        bad = False
        while True:
            batch = list(qs.filter(seq__gt=last_seq)[:batch_size])
            if not batch:
                break
            for e in batch:
                report.entries += 1
                key = (e.household_id, e.party_member_id)
                earned, available = running.get(key, (0, 0))
                earned, available = earned + e.earned_delta, available + e.available_delta
                running[key] = (earned, available)
                where = f"积分流水 #{e.pk}（链 {e.chain} 第 {e.seq} 条）"
                if e.seq != expected_seq:
                    report.problems.append(f"{where}：序号应为 {expected_seq}（有缺失或重复）")
                elif e.prev_hash != prev_hash:
                    report.problems.append(f"{where}：与前一条的链接不符（前一条被改动、删除或插入）")
                elif compute_hash(e) != e.hash:
                    report.problems.append(f"{where}：内容与哈希不符（本条被改动）")
                elif (e.earned_after, e.available_after) != (earned, available) or available < 0:
                    report.problems.append(f"{where}：变动后余额与前序流水合计不符")
                else:
                    prev_hash, expected_seq = e.hash, e.seq + 1
                    continue
                bad = True
                break
            if bad:
                break
            last_seq = batch[-1].seq
        if not bad and (head.seq, head.hash) != (expected_seq - 1, prev_hash):
            report.problems.append(
                f"链 {head.chain}：链头（第 {head.seq} 条）与最后一条流水不符（末尾的流水被删除？）"
            )
    # balances against the sums of the entries (all chains: a holder's entries may sit in two chains after a merger)
    sums = {
        (r["household_id"], r["party_member_id"]): r
        for r in LedgerEntry.objects.values("household_id", "party_member_id").annotate(
            earned=Sum("earned_delta"), available=Sum("available_delta"), n=Count("id")
        )
    }
    for bal in PointBalance.objects.order_by("id").iterator():
        report.balances += 1
        key = (bal.household_id, bal.party_member_id)
        s = sums.pop(key, {"earned": 0, "available": 0, "n": 0})
        if (bal.earned, bal.available, bal.entries) != (s["earned"], s["available"], s["n"]):
            who = f"户 #{bal.household_id}" if bal.household_id else f"党员 #{bal.party_member_id}"
            report.problems.append(
                f"积分余额 #{bal.pk}（{who}）：累计 {bal.earned}、可用 {bal.available}、{bal.entries} 条，"
                f"流水合计为 {s['earned']}、{s['available']}、{s['n']} 条"
            )
    for (household_id, member_id), _s in sums.items():
        who = f"户 #{household_id}" if household_id else f"党员 #{member_id}"
        report.problems.append(f"{who} 有积分流水但没有余额行")
    return report
