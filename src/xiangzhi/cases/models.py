"""Cases (事件): the closed loop from report to rating (DESIGN.md, "Cases").

A case lives in one region (its grid, or its village when no grid was chosen) and is handled at one level at a
time (grid → village → town → county). Each hand-over to a handler is a `CaseAssignment` with its own deadline;
every transition is a `CaseEvent` on the timeline, written once and never edited. States and the transitions that
leave them are in `xiangzhi.cases.states`; the services in `xiangzhi.cases.services` are the only writers.
"""

from django.conf import settings
from django.db import models

from xiangzhi.core import clock
from xiangzhi.core.crypto import EncryptedField

# The category codes of DESIGN.md, fixed so that every module (and a later triage model) agrees on them.
# Sub-categories are data (`CaseCategory` rows whose `parent` is one of these).
CATEGORY_CHOICES = [
    ("DISPUTE", "矛盾纠纷"),
    ("ENVIRONMENT", "人居环境"),
    ("INFRASTRUCTURE", "基础设施"),
    ("SAFETY", "安全隐患"),
    ("SECURITY", "社会治安"),
    ("LIVELIHOOD", "民生服务"),
    ("AGRICULTURE", "农业生产"),
    ("PETITION", "信访诉求"),
    ("OTHER", "其他"),
]
CATEGORY_CODES = [code for code, _ in CATEGORY_CHOICES]
CATEGORY_LABELS = dict(CATEGORY_CHOICES)

# 三事分流
TRIAGE_CHOICES = [("civil", "民事"), ("village", "村事"), ("government", "政事")]
TRIAGE_LABELS = dict(TRIAGE_CHOICES)

URGENCY_CHOICES = [("normal", "一般"), ("urgent", "紧急"), ("critical", "特急")]

# The levels a case is handled at, lowest first; escalation moves one step up.
LEVEL_CHOICES = [("grid", "网格"), ("village", "村"), ("town", "乡镇"), ("county", "县")]
LEVELS = [code for code, _ in LEVEL_CHOICES]
LEVEL_LABELS = dict(LEVEL_CHOICES)
LEVEL_CODE_LENGTH = {"county": 6, "town": 9, "village": 12, "grid": 15}

SOURCE_CHOICES = [
    ("web", "网页上报"),
    ("api", "手机应用"),
    ("patrol", "网格巡查"),
    ("visit", "入户走访"),
    ("hotline", "12345热线"),
    ("open311", "Open311"),
]

# Who handles an assignment.
HANDLER_CHOICES = [
    ("grid", "网格协商议事小组"),  # civil matters settled inside the grid (民事)
    ("village", "村两委"),  # 村事
    ("department", "乡镇部门"),  # 政事
    ("town", "乡镇综治中心"),  # a town-level case not yet given to a department
    ("county", "县综治中心"),
]
HANDLER_LABELS = dict(HANDLER_CHOICES)

RATING_CHOICES = [
    ("satisfied", "满意"),
    ("partly", "基本满意"),
    ("unsatisfied", "不满意"),
    ("unrated", "未评价"),  # closed without a rating: never counted as satisfied
]
RATING_LABELS = dict(RATING_CHOICES)
RATED = ("satisfied", "partly", "unsatisfied")

DEADLINE_UNITS = [("hours", "小时"), ("workdays", "工作日"), ("days", "自然日")]


class CaseCategory(models.Model):
    """A category (one of CATEGORY_CODES, `parent` empty) or a sub-category below one (data, editable)."""

    code = models.CharField("代码", max_length=40, unique=True)
    parent = models.CharField("上级类别", max_length=20, blank=True, choices=CATEGORY_CHOICES)
    name = models.CharField("名称", max_length=50)
    is_public = models.BooleanField("公开（Open311 可读）", default=True)
    # The reporter of a 信访 or 举报 case is shown only to those who handle it.
    confidential_reporter = models.BooleanField("上报人保密", default=False)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort", "code"]
        verbose_name = "事件类别"

    def __str__(self) -> str:
        return self.name

    @property
    def top(self) -> str:
        return self.parent or self.code


class RoutingRule(models.Model):
    """分: category × 三事 × level → handler and deadline. Rows without a town are the defaults; a town's own rows
    win over them. Empty category or triage matches any."""

    town_code = models.CharField("乡镇", max_length=9, blank=True, db_index=True)
    category = models.CharField("类别", max_length=20, blank=True, choices=CATEGORY_CHOICES)
    triage = models.CharField("三事类型", max_length=12, blank=True, choices=TRIAGE_CHOICES)
    level = models.CharField("层级", max_length=8, choices=LEVEL_CHOICES)
    handler = models.CharField("办理主体", max_length=12, choices=HANDLER_CHOICES)
    department_code = models.SlugField("部门代码", max_length=32, blank=True)
    deadline_value = models.PositiveIntegerField("时限")
    deadline_unit = models.CharField("时限单位", max_length=8, choices=DEADLINE_UNITS)
    warn_before_hours = models.PositiveIntegerField("提前预警（小时）", default=24)
    grace_workdays = models.PositiveSmallIntegerField("超期后自动上报（工作日）", default=1)

    class Meta:
        verbose_name = "分流规则"
        ordering = ["town_code", "level", "category", "triage"]
        constraints = [
            models.UniqueConstraint(
                fields=["town_code", "category", "triage", "level"], name="routing_rule_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(deadline_value__gt=0), name="routing_deadline_positive"
            ),
        ]


# Every state but closed and merged (Case.OPEN_STATES; here for the partial index in Case.Meta).
OPEN_STATES = ("reported", "assigned", "in_progress", "suspended", "deliberating", "resolved", "verified")


class Case(models.Model):
    # States (the guards live in states.py):
    REPORTED = "reported"  # 待受理: waiting for the current level to accept or classify it
    ASSIGNED = "assigned"  # 已派遣: given to a handler, not started
    IN_PROGRESS = "in_progress"  # 办理中
    SUSPENDED = "suspended"  # 挂起: waiting on something outside (a court, a season); the clock stops
    DELIBERATING = "deliberating"  # 议事中: sent to deliberation (a 议题); the clock stops
    RESOLVED = "resolved"  # 已办结, 待核查: the handler reported a result
    VERIFIED = "verified"  # 已核查, 待评价: the grid worker confirmed it on the spot
    CLOSED = "closed"  # 已结案
    MERGED = "merged"  # 已合并: a duplicate of another case
    STATE_CHOICES = [
        (REPORTED, "待受理"),
        (ASSIGNED, "已派遣"),
        (IN_PROGRESS, "办理中"),
        (SUSPENDED, "已挂起"),
        (DELIBERATING, "议事中"),
        (RESOLVED, "待核查"),
        (VERIFIED, "待评价"),
        (CLOSED, "已结案"),
        (MERGED, "已合并"),
    ]
    OPEN_STATES = OPEN_STATES

    region_code = models.CharField("辖区代码", max_length=18)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    title = models.CharField("标题", max_length=60)
    description = models.TextField("内容")
    place = models.CharField("地点", max_length=120, blank=True)
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    category = models.CharField("类别", max_length=20, blank=True, choices=CATEGORY_CHOICES)
    subcategory = models.ForeignKey(
        CaseCategory, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="子类别"
    )
    triage = models.CharField("三事类型", max_length=12, blank=True, choices=TRIAGE_CHOICES)
    urgency = models.CharField("紧急程度", max_length=10, choices=URGENCY_CHOICES, default="normal")
    confidential_reporter = models.BooleanField("上报人保密", default=False)
    source = models.CharField("来源", max_length=10, choices=SOURCE_CHOICES)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reported_cases",
    )
    # Reporters without an account (hotline callers, Open311 submitters): the name in clear, the phone sealed.
    reporter_name = models.CharField("上报人", max_length=50, blank=True)
    reporter_phone = EncryptedField("上报人电话", blank=True, default="")
    hotline_number = models.CharField("热线工单号", max_length=40, blank=True)
    idempotency_key = models.CharField(max_length=80, blank=True)

    state = models.CharField("状态", max_length=14, choices=STATE_CHOICES, default=REPORTED)
    level = models.CharField("办理层级", max_length=8, choices=LEVEL_CHOICES)
    handler = models.CharField("办理主体", max_length=12, choices=HANDLER_CHOICES, blank=True)
    department = models.ForeignKey(
        "core.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    deadline = models.DateTimeField("办理时限", null=True, blank=True)
    is_overdue = models.BooleanField("超期", default=False)  # the current assignment is past its deadline
    was_overdue = models.BooleanField("曾超期", default=False)  # any assignment ever was: never on time again
    max_level = models.CharField("最高层级", max_length=8, choices=LEVEL_CHOICES)
    reopen_count = models.PositiveSmallIntegerField("重办次数", default=0)
    extension_count = models.PositiveSmallIntegerField("延期次数", default=0)
    rating = models.CharField("评价", max_length=12, choices=RATING_CHOICES, blank=True)
    rating_source = models.CharField("评价方式", max_length=8, blank=True)  # reporter / visit
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates"
    )
    matter_ref = models.CharField(
        "议题", max_length=40, blank=True
    )  # a deliberation 议题, once that module exists
    result = models.TextField("办理结果", blank=True)
    reported_at = models.DateTimeField("上报时间", default=clock.now)
    resolved_at = models.DateTimeField("办结时间", null=True, blank=True)
    closed_at = models.DateTimeField("结案时间", null=True, blank=True)
    closed_on_time = models.BooleanField(null=True)  # 办结时是否在时限内 (None while open)
    paused_at = models.DateTimeField(null=True, blank=True)  # when suspended or sent to deliberation
    last_seq = models.PositiveIntegerField(default=0)  # the timeline's last entry
    version = models.PositiveIntegerField(default=1)  # bumped by every transition: a stale form is refused
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = "事件"
        ordering = ["-reported_at", "-id"]
        indexes = [
            models.Index(fields=["region_code", "reported_at"], name="case_region_reported"),
            models.Index(fields=["region_code", "state"], name="case_region_state"),
            models.Index(fields=["state", "deadline"], name="case_state_deadline"),
            models.Index(fields=["updated_at"], name="case_updated"),
            # the lists (bench/README.md, cases over 1M rows): newest first over a wide region walks this index;
            # state=open and overdue filters read partial indexes; a category filter its own range per region
            models.Index(fields=["-reported_at", "-id"], name="case_reported_desc"),
            models.Index(
                fields=["region_code"],
                condition=models.Q(state__in=OPEN_STATES),
                name="case_open_region",
            ),
            models.Index(
                fields=["region_code"], condition=models.Q(is_overdue=True), name="case_overdue_region"
            ),
            models.Index(fields=["category", "region_code"], name="case_category_region"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["reporter", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="case_idempotency_once",
            ),
            models.UniqueConstraint(
                fields=["hotline_number"], condition=~models.Q(hotline_number=""), name="case_hotline_once"
            ),
            models.CheckConstraint(
                condition=~models.Q(state="merged") | models.Q(merged_into__isnull=False),
                name="case_merged_has_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def number(self) -> str:
        """The case number people quote: SJ and the id, zero-padded."""
        return f"SJ{self.pk:08d}" if self.pk else ""

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    @property
    def category_label(self) -> str:
        return CATEGORY_LABELS.get(self.category, "未分类")

    @property
    def is_petition(self) -> bool:
        return self.category == "PETITION"


class CaseAssignment(models.Model):
    """One hand-over of a case to a handler at a level, with its deadline. Closed (`ended_at`) when the case
    moves on (escalated, returned, resolved). The deadline sweep works on open assignments."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    region_code = models.CharField(max_length=18, db_index=True)
    level = models.CharField("层级", max_length=8, choices=LEVEL_CHOICES)
    handler = models.CharField("办理主体", max_length=12, choices=HANDLER_CHOICES)
    department = models.ForeignKey(
        "core.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(default=clock.now)
    deadline = models.DateTimeField("时限")
    warn_at = models.DateTimeField("预警时间")
    escalate_at = models.DateTimeField("自动上报时间")
    warned_at = models.DateTimeField(null=True, blank=True)
    overdue_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(
        max_length=16, blank=True
    )  # escalated / returned / resolved / merged / reassigned

    class Meta:
        ordering = ["assigned_at", "id"]
        indexes = [
            models.Index(fields=["ended_at", "warn_at"], name="assignment_open_warn"),
            models.Index(fields=["ended_at", "deadline"], name="assignment_open_deadline"),
        ]


class CaseEvent(models.Model):
    """One entry of a case's timeline: who, when, from → to, note, attachments. Written once, never edited."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    region_code = models.CharField(max_length=18)
    seq = models.PositiveIntegerField()
    at = models.DateTimeField(default=clock.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(
        max_length=60
    )  # "系统" for the sweep; the name otherwise (kept if renamed)
    action = models.CharField(max_length=24)
    from_state = models.CharField(max_length=14, blank=True)
    to_state = models.CharField(max_length=14, blank=True)
    from_level = models.CharField(max_length=8, blank=True)
    to_level = models.CharField(max_length=8, blank=True)
    note = models.TextField(blank=True)
    attachments = models.ManyToManyField("core.PrivateFile", blank=True, related_name="+")

    class Meta:
        ordering = ["case", "seq"]
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="case_event_seq_unique")]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("a timeline entry is never edited")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("a timeline entry is never deleted")


class CasePhoto(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="photos")
    file = models.ForeignKey("core.PrivateFile", on_delete=models.PROTECT, related_name="+")
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort", "id"]


class DeadlineExtension(models.Model):
    """延期: asked by the handler, decided one level up."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extensions")
    assignment = models.ForeignKey(CaseAssignment, on_delete=models.CASCADE, related_name="extensions")
    region_code = models.CharField(max_length=18, db_index=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=clock.now)
    new_deadline = models.DateTimeField("延至")
    reason = models.TextField("理由")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    approved = models.BooleanField(null=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at"]


class CaseStat(models.Model):
    """Monthly rollup per grid (or village), category and month of report, rebuilt by `cases.rollup` from the
    cases changed since the last run. The figures page sums these rows, never the cases themselves."""

    region_code = models.CharField(max_length=18)
    month = models.DateField()  # the first day of the month the cases were reported in
    category = models.CharField(max_length=20, blank=True)
    received = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)  # the handler reported a result: base of the mean time
    due = models.PositiveIntegerField(default=0)  # closed or past their deadline: the on-time rate's base
    on_time = models.PositiveIntegerField(default=0)
    close_seconds = models.BigIntegerField(default=0)
    reopened = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    partly = models.PositiveIntegerField(default=0)
    unsatisfied = models.PositiveIntegerField(default=0)
    unrated = models.PositiveIntegerField(default=0)
    to_village = models.PositiveIntegerField(default=0)
    to_town = models.PositiveIntegerField(default=0)
    to_county = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region_code", "month", "category"], name="case_stat_unique")
        ]
        indexes = [models.Index(fields=["region_code", "month"], name="case_stat_region_month")]


class RollupMark(models.Model):
    """How far the rollup has read (`updated_at` of the cases); one row."""

    name = models.CharField(max_length=20, unique=True)
    upto = models.DateTimeField()
