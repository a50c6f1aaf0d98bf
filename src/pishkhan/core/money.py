"""Money is an integer number of rials; tomans are only a way of showing it."""

from __future__ import annotations

from pishkhan.core.digits import to_persian_digits


def group_digits(value: int) -> str:
    """1234567 -> '۱٬۲۳۴٬۵۶۷' (Persian digits, Arabic thousands separator)."""
    sign = "−" if value < 0 else ""
    return sign + to_persian_digits(f"{abs(value):,}".replace(",", "\u066c"))


def format_rials(value: int | None) -> str:
    if value is None:
        return ""
    return f"{group_digits(int(value))} ریال"


def format_tomans(value: int | None) -> str:
    """Rials shown in tomans (÷10); a remainder is kept so nothing is silently lost."""
    if value is None:
        return ""
    tomans, rest = divmod(int(value), 10)
    if rest:
        return format_rials(value)
    return f"{group_digits(tomans)} تومان"
