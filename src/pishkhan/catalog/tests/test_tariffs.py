"""Tariffs: a new one closes the one before it, and one in force is never rewritten."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from pishkhan.catalog.actions import do_end_tariff, do_publish_tariff
from pishkhan.catalog.models import ServiceType, Tariff
from pishkhan.core.jalali import format_jalali_date
from pishkhan.testing.personas import Builder

NOWRUZ_1402 = dt.date(2023, 3, 21)  # 1402/01/01
NOWRUZ_1403 = dt.date(2024, 3, 20)  # 1403/01/01


@pytest.fixture
def service(actions_builder: Builder) -> ServiceType:
    return actions_builder.service_type()


def publish(service: ServiceType, valid_from: dt.date, base: int, per_m2: int = 0) -> Tariff:
    return do_publish_tariff(service, base, per_m2, valid_from, "مصوبه شورا ۱۲", valid_from)


def test_publishing_closes_the_previous_tariff_the_day_before(service: ServiceType) -> None:
    # given the 1402 tariff, open-ended
    old = publish(service, NOWRUZ_1402, 500_000)
    assert old.valid_until is None
    # when the 1403 tariff is published
    new = publish(service, NOWRUZ_1403, 650_000)
    # then the 1402 tariff ends on the last day of 1402 and the new one is open-ended
    old.refresh_from_db()
    assert old.valid_until == NOWRUZ_1403 - dt.timedelta(days=1)
    assert new.valid_until is None


def test_an_old_day_still_gets_the_old_amounts(service: ServiceType) -> None:
    publish(service, NOWRUZ_1402, 500_000, per_m2=1_000)
    publish(service, NOWRUZ_1403, 650_000, per_m2=1_500)
    last_day_of_1402 = NOWRUZ_1403 - dt.timedelta(days=1)
    old = service.tariff_on(last_day_of_1402)
    new = service.tariff_on(NOWRUZ_1403)
    assert old is not None
    assert new is not None
    assert (old.base_amount, old.per_square_metre) == (500_000, 1_000)
    assert (new.base_amount, new.per_square_metre) == (650_000, 1_500)
    assert service.tariff_on(NOWRUZ_1402 - dt.timedelta(days=1)) is None


@pytest.mark.parametrize("days_after", [0, -1])
def test_it_refuses_a_start_on_or_before_the_latest_one(
    service: ServiceType, days_after: int
) -> None:
    publish(service, NOWRUZ_1403, 650_000)
    with pytest.raises(ValidationError) as raised:
        publish(service, NOWRUZ_1403 + dt.timedelta(days=days_after), 700_000)
    assert raised.value.message_dict == {
        "valid_from": [
            "تعرفه جدید باید بعد از ۱۴۰۳/۰۱/۰۱، تاریخ آغاز آخرین تعرفه این خدمت، اجرا شود."
        ]
    }
    assert service.tariffs.count() == 1
    assert service.tariffs.get().valid_until is None


def test_editing_the_amount_of_a_tariff_in_force_is_refused(service: ServiceType) -> None:
    tariff = publish(service, NOWRUZ_1403, 650_000)
    tariff.base_amount = 1
    with pytest.raises(ValidationError) as raised:
        tariff.full_clean()
    assert "تعرفه‌ای که اجرا شده است تغییر نمی‌کند" in raised.value.messages[0]


def test_a_tariff_not_yet_in_force_may_still_be_corrected(service: ServiceType) -> None:
    tariff = publish(service, timezone.localdate() + dt.timedelta(days=30), 650_000)
    tariff.base_amount = 640_000
    tariff.full_clean()


def test_only_the_last_day_of_a_tariff_in_force_changes(service: ServiceType) -> None:
    tariff = publish(service, NOWRUZ_1402, 500_000)
    do_end_tariff(tariff, NOWRUZ_1403 - dt.timedelta(days=1))
    assert tariff.valid_until == NOWRUZ_1403 - dt.timedelta(days=1)
    assert service.tariff_on(NOWRUZ_1403) is None


def test_publishing_after_a_gap_keeps_the_gap(service: ServiceType) -> None:
    tariff = publish(service, NOWRUZ_1402, 500_000)
    do_end_tariff(tariff, dt.date(2023, 9, 22))
    publish(service, NOWRUZ_1403, 650_000)
    tariff.refresh_from_db()
    assert tariff.valid_until == dt.date(2023, 9, 22)
    assert service.tariff_on(dt.date(2023, 12, 1)) is None


@pytest.mark.parametrize(
    ("area", "fee"),
    [
        (None, 500_000),
        (Decimal("0"), 500_000),
        (Decimal("100"), 500_000 + 125_000),
        (Decimal("100.02"), 500_000 + 125_025),  # 125,025 exactly
        (Decimal("100.01"), 500_000 + 125_013),  # 125,012.5 rounds half up
        (Decimal("100.001"), 500_000 + 125_001),  # 125,001.25 rounds down
    ],
)
def test_the_fee_adds_the_per_square_metre_part_rounded_half_up(
    service: ServiceType, area: Decimal | None, fee: int
) -> None:
    tariff = publish(service, NOWRUZ_1402, 500_000, per_m2=1_250)
    assert tariff.fee_for(area) == fee


# --- through the admin -----------------------------------------------------------------


def tariff_form(service: ServiceType, valid_from: dt.date, base: int) -> dict[str, object]:
    return {
        "service_type": service.pk,
        "base_amount": base,
        "per_square_metre": 0,
        "valid_from": format_jalali_date(valid_from),
        "resolution": "مصوبه ۷/۱۴۰۳",
        "approved_on": format_jalali_date(valid_from),
    }


def test_the_admin_publishes_through_the_action(admin_client: Client, service: ServiceType) -> None:
    old = publish(service, NOWRUZ_1402, 500_000)
    response = admin_client.post(
        reverse("admin:catalog_tariff_add"), tariff_form(service, NOWRUZ_1403, 650_000)
    )
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.valid_until == NOWRUZ_1403 - dt.timedelta(days=1)


def test_the_admin_refuses_an_early_start_on_the_form(
    admin_client: Client, service: ServiceType
) -> None:
    publish(service, NOWRUZ_1403, 650_000)
    response = admin_client.post(
        reverse("admin:catalog_tariff_add"), tariff_form(service, NOWRUZ_1402, 500_000)
    )
    assert response.status_code == 200
    assert "valid_from" in response.context["adminform"].form.errors
    assert service.tariffs.count() == 1


def test_the_admin_shows_a_tariff_in_force_read_only_but_its_end(
    admin_client: Client, service: ServiceType
) -> None:
    tariff = publish(service, NOWRUZ_1402, 500_000)
    url = reverse("admin:catalog_tariff_change", args=[tariff.pk])
    assert set(admin_client.get(url).context["adminform"].form.fields) == {"valid_until"}
    response = admin_client.post(url, {"valid_until": "۱۴۰۲/۱۲/۲۹", "base_amount": 1})
    assert response.status_code == 302
    tariff.refresh_from_db()
    assert (tariff.base_amount, tariff.valid_until) == (500_000, dt.date(2024, 3, 19))
