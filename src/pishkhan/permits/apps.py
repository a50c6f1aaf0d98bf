from importlib import import_module

from django.apps import AppConfig


class PermitsConfig(AppConfig):
    name = "pishkhan.permits"
    label = "permits"
    verbose_name = "پروانه‌های ساختمانی"

    def ready(self) -> None:
        # The effects and guards the permit definitions name, the parcel file's permit
        # lines, and the expiry job: registered into the apps below, which never import us.
        import_module("pishkhan.permits.workflow_hooks")
        import_module("pishkhan.permits.tasks")
