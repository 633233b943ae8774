"""三资: contracts for the village collective's funds, assets and resources, payments, alerts, 合同清理.

A `Contract` belongs to a village (`region`, copied to `region_code` for scoping). It is the collective's own
contract with a counterparty (not a household's own land contract): what it lets (an asset or a parcel), the area in
1/100 亩 (`area_cmu`, an integer: 624.16 亩 is 62416, so sums stay exact on SQLite too), the amount in 分 per year or
in total, its payment schedule (`Instalment`), its term, whether a written contract exists, and the resolution that
approved it (a `deliberation.Item` of the same village). `Payment` rows record what was received. Arrears, expiry
alerts and the 合同清理 checks are computed (selectors.py, rules.py), never typed in.

`AssetSetting` holds a village's data for the checks: the end of the current land contract period (二轮延包) and the
清理 campaign period whose recovered arrears the report counts. The services in `services.py` are the only writers.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from xiangzhi.assets import rules
from xiangzhi.core.crypto import EncryptedField
from xiangzhi.core.masking import mask_tail


class AssetSetting(models.Model):
    """A village's settings for its contracts."""

    region = models.OneToOneField("regions.Region", on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField("辖区代码", max_length=18, db_index=True)
    land_period_ends_on = models.DateField("本轮土地承包期（二轮延包）截止日", null=True, blank=True)
    review_starts_on = models.DateField("合同清理开始日", null=True, blank=True)
    review_ends_on = models.DateField("合同清理结束日", null=True, blank=True)

    class Meta:
        verbose_name = "三资设置"
        constraints = [
            models.CheckConstraint(
                condition=Q(review_starts_on__isnull=True)
                | Q(review_ends_on__isnull=True)
                | Q(review_ends_on__gte=F("review_starts_on")),
                name="assets_setting_review_period_order",
            )
        ]


class Contract(models.Model):
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")  # the village
    region_code = models.CharField("辖区代码", max_length=18, db_index=True)
    code = models.CharField("合同编号", max_length=40)
    category = models.CharField("类别", max_length=12, choices=rules.CATEGORY_CHOICES)
    matter = models.CharField("合同事项", max_length=24, choices=rules.MATTER_CHOICES)
    subject = models.CharField("资产或地块", max_length=200)
    area_cmu = models.BigIntegerField("面积（0.01亩）", default=0)
    amount = models.BigIntegerField("金额（分）")
    amount_basis = models.CharField("金额口径", max_length=10, choices=rules.AMOUNT_BASIS_CHOICES)
    counterparty_name = models.CharField("承包（承租）方", max_length=100)
    counterparty_type = models.CharField(
        "承包方类型", max_length=14, choices=rules.COUNTERPARTY_TYPE_CHOICES, default=rules.INDIVIDUAL
    )
    counterparty_is_member = models.BooleanField("本集体经济组织成员")
    counterparty_id_number = EncryptedField("身份证号", blank=True, default="")
    starts_on = models.DateField("起始日")
    ends_on = models.DateField("截止日")
    # the last lawful day of a lease begun on starts_on (rules.lease_limit, 民法典 Art. 705), kept so that the
    # check is one indexed comparison; written by the services with starts_on
    lease_limit_on = models.DateField("租赁法定最长截止日")
    has_written_contract = models.BooleanField("有书面合同")
    resolution = models.ForeignKey(
        "deliberation.Item", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField("备注", max_length=2000, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["region_code", "code", "id"]
        verbose_name = "合同"
        constraints = [
            models.UniqueConstraint(fields=["region", "code"], name="assets_contract_code_unique"),
            models.CheckConstraint(condition=Q(area_cmu__gte=0), name="assets_contract_area_nonneg"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="assets_contract_amount_nonneg"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="assets_contract_term_order"
            ),
        ]
        indexes = [models.Index(fields=["region_code", "ends_on"], name="assets_contract_ends")]

    def __str__(self) -> str:
        return f"{self.code} {self.subject}"

    @property
    def area_mu(self) -> Decimal:
        return Decimal(self.area_cmu) / 100

    @property
    def id_number_masked(self) -> str:
        return mask_tail(self.counterparty_id_number)


class Instalment(models.Model):
    """One due date of the payment schedule, with its amount in 分."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="instalments")
    region_code = models.CharField("辖区代码", max_length=18, db_index=True)
    due_on = models.DateField("应付日期")
    amount = models.BigIntegerField("应付金额（分）")

    class Meta:
        ordering = ["contract_id", "due_on", "id"]
        verbose_name = "应付款"
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="assets_instalment_amount_positive"),
            models.UniqueConstraint(fields=["contract", "due_on"], name="assets_instalment_once_a_day"),
        ]


class Payment(models.Model):
    """Money received on a contract: amount in 分, date, receipt number (unique in the village when given)."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="payments")
    region_code = models.CharField("辖区代码", max_length=18, db_index=True)
    paid_on = models.DateField("收款日期")
    amount = models.BigIntegerField("金额（分）")
    receipt_no = models.CharField("收据号", max_length=40, blank=True, default="")
    note = models.CharField("备注", max_length=200, blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["contract_id", "paid_on", "id"]
        verbose_name = "收款"
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="assets_payment_amount_positive"),
            models.UniqueConstraint(
                fields=["region_code", "receipt_no"],
                condition=~Q(receipt_no=""),
                name="assets_payment_receipt_unique",
            ),
        ]
