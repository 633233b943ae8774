from django.apps import AppConfig


class StoreConfig(AppConfig):
    name = "xiangzhi.store"
    label = "store"
    verbose_name = "积分超市"

    def ready(self):
        from xiangzhi.store import policy  # noqa: F401
