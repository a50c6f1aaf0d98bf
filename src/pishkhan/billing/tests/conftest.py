"""Billing's tests: the personas' city, a fixed moment (۱۰ اردیبهشت ۱۴۰۵, 10:00 Tehran)
and the finance unit's rules, published through the real actions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.utils import timezone

from pishkhan.billing.actions import do_publish_rule
from pishkhan.billing.models import (
    RenewalDuesRule,
    TransferBasis,
    TransferDuesRule,
    ValueBasis,
    VehicleClass,
    VehicleTollRule,
)
from pishkhan.core import clock
from pishkhan.core.jalali import from_jalali
from pishkhan.testing.personas import City

NOW_DAY = from_jalali(1405, 2, 10)


def tehran(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def now() -> Iterator[clock.FrozenClock]:
    with clock.frozen(tehran(NOW_DAY)) as frozen:
        yield frozen


@dataclass
class Rules:
    renewal_old: RenewalDuesRule
    renewal_new: RenewalDuesRule
    transfer: TransferDuesRule
    toll_old: VehicleTollRule
    toll_new: VehicleTollRule


def publish(rule: object) -> object:
    return do_publish_rule(rule)  # type: ignore[arg-type]


@pytest.fixture
def rules(city: City) -> Rules:
    """Renewal dues at five per thousand from 1398, six per thousand from 1403 (with 10%
    off until the end of Khordad); transfer dues of the notary inquiry at 2% of zone
    price × land area; the passenger-car toll 1,200,000 rials, 1,500,000 from 1404, with
    10% late fee a year."""
    common = {"resolution": "۱۲۳/ش", "approved_on": from_jalali(1397, 12, 1)}
    renewal_old = publish(RenewalDuesRule(valid_from=from_jalali(1398, 1, 1), rate_bp=50, **common))
    renewal_new = publish(
        RenewalDuesRule(
            valid_from=from_jalali(1403, 1, 1),
            rate_bp=60,
            value_basis=ValueBasis.LAND,
            early_discount_bp=1000,
            early_discount_until_month=3,
            **common,
        )
    )
    transfer = publish(
        TransferDuesRule(
            service_type=city.services["inquiry_notary"],
            valid_from=from_jalali(1398, 1, 1),
            basis=TransferBasis.LAND,
            rate_bp=200,
            **common,
        )
    )
    toll_old = publish(
        VehicleTollRule(
            vehicle_class=VehicleClass.PASSENGER,
            model_year_from=1350,
            amount=1_200_000,
            late_fee_bp=1000,
            valid_from=from_jalali(1398, 1, 1),
            **common,
        )
    )
    toll_new = publish(
        VehicleTollRule(
            vehicle_class=VehicleClass.PASSENGER,
            model_year_from=1350,
            amount=1_500_000,
            late_fee_bp=1000,
            valid_from=from_jalali(1404, 1, 1),
            **common,
        )
    )
    return Rules(renewal_old, renewal_new, transfer, toll_old, toll_new)  # type: ignore[arg-type]
