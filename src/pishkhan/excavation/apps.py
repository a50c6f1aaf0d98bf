from importlib import import_module

from django.apps import AppConfig


class ExcavationConfig(AppConfig):
    name = "pishkhan.excavation"
    label = "excavation"
    verbose_name = "حفاری معابر"

    def ready(self) -> None:
        # The workflow link: the route's field check, the permit's effects, the case
        # page's and the parcel file's panels; and the overdue-restoration job.
        import_module("pishkhan.excavation.workflow_link")
        import_module("pishkhan.excavation.tasks")
