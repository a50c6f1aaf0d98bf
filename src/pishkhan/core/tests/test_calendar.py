"""The pure working calendar: Friday and holidays do not count, hours are 07:30–14:30."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from pishkhan.core.calendar import WorkingCalendar, configured_calendar, parse_weekend

TEHRAN = timezone.get_default_timezone()
# 1404/08/07 (2025-10-29) is a Wednesday; 1404/08/09 (2025-10-31) a Friday.
WEDNESDAY = dt.date(2025, 10, 29)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TEHRAN)


TEHRAN_TIMES = st.datetimes(
    min_value=dt.datetime(2025, 1, 1),  # noqa: DTZ001 - naive bounds, zone below
    max_value=dt.datetime(2027, 1, 1),  # noqa: DTZ001
    timezones=st.just(TEHRAN),
)


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def test_friday_is_skipped() -> None:
    calendar = configured_calendar()
    thursday = WEDNESDAY + days(1)
    assert thursday.weekday() == 3
    # two hours before closing on Thursday, then Friday off, then Saturday morning
    due = calendar.add(at(thursday, 12, 30), dt.timedelta(hours=5))
    assert due == at(thursday + days(2), 10, 30)


def test_a_holiday_is_skipped() -> None:
    calendar = configured_calendar(frozenset({WEDNESDAY}))
    due = calendar.add(at(WEDNESDAY - days(1), 14, 0), dt.timedelta(hours=1))
    assert due == at(WEDNESDAY + days(1), 8, 0)


def test_time_before_opening_starts_at_opening_and_a_full_day_ends_at_closing() -> None:
    calendar = configured_calendar()
    assert calendar.add(at(WEDNESDAY, 6, 0), dt.timedelta(hours=7)) == at(WEDNESDAY, 14, 30)
    assert calendar.add(at(WEDNESDAY, 20, 0), dt.timedelta(hours=1)) == at(
        WEDNESDAY + days(1), 8, 30
    )


def test_between_counts_only_working_hours() -> None:
    calendar = configured_calendar(frozenset({WEDNESDAY + days(3)}))  # Saturday a holiday
    start, end = at(WEDNESDAY, 13, 30), at(WEDNESDAY + days(4), 8, 30)  # to Sunday
    # Wed 1h + Thu 7h + Fri 0 + Sat (holiday) 0 + Sun 1h
    assert calendar.between(start, end) == dt.timedelta(hours=9)
    assert calendar.between(end, start) == dt.timedelta(0)


@given(TEHRAN_TIMES, st.integers(0, 400))
def test_adding_then_measuring_gives_back_the_hours(start: dt.datetime, hours: int) -> None:
    calendar = configured_calendar(frozenset({dt.date(2025, 3, 21), dt.date(2026, 2, 11)}))
    due = calendar.add(start, dt.timedelta(hours=hours))
    assert calendar.between(start, due) == dt.timedelta(hours=hours)
    if hours:
        window = calendar.window(due.date())
        assert window is not None
        assert window[0] < due <= window[1]


@given(TEHRAN_TIMES, st.integers(0, 400))
def test_subtracting_then_measuring_gives_back_the_hours(end: dt.datetime, hours: int) -> None:
    calendar = configured_calendar(frozenset({dt.date(2025, 3, 21), dt.date(2026, 2, 11)}))
    start = calendar.subtract(end, dt.timedelta(hours=hours))
    assert start <= end
    assert calendar.between(start, end) == dt.timedelta(hours=hours)


def test_subtracting_fractions_of_an_hour_from_any_moment() -> None:
    calendar = configured_calendar(frozenset({dt.date(2026, 3, 21)}))
    rng = random.Random(7)
    for _ in range(200):
        day = dt.date(2026, 3, 1) + dt.timedelta(days=rng.randrange(60))
        end = timezone.make_aware(dt.datetime.combine(day, dt.time(rng.randrange(24))))
        hours = rng.uniform(0.1, 80)
        start = calendar.subtract(end, dt.timedelta(hours=hours))
        assert calendar.between(start, end) == pytest.approx(
            dt.timedelta(hours=hours), abs=dt.timedelta(seconds=1)
        )


def test_subtracting_skips_friday_and_holidays() -> None:
    saturday = WEDNESDAY + days(3)
    calendar = configured_calendar(frozenset({WEDNESDAY + days(1)}))  # Thursday a holiday
    # one hour into Saturday, then back over Friday and the Thursday holiday to Wednesday
    assert calendar.subtract(at(saturday, 8, 30), dt.timedelta(hours=3)) == at(WEDNESDAY, 12, 30)
    with pytest.raises(ValueError, match="negative"):
        calendar.subtract(at(saturday, 9, 0), dt.timedelta(hours=-1))


@override_settings(
    PISHKHAN_WEEKEND=[3, 4], PISHKHAN_WORKDAY_START="08:00", PISHKHAN_WORKDAY_END="16:00"
)
def test_weekend_and_hours_come_from_the_settings() -> None:
    calendar = configured_calendar()
    due = calendar.add(at(WEDNESDAY, 15, 0), dt.timedelta(hours=2))
    assert due == at(WEDNESDAY + days(3), 9, 0)  # Thursday and Friday off


def test_a_week_without_working_days_is_refused() -> None:
    with pytest.raises(ImproperlyConfigured):
        WorkingCalendar(frozenset(range(7)), dt.time(8), dt.time(14))
    with pytest.raises(ImproperlyConfigured):
        WorkingCalendar(frozenset({4}), dt.time(14), dt.time(8))


@pytest.mark.parametrize("weekend", [["x"], [7], None])
def test_a_malformed_weekend_setting_is_refused(weekend: object) -> None:
    with pytest.raises(ImproperlyConfigured, match="PISHKHAN_WEEKEND"):
        parse_weekend(weekend)


@override_settings(PISHKHAN_WORKDAY_START="7.30")
def test_a_malformed_working_hour_is_refused() -> None:
    with pytest.raises(ImproperlyConfigured, match="PISHKHAN_WORKDAY_START"):
        configured_calendar()
