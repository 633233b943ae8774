from django.apps import AppConfig


class AssetsConfig(AppConfig):
    name = "xiangzhi.assets"
    label = "assets"
    verbose_name = "三资管理"

    def ready(self):
        from xiangzhi.assets import policy  # noqa: F401
