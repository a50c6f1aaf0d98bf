"""Masking personal data in logs: national IDs, mobiles and card numbers.

`MaskingFormatter` masks the whole formatted record — the message, the exception text
(a database error quotes the row: ``Key (national_id)=(…)``) and the stack — and every
handler in settings.LOGGING formats through it; Django's own loggers (``django.request``,
``django.server`` with its request lines and query strings) send their records to those
handlers. `MaskPersonalData` is the older filter that masks the message alone before any
handler sees it.

Digits count whether ASCII, Persian, Arabic-Indic or URL-encoded Persian/Arabic-Indic
(how a browser sends ``۰۰۷۶…`` in a query string); a masked number is shown in ASCII
digits, everything else is left exactly as it was.
"""

from __future__ import annotations

import logging
import re

from pishkhan.core.digits import to_ascii_digits
from pishkhan.core.national_id import is_valid_national_id

_DIGIT_RUN = re.compile(r"(?<!\d)\d{10}(?!\d)")
_MOBILE = re.compile(r"(?<!\d)(?:\+98|0098|0)9\d{9}(?!\d)")
_CARD = re.compile(r"(?<!\d)(\d{6})\d{6}(\d{4})(?!\d)")

# A run of digits in any spelling, with an optional leading plus (also URL-encoded).
_ANY_DIGIT = r"(?:[0-9\u06f0-\u06f9\u0660-\u0669]|%DB%B[0-9]|%D9%A[0-9])"
_NUMBER = re.compile(rf"(?:\+|%2B)?{_ANY_DIGIT}+", re.IGNORECASE)
_ENCODED_DIGIT = re.compile(r"%(?:DB%B|D9%A)([0-9])", re.IGNORECASE)


def _mask_ascii(text: str) -> str:
    text = _MOBILE.sub(lambda m: m.group(0)[:4] + "*****" + m.group(0)[-2:], text)
    text = _CARD.sub(lambda m: f"{m.group(1)}******{m.group(2)}", text)
    return _DIGIT_RUN.sub(
        lambda m: "******" + m.group(0)[-4:] if is_valid_national_id(m.group(0)) else m.group(0),
        text,
    )


def _mask_number(number: str) -> str:
    plain = _ENCODED_DIGIT.sub(lambda m: m.group(1), number)
    plain = to_ascii_digits(re.sub("%2B", "+", plain, flags=re.IGNORECASE))
    masked = _mask_ascii(plain)
    return masked if masked != plain else number


def mask_text(text: str) -> str:
    """Mask national IDs (any 10-digit run that passes the check), mobiles and card numbers."""
    return _NUMBER.sub(lambda m: _mask_number(m.group(0)), text)


class MaskingFormatter(logging.Formatter):
    """A formatter whose output is masked whole: message, exception text and stack."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        if record.exc_text:
            # cached on the record for the next handler: masked there too
            record.exc_text = mask_text(record.exc_text)
        return mask_text(text)


class MaskPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_text(message)
        if masked != message:
            record.msg = masked
            record.args = None
        return True
