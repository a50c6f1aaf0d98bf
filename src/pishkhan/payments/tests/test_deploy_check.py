"""Production refuses the fake bank: the deploy check fails while it is the gateway."""

from __future__ import annotations

from django.test import override_settings

from pishkhan.payments.checks import fake_bank_in_production


def test_the_fake_bank_fails_the_deploy_check() -> None:
    with override_settings(PISHKHAN_PAYMENT_GATEWAY="fake"):
        assert [e.id for e in fake_bank_in_production()] == ["pishkhan.payments.E001"]


def test_a_real_gateway_passes_it() -> None:
    with override_settings(PISHKHAN_PAYMENT_GATEWAY="the-city-bank"):
        assert fake_bank_in_production() == []
