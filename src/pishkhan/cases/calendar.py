"""Working time: SLA clocks count only working hours of working days in Tehran.

Settings (all optional):
- ``PISHKHAN_WEEKEND``: Python weekday numbers of the weekend, default ``[4]`` (Friday).
- ``PISHKHAN_WORKDAY_START`` / ``PISHKHAN_WORKDAY_END``: ``"07:30"`` / ``"14:30"``.
Official holidays are rows of :class:`~pishkhan.cases.models.Holiday`; one declared while
cases are open moves their due times (:mod:`pishkhan.cases.holidays`).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from pishkhan.core.jalali import parse_jalali_date

DEFAULT_WEEKEND = (4,)  # Python's weekday(): Monday is 0, so Friday is 4.
DEFAULT_START = "07:30"
DEFAULT_END = "14:30"


def _parse_time(value: Any, name: str) -> dt.time:
    if isinstance(value, dt.time):
        return value
    try:
        hours, minutes = str(value).split(":")
        return dt.time(int(hours), int(minutes))
    except ValueError:
        raise ImproperlyConfigured(f"{name} must look like 07:30; got {value!r}.") from None


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


def configured_calendar(holidays: frozenset[dt.date] = frozenset()) -> WorkingCalendar:
    """The calendar the settings describe, with the given holidays."""
    weekend = getattr(settings, "PISHKHAN_WEEKEND", DEFAULT_WEEKEND)
    start = getattr(settings, "PISHKHAN_WORKDAY_START", DEFAULT_START)
    end = getattr(settings, "PISHKHAN_WORKDAY_END", DEFAULT_END)
    return WorkingCalendar(
        weekend=frozenset(int(day) for day in weekend),
        day_start=_parse_time(start, "PISHKHAN_WORKDAY_START"),
        day_end=_parse_time(end, "PISHKHAN_WORKDAY_END"),
        holidays=holidays,
    )


def calendar_for(first: dt.date, last: dt.date) -> WorkingCalendar:
    """The configured calendar with the holidays between two days (one query)."""
    from pishkhan.cases.models import Holiday

    days = Holiday.objects.filter(date__gte=first, date__lte=last).values_list("date", flat=True)
    return configured_calendar(frozenset(days))


def add_working_time(start: dt.datetime, amount: dt.timedelta) -> dt.datetime:
    """`start` plus `amount` of working time, skipping weekends and holidays."""
    first = timezone.localtime(start).date()
    per_day = configured_calendar().hours_per_day
    span = 60 + 2 * int(amount / per_day)
    while True:
        last = first + dt.timedelta(days=span)
        result = calendar_for(first, last).add(start, amount)
        if timezone.localtime(result).date() <= last:
            return result
        span *= 2  # holidays beyond the loaded window might matter: load a wider one.


def add_working_hours(start: dt.datetime, hours: float) -> dt.datetime:
    return add_working_time(start, dt.timedelta(hours=hours))


def working_time_between(start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    first, last = timezone.localtime(start).date(), timezone.localtime(end).date()
    return calendar_for(first, last).between(start, end)


def working_hours_between(start: dt.datetime, end: dt.datetime) -> float:
    return working_time_between(start, end) / dt.timedelta(hours=1)


HOLIDAYS_FILE = Path(__file__).resolve().parent / "data" / "holidays.json"


def load_holidays(path: Path = HOLIDAYS_FILE) -> int:
    """Upsert the holidays of a JSON file (Jalali dates); returns rows created or changed.

    The file in the repository holds only the fixed solar holidays; lunar holidays move
    every year and are entered each year (in this file or the admin). `load_workflows`
    runs after every deployment, when cases are open: a day new to the table is declared
    like one added in the admin, so open cases due after it keep their working time left
    (for a day far ahead, as usual, none is)."""
    from pishkhan.cases.holidays import declare_holiday

    data = json.loads(path.read_text(encoding="utf-8"))
    written = 0
    for row in data["holidays"]:
        day, title = parse_jalali_date(row["date"]), str(row["title"])
        change = declare_holiday(None, day, title)
        written += int(change.created or change.retitled)
    return written
