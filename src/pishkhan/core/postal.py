"""Iranian postal codes: ten digits, stored without the dash."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from pishkhan.core.digits import to_ascii_digits


def normalize_postal_code(raw: str) -> str:
    return to_ascii_digits(raw).replace("-", "").replace(" ", "").strip()


def validate_postal_code(raw: str) -> None:
    value = normalize_postal_code(raw)
    if len(value) != 10 or not value.isdigit():
        raise ValidationError("کد پستی باید ۱۰ رقم باشد.", code="invalid_postal_code")
    if value[0] in "02" or len(set(value)) == 1:
        raise ValidationError("کد پستی معتبر نیست.", code="invalid_postal_code")
