"""Permit numbers (شماره پروانه): ``YY`` + a five-digit sequence of the Jalali year +
Damm's check digit, e.g. ``05000127``. The yearly counter is the cases' (one locked
row per year, bumped in the issuing transaction), with its own table."""

from __future__ import annotations

import datetime as dt

from pishkhan.cases.tracking import damm_interim, next_sequence
from pishkhan.core.digits import to_ascii_digits
from pishkhan.core.jalali import jalali_year
from pishkhan.permits.models import PermitSequence

SEQUENCE_WIDTH = 5


def make_permit_number(year: int, sequence: int) -> str:
    body = f"{year % 100:02d}{sequence:0{SEQUENCE_WIDTH}d}"
    return body + str(damm_interim(body))


def allocate_permit_number(on: dt.date) -> str:
    """The next number of the Jalali year of `on` (call inside the issuing transaction)."""
    year = jalali_year(on)
    return make_permit_number(year, next_sequence(year, PermitSequence))


def normalize_permit_number(raw: object) -> str:
    """What a person typed, as stored: ASCII digits, no spaces or dashes; "" if absurd."""
    if not isinstance(raw, str) or len(raw) > 40:
        return ""
    value = to_ascii_digits(raw).replace(" ", "").replace("-", "").strip()
    return value if value.isascii() and value.isdigit() else ""
