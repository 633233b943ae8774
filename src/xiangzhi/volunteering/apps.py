from django.apps import AppConfig


class VolunteeringConfig(AppConfig):
    name = "xiangzhi.volunteering"
    label = "volunteering"
    verbose_name = "志愿服务"

    def ready(self):
        from xiangzhi.volunteering import policy  # noqa: F401
