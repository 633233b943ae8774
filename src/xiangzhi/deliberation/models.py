"""议事协商: bodies of a village, their meetings with a roll frozen when called, items decided by open or secret vote.

The thresholds live in `rules.py` (as data, with the article they come from). A Meeting will later belong to a step
of a Matter (四议两公开): a nullable foreign key on Meeting is enough, added with the matters.
"""

import uuid

from django.conf import settings
from django.db import models

from xiangzhi.deliberation import matter_rules, rules

CHOICE_YES, CHOICE_NO, CHOICE_ABSTAIN = "yes", "no", "abstain"
CHOICE_CHOICES = [(CHOICE_YES, "赞成"), (CHOICE_NO, "反对"), (CHOICE_ABSTAIN, "弃权")]


class Body(models.Model):
    """A deliberating body of one village. Its members are residents with a role in it (BodyMember); a 党员大会
    takes its members from the party register (`party_org`), a 村民会议 from the residents (18+, 户籍 in the village).
    Quorum and pass thresholds are configurable only for 两委会 and 支委会 (rules.CONFIGURABLE_KINDS)."""

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")  # the village
    region_code = models.CharField("辖区代码", max_length=18, db_index=True)
    kind = models.CharField("类型", max_length=24, choices=rules.KIND_CHOICES)
    name = models.CharField("名称", max_length=100)
    party_org = models.ForeignKey(
        "party.PartyOrg", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    quorum_num = models.PositiveSmallIntegerField(default=1)
    quorum_den = models.PositiveSmallIntegerField(default=2)
    quorum_strict = models.BooleanField(default=True)
    pass_num = models.PositiveSmallIntegerField(default=1)
    pass_den = models.PositiveSmallIntegerField(default=2)
    pass_strict = models.BooleanField(default=True)
    is_active = models.BooleanField("有效", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["region_code", "id"]
        verbose_name = "议事机构"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quorum_den__gt=0, pass_den__gt=0)
                & models.Q(quorum_num__lte=models.F("quorum_den"), pass_num__lte=models.F("pass_den")),
                name="deliberation_body_fractions_valid",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def rules(self) -> rules.BodyRules:
        base = rules.DEFAULTS[self.kind]
        if self.kind not in rules.CONFIGURABLE_KINDS:
            return base
        return rules.BodyRules(
            quorum=rules.Threshold(self.quorum_num, self.quorum_den, self.quorum_strict, rules.BASE_ROLL),
            decision=rules.Threshold(self.pass_num, self.pass_den, self.pass_strict, rules.BASE_ROLL),
            notice_days=base.notice_days,
        )


class BodyMember(models.Model):
    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="members")
    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField("辖区代码", max_length=18, db_index=True)
    role = models.CharField("身份", max_length=20, choices=rules.MEMBER_ROLE_CHOICES, default="member")
    is_active = models.BooleanField("在任", default=True)

    class Meta:
        ordering = ["body_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["body", "resident"], name="deliberation_member_unique")
        ]


class Meeting(models.Model):
    """A meeting of a body. Its roll (RollEntry) is taken when it is called and frozen then."""

    STATUS_CALLED, STATUS_CLOSED = "called", "closed"
    STATUS_CHOICES = [(STATUS_CALLED, "已召集"), (STATUS_CLOSED, "已结束")]

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="meetings")
    region_code = models.CharField("辖区代码", max_length=18, db_index=True)
    title = models.CharField("会议名称", max_length=200)
    held_on = models.DateField("召开日期")
    called_at = models.DateTimeField("召集时间")
    quorum_basis = models.CharField(
        "法定人数依据", max_length=12, choices=rules.QUORUM_BASIS_CHOICES, default=rules.QUORUM_PERSONS
    )
    status = models.CharField("状态", max_length=8, choices=STATUS_CHOICES, default=STATUS_CALLED)
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    minutes = models.TextField("会议记录", max_length=20000, blank=True, default="")
    matter_step = models.ForeignKey(
        "MatterStep", null=True, blank=True, on_delete=models.PROTECT, related_name="meetings"
    )  # the step of a matter (四议两公开) this meeting was called for

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = "会议"
        indexes = [models.Index(fields=["region_code", "held_on"], name="deliberation_meeting_idx")]

    def __str__(self) -> str:
        return self.title


class RollEntry(models.Model):
    """One line of a meeting's frozen roll: a person (resident, or party member), or under the household basis
    of a 村民会议 a household, attended by its representative. `can_vote` is False for 预备党员."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="roll")
    region_code = models.CharField("辖区代码", max_length=18, db_index=True)
    resident = models.ForeignKey(
        "people.Resident", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    household = models.ForeignKey(
        "people.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    party_member = models.ForeignKey(
        "party.PartyMember", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField("姓名", max_length=50)
    role = models.CharField("身份", max_length=20, blank=True, default="")
    can_vote = models.BooleanField("有表决权", default=True)
    present = models.BooleanField("到会", default=False)
    representative = models.ForeignKey(
        "people.Resident", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )  # the household's representative who attended

    class Meta:
        ordering = ["meeting_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "resident"],
                condition=models.Q(resident__isnull=False),
                name="roll_resident",
            ),
            models.UniqueConstraint(
                fields=["meeting", "household"],
                condition=models.Q(household__isnull=False),
                name="roll_household",
            ),
            models.UniqueConstraint(
                fields=["meeting", "party_member"],
                condition=models.Q(party_member__isnull=False),
                name="roll_party_member",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def voter_resident_id(self):
        if self.household_id:
            return self.representative_id
        if self.party_member_id:
            return self.party_member.resident_id
        return self.resident_id


class Authorisation(models.Model):
    """村民会议 authorises the 村民代表会议 to decide Art. 24 matters (村民委员会组织法 Art. 24, last paragraph:
    村民会议可以授权村民代表会议讨论决定前款规定的事项). Checked when a 村民代表会议 decides an item with art24=True."""

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")  # the village
    region_code = models.CharField("辖区代码", max_length=18, db_index=True)
    scope = models.CharField("授权事项", max_length=300)
    granted_by = models.ForeignKey(
        "Item", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )  # the passed item of a 村民会议 that granted it
    valid_from = models.DateField("生效日期")
    valid_until = models.DateField("截止日期", null=True, blank=True)
    revoked = models.BooleanField("已撤销", default=False)

    class Meta:
        ordering = ["region_code", "-valid_from"]
        verbose_name = "村民会议授权"


class Item(models.Model):
    """One item put to the vote. The tally (yes/no/abstain) is computed from the votes or ballots when it is
    decided, never typed in."""

    VOTE_PENDING, VOTE_OPEN, VOTE_CLOSED = "pending", "open", "closed"
    VOTE_STATUS_CHOICES = [(VOTE_PENDING, "未表决"), (VOTE_OPEN, "表决中"), (VOTE_CLOSED, "已表决")]

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    region_code = models.CharField("辖区代码", max_length=18, db_index=True)
    title = models.CharField("议题", max_length=200)
    kind = models.CharField(
        "事项类型", max_length=32, choices=rules.ITEM_KIND_CHOICES, default=rules.ITEM_ORDINARY
    )
    art24 = models.BooleanField("组织法第二十四条事项", default=False)
    secret = models.BooleanField("无记名投票", default=False)
    vote_status = models.CharField(max_length=8, choices=VOTE_STATUS_CHOICES, default=VOTE_PENDING)
    tellers = models.CharField("计票人/监票人", max_length=200, blank=True, default="")
    passed = models.BooleanField("通过", null=True, blank=True)
    yes = models.PositiveIntegerField(default=0)
    no = models.PositiveIntegerField(default=0)
    abstain = models.PositiveIntegerField(default=0)
    present_count = models.PositiveIntegerField(default=0)
    base_count = models.PositiveIntegerField(default=0)
    threshold_text = models.CharField(max_length=200, blank=True, default="")
    decided_at = models.DateTimeField(null=True, blank=True)
    needs_township_approval = models.BooleanField(default=False)
    township_approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["meeting_id", "id"]
        verbose_name = "议题"

    def __str__(self) -> str:
        return self.title


class OpenVote(models.Model):
    """An open vote (举手表决), recorded by the clerk: the choice is linked to the voter on purpose."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="open_votes")
    entry = models.ForeignKey(RollEntry, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(max_length=8, choices=CHOICE_CHOICES)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "entry"], name="open_vote_once")]


class VoteMark(models.Model):
    """Secret ballot, side 1: "this roll member has voted" (online or handed a paper ballot). No choice, and no
    link to any ballot. Unique per item and roll entry: one vote each."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="marks")
    entry = models.ForeignKey(RollEntry, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "entry"], name="vote_mark_once")]


class SecretTally(models.Model):
    """Secret ballot, side 2, while the vote is open: counts only.

    The design: a choice cast while the vote is open is never written as a row of its own — a row would carry an
    insertion position (row id, physical order) that sits next to the VoteMark written in the same transaction,
    and an ordering by row id would pair them. Instead it increments one of three counters on this single row,
    which keeps no history. When the vote closes, the counters (plus the paper ballots the tellers enter) are
    turned into Ballot rows all at once, in an order shuffled with `secrets.SystemRandom`, each with a random
    uuid4 primary key and no timestamp; the counters are then zeroed. So no query over the stored data — any
    table, any column, any ordering, row ids included — pairs a voter with a choice. (What the design cannot
    hide is a live watcher of the database between two votes; nothing stored reveals it afterwards.)"""

    item = models.OneToOneField(Item, on_delete=models.CASCADE, primary_key=True, related_name="secret_tally")
    yes = models.PositiveIntegerField(default=0)
    no = models.PositiveIntegerField(default=0)
    abstain = models.PositiveIntegerField(default=0)
    paper_issued = models.PositiveIntegerField(default=0)  # paper ballots handed to roll members
    paper_entered = models.PositiveIntegerField(default=0)  # paper ballots the tellers have entered

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(paper_entered__lte=models.F("paper_issued")),
                name="secret_tally_paper_not_over_issued",
            )
        ]


class Ballot(models.Model):
    """A secret ballot, written only when the vote closes (see SecretTally). Random id, no time, no voter."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="ballots")
    choice = models.CharField(max_length=8, choices=CHOICE_CHOICES)


class Objection(models.Model):
    """An objection recorded by the 村务监督委员会 on a meeting (optionally one item of it)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="objections")
    item = models.ForeignKey(Item, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    region_code = models.CharField("辖区代码", max_length=18, db_index=True)
    text = models.TextField("意见")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "监督意见"


class Teller(models.Model):
    """计票人 / 监票人 of a secret vote, named when the vote opens: the persons (with an account) who may enter the
    paper ballots from the box. Names are kept on the item (`Item.tellers`) for the record as well."""

    COUNTER, SCRUTINEER = "counter", "scrutineer"
    ROLE_CHOICES = [(COUNTER, "计票人"), (SCRUTINEER, "监票人")]

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="teller_set")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField("辖区代码", max_length=18, db_index=True)
    role = models.CharField("职责", max_length=12, choices=ROLE_CHOICES)

    class Meta:
        ordering = ["item_id", "id"]
        verbose_name = "计票人/监票人"
        constraints = [models.UniqueConstraint(fields=["item", "user"], name="deliberation_teller_once")]


# -- matters (议题) and their steps (四议两公开 / 协商议事); rules in matter_rules.py, services in matters.py ----------


class Matter(models.Model):
    """A matter of one village, raised by a villager (with support from others), by a case, or by the branch.
    Its kind says its path (matter_rules.KINDS); its steps are created with it, all pending, and completed in
    order by the services of matters.py."""

    COLLECTING, ACTIVE, DONE, STOPPED = "collecting", "active", "done", "stopped"
    STATUS_CHOICES = [
        (COLLECTING, "征集附议"),  # a villager's proposal short of its supporters
        (ACTIVE, "议事中"),
        (DONE, "已办结"),  # every step completed
        (STOPPED, "已终止"),  # ended by hand, with a reason
    ]

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")  # the village
    region_code = models.CharField("辖区代码", max_length=18, db_index=True)
    title = models.CharField("议题", max_length=100)
    description = models.TextField("内容", max_length=5000)
    kind = models.CharField("类别", max_length=24, choices=matter_rules.KIND_CHOICES)
    path = models.CharField("程序", max_length=16, choices=matter_rules.PATH_CHOICES)
    source = models.CharField("来源", max_length=12, choices=matter_rules.SOURCE_CHOICES)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    raised_by_resident = models.ForeignKey(
        "people.Resident", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )  # the villager who proposed it (not a supporter of their own proposal)
    status = models.CharField("状态", max_length=12, choices=STATUS_CHOICES, default=ACTIVE)
    stop_reason = models.CharField("终止原因", max_length=300, blank=True, default="")
    created_at = models.DateTimeField("提出时间")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "议题"
        indexes = [models.Index(fields=["region_code", "status"], name="deliberation_matter_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def kind_spec(self) -> matter_rules.MatterKind:
        return matter_rules.KIND_BY_CODE[self.kind]

    @property
    def number(self) -> str:
        return f"YT{self.pk:06d}"


class MatterSupport(models.Model):
    """A villager's support (附议) of a villager's proposal: one each."""

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="supports")
    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    region_code = models.CharField("辖区代码", max_length=18, db_index=True)
    created_at = models.DateTimeField("附议时间")

    class Meta:
        ordering = ["matter_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["matter", "resident"], name="deliberation_support_once")
        ]


class MatterStep(models.Model):
    """One step of a matter's path. Fulfilled by a passed item of a meeting (四议) or by a published notice
    (两公开, 发布公告), or, for the consultation steps, by the text recorded."""

    PENDING, ACTIVE, DONE = "pending", "active", "done"
    STATUS_CHOICES = [(PENDING, "未开始"), (ACTIVE, "进行中"), (DONE, "已完成")]

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="steps")
    region_code = models.CharField("辖区代码", max_length=18, db_index=True)
    seq = models.PositiveSmallIntegerField("序号")
    code = models.CharField("步骤", max_length=24, choices=matter_rules.STEP_CHOICES)
    status = models.CharField("状态", max_length=8, choices=STATUS_CHOICES, default=PENDING)
    meeting = models.OneToOneField(
        Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="fulfilled_step"
    )  # one meeting fulfils at most one step
    item = models.ForeignKey(Item, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    notice = models.ForeignKey(
        "disclosure.Notice", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField("记录", max_length=5000, blank=True, default="")
    outcome = models.CharField("结果", max_length=300, blank=True, default="")
    done_at = models.DateTimeField("完成时间", null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["matter_id", "seq"]
        verbose_name = "议事步骤"
        constraints = [
            models.UniqueConstraint(fields=["matter", "seq"], name="deliberation_step_seq"),
            models.CheckConstraint(
                condition=models.Q(status="done", done_at__isnull=False) | ~models.Q(status="done"),
                name="deliberation_step_done_at",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def spec(self) -> matter_rules.StepSpec:
        return matter_rules.STEP_BY_CODE[self.code]

    @property
    def label(self) -> str:
        return self.spec.label


class StepObjection(models.Model):
    """An objection of the 村务监督委员会 on one step of a matter."""

    step = models.ForeignKey(MatterStep, on_delete=models.CASCADE, related_name="objections")
    region_code = models.CharField("辖区代码", max_length=18, db_index=True)
    text = models.TextField("意见", max_length=2000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("提出时间")

    class Meta:
        ordering = ["step_id", "id"]
        verbose_name = "议事步骤监督意见"


from xiangzhi.deliberation import policy_matters  # noqa: E402, F401  (registers the matter actions)
