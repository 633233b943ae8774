from django.conf import settings
from django.db import models


class AuditRecord(models.Model):
    """One audited event. Rows are only ever inserted (and, past retention, purged behind a checkpoint).

    `hash` = HMAC(audit key, previous hash + canonical content). `region_code` is deliberately outside the hash:
    a village merger rewrites it.
    """

    RESULT_OK, RESULT_DENIED, RESULT_FAILED = "ok", "denied", "failed"

    chain = models.CharField("链（县代码）", max_length=6)
    seq = models.BigIntegerField("序号")
    at = models.DateTimeField("时间", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField("操作人", max_length=150, blank=True)
    action = models.CharField("动作", max_length=64, db_index=True)
    object_type = models.CharField("对象类型", max_length=64, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    region_code = models.CharField("辖区代码", max_length=18, blank=True, db_index=True)
    changes = models.JSONField("变更", default=dict, blank=True)
    result = models.CharField("结果", max_length=10, default=RESULT_OK)
    ip = models.GenericIPAddressField("来源地址", null=True, blank=True)
    request_id = models.CharField("请求编号", max_length=32, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["chain", "seq"]
        verbose_name = "审计记录"
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="audit_chain_seq_unique")]

    def __str__(self) -> str:
        return f"{self.chain}#{self.seq} {self.action}"


class ChainHead(models.Model):
    """The newest (seq, hash) of each chain; locked while a record is appended so the chain never forks."""

    chain = models.CharField(max_length=6, primary_key=True)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)


class Checkpoint(models.Model):
    """Left behind by a purge: the chain goes on from (seq, hash) of the newest purged record."""

    chain = models.CharField(max_length=6, primary_key=True)
    seq = models.BigIntegerField()
    hash = models.CharField(max_length=64)
    purged_before = models.DateTimeField()
    purged_count = models.BigIntegerField(default=0)
