from importlib import import_module

from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "pishkhan.payments"
    label = "payments"
    verbose_name = "پرداخت‌ها"

    def ready(self) -> None:
        # the case moving on after a payment (a bill.event receiver) and the
        # reconciliation job
        import_module("pishkhan.payments.workflow_link")
        import_module("pishkhan.payments.tasks")
        import_module("pishkhan.payments.panels")
        import_module("pishkhan.payments.receipts")  # the receipt document of a paid bill
        import_module("pishkhan.payments.checks")  # the deploy check against the fake bank
