from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig


class CoreConfig(AppConfig):
    default = True  # the module holds AxesConfig too; "pishkhan.core" means this one
    name = "pishkhan.core"
    label = "core"
    verbose_name = "هسته"

    def ready(self) -> None:
        from pishkhan.core.admin_helpers import install_persian_admin_display

        install_persian_admin_display()


class AxesConfig(AxesAppConfig):
    """django-axes (sign-in lockouts) under a Persian name in the admin."""

    verbose_name = "تلاش‌های ورود"
