"""三务公开 (the public board of a village): 党务、村务、财务 notices, resolutions and their results, and what other
modules publish through `services.publish` (积分公示, 红黑榜, 执法公示).

- A notice goes draft → published. A financial notice needs the 村务监督委员会's sign-off (`signed_off_at`) before it
  can be published; the database refuses a published financial notice without it.
- A published notice is never edited. A change is a new notice that `supersedes` the old one; when the new one is
  published the old one gets `superseded_by` and stays on the board, marked 已更新 and linking to the new one.
- Schedule (《村民委员会组织法》第三十条): ordinary items at least once a quarter; finances monthly in a village that
  sets `finance_monthly` (frequent transactions); major items (`major`) at once, which the publisher does by publishing
  them as they arise. `selectors.overdue_villages` flags a village whose last publication of a scheduled kind is
  older than its interval.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

PARTY, VILLAGE, FINANCE, RESOLUTION = "party", "village", "finance", "resolution"
POINTS, HONOURS, ENFORCEMENT, OTHER = "points", "honours", "enforcement", "other"
KIND_CHOICES = [
    (PARTY, "党务公开"),
    (VILLAGE, "村务公开"),
    (FINANCE, "财务公开"),
    (RESOLUTION, "决议及实施结果"),
    (POINTS, "积分公示"),
    (HONOURS, "红黑榜"),
    (ENFORCEMENT, "执法公示"),
    (OTHER, "其他公示"),
]
KIND_LABELS = dict(KIND_CHOICES)
# The kinds with a schedule (Art. 30), checked by selectors.overdue_villages.
SCHEDULED = (PARTY, VILLAGE, FINANCE)
# The kinds other modules publish through the hook (services.publish).
HOOK_KINDS = (POINTS, HONOURS, ENFORCEMENT, OTHER)


class VillageSetting(models.Model):
    """Per village: whether finances are published monthly (frequent transactions) instead of quarterly."""

    region = models.OneToOneField("regions.Region", on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField("村代码", max_length=12, unique=True)
    finance_monthly = models.BooleanField("财务每月公开", default=False)
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "三务公开设置"

    def __str__(self) -> str:
        return f"{self.region.name}三务公开设置"


class Notice(models.Model):
    DRAFT, PUBLISHED = "draft", "published"
    STATE_CHOICES = [(DRAFT, "草稿"), (PUBLISHED, "已公开")]

    # the village; a town for 执法公示 only (the hook publishes a town's enforcement notices on its own board)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField("村代码", max_length=12, db_index=True)
    kind = models.CharField("类别", max_length=12, choices=KIND_CHOICES)
    major = models.BooleanField("重大事项", default=False)
    title = models.CharField("标题", max_length=100)
    body = models.TextField("内容", max_length=10000)
    result = models.TextField("实施结果", max_length=5000, blank=True, default="")  # resolutions
    attachment = models.ForeignKey(
        "core.PrivateFile", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    attachment_checked = models.BooleanField("附件已核对无身份证号、手机号", default=False)
    source_ref = models.CharField("来源", max_length=100, blank=True, default="")  # hook: the module's object
    state = models.CharField("状态", max_length=10, choices=STATE_CHOICES, default=DRAFT)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replacement"
    )
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("起草时间")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_off_at = models.DateTimeField("监委会审核时间", null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField("公开时间", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "公开事项"
        ordering = ["-published_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="draft") | Q(published_at__isnull=False), name="disclosure_published_at"
            ),
            models.CheckConstraint(
                condition=~Q(kind="finance", state="published") | Q(signed_off_at__isnull=False),
                name="disclosure_finance_signed_off",
            ),
            models.CheckConstraint(
                condition=Q(superseded_by__isnull=True) | Q(state="published"),
                name="disclosure_only_published_superseded",
            ),
        ]

    def __str__(self) -> str:
        return f"{KIND_LABELS.get(self.kind, self.kind)}：{self.title}"

    @property
    def is_published(self) -> bool:
        return self.state == self.PUBLISHED

    @property
    def is_superseded(self) -> bool:
        return self.superseded_by_id is not None


class Question(models.Model):
    """A villager's question on a published notice, and the cadres' answer; both public on the board."""

    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="questions")
    region_code = models.CharField("村代码", max_length=12, db_index=True)
    text = models.TextField("问题", max_length=1000)
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    asked_at = models.DateTimeField("提问时间")
    answer = models.TextField("答复", max_length=2000, blank=True, default="")
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)

    class Meta:
        verbose_name = "村民提问"
        ordering = ["asked_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | ~Q(answer=""), name="disclosure_answer_text"
            ),
        ]

    def __str__(self) -> str:
        return f"对“{self.notice.title}”的提问"
