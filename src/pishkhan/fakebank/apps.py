from django.apps import AppConfig


class FakeBankConfig(AppConfig):
    name = "pishkhan.fakebank"
    label = "fakebank"
    verbose_name = "بانک آزمایشی"
