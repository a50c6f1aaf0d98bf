from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "pishkhan.catalog"
    label = "catalog"
    verbose_name = "خدمات و تعرفه‌ها"
