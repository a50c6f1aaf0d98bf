"""Iranian mobile numbers: 09xxxxxxxxx, also accepted as +98 9… or 98 9…."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

from pishkhan.core.digits import to_ascii_digits

_MOBILE = re.compile(r"^09\d{9}$")
_LANDLINE = re.compile(r"^0\d{10}$")


def normalize_mobile(raw: str) -> str:
    value = re.sub(r"[\s\-()]", "", to_ascii_digits(raw))
    if value.startswith("+98"):
        value = "0" + value[3:]
    elif value.startswith("0098"):
        value = "0" + value[4:]
    elif value.startswith("98") and len(value) == 12:
        value = "0" + value[2:]
    return value


def validate_mobile(raw: str) -> None:
    if not _MOBILE.match(normalize_mobile(raw)):
        raise ValidationError(
            "شماره همراه باید ۱۱ رقم باشد و با ۰۹ شروع شود.", code="invalid_mobile"
        )


def validate_phone(raw: str) -> None:
    """A landline with its area code (031…) or a mobile."""
    value = normalize_mobile(raw)
    if not (_MOBILE.match(value) or _LANDLINE.match(value)):
        raise ValidationError(
            "شماره تلفن باید ۱۱ رقم و همراه با پیش‌شماره باشد (مثلاً ۰۳۱۳۲۲۲۰۰۰۰).",
            code="invalid_phone",
        )


def mask_mobile(value: str) -> str:
    value = normalize_mobile(value)
    return value[:4] + "*" * max(len(value) - 6, 0) + value[-2:]
