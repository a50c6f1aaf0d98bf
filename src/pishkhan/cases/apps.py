from importlib import import_module

from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "pishkhan.cases"
    label = "cases"
    verbose_name = "پرونده‌ها و گردش کار"

    def ready(self) -> None:
        # Register the built-in guards so definitions can name them.
        import_module("pishkhan.cases.guards")
        import_module("pishkhan.cases.responses")  # the answer's guards and effects
