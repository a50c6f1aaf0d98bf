"""The case tests' fixtures: the personas' city under the name the case tests have always
used (``world``), the clock the engine reads, and a reader of list pages. Everything
else comes from pishkhan.testing.personas."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from pishkhan.accounts.models import Citizen, User
from pishkhan.catalog.models import ServiceType
from pishkhan.core import clock as core_clock
from pishkhan.geo.models import District, Parcel
from pishkhan.offices.models import Office, OfficeContract
from pishkhan.testing.personas import (
    INQUIRY_DOCUMENTS,
    OFFICE_ROLE_LIST,
    PERMIT_DOCUMENTS,
    SERVICES,
    Builder,
    City,
    Side,
    act,
    build_city,
    client_for,
    record_visit,
    walk_to,
    workflow_service,
)


@pytest.fixture
def world(db: None) -> City:
    """The personas' city (pishkhan.testing.personas.City)."""
    return build_city()


# --- the clock the engine reads (pishkhan.core.clock) ---------------------------------

TEHRAN = timezone.get_default_timezone()
WEDNESDAY = dt.date(2025, 10, 29)  # 1404/08/07


def at(day: dt.date, hour: int, minute: int = 0, plus_days: int = 0) -> dt.datetime:
    day = day + dt.timedelta(days=plus_days)
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TEHRAN)


Clock = core_clock.FrozenClock


@pytest.fixture
def clock() -> Iterator[Clock]:
    """The clock, set by the test (Wednesday 10:00 to start): `clock.now = ...`."""
    with core_clock.frozen(at(WEDNESDAY, 10)) as frozen:
        yield frozen


# --- pages ----------------------------------------------------------------------------


def listed(response: Any) -> set[str]:
    """The tracking codes on a cartable or follow-up page."""
    return {row.case.tracking_code for row in response.context["page"].rows}


# --- for tests written before pishkhan.testing.personas -------------------------------
# They import these names from here; new tests import from the personas module. Remove
# once nothing imports them.

World = City
build_world = build_city


def make_staff(role: str, office: Office | None = None, district: District | None = None) -> User:
    return Builder().staff(role, office=office, district=district).user


def make_citizen(with_account: bool = True) -> Citizen:
    return Builder().citizen(with_account=with_account)


def make_parcel(district: District) -> Parcel:
    return Builder().parcel(district)


def make_service(code: str) -> ServiceType:
    return workflow_service(code)


def make_contract(office: Office, codes: tuple[str, ...] = tuple(SERVICES)) -> OfficeContract:
    return Builder().contract(office, list(ServiceType.objects.filter(code__in=codes)), years=5)


def load_definitions() -> None:
    Builder().workflow_services()


__all__ = [
    "INQUIRY_DOCUMENTS", "OFFICE_ROLE_LIST", "PERMIT_DOCUMENTS", "SERVICES", "Side", "act",
    "client_for", "record_visit", "walk_to",
]  # fmt: skip
