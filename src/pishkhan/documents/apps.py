from importlib import import_module

from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "pishkhan.documents"
    label = "documents"
    verbose_name = "اسناد رسمی صادرشده"

    def ready(self) -> None:
        # The workflow link: the effect that issues the inquiry response's document, and
        # the start-up check of the signing key.
        import_module("pishkhan.documents.workflow_link")
        import_module("pishkhan.documents.bills")  # the outbox receiver of bill events
        import_module("pishkhan.documents.panels")  # the bill page's documents
        import_module("pishkhan.documents.checks")
