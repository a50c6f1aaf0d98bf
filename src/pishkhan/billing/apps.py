from importlib import import_module

from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "pishkhan.billing"
    label = "billing"
    verbose_name = "عوارض، فیش‌ها و دفتر مالی"

    def ready(self) -> None:
        # The workflow link: the effect, the guard and the debt source cases reads.
        import_module("pishkhan.billing.workflow_link")
