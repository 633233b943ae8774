from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "xiangzhi.cases"
    label = "cases"
    verbose_name = "事件"

    def ready(self):
        from xiangzhi.cases import policy  # noqa: F401
