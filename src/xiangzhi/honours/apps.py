from django.apps import AppConfig


class HonoursConfig(AppConfig):
    name = "xiangzhi.honours"
    label = "honours"
    verbose_name = "红黑榜"

    def ready(self):
        from xiangzhi.honours import policy  # noqa: F401
