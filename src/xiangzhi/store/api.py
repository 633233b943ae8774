"""The points store over the API (/api/v1/store/): the same selectors, services and policy as the pages.

A villager's phone lists the goods of the stores serving the village (with the household's 可用积分), redeems
(with an optional Idempotency-Key: the same key sent again returns the first redemption, 200 instead of 201) and
lists its receipts; a store keeper confirms a receipt code; either cancels a pending redemption."""

import datetime as dt

from ninja import Field, Header, Query, Router, Schema, Status

from xiangzhi import policy
from xiangzhi.apischema import ERRORS, MAX_PAGE, page_params
from xiangzhi.core.errors import ValidationFailed
from xiangzhi.store import policy as store_policy
from xiangzhi.store import selectors, services
from xiangzhi.store.models import Redemption

router = Router(tags=["积分超市"])

STATE_PATTERN = "^(" + "|".join(code for code, _ in Redemption.STATE_CHOICES) + ")$"


class GoodsOut(Schema):
    id: int
    store_id: int
    store: str
    name: str
    unit: str
    description: str
    price: int = Field(description="兑换一件所需积分")
    stock: int
    is_active: bool
    has_photo: bool

    @staticmethod
    def resolve_store(obj):
        return obj.store.name

    @staticmethod
    def resolve_has_photo(obj):
        return obj.photo_id is not None


class GoodsPage(Schema):
    count: int
    page: int
    page_size: int
    available: int | None = Field(description="本户可用积分（村民）；无关联户时为 null")
    items: list[GoodsOut]


class GoodsFilter(Schema):
    q: str | None = Field(None, max_length=30, description="商品名称")
    store: int | None = Field(None, ge=1, le=2**62, description="只看此超市")
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(20, ge=1, le=100)


class RedemptionOut(Schema):
    id: int
    store_id: int
    store: str
    goods_id: int
    goods_name: str
    household: str
    price: int
    quantity: int
    points: int
    receipt_code: str
    state: str
    state_label: str
    created_at: dt.datetime
    confirmed_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    cancel_reason: str

    @staticmethod
    def resolve_store(obj):
        return obj.store.name

    @staticmethod
    def resolve_household(obj):
        return str(obj.household)

    @staticmethod
    def resolve_state_label(obj):
        return obj.get_state_display()


class RedemptionPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[RedemptionOut]


class RedemptionFilter(Schema):
    state: str | None = Field(None, pattern=STATE_PATTERN)
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(20, ge=1, le=100)


class RedeemIn(Schema):
    goods_id: int = Field(..., strict=True, ge=1, le=2**62)
    quantity: int = Field(1, strict=True, ge=1, le=services.MAX_QUANTITY)


class ConfirmIn(Schema):
    code: str = Field(..., min_length=1, max_length=200, description="兑换码（8 位，可带横线，不分大小写）")
    store_id: int | None = Field(
        None, strict=True, ge=1, le=2**62, description="店员管理多家超市时指明哪一家"
    )


class CancelIn(Schema):
    reason: str = Field("", max_length=200)


def _page(qs, page: int, page_size: int) -> dict:
    offset, size = page_params(page, page_size)
    return {
        "count": qs.count(),
        "page": offset // size + 1,
        "page_size": size,
        "items": list(qs[offset : offset + size]),
    }


def _plain(value: str) -> str:
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise ValidationFailed("Idempotency-Key 不能包含控制字符。", field="Idempotency-Key")
    return value.strip()


@router.get("/goods/", response={200: GoodsPage, **ERRORS}, summary="商品列表（村民：服务本村的超市）")
def store_goods_list(request, filters: Query[GoodsFilter]):
    user = request.auth
    if not (
        store_policy.shopper_village_codes(user)
        or store_policy.kept_store_ids(user)
        or policy.can(user, "store.view")
    ):
        policy.require(user, "store.view")
    store = selectors.store_get(user=user, pk=filters.store) if filters.store else None
    qs = selectors.goods_list(user=user, store=store, q=filters.q)
    balance = selectors.my_balance(user=user)
    return {**_page(qs, filters.page, filters.page_size), "available": balance[1] if balance else None}


@router.post(
    "/redemptions/",
    response={200: RedemptionOut, 201: RedemptionOut, **ERRORS},
    summary="兑换（本户）",
    description=(
        "扣减库存和本户可用积分，返回兑换码。积分不足返回 422，库存不足返回 409，均不做任何改动。"
        "请求头 Idempotency-Key：同一用户用同一个键重复提交（如网络中断后重试）只兑换一次，"
        "第一次返回 201，之后返回 200 和同一笔兑换。"
    ),
)
def store_redeem(
    request,
    payload: RedeemIn,
    idempotency_key: str | None = Header(
        None, alias="Idempotency-Key", max_length=80, description="客户端生成的唯一键，用于安全重试"
    ),
):
    policy.require(request.auth, "store.redeem")
    goods = selectors.goods_get_for_shopper(user=request.auth, pk=payload.goods_id)
    redemption, created = services.redeem(
        user=request.auth,
        goods=goods,
        quantity=payload.quantity,
        idempotency_key=_plain(idempotency_key or ""),
    )
    return Status(201 if created else 200, redemption)


@router.get(
    "/redemptions/",
    response={200: RedemptionPage, **ERRORS},
    summary="兑换记录（村民：本户；店员：本店；干部：辖区）",
)
def store_redemption_list(request, filters: Query[RedemptionFilter]):
    user = request.auth
    if store_policy.shopper_village_codes(user) and not (
        store_policy.kept_store_ids(user) or policy.can(user, "store.view")
    ):
        qs = selectors.my_redemptions(user=user, state=filters.state)
    else:
        if not store_policy.kept_store_ids(user):
            policy.require(user, "store.view")
        qs = selectors.redemption_list(user=user, state=filters.state)
    return _page(qs.select_related("store", "household"), filters.page, filters.page_size)


@router.post("/redemptions/confirm/", response={200: RedemptionOut, **ERRORS}, summary="店员核销兑换码")
def store_confirm(request, payload: ConfirmIn):
    policy.require(request.auth, "store.keep")
    stores = selectors.kept_stores(user=request.auth)
    if payload.store_id is not None:
        stores = [s for s in stores if s.pk == payload.store_id]
    if not stores:
        raise ValidationFailed("请指明您所在的积分超市。", field="store_id")
    redemption = services.redemption_confirm(user=request.auth, store=stores[0], code=payload.code)
    return Redemption.objects.select_related("store", "household").get(pk=redemption.pk)


@router.post(
    "/redemptions/{int:redemption_id}/cancel/", response={200: RedemptionOut, **ERRORS}, summary="取消兑换"
)
def store_cancel(request, redemption_id: int, payload: CancelIn):
    r = selectors.redemption_get_for_cancel(user=request.auth, pk=redemption_id)
    services.redemption_cancel(user=request.auth, redemption=r, reason=payload.reason)
    return Redemption.objects.select_related("store", "household").get(pk=r.pk)
