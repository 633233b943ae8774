"""志愿服务: a village's volunteer teams (应急救助, 日常服务, 矛盾调解 …), their members (residents of the village),
activities with participants and hours.

Hours are kept in whole minutes (no floats). An activity may name an item of the village's household scheme (e.g.
志愿服务, category "volunteering"): when its hours are confirmed, a claim is recorded for each participant's
household through `xiangzhi.points.services.claim_record`, so it is reviewed and put on notice like any claim.
The services in `xiangzhi.volunteering.services` are the only writers.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

KIND_CHOICES = [
    ("emergency", "应急救助"),
    ("daily", "日常服务"),
    ("mediation", "矛盾调解"),
    ("environment", "环境整治"),
    ("culture", "文明宣传"),
    ("other", "其他"),
]
KIND_LABELS = dict(KIND_CHOICES)
MAX_MINUTES = 24 * 60  # one participant, one activity


class VolunteerTeam(models.Model):
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")  # the village
    region_code = models.CharField("辖区代码", max_length=18, db_index=True)
    name = models.CharField("队伍名称", max_length=100)
    kind = models.CharField("类型", max_length=16, choices=KIND_CHOICES, default="daily")
    description = models.TextField("简介", blank=True)
    is_active = models.BooleanField("在用", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["region_code", "name", "id"]
        verbose_name = "志愿服务队"
        constraints = [
            models.UniqueConstraint(fields=["region_code", "name"], name="volunteer_team_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Volunteer(models.Model):
    """A resident's membership of a team (a resident may serve in several teams)."""

    team = models.ForeignKey(VolunteerTeam, on_delete=models.PROTECT, related_name="members")
    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField("辖区代码", max_length=18, db_index=True)  # the resident's, when joining
    is_leader = models.BooleanField("队长", default=False)
    joined_on = models.DateField("加入日期")
    is_active = models.BooleanField("在队", default=True)
    left_on = models.DateField("退出日期", null=True, blank=True)

    class Meta:
        ordering = ["team", "-is_leader", "id"]
        verbose_name = "志愿者"
        constraints = [models.UniqueConstraint(fields=["team", "resident"], name="volunteer_once_a_team")]

    def __str__(self) -> str:
        return self.resident.name


class Activity(models.Model):
    """An activity of a team. Open: participants and hours are recorded; confirmed: the hours are final and the
    points (if an item is named) are claimed."""

    OPEN, CONFIRMED = "open", "confirmed"
    STATE_CHOICES = [(OPEN, "登记中"), (CONFIRMED, "已确认")]

    team = models.ForeignKey(VolunteerTeam, on_delete=models.PROTECT, related_name="activities")
    region_code = models.CharField("辖区代码", max_length=18, db_index=True)  # the team's village
    title = models.CharField("活动名称", max_length=100)
    date = models.DateField("活动日期")
    place = models.CharField("地点", max_length=100, blank=True)
    description = models.TextField("内容", blank=True)
    item = models.ForeignKey(
        "points.PointItem", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )  # the household scheme item the hours earn, if any
    state = models.CharField("状态", max_length=10, choices=STATE_CHOICES, default=OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = "志愿服务活动"
        indexes = [models.Index(fields=["region_code", "date"], name="activity_region_date")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.title}"


class Participation(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="participants")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="participations")
    region_code = models.CharField("辖区代码", max_length=18, db_index=True)  # the activity's
    minutes = models.PositiveIntegerField("服务时长（分钟）")
    points = models.IntegerField("折算积分", default=0)  # set on confirmation
    claim = models.ForeignKey(
        "points.Claim", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )  # the household's claim the hours went into

    class Meta:
        ordering = ["activity", "id"]
        verbose_name = "参加志愿服务"
        constraints = [
            models.UniqueConstraint(fields=["activity", "volunteer"], name="participation_once"),
            models.CheckConstraint(
                condition=Q(minutes__gt=0) & Q(minutes__lte=MAX_MINUTES), name="participation_minutes_range"
            ),
            models.CheckConstraint(condition=Q(points__gte=0), name="participation_points_nonneg"),
        ]

    @property
    def hours_text(self) -> str:
        h, m = divmod(self.minutes, 60)
        return f"{h} 小时" + (f" {m} 分钟" if m else "") if h else f"{m} 分钟"
