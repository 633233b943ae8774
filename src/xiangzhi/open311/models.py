from django.db import models

from xiangzhi.core import clock


class Open311Client(models.Model):
    """A machine client allowed to POST service requests: an app, a hotline system, a neighbouring platform.

    Only the keyed hash of its API key is kept (`core.crypto.lookup_hash`, purpose "open311"); the key itself is
    printed once by `xiangzhi open311-key create`. `region_code` is the county or town it may file into."""

    name = models.CharField("名称", max_length=60, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    region_code = models.CharField(
        "可上报辖区", max_length=18, db_index=True
    )  # a county or town; 18 like every copy (a merger rewrites them all)
    is_active = models.BooleanField("有效", default=True)
    created_at = models.DateTimeField("创建时间", default=clock.now)

    class Meta:
        ordering = ["name"]
        verbose_name = "Open311 接入方"

    def __str__(self) -> str:
        return self.name
