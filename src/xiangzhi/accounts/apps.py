from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "xiangzhi.accounts"
    label = "accounts"
    verbose_name = "账号与权限"

    def ready(self):
        from xiangzhi.accounts import auth_events, policy  # noqa: F401

        auth_events.connect()
