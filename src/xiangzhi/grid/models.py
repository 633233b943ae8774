"""Grid work (DESIGN.md, "Grid work"): a grid worker's daily patrol (巡查) and household visits (入户走访).

Both rows carry a copy of the region code (the patrol's grid, the visit's household) so that every read is one
indexed range query. Cases found on the way are filed through `xiangzhi.cases.services.case_report` and linked
here; the case itself belongs to the cases module.

One patrol per worker, grid and day (a database constraint): a second submission the same day adds to it
(`services.patrol_record`), so a worker can send what he finds as he goes.
"""

from django.conf import settings
from django.db import models

from xiangzhi.core import clock

PURPOSE_CHOICES = [
    ("routine", "日常走访"),
    ("policy", "政策宣传"),
    ("dispute", "矛盾排查"),
    ("assistance", "困难帮扶"),
    ("safety", "安全检查"),
    ("other", "其他"),
]
PURPOSE_LABELS = dict(PURPOSE_CHOICES)


class Patrol(models.Model):
    """巡查: one worker's patrol of one grid (or micro-grid) on one day."""

    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="patrols", verbose_name="网格员"
    )
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name="网格"
    )
    region_code = models.CharField("辖区代码", max_length=18)
    date = models.DateField("巡查日期")
    started_at = models.TimeField("开始时间", null=True, blank=True)
    ended_at = models.TimeField("结束时间", null=True, blank=True)
    route = models.CharField("巡查路线", max_length=200, blank=True)
    notes = models.TextField("巡查情况", blank=True)
    photos = models.ManyToManyField("core.PrivateFile", blank=True, related_name="+", verbose_name="照片")
    cases = models.ManyToManyField(
        "cases.Case", blank=True, related_name="grid_patrols", verbose_name="上报事件"
    )
    submissions = models.PositiveSmallIntegerField("提交次数", default=1)
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = "巡查"
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "region", "date"], name="patrol_once_per_worker_grid_day"
            )
        ]
        indexes = [
            models.Index(fields=["region_code", "date"], name="patrol_region_date_idx"),
            models.Index(fields=["worker", "date"], name="patrol_worker_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d}巡查"


class Visit(models.Model):
    """入户走访: one visit of one household. A follow-up visit names the visit it follows (`parent`); recording it
    marks the parent followed up."""

    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="visits", verbose_name="走访人"
    )
    household = models.ForeignKey(
        "people.Household", on_delete=models.PROTECT, related_name="visits", verbose_name="走访户"
    )
    region_code = models.CharField("辖区代码", max_length=18)  # the household's, copied when recorded
    date = models.DateField("走访日期")
    purpose = models.CharField("走访事由", max_length=12, choices=PURPOSE_CHOICES)
    notes = models.TextField("走访情况", blank=True)
    needs = models.TextField("发现的诉求", blank=True)
    follow_up_due = models.DateField("回访期限", null=True, blank=True)
    followed_up_at = models.DateTimeField("已回访", null=True, blank=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="follow_ups",
        verbose_name="回访的走访",
    )
    cases = models.ManyToManyField(
        "cases.Case", blank=True, related_name="grid_visits", verbose_name="上报事件"
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = "走访"
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["region_code", "date"], name="visit_region_date_idx"),
            models.Index(fields=["household", "date"], name="visit_household_date_idx"),
            models.Index(fields=["worker", "date"], name="visit_worker_date_idx"),
            models.Index(fields=["follow_up_due", "region_code"], name="visit_follow_up_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d}走访"

    @property
    def is_follow_up_open(self) -> bool:
        return self.follow_up_due is not None and self.followed_up_at is None
