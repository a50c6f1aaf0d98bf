"""Working time, pure: weekend days, one working window per day, and a set of holidays.

SLA clocks count only working hours of working days in Tehran. This module knows no
database: whoever keeps the official holidays passes them in (the cases app reads its
Holiday table and builds the calendar with them, see ``pishkhan.cases.calendar``).

Settings (all optional):
- ``PISHKHAN_WEEKEND``: Python weekday numbers of the weekend, default ``[4]`` (Friday).
- ``PISHKHAN_WORKDAY_START`` / ``PISHKHAN_WORKDAY_END``: ``"07:30"`` / ``"14:30"``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

DEFAULT_WEEKEND = (4,)  # Python's weekday(): Monday is 0, so Friday is 4.
DEFAULT_START = "07:30"
DEFAULT_END = "14:30"


def parse_time(value: Any, name: str) -> dt.time:
    """A time of day from a setting: a ``datetime.time`` or text like ``"07:30"``."""
    if isinstance(value, dt.time):
        return value
    try:
        hours, minutes = str(value).split(":")
        return dt.time(int(hours), int(minutes))
    except ValueError:
        raise ImproperlyConfigured(f"{name} must look like 07:30; got {value!r}.") from None


def parse_weekend(value: Iterable[Any], name: str = "PISHKHAN_WEEKEND") -> frozenset[int]:
    """Weekend days from a setting: Python weekday numbers (Monday 0 … Sunday 6)."""
    try:
        days = frozenset(int(day) for day in value)
    except (TypeError, ValueError):
        raise ImproperlyConfigured(f"{name} must list weekday numbers; got {value!r}.") from None
    if not days <= set(range(7)):
        raise ImproperlyConfigured(f"{name} holds weekday numbers 0 to 6; got {value!r}.")
    return days


@dataclass(frozen=True)
class WorkingCalendar:
    """A pure calendar: weekend days, one working window per day, and holidays."""

    weekend: frozenset[int]
    day_start: dt.time
    day_end: dt.time
    holidays: frozenset[dt.date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if self.day_start >= self.day_end:
            raise ImproperlyConfigured("The working day must end after it starts.")
        if not set(range(7)) - set(self.weekend):
            raise ImproperlyConfigured("At least one day of the week must be a working day.")

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() not in self.weekend and day not in self.holidays

    def window(self, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
        """The working hours of a day as aware Tehran datetimes, or None on a day off."""
        if not self.is_working_day(day):
            return None
        tz = timezone.get_default_timezone()
        return (
            dt.datetime.combine(day, self.day_start, tzinfo=tz),
            dt.datetime.combine(day, self.day_end, tzinfo=tz),
        )

    def add(self, start: dt.datetime, amount: dt.timedelta) -> dt.datetime:
        """The moment `amount` of working time after `start`."""
        if amount < dt.timedelta(0):
            raise ValueError("working time to add must not be negative")
        cursor = timezone.localtime(start)
        remaining = amount
        if not remaining:
            return cursor
        day = cursor.date()
        while True:
            window = self.window(day)
            if window is not None:
                begin = max(cursor, window[0])
                available = window[1] - begin
                if available > dt.timedelta(0):
                    if remaining <= available:
                        return begin + remaining
                    remaining -= available
            day += dt.timedelta(days=1)

    def subtract(self, end: dt.datetime, amount: dt.timedelta) -> dt.datetime:
        """The moment `amount` of working time before `end` (the inverse of `add`)."""
        if amount < dt.timedelta(0):
            raise ValueError("working time to subtract must not be negative")
        cursor = timezone.localtime(end)
        remaining = amount
        day = cursor.date()
        while True:
            window = self.window(day)
            if window is not None:
                stop = min(cursor, window[1])
                available = stop - window[0]
                if available > dt.timedelta(0):
                    if remaining <= available:
                        return stop - remaining
                    remaining -= available
            day -= dt.timedelta(days=1)

    def between(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        """Working time from `start` to `end` (zero when end is not after start)."""
        total = dt.timedelta(0)
        if end <= start:
            return total
        first, last = timezone.localtime(start).date(), timezone.localtime(end).date()
        day = first
        while day <= last:
            window = self.window(day)
            if window is not None:
                overlap = min(end, window[1]) - max(start, window[0])
                total += max(overlap, dt.timedelta(0))
            day += dt.timedelta(days=1)
        return total

    @property
    def hours_per_day(self) -> dt.timedelta:
        today = dt.date(2000, 1, 1)
        return dt.datetime.combine(today, self.day_end) - dt.datetime.combine(today, self.day_start)


def configured_calendar(holidays: Iterable[dt.date] = ()) -> WorkingCalendar:
    """The calendar the settings describe, with the given holidays."""
    weekend = getattr(settings, "PISHKHAN_WEEKEND", DEFAULT_WEEKEND)
    start = getattr(settings, "PISHKHAN_WORKDAY_START", DEFAULT_START)
    end = getattr(settings, "PISHKHAN_WORKDAY_END", DEFAULT_END)
    return WorkingCalendar(
        weekend=parse_weekend(weekend),
        day_start=parse_time(start, "PISHKHAN_WORKDAY_START"),
        day_end=parse_time(end, "PISHKHAN_WORKDAY_END"),
        holidays=frozenset(holidays),
    )
