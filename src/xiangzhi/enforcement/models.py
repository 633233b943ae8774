"""行政执法: the town's inspections (执法检查), their findings, the decisions (行政处罚决定) that follow, the legal
review (法制审核) of a major decision, the full-process record (全过程记录: a timeline never edited, attachments in
the private file store) and the 执法公示 of each decision on the town's public board.

The rules follow the Administrative Penalty Law (行政处罚法, 2021):
- Art. 9: the kinds of penalty (警告、通报批评; 罚款、没收违法所得、没收非法财物; 暂扣许可证件、降低资质等级、吊销许可
  证件; 限制开展生产经营活动、责令停产停业、责令关闭、限制从业; 行政拘留 is the police's, not the town's);
- Art. 47: the whole process is recorded (全过程记录) and the record kept;
- Art. 48: a decision with a certain social impact is published (行政处罚决定公示), and the 行政执法公示 rules
  (国办发〔2018〕118 号) ask for publication within 7 working days of the decision; individuals are de-identified;
- Art. 57: a serious case is decided collectively by the organ's leaders (负责人集体讨论决定): here the
  town_leader records a major decision;
- Art. 58: before a major decision (重大执法决定) the organ's 法制审核 staff review its legality; a decision not
  reviewed, or not passed, may not be made. The reviewer is not the person who handled the case (Art. 58 ¶2:
  审核人员 are not 承办人员).

The services in `xiangzhi.enforcement.services` are the only writers.
"""

from django.conf import settings
from django.db import models

from xiangzhi.core import clock
from xiangzhi.core.crypto import EncryptedField

ID_LENGTH = 18
# 行政执法公示 rules: a decision is published within 7 working days of being made.
PUBLISH_WORKDAYS = 7

PERSON, ORGANISATION = "person", "organisation"
SUBJECT_CHOICES = [(PERSON, "个人"), (ORGANISATION, "单位")]
SUBJECT_LABELS = dict(SUBJECT_CHOICES)

# Art. 9 (行政拘留 left out: the town does not impose it) and 不予行政处罚 (Art. 30-33).
PENALTY_CHOICES = [
    ("warning", "警告"),
    ("criticism", "通报批评"),
    ("fine", "罚款"),
    ("confiscation", "没收违法所得、没收非法财物"),
    ("permit_suspend", "暂扣许可证件"),
    ("qualification_lower", "降低资质等级"),
    ("permit_revoke", "吊销许可证件"),
    ("business_restrict", "限制开展生产经营活动"),
    ("suspend", "责令停产停业"),
    ("close", "责令关闭"),
    ("practice_restrict", "限制从业"),
    ("none", "不予行政处罚"),
]
PENALTY_LABELS = dict(PENALTY_CHOICES)
MONEY_KINDS = ("fine", "confiscation")  # the kinds that carry an amount
PENALTY_KINDS = tuple(k for k, _ in PENALTY_CHOICES if k != "none")  # counted as 行政处罚


class Inspection(models.Model):
    """One 执法检查: where, when, by whom, of whom (a person or an organisation), and what was found."""

    town = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(
        "regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    region_code = models.CharField("辖区代码", max_length=18, db_index=True)  # the village's, else the town's
    department = models.ForeignKey("core.Department", on_delete=models.PROTECT, related_name="inspections")
    date = models.DateField("检查日期")
    place = models.CharField("检查地点", max_length=200)
    inspectors = models.CharField("执法人员", max_length=200)
    subject_kind = models.CharField("当事人类别", max_length=12, choices=SUBJECT_CHOICES)
    subject_name = models.CharField("当事人", max_length=100)
    # a person's ID number: encrypted, found by its keyed hash, shown by its last four characters
    subject_id_number = EncryptedField("身份证号", blank=True, default="")
    subject_id_hash = models.CharField(max_length=64, blank=True, db_index=True)
    subject_id_last4 = models.CharField(max_length=4, blank=True)
    # an organisation's 统一社会信用代码 (public by law, not personal data)
    subject_org_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    findings = models.TextField("检查情况")
    problem_found = models.BooleanField("发现问题", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = "执法检查"
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["region_code", "date"], name="inspection_region_date")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(subject_kind="person") | models.Q(subject_id_hash=""),
                name="inspection_id_number_only_for_persons",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.public_subject}"

    @property
    def number(self) -> str:
        return f"JC{self.pk:08d}" if self.pk else ""

    @property
    def is_person(self) -> bool:
        return self.subject_kind == PERSON

    @property
    def masked_id(self) -> str:
        return "*" * (ID_LENGTH - 4) + self.subject_id_last4 if self.subject_id_last4 else ""

    @property
    def public_subject(self) -> str:
        """How the subject is named anywhere but the record page: 张某 for a person, the full name of an
        organisation."""
        if self.is_person and self.subject_name:
            from xiangzhi.disclosure.services import masked_name

            return masked_name(self.subject_name)
        return self.subject_name


class Decision(models.Model):
    """A decision following an inspection: proposed (拟作出), reviewed where major, made (作出), published."""

    # States:
    DRAFT = "draft"  # 拟作出: contents fixed; a major one waits for a passed 法制审核
    DECIDED = "decided"  # 已作出: case number and date given; 执法公示 due within 7 working days
    WITHDRAWN = "withdrawn"  # 已撤回: a draft dropped (e.g. after a failed review); a new one may be proposed
    STATE_CHOICES = [(DRAFT, "拟作出"), (DECIDED, "已作出"), (WITHDRAWN, "已撤回")]

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="decisions")
    region_code = models.CharField("辖区代码", max_length=18, db_index=True)  # copied from the inspection
    department = models.ForeignKey("core.Department", on_delete=models.PROTECT, related_name="+")
    state = models.CharField("状态", max_length=10, choices=STATE_CHOICES, default=DRAFT)
    kind = models.CharField("处罚种类", max_length=24, choices=PENALTY_CHOICES)
    amount_fen = models.BigIntegerField("金额（分）", default=0)
    legal_basis = models.TextField("法律依据")
    facts = models.TextField("违法事实")
    is_major = models.BooleanField("重大执法决定", default=False)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(default=clock.now)
    case_number = models.CharField("文书编号", max_length=60, blank=True)
    decided_on = models.DateField("决定日期", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    publish_due = models.DateField("公示截止日", null=True, blank=True)
    published_on = models.DateField("公示日期", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notice = models.ForeignKey(
        "disclosure.Notice", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "执法决定"
        ordering = ["-proposed_at", "-id"]
        indexes = [
            models.Index(fields=["region_code", "decided_on"], name="decision_region_decided"),
            models.Index(fields=["state", "publish_due"], name="decision_state_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_fen__gte=0), name="decision_amount_not_negative"
            ),
            models.UniqueConstraint(
                fields=["inspection"],
                condition=~models.Q(state="withdrawn"),
                name="decision_one_live_per_inspection",
            ),
            models.UniqueConstraint(
                fields=["department", "case_number"],
                condition=models.Q(state="decided"),
                name="decision_case_number_unique",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="decided") | models.Q(decided_on__isnull=False),
                name="decision_decided_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.case_number or f"拟决定{self.pk}"

    @property
    def is_published(self) -> bool:
        return self.published_on is not None

    @property
    def is_penalty(self) -> bool:
        return self.kind in PENALTY_KINDS

    @property
    def published_late(self) -> bool:
        return self.is_published and self.published_on > self.publish_due


class LegalReview(models.Model):
    """法制审核 of a proposed decision (Art. 58): who reviewed it, the opinion, and whether it passed."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="reviews")
    region_code = models.CharField(max_length=18, db_index=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opinion = models.TextField("审核意见")
    passed = models.BooleanField("审核通过")
    reviewed_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = "法制审核"
        ordering = ["reviewed_at", "id"]


class Entry(models.Model):
    """One line of the full-process record (全过程记录). Written once by a service; never edited or deleted."""

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="entries")
    region_code = models.CharField(max_length=18, db_index=True)
    action = models.CharField("环节", max_length=32)
    note = models.TextField("记录")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = "执法全过程记录"
        ordering = ["at", "id"]


class Attachment(models.Model):
    """A photo or document of the record (现场照片, 询问笔录, 处罚决定书 …), kept in the private file store."""

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="attachments")
    region_code = models.CharField(max_length=18, db_index=True)
    file = models.ForeignKey("core.PrivateFile", on_delete=models.PROTECT, related_name="+")
    label = models.CharField("说明", max_length=100)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = "执法附件"
        ordering = ["added_at", "id"]
