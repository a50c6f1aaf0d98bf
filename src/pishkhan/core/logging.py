"""A logging filter that masks personal data before any handler sees it."""

from __future__ import annotations

import logging
import re

from pishkhan.core.national_id import is_valid_national_id

_DIGIT_RUN = re.compile(r"(?<!\d)\d{10}(?!\d)")
_MOBILE = re.compile(r"(?<!\d)(?:\+98|0098|0)9\d{9}(?!\d)")
_CARD = re.compile(r"(?<!\d)(\d{6})\d{6}(\d{4})(?!\d)")


def mask_text(text: str) -> str:
    """Mask national IDs (any 10-digit run that passes the check), mobiles and card numbers."""
    text = _MOBILE.sub(lambda m: m.group(0)[:4] + "*****" + m.group(0)[-2:], text)
    text = _CARD.sub(lambda m: f"{m.group(1)}******{m.group(2)}", text)
    return _DIGIT_RUN.sub(
        lambda m: "******" + m.group(0)[-4:] if is_valid_national_id(m.group(0)) else m.group(0),
        text,
    )


class MaskPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_text(message)
        if masked != message:
            record.msg = masked
            record.args = None
        return True
