"""Jalali (Solar Hijri) dates: stored as Gregorian/UTC, shown in Tehran time in Jalali.

Month and weekday names are ours, not jdatetime's locale, because a jdatetime object
keeps the locale active when it was made (see docs/reference/libraries.md).
"""

from __future__ import annotations

import datetime as dt
import functools
import re

import jdatetime
from django.core.exceptions import ValidationError
from django.utils import timezone

from pishkhan.core.digits import to_ascii_digits, to_persian_digits

MONTHS = (
    "فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
    "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند",
)  # fmt: skip
# Python's weekday(): Monday is 0.
WEEKDAYS = ("دوشنبه", "سه‌شنبه", "چهارشنبه", "پنجشنبه", "جمعه", "شنبه", "یکشنبه")

# A year outside this range is a Gregorian date typed by mistake (or a typo).
JALALI_YEARS = (1300, 1499)
_JALALI_INPUT = re.compile(r"^\s*(\d{4})\s*[/\-.]\s*(\d{1,2})\s*[/\-.]\s*(\d{1,2})\s*$")


def local(value: dt.datetime) -> dt.datetime:
    """An aware datetime in the project's time zone (Asia/Tehran)."""
    if timezone.is_naive(value):
        raise ValueError("naive datetimes are not allowed; store aware UTC datetimes")
    return timezone.localtime(value)


def to_jalali(value: dt.date | dt.datetime) -> jdatetime.date:
    """The Jalali date of a date, or of an aware datetime as seen in Tehran."""
    if isinstance(value, dt.datetime):
        value = local(value).date()
    return jdatetime.date.fromgregorian(date=value)


def from_jalali(year: int, month: int, day: int) -> dt.date:
    """The Gregorian date of a Jalali date; ValueError when it does not exist."""
    return jdatetime.date(year, month, day).togregorian()


def parse_jalali_date(raw: str) -> dt.date:
    """Read '۱۴۰۲/۰۸/۱۵' or '1402-8-15' into a Gregorian date, with a Persian error."""
    match = _JALALI_INPUT.match(to_ascii_digits(raw or ""))
    if not match:
        raise ValidationError(
            "تاریخ را به شکل سال/ماه/روز شمسی وارد کنید (مثلاً ۱۴۰۲/۰۸/۱۵).",
            code="invalid_jalali",
        )
    year, month, day = (int(part) for part in match.groups())
    if not JALALI_YEARS[0] <= year <= JALALI_YEARS[1]:
        raise ValidationError(
            f"سال {to_persian_digits(year)} شمسی نیست؛ تاریخ را شمسی وارد کنید (مثلاً ۱۴۰۲/۰۸/۱۵).",
            code="invalid_jalali",
        )
    try:
        return from_jalali(year, month, day)
    except ValueError:
        raise ValidationError("این تاریخ شمسی وجود ندارد.", code="invalid_jalali") from None


def format_jalali_date(value: dt.date | dt.datetime | None, style: str = "short") -> str:
    """'۱۴۰۲/۰۸/۱۵' (short), '۱۵ آبان ۱۴۰۲' (long) or 'دوشنبه ۱۵ آبان ۱۴۰۲' (full)."""
    if value is None:
        return ""
    day = local(value).date() if isinstance(value, dt.datetime) else value
    return _date_text(day, style)


@functools.lru_cache(maxsize=4096)
def _date_text(day: dt.date, style: str) -> str:
    """A day's Jalali text: a pure function of the Gregorian day, so it is remembered
    (a list page shows a few hundred dates, most of them on a few days)."""
    j = jdatetime.date.fromgregorian(date=day)
    if style == "short":
        text = f"{j.year:04d}/{j.month:02d}/{j.day:02d}"
    elif style == "long":
        text = f"{j.day} {MONTHS[j.month - 1]} {j.year}"
    elif style == "full":
        text = f"{WEEKDAYS[day.weekday()]} {j.day} {MONTHS[j.month - 1]} {j.year}"
    else:
        raise ValueError(f"unknown style {style!r}")
    return to_persian_digits(text)


def format_jalali_datetime(value: dt.datetime | None) -> str:
    """'۱۴۰۲/۰۸/۱۵ ۱۴:۳۰' in Tehran time."""
    if value is None:
        return ""
    moment = local(value)
    clock = to_persian_digits(f"{moment.hour:02d}:{moment.minute:02d}")
    return f"{_date_text(moment.date(), 'short')} {clock}"


def jalali_year(value: dt.date | dt.datetime) -> int:
    return int(to_jalali(value).year)


def jalali_year_bounds(year: int) -> tuple[dt.date, dt.date]:
    """First and last Gregorian day of a Jalali year."""
    first = from_jalali(year, 1, 1)
    return first, from_jalali(year + 1, 1, 1) - dt.timedelta(days=1)
