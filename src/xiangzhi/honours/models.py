"""红黑榜 (red and black lists) of a village, one per period of its household points scheme (DESIGN.md, "Points").

- The **red list** names the households that earned the most points in the period (net of deductions and
  corrections), as many as the scheme's `red_list_size`. **Tie rule**: households with equal points share a rank
  (competition ranking 1, 1, 3 …) and every household tied at the last place is included, so a list may be longer
  than its size; a household with no more than zero points is never on it.
- The **black list** names the households with deduction entries for violations of the 村规民约 in the period
  (`LedgerEntry.is_violation`), net of their corrections, worst first (most violation points, then most
  violations). Never merely the lowest scorers: the old, the sick and those working away would fill it.

A list goes draft → notified (the named households are told and may appeal until `appeal_until`) → published (by the
两委, with no appeal left open; an upheld appeal removes its entry). A published black-list entry may bar a household
from honours (评先评优, `selectors.honours_flag`); nothing here touches a household's lawful property rights such as
its share of collective income or dividends (村民委员会组织法 Art. 27: 村规民约 may not infringe villagers' rights of
person, democracy or lawful property).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

RED, BLACK = "red", "black"
KIND_CHOICES = [(RED, "红榜"), (BLACK, "黑榜")]

# The sentence every page and document about the lists carries.
LAWFUL_NOTE = (
    "上黑榜只影响评先评优，不影响集体收益分配、分红等村民依法享有的财产权利"
    "（《中华人民共和国村民委员会组织法》第二十七条）。"
)
TIE_RULE = "红榜按本期所得积分（含扣分和更正）从高到低排列；积分相同的并列同一名次，并列最后一名的全部上榜，因此红榜人数可能多于名额；积分不高于零的不上红榜。"
BLACK_RULE = "黑榜只列本期有违反村规民约扣分记录（扣除已更正的）的农户，按违规扣分从多到少、违规次数从多到少排列；积分少不会上黑榜。"


class HonourList(models.Model):
    """One village's 红黑榜 of one period. Its entries are computed from the ledger by `services` (never typed)."""

    DRAFT, NOTIFIED, PUBLISHED = "draft", "notified", "published"
    STATE_CHOICES = [
        (DRAFT, "草稿"),  # generated; only the cadres see it; may be generated again
        (NOTIFIED, "公示前告知"),  # the named households are told and may appeal until appeal_until
        (PUBLISHED, "已公布"),  # on the public board; fixed
    ]

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")  # the village
    region_code = models.CharField("村代码", max_length=12, db_index=True)
    scheme = models.ForeignKey("points.PointScheme", null=True, on_delete=models.PROTECT, related_name="+")
    period = models.CharField("周期", max_length=8)  # "month" | "quarter", the scheme's when generated
    period_start = models.DateField("起始日")
    period_end = models.DateField("截止日")
    red_list_size = models.PositiveSmallIntegerField("红榜名额")
    state = models.CharField("状态", max_length=10, choices=STATE_CHOICES, default=DRAFT)
    generated_at = models.DateTimeField("生成时间")
    generated_by = models.ForeignKey(  # None: the periodic job
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    households_ranked = models.PositiveIntegerField("有积分记录的户数", default=0)
    notified_at = models.DateTimeField("告知时间", null=True, blank=True)
    appeal_until = models.DateTimeField("申诉截止", null=True, blank=True)
    published_at = models.DateTimeField("公布时间", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-period_start", "region_code"]
        verbose_name = "红黑榜"
        constraints = [
            models.UniqueConstraint(
                fields=["region_code", "period", "period_start"], name="honours_one_list_per_period"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="honours_period"
            ),
            models.CheckConstraint(
                condition=Q(state="draft") | Q(notified_at__isnull=False, appeal_until__isnull=False),
                name="honours_notified_has_window",
            ),
            models.CheckConstraint(
                condition=~Q(state="published") | Q(published_at__isnull=False), name="honours_published_at"
            ),
        ]
        indexes = [models.Index(fields=["region_code", "state", "period_start"], name="honours_board")]

    def __str__(self) -> str:
        return f"{self.region.name if self.region_id else self.region_code} {self.period_label}红黑榜"

    @property
    def period_label(self) -> str:
        from xiangzhi.points import periods

        return periods.label(self.period_start, self.period)

    @property
    def number(self) -> str:
        """编号, for talking about one list (on the phone, in a meeting's minutes)."""
        return f"HB{self.pk:06d}" if self.pk else ""

    @property
    def is_published(self) -> bool:
        return self.state == self.PUBLISHED


class HonourEntry(models.Model):
    """One household on one list. `region_code` is the household's (its grid), so a grid worker's or a villager's
    reach applies to it as to the household itself; `head_name` is a copy (the list shows who it named then)."""

    honour_list = models.ForeignKey(HonourList, on_delete=models.CASCADE, related_name="entries")
    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField("辖区代码", max_length=18, db_index=True)
    head_name = models.CharField("户主", max_length=50)
    kind = models.CharField("榜别", max_length=5, choices=KIND_CHOICES)
    rank = models.PositiveIntegerField("名次")
    points = models.IntegerField("积分")  # red: earned in the period; black: the violation points (negative)
    violations = models.PositiveIntegerField("违规次数", default=0)
    violation_summary = models.CharField("违规事项", max_length=500, blank=True)
    removed = models.BooleanField("已撤下", default=False)  # an upheld appeal
    removed_reason = models.CharField("撤下原因", max_length=500, blank=True)

    class Meta:
        ordering = ["honour_list", "kind", "rank", "id"]
        verbose_name = "红黑榜条目"
        constraints = [
            models.UniqueConstraint(fields=["honour_list", "household", "kind"], name="honours_entry_once"),
            models.CheckConstraint(condition=Q(rank__gte=1), name="honours_rank_positive"),
            # the lawful black list: only households with (net) violation points; the red list: positive points
            models.CheckConstraint(
                condition=(Q(kind="black") & Q(points__lt=0) & Q(violations__gte=1))
                | (Q(kind="red") & Q(points__gt=0)),
                name="honours_entry_points_by_kind",
            ),
        ]
        indexes = [models.Index(fields=["household", "kind"], name="honours_entry_household")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}第{self.rank}名 {self.head_name}户"


class Appeal(models.Model):
    """申诉 by a named household against its entry, before publication; decided by the 两委."""

    OPEN, UPHELD, DISMISSED = "open", "upheld", "dismissed"
    STATE_CHOICES = [(OPEN, "待处理"), (UPHELD, "申诉成立（已撤下）"), (DISMISSED, "申诉不成立")]

    entry = models.ForeignKey(HonourEntry, on_delete=models.PROTECT, related_name="appeals")
    region_code = models.CharField("辖区代码", max_length=18, db_index=True)  # the entry's
    text = models.TextField("申诉理由")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    raised_at = models.DateTimeField("提出时间")
    state = models.CharField("状态", max_length=10, choices=STATE_CHOICES, default=OPEN)
    reason = models.TextField("处理意见", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)

    class Meta:
        ordering = ["raised_at", "id"]
        verbose_name = "红黑榜申诉"
        constraints = [
            models.UniqueConstraint(
                fields=["entry"], condition=Q(state="open"), name="honours_one_open_appeal"
            ),
            models.CheckConstraint(
                condition=Q(state="open") | Q(decided_at__isnull=False), name="honours_appeal_decided_at"
            ),
        ]

    def __str__(self) -> str:
        return f"申诉：{self.entry}"
