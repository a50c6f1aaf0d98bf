"""The working calendar with the official holidays: what the SLA clocks of cases count.

The calendar itself is pure and lives in :mod:`pishkhan.core.calendar` (weekend, working
hours, adding and measuring working time); this module adds the holidays of the
:class:`~pishkhan.cases.models.Holiday` table. A holiday declared while cases are open
moves their due times (:mod:`pishkhan.cases.holidays`, which also loads the holidays file).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from pishkhan.core.calendar import WorkingCalendar, configured_calendar

# Importers of the calendar through the cases app keep working.
__all__ = [
    "WorkingCalendar",
    "add_working_hours",
    "add_working_time",
    "calendar_for",
    "configured_calendar",
    "working_hours_between",
    "working_time_between",
]


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
