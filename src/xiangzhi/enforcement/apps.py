from django.apps import AppConfig


class EnforcementConfig(AppConfig):
    name = "xiangzhi.enforcement"
    label = "enforcement"
    verbose_name = "行政执法"

    def ready(self):
        from xiangzhi.enforcement import policy  # noqa: F401
