"""Changing the points store: stores, goods, stock, and redemptions from taking to hand-over or cancellation.

One function per change; each checks the policy, then changes in one transaction and records one audit row (the
audit record last: it locks the county's chain head until the commit).

Locks, always in this order, so that no two redemptions can deadlock: the goods row → the household's points
balance (`points.ledger`) → the village's ledger chain head (inside `ledger.post`) → the county's audit chain head.
A redemption and a cancellation take stock and points under these locks; the database CHECKs (stock ≥ 0,
可用积分 ≥ 0) hold even against a code path that forgot to look. A refusal (too few points, no stock, a receipt
code already used) raises before anything is written and says why in Chinese.

Redemption states: pending (待领取) → fulfilled (已领取, the keeper confirmed the receipt code) | cancelled
(已取消, by the villager or the keeper while pending; stock and points returned).
"""

import secrets

from django.db import IntegrityError, transaction
from django.db.models import F

from xiangzhi import policy
from xiangzhi.audit.services import record
from xiangzhi.core import clock, text
from xiangzhi.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from xiangzhi.core.notify import notify_many
from xiangzhi.points import ledger
from xiangzhi.points.models import LedgerEntry
from xiangzhi.points.policy import own_household_id
from xiangzhi.regions.models import Region
from xiangzhi.store import policy as store_policy
from xiangzhi.store.models import RECEIPT_ALPHABET, RECEIPT_LENGTH, Goods, Redemption, Store

MAX_PRICE = 100_000  # points for one unit; more is a typing error
MAX_STOCK = 100_000
MAX_RESTOCK = 10_000
MAX_QUANTITY = 20  # units in one redemption
RECEIPT_ATTEMPTS = 5


def _audit(action: str, obj, user, changes: dict, *, region_code: str | None = None) -> None:
    record(f"store.{action}", obj, changes=changes, actor=user, region_code=region_code)


def _int(value, *, field: str, label: str, low: int, high: int) -> int:
    if isinstance(value, bool):
        raise ValidationFailed(f"{label}须为整数。", field=field)
    try:
        number = int(str(value).strip()) if isinstance(value, str) else int(value)
    except (TypeError, ValueError):
        raise ValidationFailed(f"{label}须为整数。", field=field) from None
    if not low <= number <= high:
        raise ValidationFailed(f"{label}须在 {low} 到 {high} 之间。", field=field)
    return number


# -- stores -----------------------------------------------------------------------------------------------------


def _served_villages(store_region: Region, villages) -> list[Region]:
    town = store_region.code[:9]
    villages = list(villages or [])
    if not villages:
        raise ValidationFailed("请选择这家超市服务的村（至少一个）。", field="villages")
    for v in villages:
        if v.level != "village" or not v.code.startswith(town) or not v.is_active:
            raise ValidationFailed(f"{v.name}不是本乡镇的村，不能由这家超市服务。", field="villages")
    if store_region.level == "village" and store_region.pk not in {v.pk for v in villages}:
        raise ValidationFailed("设在村里的超市须服务本村。", field="villages")
    return villages


def store_create(
    *,
    user,
    region: Region,
    name: str,
    villages,
    address: str = "",
    opening_hours: str = "",
) -> Store:
    """Open a store in a town or a village of the user's reach, serving `villages` of that town."""
    if region.level not in ("town", "village"):
        raise ValidationFailed("积分超市设在乡镇或村：请选择乡镇或村。", field="region")
    policy.require(user, "store.manage", region)
    name = text.clean_text(name, field="name", label="超市名称", limit=60)
    address = text.clean_text(address, field="address", label="地址", limit=120, required=False)
    opening_hours = text.clean_text(
        opening_hours, field="opening_hours", label="营业时间", limit=60, required=False
    )
    villages = _served_villages(region, villages)
    with transaction.atomic():
        store = Store.objects.create(
            name=name,
            region=region,
            region_code=region.code,
            address=address,
            opening_hours=opening_hours,
            created_by=user if getattr(user, "pk", None) else None,
            created_at=clock.now(),
        )
        store.villages.set(villages)
        _audit("store_create", store, user, {"name": name, "villages": sorted(v.code for v in villages)})
    return store


def store_update(
    *,
    user,
    store: Store,
    name: str,
    villages,
    address: str = "",
    opening_hours: str = "",
    is_active: bool = True,
) -> Store:
    policy.require(user, "store.manage", store)
    name = text.clean_text(name, field="name", label="超市名称", limit=60)
    address = text.clean_text(address, field="address", label="地址", limit=120, required=False)
    opening_hours = text.clean_text(
        opening_hours, field="opening_hours", label="营业时间", limit=60, required=False
    )
    villages = _served_villages(store.region, villages)
    with transaction.atomic():
        locked = Store.objects.select_for_update().get(pk=store.pk)
        before = {
            "name": locked.name,
            "is_active": locked.is_active,
            "villages": sorted(locked.villages.values_list("code", flat=True)),
        }
        locked.name, locked.address, locked.opening_hours = name, address, opening_hours
        locked.is_active = bool(is_active)
        locked.save(update_fields=["name", "address", "opening_hours", "is_active"])
        locked.villages.set(villages)
        after = {"name": name, "is_active": locked.is_active, "villages": sorted(v.code for v in villages)}
        _audit("store_update", locked, user, {k: [before[k], v] for k, v in after.items() if before[k] != v})
    return locked


# -- goods and stock --------------------------------------------------------------------------------------------


def _require_goods_keeper_or_manager(user, store: Store) -> None:
    """Goods and stock are kept by the store's keeper and by the cadres who manage the store."""
    if store_policy.keeps(user, store):
        return
    policy.require(user, "store.manage", store)


def goods_save(
    *,
    user,
    store: Store,
    name: str,
    price,
    stock=None,
    unit: str = "件",
    description: str = "",
    is_active: bool = True,
    sort=0,
    photo=None,
    goods: Goods | None = None,
) -> Goods:
    """Put new goods on the shelf (with its first stock), or change one (`goods`): name, price, photo, on or off
    the shelf. Stock of existing goods changes only through `restock` (and redemptions)."""
    _require_goods_keeper_or_manager(user, store)
    if goods is not None and goods.store_id != store.pk:
        raise NotFound("未找到")
    name = text.clean_text(name, field="name", label="商品名称", limit=60)
    unit = text.clean_text(unit, field="unit", label="单位", limit=8, required=False) or "件"
    description = text.clean_text(description, field="description", label="说明", limit=200, required=False)
    price = _int(price, field="price", label="兑换积分", low=1, high=MAX_PRICE)
    sort = _int(sort or 0, field="sort", label="排序", low=0, high=9999)
    if goods is None:
        stock = _int(
            stock if stock not in (None, "") else 0, field="stock", label="库存", low=0, high=MAX_STOCK
        )
    from xiangzhi.core.files import file_store

    try:
        with transaction.atomic():
            stored = (
                file_store(
                    upload=photo,
                    purpose="store_goods",
                    region_code=store.region_code,
                    user=user,
                    allowed={"image"},
                )
                if photo
                else None
            )
            now = clock.now()
            if goods is None:
                goods = Goods.objects.create(
                    store=store,
                    region_code=store.region_code,
                    name=name,
                    unit=unit,
                    description=description,
                    price=price,
                    stock=stock,
                    photo=stored,
                    is_active=bool(is_active),
                    sort=sort,
                    updated_at=now,
                )
                _audit("goods_create", goods, user, {"name": name, "price": price, "stock": stock})
            else:
                locked = Goods.objects.select_for_update().get(pk=goods.pk)
                before = {"name": locked.name, "price": locked.price, "is_active": locked.is_active}
                locked.name, locked.unit, locked.description = name, unit, description
                locked.price, locked.is_active, locked.sort = price, bool(is_active), sort
                if stored is not None:
                    locked.photo = stored
                locked.updated_at = now
                locked.save()
                after = {"name": name, "price": price, "is_active": locked.is_active}
                changes = {k: [before[k], v] for k, v in after.items() if before[k] != v}
                if stored is not None:
                    changes["photo"] = "changed"
                _audit("goods_update", locked, user, changes)
                goods = locked
    except IntegrityError:
        raise Conflict(f"本店已有名为“{name}”的商品。", field="name") from None
    return goods


def restock(*, user, goods: Goods, quantity, note: str = "") -> Goods:
    """Add `quantity` units to the shelf (a delivery). A correction downwards is a negative quantity, never below
    what is on the shelf."""
    _require_goods_keeper_or_manager(user, goods.store)
    quantity = _int(quantity, field="quantity", label="补货数量", low=-MAX_RESTOCK, high=MAX_RESTOCK)
    if quantity == 0:
        raise ValidationFailed("补货数量不能为零。", field="quantity")
    note = text.clean_text(note, field="note", label="说明", limit=200, required=False)
    with transaction.atomic():
        locked = Goods.objects.select_for_update().get(pk=goods.pk)
        if locked.stock + quantity < 0:
            raise ValidationFailed(
                f"库存只有 {locked.stock} {locked.unit}，不能减少 {-quantity} {locked.unit}。",
                field="quantity",
            )
        if locked.stock + quantity > MAX_STOCK:
            raise ValidationFailed(f"库存不能超过 {MAX_STOCK}。", field="quantity")
        before = locked.stock
        locked.stock = before + quantity
        locked.updated_at = clock.now()
        locked.save(update_fields=["stock", "updated_at"])
        _audit("restock", locked, user, {"stock": [before, locked.stock], "note": note})
    return locked


# -- redemptions ------------------------------------------------------------------------------------------------


def new_receipt_code() -> str:
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))


def normalise_code(raw) -> str:
    """What a keeper typed or a scanner sent: spaces and dashes dropped, lower case raised; a scanned receipt QR
    code (the keeper page's address with `?code=`) gives its code."""
    raw = str(raw or "")
    if "code=" in raw:
        raw = raw.split("code=", 1)[1].split("&", 1)[0]
    code = "".join(ch for ch in raw if ch not in " -_\t\r\n").upper()
    return code[: RECEIPT_LENGTH * 2]


def _household_for(user):
    from xiangzhi.people.models import Household

    household_id = own_household_id(user)
    if household_id is None:
        raise PermissionDenied("您的账号没有关联到户，不能兑换：请到村委会办理。")
    return Household.objects.get(pk=household_id)


def _existing(user, key: str) -> Redemption | None:
    if key and getattr(user, "pk", None):
        return Redemption.objects.filter(created_by=user, idempotency_key=key).select_related("goods").first()
    return None


def redeem(*, user, goods: Goods, quantity=1, idempotency_key: str = "") -> tuple[Redemption, bool]:
    """A villager takes `quantity` units of `goods` for the household's 可用积分. Returns (redemption, created):
    the same idempotency key sent again by the same user returns the first redemption, created=False.

    In one transaction: lock the goods row (stock checked under the lock), lock the household's balance (points
    checked under the lock, by `ledger.post` with strict_available), write the redemption, the ledger entry and
    the stock. Too few points or too little stock raises ValidationFailed / Conflict and writes nothing."""
    idempotency_key = (idempotency_key or "").strip()[:80]
    existing = _existing(user, idempotency_key)
    if existing is not None:
        return existing, False
    household = _household_for(user)
    policy.require(user, "store.redeem", household)
    quantity = _int(quantity, field="quantity", label="数量", low=1, high=MAX_QUANTITY)
    holder = ledger.Holder.of(household)
    # what needs no lock is read before the transaction: the goods row is the hottest lock of a store, held
    # from its SELECT … FOR UPDATE to the commit
    store = Store.objects.filter(pk=goods.store_id).first()
    if store is None or not store.villages.filter(code=household.region_code[:12]).exists():
        raise PermissionDenied("这家积分超市不服务您所在的村。")
    keepers = _keeper_users(store)
    for _attempt in range(RECEIPT_ATTEMPTS):
        code = new_receipt_code()
        try:
            made = _redeem_once(
                user, household, holder, store, keepers, goods.pk, quantity, idempotency_key, code
            )
        except IntegrityError:
            again = _existing(user, idempotency_key)
            if again is not None:
                return again, False
            if Redemption.objects.filter(receipt_code=code).exists():
                continue  # a receipt code drawn twice (about 1 in 10^12 a draw): draw again
            raise
        return made, True
    raise Conflict("兑换码生成失败，请稍后再试。")


def _redeem_once(
    user, household, holder, store: Store, keepers: list, goods_id: int, quantity: int, key: str, code: str
) -> Redemption:
    with transaction.atomic():
        # the goods row only (no join: FOR UPDATE would lock the store's row too, and with it every goods item)
        goods = Goods.objects.select_for_update().filter(pk=goods_id).first()
        if goods is None:
            raise NotFound("未找到该商品。")
        if not (goods.is_active and store.is_active):
            raise Conflict(f"“{goods.name}”已下架，不能兑换。", code="goods_inactive")
        if goods.stock < quantity:
            left = f"只剩 {goods.stock} {goods.unit}" if goods.stock else "已经兑完了"
            raise Conflict(
                f"库存不足：“{goods.name}”{left}，兑换未成功，积分没有扣。",
                code="out_of_stock",
                field="quantity",
            )
        points = goods.price * quantity
        balance = ledger.lock_balance(holder)
        if balance.available < points:
            raise ValidationFailed(
                f"可用积分不足：兑换 {quantity} {goods.unit}“{goods.name}”需要 {points} 分，"
                f"您家现有 {balance.available} 分。兑换未成功，库存没有动。",
                code="insufficient_points",
                field="quantity",
            )
        now = clock.now()
        redemption = Redemption.objects.create(
            goods=goods,
            store=store,
            household=household,
            region_code=household.region_code,
            store_region_code=store.region_code,
            goods_name=goods.name,
            price=goods.price,
            quantity=quantity,
            points=points,
            receipt_code=code,
            idempotency_key=key,
            created_by=user if getattr(user, "pk", None) else None,
            created_at=now,
        )
        entry = ledger.post(
            holder=holder,
            kind=LedgerEntry.REDEMPTION,
            earned=0,
            available=-points,
            strict_available=True,
            balance=balance,
            source_ref=f"redemption:{redemption.pk}",
            actor=user,
            note=f"{store.name}：{goods.name} × {quantity}",
        )
        Redemption.objects.filter(pk=redemption.pk).update(entry=entry)
        redemption.entry = entry
        Goods.objects.filter(pk=goods.pk).update(stock=F("stock") - quantity, updated_at=now)
        goods.stock -= quantity
        _notify_keepers(keepers, redemption)
        _audit(
            "redeem",
            redemption,
            user,
            {"goods": goods.name, "quantity": quantity, "points": points, "store": store.pk},
        )
    return redemption


def _keeper_users(store: Store):
    from xiangzhi.accounts.models import RoleAssignment, User

    ids = RoleAssignment.objects.filter(
        role="store_keeper", scope_type=store_policy.KEEPER_SCOPE, scope_id=store.pk, is_active=True
    ).values_list("user_id", flat=True)
    return list(User.objects.filter(pk__in=list(ids), is_active=True))


def _notify_keepers(keepers: list, redemption: Redemption) -> None:
    if keepers:
        notify_many(
            keepers,
            "store.redeemed",
            redemption,
            title=f"新的兑换待领取：{redemption.goods_name} × {redemption.quantity}",
            url="/store/keeper/",
        )


def _villager_users(household_id: int):
    from xiangzhi.accounts.models import User

    return list(User.objects.filter(resident__household_id=household_id, is_active=True))


def redemption_confirm(*, user, store: Store, code) -> Redemption:
    """The keeper hands the goods over against the receipt code. A code of another store, or none, is "not
    found"; a code already used or cancelled is refused with when and by whom, and nothing changes."""
    store_policy.require_keeper(user, store)
    code = normalise_code(code)
    if not code:
        raise ValidationFailed("请输入或扫描兑换码。", field="code")
    if len(code) != RECEIPT_LENGTH or any(ch not in RECEIPT_ALPHABET for ch in code):
        raise ValidationFailed(
            f"兑换码是 {RECEIPT_LENGTH} 位字母和数字（不含 0、1、I、O），请核对后重新输入。", field="code"
        )
    found = Redemption.objects.filter(receipt_code=code).values_list("pk", "store_id").first()
    if found is None or found[1] != store.pk:
        if found is not None:  # a code of another store: refused like an unknown one, and the probe audited
            from xiangzhi.audit.services import record_denied

            other = Redemption.objects.get(pk=found[0])
            record_denied(
                "store.keep", obj=other, region_code=other.store_region_code, detail="code_of_another_store"
            )
        raise NotFound("没有找到这个兑换码：请核对是否输错，或是否为本店的兑换码。")
    with transaction.atomic():
        redemption = Redemption.objects.select_for_update().get(pk=found[0])
        if redemption.state == Redemption.FULFILLED:
            raise Conflict(
                f"兑换码 {redemption.code_display} 已于 {_fmt(redemption.confirmed_at)} 领取过，不能重复使用。",
                code="code_used",
                field="code",
            )
        if redemption.state == Redemption.CANCELLED:
            raise Conflict(
                f"兑换码 {redemption.code_display} 的兑换已于 {_fmt(redemption.cancelled_at)} 取消，不能领取。",
                code="code_cancelled",
                field="code",
            )
        redemption.state = Redemption.FULFILLED
        redemption.confirmed_by = user
        redemption.confirmed_at = clock.now()
        redemption.save(update_fields=["state", "confirmed_by", "confirmed_at"])
        _audit("confirm", redemption, user, {"state": [Redemption.PENDING, Redemption.FULFILLED]})
    return redemption


def _fmt(moment) -> str:
    from django.utils import timezone

    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def redemption_cancel(*, user, redemption: Redemption, reason: str = "") -> Redemption:
    """Give a pending redemption back: the stock to the shelf and the points to the household, in one
    transaction (goods row → balance → chain head). By the household's villager or the store's keeper."""
    by_keeper = store_policy.keeps(user, redemption.store)
    if not by_keeper:
        policy.require(user, "store.redeem", redemption)
    reason = text.clean_text(reason, field="reason", label="取消原因", limit=200, required=False)
    with transaction.atomic():
        goods = Goods.objects.select_for_update().get(pk=redemption.goods_id)
        locked = Redemption.objects.select_for_update().get(pk=redemption.pk)
        if locked.state != Redemption.PENDING:
            label = locked.get_state_display()
            raise Conflict(f"这笔兑换{label}，不能再取消。", code="not_pending")
        holder = ledger.Holder.of(locked.household)
        balance = ledger.lock_balance(holder)
        refund = ledger.post(
            holder=holder,
            kind=LedgerEntry.REFUND,
            earned=0,
            available=locked.points,
            balance=balance,
            source_ref=f"redemption:{locked.pk}",
            actor=user,
            note=f"取消兑换：{locked.goods_name} × {locked.quantity}" + (f"（{reason}）" if reason else ""),
        )
        now = clock.now()
        Goods.objects.filter(pk=goods.pk).update(stock=F("stock") + locked.quantity, updated_at=now)
        locked.state = Redemption.CANCELLED
        locked.refund_entry = refund
        locked.cancelled_by = user
        locked.cancelled_at = now
        locked.cancel_reason = reason
        locked.save(update_fields=["state", "refund_entry", "cancelled_by", "cancelled_at", "cancel_reason"])
        if by_keeper:
            notify_many(
                _villager_users(locked.household_id),
                "store.cancelled",
                locked,
                title=f"您的兑换已被超市取消，{locked.points} 分已退回",
                body=reason,
                url=f"/store/receipts/{locked.pk}/",
            )
        _audit(
            "cancel",
            locked,
            user,
            {
                "state": [Redemption.PENDING, Redemption.CANCELLED],
                "points": locked.points,
                "by_keeper": by_keeper,
            },
        )
    return locked
