from django.apps import AppConfig


class MediationConfig(AppConfig):
    name = "xiangzhi.mediation"
    label = "mediation"
    verbose_name = "调解"
