from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "xiangzhi.regions"
    label = "regions"
    verbose_name = "辖区"

    def ready(self):
        from xiangzhi.regions import policy  # noqa: F401  (registers the app's rules)
