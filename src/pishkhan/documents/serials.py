"""Serial numbers and verification codes of issued documents.

A serial is the kind's two digits, the Jalali year of issue and the kind's count in that
year: ``11-1404-000017`` (digits only, so a notary types it on any keyboard, in Persian
or Latin digits). The count comes from one counter row per kind and year, bumped with
``UPDATE … RETURNING`` inside the issuing transaction (as cases/tracking.py does), so two
documents never share a number and a rolled-back issue takes its number back.

The verification code is 12 random characters (``secrets``) from an alphabet with no
look-alikes (no 0/O, 1/I/L, 5/S, 8/B): 27^12 ≈ 2^57 codes, so knowing a serial — which
is sequential — says nothing of its code.
"""

from __future__ import annotations

import re
import secrets

from django.db import IntegrityError, connection, transaction

from pishkhan.core.digits import to_ascii_digits
from pishkhan.documents.models import KIND_CODES, DocumentSequence

CODE_ALPHABET = "234679ACDEFGHJKMNPQRTUVWXYZ"
CODE_LENGTH = 12
NUMBER_WIDTH = 6
SERIAL_RE = re.compile(r"^\d{2}-\d{4}-\d{6,}$")
CODE_RE = re.compile(f"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}$")


def make_serial(kind: str, year: int, number: int) -> str:
    return f"{KIND_CODES[kind]:02d}-{year:04d}-{number:0{NUMBER_WIDTH}d}"


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_serial(raw: str) -> str:
    """What a person typed, as stored: Latin digits, hyphens between the parts. Accepts
    Persian digits, spaces and the typographic dashes; anything else stays as it is and
    fails to match."""
    text = to_ascii_digits(str(raw or "")).strip()
    text = re.sub(r"[\s\u2010-\u2015\u2212/_]+", "-", text)
    if text.isdigit() and len(text) >= 6 + NUMBER_WIDTH:
        text = f"{text[:2]}-{text[2:6]}-{text[6:]}"
    return text


def normalize_code(raw: str) -> str:
    text = to_ascii_digits(str(raw or "")).upper()
    return re.sub(r"[\s\-\u2010-\u2015]+", "", text)


def is_well_formed(serial: str, code: str) -> bool:
    return bool(SERIAL_RE.match(serial)) and bool(CODE_RE.match(code))


def next_number(kind: str, year: int) -> int:
    """The next number of the kind in the year. Call inside a transaction: the counter
    row stays locked until commit."""
    bumped = _bump(kind, year)
    if bumped is not None:
        return bumped
    try:
        with transaction.atomic():
            DocumentSequence.objects.create(kind=kind, year=year, last=1)
        return 1
    except IntegrityError:  # another transaction created the row first
        bumped = _bump(kind, year)
        assert bumped is not None
        return bumped


def _bump(kind: str, year: int) -> int | None:
    table = connection.ops.quote_name(DocumentSequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last = last + 1 WHERE kind = %s AND year = %s RETURNING last",  # noqa: S608 - the table name is ours, the values parameters
            [kind, year],
        )
        row = cursor.fetchone()
    return int(row[0]) if row else None
