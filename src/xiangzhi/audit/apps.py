from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "xiangzhi.audit"
    label = "audit"
    verbose_name = "审计日志"

    def ready(self):
        from xiangzhi.audit import policy  # noqa: F401
