from django.apps import AppConfig


class PointsConfig(AppConfig):
    name = "xiangzhi.points"
    label = "points"
    verbose_name = "积分制"

    def ready(self):
        from xiangzhi.points import policy  # noqa: F401
