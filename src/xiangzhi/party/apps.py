from django.apps import AppConfig


class PartyConfig(AppConfig):
    name = "xiangzhi.party"
    label = "party"
    verbose_name = "党组织"

    def ready(self):
        from xiangzhi.party import policy  # noqa: F401
