"""Points when a household splits (分户) or closes: the rules, stated once here and shown on the split page.

分户 (`household_split`): the members who move start a new household (xiangzhi.people.services.household_split)
and take with them a share of the old household's 累计积分 and 可用积分, in proportion to the members who move:
    share = balance × members moving ÷ members in the household before the split, rounded down (to whole points).
A negative 累计积分 is not shared: it stays with the household that earned the deductions, and the new household
starts at zero. The village may decide another share (a 两委 decision, recorded as the reason): any whole number
from 0 to the old household's balance (累计 up to its positive balance, 可用 up to its 可用积分). The shares move
as two ledger entries (转移: out of the old household, into the new one) in the same transaction as the split.

户主去世 (or moves away): nothing moves. The household keeps its points; a cadre sets a new head through the people
pages (设为户主). Only when no member is left in the village (the household is closed, 已销户) do its points move
(`closed_household_transfer`): its whole 可用积分 and its 累计积分 (when positive) go to the household the cadre
names, the one its last members joined, with a reason; a negative 累计积分 stays with the closed household.
"""

from dataclasses import dataclass

from django.db import transaction

from xiangzhi import policy
from xiangzhi.audit.services import record
from xiangzhi.core import text
from xiangzhi.core.errors import Conflict, ValidationFailed
from xiangzhi.points import ledger

SPLIT_RULE = (
    "分户时，分出的新户按迁出人数所占比例分得原户的累计积分和可用积分：分得积分 = 原户积分 × 迁出人数 ÷ "
    "分户前在册人数，向下取整。原户累计积分为负数时不分摊，新户从零开始。经村两委决定可另定分得数额"
    "（0 至原户现有积分之间的整数，须写明决定依据）。划转在原户和新户的积分存折上各记一笔“转移”。"
)
DEATH_RULE = (
    "户主去世或迁出时积分不变动：本户保留全部积分，由村干部在户籍页面为本户另设户主。只有全户成员均已迁出或"
    "去世（已销户）时，才将该户的全部可用积分和累计积分（为正数时）转入其成员所投靠的户，须写明原因。"
)


@dataclass(frozen=True)
class Shares:
    """What a split would move, and the bounds within which the village may decide otherwise."""

    moving: int
    members: int
    earned: int
    available: int
    earned_max: int
    available_max: int
    balance_earned: int
    balance_available: int


def compute_shares(*, earned: int, available: int, moving: int, members: int) -> Shares:
    """The rule of SPLIT_RULE, in whole points (floor)."""
    if members <= 0 or not 0 < moving < members:
        raise ValidationFailed("分出人数须至少一人，且原户至少留下一人。", field="members")
    positive = max(earned, 0)
    return Shares(
        moving=moving,
        members=members,
        earned=positive * moving // members,
        available=available * moving // members,
        earned_max=positive,
        available_max=available,
        balance_earned=earned,
        balance_available=available,
    )


def shares_for(*, household, members) -> Shares:
    """The shares a split of `household` moving `members` would take now (a preview: the split recomputes them
    under lock)."""
    from xiangzhi.people.models import Resident

    normal = list(household.members.filter(status=Resident.STATUS_NORMAL).values_list("pk", flat=True))
    moving = len({m.pk for m in members} & set(normal))
    earned, available = ledger.balance_of(ledger.Holder.of(household))
    return compute_shares(earned=earned, available=available, moving=moving, members=len(normal))


def _decided(value, *, limit: int, field: str, label: str) -> int:
    try:
        value = int(value)
    except (TypeError, ValueError):
        raise ValidationFailed(f"{label}须为整数。", field=field) from None
    if not 0 <= value <= limit:
        raise ValidationFailed(f"{label}须在 0 到 {limit} 之间。", field=field)
    return value


@dataclass(frozen=True)
class SplitResult:
    household: object  # the new household
    shares: Shares
    earned: int  # what moved
    available: int
    entries: tuple  # (out of the old household, into the new one), or () when nothing moved


def household_split(
    *,
    user,
    household,
    members,
    new_head,
    address: str,
    grid=None,
    number: str = "",
    earned: int | None = None,
    available: int | None = None,
    reason: str = "",
) -> SplitResult:
    """分户 with its points, in one transaction: the new household (people service), then the shares (SPLIT_RULE,
    or the numbers the village decided, with `reason`) as a transfer. Rights are checked before the transaction
    opens, so that a refusal stays audited."""
    policy.require(user, "points.split", household)
    policy.require(user, "people.change", household)
    from xiangzhi.people import services as people_services
    from xiangzhi.people.models import Household, Resident

    decided = earned is not None or available is not None
    reason = text.clean_text(reason, field="reason", label="村两委的决定依据", limit=300, required=decided)
    members = list(members)
    with transaction.atomic():
        locked = Household.objects.select_for_update().get(pk=household.pk)
        source = ledger.Holder.of(locked)
        balance = ledger.lock_balance(source)
        before = locked.members.filter(status=Resident.STATUS_NORMAL).count()
        moving = len({m.pk for m in members})
        if before and moving >= before:
            raise ValidationFailed("原户至少要留下一名成员。", field="members")
        shares = compute_shares(
            earned=balance.earned, available=balance.available, moving=moving, members=before
        )
        move_earned = (
            shares.earned
            if earned is None
            else _decided(earned, limit=shares.earned_max, field="earned", label="分得的累计积分")
        )
        move_available = (
            shares.available
            if available is None
            else _decided(available, limit=shares.available_max, field="available", label="分得的可用积分")
        )
        new = people_services.household_split(
            user=user,
            household=locked,
            members=members,
            new_head=new_head,
            address=address,
            grid=grid,
            number=number,
        )
        entries: tuple = ()
        if move_earned or move_available:
            note = f"分户：{moving}/{before} 人迁出至{new.head_name}户" + (f"（{reason}）" if reason else "")
            entries = ledger.transfer(
                source=source,
                target=ledger.Holder.of(new),
                earned=move_earned,
                available=move_available,
                actor=user,
                note=note[:300],
                source_ref=f"split:{new.pk}",
            )
        record(
            "points.split",
            locked,
            changes={
                "new_household": new.pk,
                "moving": moving,
                "members": before,
                "rule": {"earned": shares.earned, "available": shares.available},
                "moved": {"earned": move_earned, "available": move_available},
                "decided": decided,
                "reason": reason,
            },
            actor=user,
        )
    return SplitResult(
        household=new, shares=shares, earned=move_earned, available=move_available, entries=entries
    )


def closed_household_transfer(*, user, household, target, reason: str):
    """A closed household's points go to the household its last members joined (DEATH_RULE): its whole 可用积分
    and its 累计积分 when positive, as a transfer with the reason. Returns the two entries."""
    policy.require(user, "points.split", household)
    policy.require(user, "points.split", target)
    reason = text.clean_text(reason, field="reason", label="原因", limit=300)
    from xiangzhi.people.models import Household

    if target.pk == household.pk:
        raise ValidationFailed("请选择另一户。", field="target")
    with transaction.atomic():
        locked = Household.objects.select_for_update().get(pk=household.pk)
        target = Household.objects.select_for_update().get(pk=target.pk)
        if locked.status != Household.STATUS_CLOSED:
            raise Conflict("该户尚有在册成员，积分不转移：户主去世或迁出时，请为本户另设户主。")
        if target.status != Household.STATUS_ACTIVE:
            raise ValidationFailed("接收积分的户须为在册户。", field="target")
        if target.region_code[:12] != locked.region_code[:12]:
            raise ValidationFailed("接收积分的户须在本村。", field="target")
        source = ledger.Holder.of(locked)
        balance = ledger.lock_balance(source)
        move_earned, move_available = max(balance.earned, 0), balance.available
        if not move_earned and not move_available:
            raise Conflict("该户没有可转移的积分。")
        entries = ledger.transfer(
            source=source,
            target=ledger.Holder.of(target),
            earned=move_earned,
            available=move_available,
            actor=user,
            note=f"销户转移至{target.head_name}户：{reason}"[:300],
            source_ref=f"close:{locked.pk}",
        )
        record(
            "points.closed_transfer",
            locked,
            changes={
                "target": target.pk,
                "earned": move_earned,
                "available": move_available,
                "reason": reason,
            },
            actor=user,
        )
    return entries
