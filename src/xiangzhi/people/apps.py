from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "xiangzhi.people"
    label = "people"
    verbose_name = "人口"

    def ready(self):
        from xiangzhi.people import policy  # noqa: F401
