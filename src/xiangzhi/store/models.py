"""积分超市 (the points store): goods priced in points, bought with a household's 可用积分.

A `Store` sits in a town or a village (`region`, copied to `region_code` for scoping) and serves a set of villages
of its town. Its `Goods` carry a price in points and a stock. A `Redemption` takes stock and points in one
transaction (services.redeem) and gives the villager a short `receipt_code` that the store keeper types or scans
to hand the goods over (confirm); while it is pending, the villager or the keeper may cancel it, which returns
both the stock and the points. Stock and price are protected by database CHECKs; 可用积分 by the points app's
`balance_available_nonneg`. The services in `xiangzhi.store.services` are the only writers.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

# Receipt codes: 8 characters people read aloud and type on a phone without mixing up 0/O or 1/I.
RECEIPT_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
RECEIPT_LENGTH = 8


class Store(models.Model):
    """A points store. `region` is the town or village it sits in; `villages` are the villages it serves (their
    households may redeem there). A store keeper's role assignment names it (scope_type "store")."""

    name = models.CharField("名称", max_length=60)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField("辖区代码", max_length=18, db_index=True)  # a town (9) or a village (12)
    villages = models.ManyToManyField("regions.Region", related_name="points_stores", verbose_name="服务村")
    address = models.CharField("地址", max_length=120, blank=True)
    opening_hours = models.CharField("营业时间", max_length=60, blank=True)
    is_active = models.BooleanField("营业中", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["region_code", "name", "id"]
        verbose_name = "积分超市"

    def __str__(self) -> str:
        return self.name


class Goods(models.Model):
    """An item on a store's shelf. `region_code` is the store's (copied) so that lists scope without a join."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="goods")
    region_code = models.CharField("辖区代码", max_length=18, db_index=True)
    name = models.CharField("名称", max_length=60)
    unit = models.CharField("单位", max_length=8, default="件")
    description = models.CharField("说明", max_length=200, blank=True)
    price = models.IntegerField("兑换积分")  # points for one unit
    stock = models.IntegerField("库存", default=0)
    photo = models.ForeignKey(
        "core.PrivateFile", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_active = models.BooleanField("上架", default=True)
    sort = models.PositiveSmallIntegerField("排序", default=0)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["store", "sort", "price", "id"]
        verbose_name = "商品"
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="goods_price_positive"),
            models.CheckConstraint(condition=Q(stock__gte=0), name="goods_stock_nonneg"),
            models.UniqueConstraint(fields=["store", "name"], name="goods_name_unique_in_store"),
        ]

    def __str__(self) -> str:
        return self.name


class Redemption(models.Model):
    """兑换: `quantity` units of `goods` for `points` of a household's 可用积分, with a receipt code."""

    # pending: points and stock taken, goods not yet handed over (the receipt code is valid)
    # fulfilled: the keeper confirmed the code and handed the goods over (final)
    # cancelled: given back before hand-over: stock and points returned (final)
    PENDING, FULFILLED, CANCELLED = "pending", "fulfilled", "cancelled"
    STATE_CHOICES = [(PENDING, "待领取"), (FULFILLED, "已领取"), (CANCELLED, "已取消")]

    goods = models.ForeignKey(Goods, on_delete=models.PROTECT, related_name="redemptions")
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="redemptions")
    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField("辖区代码", max_length=18, db_index=True)  # the household's (its grid)
    store_region_code = models.CharField(max_length=18, db_index=True)  # the store's (for its cadres)
    goods_name = models.CharField("商品", max_length=60)  # copies: renaming the goods changes no receipt
    price = models.IntegerField("单价")
    quantity = models.IntegerField("数量")
    points = models.IntegerField("积分")
    receipt_code = models.CharField("兑换码", max_length=RECEIPT_LENGTH, unique=True)
    state = models.CharField("状态", max_length=10, choices=STATE_CHOICES, default=PENDING)
    entry = models.OneToOneField(
        "points.LedgerEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    refund_entry = models.OneToOneField(
        "points.LedgerEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    idempotency_key = models.CharField(max_length=80, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("兑换时间")
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField("领取时间", null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancelled_at = models.DateTimeField("取消时间", null=True, blank=True)
    cancel_reason = models.CharField("取消原因", max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "兑换"
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="redemption_quantity_positive"),
            models.CheckConstraint(condition=Q(price__gt=0), name="redemption_price_positive"),
            models.CheckConstraint(
                condition=Q(points=F("price") * F("quantity")), name="redemption_points_price_quantity"
            ),
            models.CheckConstraint(
                condition=~Q(state="fulfilled") | Q(confirmed_at__isnull=False),
                name="redemption_fulfilled_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(state="cancelled") | Q(refund_entry__isnull=False),
                name="redemption_cancelled_refunded",
            ),
            models.UniqueConstraint(
                fields=["created_by", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="redemption_idempotency_once",
            ),
        ]
        indexes = [
            models.Index(fields=["store", "state", "created_at"], name="redemption_store_queue"),
            models.Index(fields=["household", "created_at"], name="redemption_household"),
            models.Index(fields=["store_region_code", "created_at"], name="redemption_store_region"),
        ]

    def __str__(self) -> str:
        return f"{self.goods_name} × {self.quantity}（{self.receipt_code}）"

    @property
    def code_display(self) -> str:
        """The receipt code in two groups of four, easier to read aloud: 7KQ3-M9XA."""
        c = self.receipt_code
        return f"{c[:4]}-{c[4:]}" if len(c) == RECEIPT_LENGTH else c

    @property
    def can_cancel(self) -> bool:
        return self.state == self.PENDING
