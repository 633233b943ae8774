"""Points (积分制): civility points of households and party members (DESIGN.md, "Points").

A village's `PointScheme` (drawn from its 村规民约) lists `PointItem`s. A `Claim` (申报 by a villager, or recorded by a
cadre or grid worker) is reviewed by the village's 评议小组, put on public notice (公示) where anyone in the village may
raise an `Objection`, and after the notice period posted to the ledger. The ledger (`LedgerEntry`) is append-only
and hash-chained per village; nothing in it is updated or deleted: a mistake is fixed by a correcting entry. Each
holder (a household, or a party member for 党员积分) has one `PointBalance` row: 累计积分 `earned` (may go below zero)
and 可用积分 `available` (never below zero: a database CHECK). The services in `xiangzhi.points.services` and
`xiangzhi.points.ledger` are the only writers.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

# Item categories, from the schemes the seeds describe (村规民约 chapters).
CATEGORY_CHOICES = [
    ("environment", "人居环境"),
    ("public_works", "公共建设"),
    ("family_virtue", "家庭美德"),
    ("customs", "移风易俗"),
    ("enterprise", "兴业致富"),
    ("volunteering", "志愿服务"),
    ("law_abiding", "遵纪守法"),
    ("party_life", "组织生活"),  # 党员: 三会一课, 主题党日
    ("party_duty", "党员作用"),  # 党员: 联户, 先锋岗
    ("other", "其他"),
]
CATEGORY_LABELS = dict(CATEGORY_CHOICES)

HOLDER_HOUSEHOLD, HOLDER_PARTY = "household", "party"
KIND_CHOICES = [(HOLDER_HOUSEHOLD, "户积分（新时代文明实践积分）"), (HOLDER_PARTY, "党员积分")]

PERIOD_MONTH, PERIOD_QUARTER = "month", "quarter"
PERIOD_CHOICES = [(PERIOD_MONTH, "月"), (PERIOD_QUARTER, "季度")]


class PointScheme(models.Model):
    """A village's scheme (or a town's template that villages copy), one row per version. Only one version of a
    village's scheme of a kind is active; publishing a new version retires the old one and never touches what was
    already posted (entries copy the item's code, name and points)."""

    DRAFT, ACTIVE, RETIRED = "draft", "active", "retired"
    STATUS_CHOICES = [(DRAFT, "草稿"), (ACTIVE, "施行中"), (RETIRED, "已停用")]

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField(
        "辖区代码", max_length=18, db_index=True
    )  # a village; a town for templates
    kind = models.CharField("类型", max_length=16, choices=KIND_CHOICES, default=HOLDER_HOUSEHOLD)
    name = models.CharField("方案名称", max_length=100)
    version = models.PositiveIntegerField("版本", default=1)
    status = models.CharField("状态", max_length=8, choices=STATUS_CHOICES, default=DRAFT)
    is_template = models.BooleanField("乡镇模板", default=False)
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )  # the template (or the earlier version) it was copied from
    period = models.CharField("考核周期", max_length=8, choices=PERIOD_CHOICES, default=PERIOD_MONTH)
    notice_days = models.PositiveSmallIntegerField("公示天数", default=7)
    red_list_size = models.PositiveSmallIntegerField("红榜名额", default=5)
    base_score = models.IntegerField("基础分", default=0)  # 党员积分: each member starts a year from it
    note = models.TextField("说明", blank=True)  # e.g. which 村规民约 (and when adopted) it comes from
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["region_code", "kind", "-version"]
        verbose_name = "积分方案"
        constraints = [
            models.UniqueConstraint(fields=["region_code", "kind", "version"], name="scheme_version_unique"),
            models.UniqueConstraint(
                fields=["region_code", "kind"], condition=Q(status="active"), name="scheme_one_active"
            ),
            models.CheckConstraint(condition=Q(notice_days__lte=60), name="scheme_notice_days_max"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（第{self.version}版）"


class PointItem(models.Model):
    """积分项: worth `points` (+ merit, − deduction), capped per holder per period (in points, absolute)."""

    scheme = models.ForeignKey(PointScheme, on_delete=models.CASCADE, related_name="items")
    code = models.CharField("编号", max_length=20)
    name = models.CharField("名称", max_length=100)
    category = models.CharField("类别", max_length=20, choices=CATEGORY_CHOICES, default="other")
    points = models.IntegerField("分值")
    cap_per_period = models.PositiveIntegerField("每周期上限", null=True, blank=True)  # absolute points
    evidence_required = models.BooleanField("须附照片", default=False)
    is_violation = models.BooleanField(
        "违反村规民约", default=False
    )  # deductions that may put a household on the 黑榜
    source_article = models.CharField("村规民约条款", max_length=200, blank=True)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["scheme", "sort", "code"]
        verbose_name = "积分项"
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="item_code_unique"),
            models.CheckConstraint(condition=~Q(points=0), name="item_points_nonzero"),
            models.CheckConstraint(
                condition=Q(is_violation=False) | Q(points__lt=0), name="item_violation_deducts"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}（{self.points:+d}）"


def _one_holder() -> Q:
    return (Q(household__isnull=False) & Q(party_member__isnull=True)) | (
        Q(household__isnull=True) & Q(party_member__isnull=False)
    )


class Claim(models.Model):
    """申报: from a villager or party member (with evidence), or recorded by a cadre or grid worker."""

    SUBMITTED, NOTICE, POSTED, REJECTED, WITHDRAWN = "submitted", "notice", "posted", "rejected", "withdrawn"
    STATE_CHOICES = [
        (SUBMITTED, "待评议"),
        (NOTICE, "公示中"),
        (POSTED, "已入账"),
        (REJECTED, "未通过"),
        (WITHDRAWN, "已撤回"),
    ]
    OPEN_STATES = (SUBMITTED, NOTICE)
    SOURCE_SELF, SOURCE_RECORDED = "self", "recorded"
    SOURCE_CHOICES = [(SOURCE_SELF, "本人申报"), (SOURCE_RECORDED, "干部录入")]

    region_code = models.CharField(
        "辖区代码", max_length=18
    )  # the holder's grid (household) or region (member)
    village_code = models.CharField("村代码", max_length=12)  # whose scheme, review group and notice board
    scheme = models.ForeignKey(PointScheme, on_delete=models.PROTECT, related_name="claims")
    item = models.ForeignKey(PointItem, on_delete=models.PROTECT, related_name="claims")
    household = models.ForeignKey(
        "people.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    party_member = models.ForeignKey(
        "party.PartyMember", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    points = models.IntegerField("分值")  # as claimed; the review may adjust it (same sign, within the cap)
    claimed_points = models.IntegerField("申报分值")
    occurred_on = models.DateField("发生日期")
    description = models.TextField("事由", blank=True)
    evidence = models.ManyToManyField("core.PrivateFile", blank=True, related_name="+")
    source = models.CharField("来源", max_length=10, choices=SOURCE_CHOICES)
    batch = models.CharField("批次", max_length=40, blank=True)  # bulk entry of a monthly inspection
    idempotency_key = models.CharField(
        max_length=80, blank=True
    )  # a claimant's retry (the form's one-time token, the API's Idempotency-Key) finds the claim already made
    state = models.CharField("状态", max_length=10, choices=STATE_CHOICES, default=SUBMITTED)
    claimant = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField("评议意见", max_length=500, blank=True)
    notice_until = models.DateTimeField("公示截止", null=True, blank=True)
    entry = models.OneToOneField(
        "LedgerEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="claim"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "积分申报"
        constraints = [
            models.CheckConstraint(condition=_one_holder(), name="claim_one_holder"),
            models.CheckConstraint(condition=~Q(points=0), name="claim_points_nonzero"),
            models.UniqueConstraint(
                fields=["claimant", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="claim_idempotency_once",
            ),
        ]
        indexes = [
            models.Index(fields=["village_code", "state", "created_at"], name="claim_queue"),
            models.Index(fields=["state", "notice_until"], name="claim_notice_due"),
            models.Index(fields=["household", "created_at"], name="claim_household"),
            models.Index(fields=["batch"], condition=~Q(batch=""), name="claim_batch"),
        ]

    def __str__(self) -> str:
        return f"{self.item.name}（{self.points:+d}）"


class Objection(models.Model):
    """异议 raised during the notice period; answered (upheld or dismissed) before the claim may post."""

    OPEN, UPHELD, DISMISSED = "open", "upheld", "dismissed"
    STATE_CHOICES = [(OPEN, "待答复"), (UPHELD, "异议成立"), (DISMISSED, "异议不成立")]

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="objections")
    village_code = models.CharField("村代码", max_length=12, db_index=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField("异议内容")
    raised_at = models.DateTimeField()
    state = models.CharField("状态", max_length=10, choices=STATE_CHOICES, default=OPEN)
    answer = models.TextField("答复", blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["raised_at", "id"]
        verbose_name = "异议"


class LedgerChainHead(models.Model):
    """The newest entry of a village's ledger chain; locked by every append so appends to one chain are serial."""

    chain = models.CharField(max_length=18, primary_key=True)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="")


class LedgerEntry(models.Model):
    """积分流水: one change of one holder's points. Written once by `points.ledger.post`, never updated or deleted.

    `earned_delta` moves 累计积分; `available_delta` moves 可用积分 by the amount actually applied (a deduction lowers
    可用积分 at most to zero; a redemption moves only 可用积分). The hash covers the entry's own content and the
    previous hash, not `region_code` (a village merger rewrites that copy)."""

    CLAIM, REDEMPTION, REFUND, CORRECTION, TRANSFER, BASE = (
        "claim",
        "redemption",
        "refund",
        "correction",
        "transfer",
        "base",
    )
    KIND_CHOICES = [
        (CLAIM, "积分"),
        (REDEMPTION, "兑换"),
        (REFUND, "退还"),
        (CORRECTION, "更正"),
        (TRANSFER, "转移"),
        (BASE, "基础分"),
    ]

    chain = models.CharField(max_length=18)  # the village's code when the chain began; never rewritten
    seq = models.BigIntegerField()
    region_code = models.CharField("辖区代码", max_length=18, db_index=True)
    household = models.ForeignKey(
        "people.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    party_member = models.ForeignKey(
        "party.PartyMember", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("类型", max_length=12, choices=KIND_CHOICES)
    earned_delta = models.IntegerField("累计积分变动", default=0)
    available_delta = models.IntegerField("可用积分变动", default=0)
    item = models.ForeignKey(PointItem, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    item_code = models.CharField(
        max_length=20, blank=True
    )  # copies: a later scheme version changes nothing here
    item_name = models.CharField(max_length=100, blank=True)
    category = models.CharField(max_length=20, blank=True)
    is_violation = models.BooleanField(default=False)
    source_ref = models.CharField(max_length=40, blank=True)  # "claim:12", "redemption:7", "split:3" …
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    occurred_on = models.DateField("发生日期")  # decides the period (caps, 红黑榜)
    at = models.DateTimeField("入账时间")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=150)
    note = models.CharField("说明", max_length=300, blank=True)
    earned_after = models.IntegerField()  # the holder's balances after this entry (the passbook's column)
    available_after = models.IntegerField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["chain", "seq"]
        verbose_name = "积分流水"
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="ledger_chain_seq_unique"),
            models.CheckConstraint(condition=_one_holder(), name="ledger_one_holder"),
            models.CheckConstraint(condition=Q(available_after__gte=0), name="ledger_available_after_nonneg"),
        ]
        indexes = [
            models.Index(fields=["household", "at"], name="ledger_household_at"),
            models.Index(fields=["party_member", "at"], name="ledger_member_at"),
            # 红黑榜 and rankings: a village's entries of a period
            models.Index(fields=["region_code", "occurred_on"], name="ledger_region_period"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.earned_delta:+d}/{self.available_delta:+d}"


class PointBalance(models.Model):
    """One row per holder, kept by `points.ledger.post` in the same transaction as the entry. 可用积分 may never go
    below zero: the CHECK below holds even against a code path that forgot to look."""

    household = models.OneToOneField(
        "people.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="point_balance"
    )
    party_member = models.OneToOneField(
        "party.PartyMember", null=True, blank=True, on_delete=models.PROTECT, related_name="point_balance"
    )
    region_code = models.CharField("辖区代码", max_length=18, db_index=True)
    earned = models.IntegerField("累计积分", default=0)
    available = models.IntegerField("可用积分", default=0)
    entries = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "积分余额"
        constraints = [
            models.CheckConstraint(condition=Q(available__gte=0), name="balance_available_nonneg"),
            models.CheckConstraint(condition=_one_holder(), name="balance_one_holder"),
        ]


class PartyGrade(models.Model):
    """党员年度评定: proposed from the year's score, confirmed by the branch."""

    GRADE_CHOICES = [
        ("excellent", "优秀"),
        ("qualified", "合格"),
        ("basic", "基本合格"),
        ("unqualified", "不合格"),
    ]
    party_member = models.ForeignKey("party.PartyMember", on_delete=models.PROTECT, related_name="+")
    org = models.ForeignKey("party.PartyOrg", on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField("辖区代码", max_length=18, db_index=True)
    year = models.PositiveSmallIntegerField("年度")
    score = models.IntegerField("年度积分")
    proposed = models.CharField("建议等次", max_length=12, choices=GRADE_CHOICES)
    confirmed = models.CharField("确定等次", max_length=12, choices=GRADE_CHOICES, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        ordering = ["year", "org", "-score"]
        verbose_name = "党员年度评定"
        constraints = [
            models.UniqueConstraint(fields=["party_member", "year"], name="party_grade_once_a_year")
        ]
