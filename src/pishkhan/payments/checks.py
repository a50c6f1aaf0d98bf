"""A deployment check: production must not take money through the built-in fake bank.

`manage.py check --deploy --fail-level WARNING` (the README's production steps) fails
while PISHKHAN_PAYMENT_GATEWAY is `fake`; development and the tests never run deploy
checks, so the demo keeps its fake bank."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def fake_bank_in_production(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    if getattr(settings, "PISHKHAN_PAYMENT_GATEWAY", "fake") != "fake":
        return []
    return [
        Error(
            "The online payment gateway is the built-in fake bank.",
            hint="Set PISHKHAN_PAYMENT_GATEWAY to the city's bank adapter before taking "
            "payments; the fake bank accepts any card.",
            id="pishkhan.payments.E001",
        )
    ]
