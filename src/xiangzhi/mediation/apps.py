from django.apps import AppConfig


class MediationConfig(AppConfig):
    """人民调解: mediations opened from 矛盾纠纷 cases (parties, sessions, outcome, agreement and its PDF), the
    committees' mediator rosters, the legal-adviser register and service log. Actions: mediation/policy.py."""

    name = "xiangzhi.mediation"
    label = "mediation"
    verbose_name = "调解"

    def ready(self):
        from xiangzhi.mediation import policy  # noqa: F401
