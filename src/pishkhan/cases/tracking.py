"""Tracking codes (کد رهگیری): ``YY`` + sequence + check digit, e.g. ``04000123`` + C.

``YY`` is the last two digits of the Jalali year the case was opened in, the sequence
counts cases in that year (six digits, wider only past a million a year), and the check
digit is Damm's: unlike a mod-11 digit it never needs an eleventh symbol, and it catches
every single-digit error and every swap of two adjacent digits.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, connection, transaction

from pishkhan.core.digits import to_ascii_digits

SEQUENCE_WIDTH = 6

# The weakly totally anti-symmetric quasigroup of order 10 from Damm (2004).
_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)


def damm_interim(digits: str) -> int:
    interim = 0
    for digit in digits:
        interim = _DAMM[interim][int(digit)]
    return interim


def make_tracking_code(jalali_year: int, sequence: int) -> str:
    if sequence < 1:
        raise ValueError("the sequence starts at 1")
    body = f"{jalali_year % 100:02d}{sequence:0{SEQUENCE_WIDTH}d}"
    return body + str(damm_interim(body))


def normalize_tracking_code(raw: str) -> str:
    return to_ascii_digits(raw or "").replace(" ", "").replace("-", "").strip()


def is_valid_tracking_code(raw: str) -> bool:
    value = normalize_tracking_code(raw)
    return (
        value.isascii()
        and value.isdigit()
        and len(value) >= 3 + SEQUENCE_WIDTH
        and damm_interim(value) == 0
    )


def next_sequence(jalali_year: int, counter: Any = None) -> int:
    """The next number of the year. Call inside a transaction: the counter row stays
    locked until commit, so two cases never share a number. `counter` is the model of
    the counter rows (``year`` as primary key, ``last``): TrackingSequence unless another
    app numbers its own records per year the same way (an excavation permit)."""
    from pishkhan.cases.models import TrackingSequence

    counter = counter or TrackingSequence
    bumped = _bump(jalali_year, counter)
    if bumped is not None:
        return bumped
    try:
        with transaction.atomic():
            counter.objects.create(year=jalali_year, last=1)
        return 1
    except IntegrityError:  # another transaction created the year's row first
        bumped = _bump(jalali_year, counter)
        assert bumped is not None
        return bumped


def _bump(jalali_year: int, counter: Any) -> int | None:
    """Add one to the year's counter and read it back in one statement (UPDATE …
    RETURNING, on PostgreSQL and SQLite ≥ 3.35); None when the year has no row yet."""
    table = connection.ops.quote_name(counter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last = last + 1 WHERE year = %s RETURNING last",  # noqa: S608 - the table name is ours, the value a parameter
            [jalali_year],
        )
        row = cursor.fetchone()
    return int(row[0]) if row else None


def allocate_tracking_code(jalali_year: int) -> str:
    return make_tracking_code(jalali_year, next_sequence(jalali_year))
