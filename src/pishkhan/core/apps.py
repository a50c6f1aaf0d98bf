from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "pishkhan.core"
    label = "core"
    verbose_name = "هسته"

    def ready(self) -> None:
        from pishkhan.core.admin_helpers import install_persian_admin_display

        install_persian_admin_display()
