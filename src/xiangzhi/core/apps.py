from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "xiangzhi.core"
    label = "core"
    verbose_name = "公共部件"

    def ready(self):
        from xiangzhi.core import policy  # noqa: F401  (registers the app's rules)
