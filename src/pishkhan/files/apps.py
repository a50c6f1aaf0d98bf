from django.apps import AppConfig


class FilesConfig(AppConfig):
    name = "pishkhan.files"
    label = "files"
    verbose_name = "پرونده‌های بارگذاری‌شده"
