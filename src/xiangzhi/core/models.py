from django.conf import settings
from django.db import models

from xiangzhi.core import clock


class Department(models.Model):
    """A town department (司法所, 派出所, 农业, 应急, 民政, 综合执法 …). Which cases reach it is the cases
    module's routing data."""

    town = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="departments")
    region_code = models.CharField(max_length=18, db_index=True)
    name = models.CharField("名称", max_length=50)
    code = models.SlugField("代码", max_length=32)
    staff = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="departments")

    class Meta:
        ordering = ["region_code", "name"]
        verbose_name = "乡镇部门"
        constraints = [
            models.UniqueConstraint(fields=["town", "code"], name="department_code_unique_in_town")
        ]

    def __str__(self) -> str:
        return self.name


class Notification(models.Model):
    """One message in a user's in-app inbox (notify())."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    event = models.CharField("事件", max_length=64)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=300, blank=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    region_code = models.CharField(max_length=18, blank=True, db_index=True)
    created_at = models.DateTimeField("时间", default=clock.now)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]


class PrivateFile(models.Model):
    """An uploaded file kept in private storage and served only through the policy-checked view."""

    file = models.FileField(upload_to="%Y/%m/")
    original_name = models.CharField("文件名", max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    purpose = models.CharField("用途", max_length=32)
    region_code = models.CharField(max_length=18, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = "文件"

    def __str__(self) -> str:
        return self.original_name


class PeriodicRun(models.Model):
    """One enqueue of a periodic job for one time slot; the unique key makes the enqueue happen once."""

    job = models.CharField(max_length=100)
    slot = models.CharField(max_length=40)
    enqueued_at = models.DateTimeField(default=clock.now)
    task_result_id = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="periodic_run_once_per_slot")]
