"""The Iranian national ID (کد ملی): ten digits, the last one a mod-11 check digit."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from pishkhan.core.digits import to_ascii_digits


def national_id_check_digit(body: str) -> int:
    """The check digit of nine body digits: weights 10…2, r = sum mod 11."""
    r = sum(int(d) * w for d, w in zip(body, range(10, 1, -1), strict=True)) % 11
    return r if r < 2 else 11 - r


def normalize_national_id(raw: str) -> str:
    """Strip spaces and dashes and turn Persian/Arabic digits to ASCII; no validation."""
    return to_ascii_digits(raw).replace("-", "").replace(" ", "").strip()


def national_id_error(raw: str) -> str | None:
    """The Persian reason `raw` is not a valid national ID, or None when it is valid."""
    value = normalize_national_id(raw)
    if not value.isascii() or not value.isdigit():
        return "کد ملی باید فقط از رقم تشکیل شده باشد."
    if len(value) != 10:
        return "کد ملی باید دقیقاً ۱۰ رقم باشد."
    if len(set(value)) == 1:
        return "کد ملی با ده رقم یکسان معتبر نیست."
    if value[3:9] == "000000":
        return "کد ملی معتبر نیست."
    if int(value[9]) != national_id_check_digit(value[:9]):
        return "رقم کنترل کد ملی درست نیست."
    return None


def is_valid_national_id(raw: str) -> bool:
    return national_id_error(raw) is None


def validate_national_id(raw: str) -> None:
    """A model/form validator: raises ValidationError with a Persian message."""
    error = national_id_error(raw)
    if error:
        raise ValidationError(error, code="invalid_national_id")


def mask_national_id(value: str) -> str:
    """Show only the last four digits: ******9645."""
    value = normalize_national_id(value)
    return "*" * max(len(value) - 4, 0) + value[-4:]
