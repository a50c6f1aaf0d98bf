from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "pishkhan.accounts"
    label = "accounts"
    verbose_name = "حساب‌ها و شهروندان"

    def ready(self) -> None:
        from pishkhan.accounts import audit

        audit.connect()  # sign-ins, lockouts and permission changes in the audit chain
