from django.apps import AppConfig


class DeliberationConfig(AppConfig):
    name = "xiangzhi.deliberation"
    label = "deliberation"
    verbose_name = "议事协商"

    def ready(self):
        from xiangzhi.deliberation import policy  # noqa: F401
