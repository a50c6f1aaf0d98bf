from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "pishkhan.outbox"
    label = "outbox"
    verbose_name = "صف ارسال"

    def ready(self) -> None:
        from pishkhan.outbox import tasks  # noqa: F401 - registers the periodic jobs
