from django.apps import AppConfig


class GridConfig(AppConfig):
    name = "xiangzhi.grid"
    label = "grid"
    verbose_name = "网格工作"

    def ready(self):
        from xiangzhi.grid import policy  # noqa: F401
