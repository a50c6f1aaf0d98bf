"""The working calendar of cases: the Holiday table's days do not count, however far."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from pishkhan.cases.calendar import add_working_hours, working_hours_between
from pishkhan.cases.holidays import load_holidays
from pishkhan.cases.models import Holiday
from pishkhan.core.jalali import from_jalali

TEHRAN = timezone.get_default_timezone()
# 1404/08/07 (2025-10-29) is a Wednesday.
WEDNESDAY = dt.date(2025, 10, 29)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TEHRAN)


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


@pytest.mark.django_db
def test_the_database_holidays_are_used() -> None:
    Holiday.objects.create(date=WEDNESDAY, title="تعطیل آزمایشی")
    due = add_working_hours(at(WEDNESDAY - days(1), 14, 0), 1)
    assert due == at(WEDNESDAY + days(1), 8, 0)
    assert working_hours_between(at(WEDNESDAY - days(1), 14, 0), due) == 1


@pytest.mark.django_db
def test_a_long_sla_still_sees_holidays_far_ahead() -> None:
    far = WEDNESDAY + days(400)
    start = at(WEDNESDAY, 7, 30)
    without = add_working_hours(start, 7 * 400)
    Holiday.objects.create(date=far - days(30), title="تعطیل دور")
    assert add_working_hours(start, 7 * 400) > without


@pytest.mark.django_db
def test_the_official_holidays_file_loads_once() -> None:
    written = load_holidays()
    assert written == Holiday.objects.count() >= 20
    assert load_holidays() == 0
    nowruz = Holiday.objects.get(date=from_jalali(1404, 1, 1))
    assert nowruz.title == "عید نوروز"
    assert Holiday.objects.filter(date=from_jalali(1405, 11, 22)).exists()
