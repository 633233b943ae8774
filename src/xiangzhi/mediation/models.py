"""Mediation (人民调解): a 矛盾纠纷 case opens a `Mediation` of the village's (or the town's) people's mediation
committee (人民调解委员会, 调委会); its parties, sessions, outcome and — when it succeeds — its agreement (调解协议).
Also the committee's roster of mediators and the register of legal advisers (一村一法律顾问) with their service log.

The rules follow the People's Mediation Law (人民调解法, 2010): a party may refuse mediation (Art. 17, 23), a
mediation that fails ends (Art. 26), the agreement's contents (Art. 28, 29), written and oral agreements and when
each takes effect (Art. 29, 30), its binding force (Art. 31, 32) and judicial confirmation within 30 days (Art. 33).
The services in `xiangzhi.mediation.services` are the only writers.
"""

import datetime as dt

from django.conf import settings
from django.db import models

from xiangzhi.core import clock
from xiangzhi.core.crypto import EncryptedField

ID_LENGTH = 18

LEVEL_CHOICES = [("group", "组"), ("village", "村"), ("town", "镇")]
LEVEL_LABELS = dict(LEVEL_CHOICES)

MEDIATOR_KIND_CHOICES = [
    ("party_team", "党员调解队"),
    ("legal_literate", "法律明白人"),
    ("legal_adviser", "法律顾问"),
    ("people_mediator", "人民调解员"),
]
MEDIATOR_KIND_LABELS = dict(MEDIATOR_KIND_CHOICES)

OUTCOME_CHOICES = [
    ("success", "调解成功"),
    ("failed", "调解未成功"),
    ("litigation", "转入诉讼"),
    ("petition", "转信访"),
]
OUTCOME_LABELS = dict(OUTCOME_CHOICES)

SERVICE_KIND_CHOICES = [("visit", "到村服务"), ("reception", "接访"), ("lecture", "普法讲座")]
SERVICE_KIND_LABELS = dict(SERVICE_KIND_CHOICES)

# People's Mediation Law Art. 33: the parties may jointly apply to a court for judicial confirmation within thirty
# days of the agreement taking effect.
JUDICIAL_CONFIRMATION_DAYS = 30
JUDICIAL_CONFIRMATION_TEXT = "双方当事人可以自调解协议生效之日起三十日内共同向人民法院申请司法确认"


def committee_name(region_name: str) -> str:
    return f"{region_name}人民调解委员会"


class Mediator(models.Model):
    """A member of a committee's roster (调委会): a village's, or a town's for 镇-level mediations. With an account
    (`user`) or only a name (an old party member of the 党员调解队 who never signs in)."""

    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+"
    )  # village or town
    region_code = models.CharField("辖区代码", max_length=18, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField("姓名", max_length=50)
    kind = models.CharField("类别", max_length=16, choices=MEDIATOR_KIND_CHOICES)
    is_active = models.BooleanField("在册", default=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = "调解员"
        ordering = ["region_code", "kind", "id"]

    def __str__(self) -> str:
        return self.name


class LegalAdviser(models.Model):
    """一村一法律顾问: the lawyer (or legal worker) a village has engaged."""

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")  # the village
    region_code = models.CharField("辖区代码", max_length=18, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField("姓名", max_length=50)
    firm = models.CharField("执业机构", max_length=100, blank=True)
    since = models.DateField("聘任日期", null=True, blank=True)
    is_active = models.BooleanField("在任", default=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = "法律顾问"
        ordering = ["region_code", "id"]

    def __str__(self) -> str:
        return self.name


class ServiceLog(models.Model):
    """One entry of a legal adviser's work in a village, counted the way the town reports it (seed 000: 到村服务
    15 件, 接访 37 件次, 普法讲座 3 场, 普法资料 600 余份)."""

    adviser = models.ForeignKey(LegalAdviser, on_delete=models.PROTECT, related_name="logs")
    region_code = models.CharField("辖区代码", max_length=18)
    kind = models.CharField("类别", max_length=12, choices=SERVICE_KIND_CHOICES)
    date = models.DateField("日期")
    hours = models.DecimalField("时长（小时）", max_digits=4, decimal_places=1)
    people = models.PositiveIntegerField("服务人数", default=0)
    materials = models.PositiveIntegerField("发放普法资料（份）", default=0)
    notes = models.TextField("内容", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = "法律顾问服务记录"
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["region_code", "date"], name="servicelog_region_date")]
        constraints = [
            models.CheckConstraint(condition=models.Q(hours__gt=0), name="servicelog_hours_positive"),
        ]


class Mediation(models.Model):
    # States:
    OPEN = "open"  # 调解中: parties may be added, sessions held, an agreement recorded and signed
    ENDED = "ended"  # 已结束: an outcome is recorded (by hand, by a party's refusal, or by the agreement's effect)
    STATE_CHOICES = [(OPEN, "调解中"), (ENDED, "已结束")]

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="mediations")
    region_code = models.CharField("辖区代码", max_length=18)  # copied from the case
    committee = models.CharField("人民调解委员会", max_length=80)  # its name when opened
    level = models.CharField("调解层级", max_length=8, choices=LEVEL_CHOICES)
    summary = models.TextField("纠纷简要情况")
    state = models.CharField("状态", max_length=8, choices=STATE_CHOICES, default=OPEN)
    outcome = models.CharField("调解结果", max_length=12, choices=OUTCOME_CHOICES, blank=True)
    outcome_note = models.TextField("结果说明", blank=True)
    refused = models.BooleanField("当事人拒绝调解", default=False)
    mediators = models.ManyToManyField(Mediator, blank=True, related_name="mediations")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField("受理时间", default=clock.now)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "调解"
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["region_code", "opened_at"], name="mediation_region_opened"),
            models.Index(fields=["region_code", "ended_at"], name="mediation_region_ended"),
        ]
        constraints = [
            # one mediation at a time per case
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(state="open"), name="mediation_one_open_per_case"
            ),
            models.CheckConstraint(
                condition=models.Q(state="open", outcome="")
                | (~models.Q(state="open") & ~models.Q(outcome="")),
                name="mediation_outcome_iff_ended",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.case.title}"

    @property
    def number(self) -> str:
        return f"TJ{self.pk:08d}" if self.pk else ""

    @property
    def is_open(self) -> bool:
        return self.state == self.OPEN

    @property
    def committee_code(self) -> str:
        """The committee's region: the village's (组 and 村 levels) or the town's (镇), derived from the copied
        region code so that a village merger (which rewrites region codes) carries it along."""
        return self.region_code[:9] if self.level == "town" else self.region_code[:12]


class MediationParty(models.Model):
    """当事人: a resident of the register, or an outsider (a name, and an ID number sealed like a resident's)."""

    ROLE_CHOICES = [("applicant", "申请人"), ("respondent", "被申请人"), ("other", "其他当事人")]

    mediation = models.ForeignKey(Mediation, on_delete=models.CASCADE, related_name="parties")
    region_code = models.CharField(max_length=18)
    role = models.CharField("身份", max_length=12, choices=ROLE_CHOICES, default="applicant")
    resident = models.ForeignKey(
        "people.Resident", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField("姓名", max_length=50)  # the resident's, copied; an outsider's as typed
    id_number = EncryptedField(
        "身份证号", blank=True, default=""
    )  # outsiders only; residents' stay on Resident
    id_number_hash = models.CharField(max_length=64, blank=True, db_index=True)
    id_last4 = models.CharField("身份证后四位", max_length=4, blank=True)
    address = models.CharField("住址", max_length=200, blank=True)
    refused_at = models.DateTimeField("拒绝调解时间", null=True, blank=True)
    refusal_reason = models.TextField("拒绝理由", blank=True)
    signed_at = models.DateTimeField("在协议书上签名时间", null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = "调解当事人"
        ordering = ["mediation", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["mediation", "resident"],
                condition=models.Q(resident__isnull=False),
                name="mediation_party_resident_once",
            ),
            # a resident carries no ID number of its own here; an outsider carries no resident
            models.CheckConstraint(
                condition=models.Q(resident__isnull=True) | models.Q(id_number_hash=""),
                name="mediation_party_resident_or_outsider",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_outsider(self) -> bool:
        return self.resident_id is None

    @property
    def masked_id(self) -> str:
        """The ID number as every page and every PDF shows it: the last four characters only. Residents' come
        from the register's `id_last4`, outsiders' from their own; nothing is decrypted."""
        last4 = self.resident.id_last4 if self.resident_id else self.id_last4
        return "*" * (ID_LENGTH - 4) + last4 if last4 else ""


class MediationSession(models.Model):
    """One sitting of the mediation (调解记录, Art. 27 asks that the work be recorded)."""

    mediation = models.ForeignKey(Mediation, on_delete=models.CASCADE, related_name="sessions")
    region_code = models.CharField(max_length=18)
    date = models.DateField("日期")
    place = models.CharField("地点", max_length=120)
    attendees = models.CharField("参加人员", max_length=300, blank=True)
    notes = models.TextField("调解情况")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = "调解记录"
        ordering = ["mediation", "date", "id"]


class Agreement(models.Model):
    """调解协议 (Art. 28-33). Written (调解协议书, Art. 29): takes effect when every party has signed (签名、盖章或者
    按指印) and the mediator has signed and the committee sealed it. Oral (Art. 28, 30): the mediator records its
    contents; it takes effect when the parties reach it, that is when it is recorded."""

    WRITTEN, ORAL = "written", "oral"
    FORM_CHOICES = [(WRITTEN, "书面协议（调解协议书）"), (ORAL, "口头协议")]

    mediation = models.OneToOneField(Mediation, on_delete=models.CASCADE, related_name="agreement")
    region_code = models.CharField(max_length=18)
    form = models.CharField("协议形式", max_length=8, choices=FORM_CHOICES)
    # Art. 29: the parties' basic facts come from MediationParty; then these:
    facts = models.TextField("纠纷的主要事实、争议事项")
    terms = models.TextField("各方当事人的权利和义务（协议内容）")
    performance_method = models.TextField("履行方式")
    performance_due = models.DateField("履行期限")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=clock.now)
    sealed_at = models.DateTimeField("调委会盖章时间", null=True, blank=True)
    sealed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    effective_at = models.DateTimeField("生效时间", null=True, blank=True)
    confirmation_deadline = models.DateField("申请司法确认截止日", null=True, blank=True)

    class Meta:
        verbose_name = "调解协议"

    @property
    def is_effective(self) -> bool:
        return self.effective_at is not None


def confirmation_deadline_for(effective_day: dt.date) -> dt.date:
    """Art. 33: within thirty days of the day the agreement takes effect. The period starts the next day
    (民法典 Art. 201), so its last day is day + 30; a last day that falls on a rest day or public holiday moves to
    the first working day after it (民法典 Art. 203)."""
    from xiangzhi.core.calendar import next_workday

    return next_workday(effective_day + dt.timedelta(days=JUDICIAL_CONFIRMATION_DAYS))
