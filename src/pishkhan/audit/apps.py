from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "pishkhan.audit"
    label = "audit"
    verbose_name = "سابقه حسابرسی"

    def ready(self) -> None:
        from pishkhan.audit import tasks  # noqa: F401 - registers the daily checkpoint
