from django.apps import AppConfig


class OfficesConfig(AppConfig):
    name = "pishkhan.offices"
    label = "offices"
    verbose_name = "دفاتر و کارکنان"

    def ready(self) -> None:
        from pishkhan.offices import audit

        audit.connect()  # role assignments in the audit chain
