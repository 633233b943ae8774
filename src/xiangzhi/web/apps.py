from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "xiangzhi.web"
    label = "web"
    verbose_name = "网页"
