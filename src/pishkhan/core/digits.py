"""Digits: Persian (۰–۹) and Arabic-Indic (٠–٩) in, ASCII inside, Persian out."""

from __future__ import annotations

_PERSIAN = "۰۱۲۳۴۵۶۷۸۹"
_ARABIC = "٠١٢٣٤٥٦٧٨٩"
_ASCII = "0123456789"

_TO_ASCII = str.maketrans(_PERSIAN + _ARABIC, _ASCII * 2)
_TO_PERSIAN = str.maketrans(_ASCII + _ARABIC, _PERSIAN * 2)
# Arabic letters that look like Persian ones but are different code points.
_ARABIC_LETTERS = str.maketrans({"ي": "ی", "ك": "ک", "ى": "ی"})


def to_ascii_digits(text: str) -> str:
    """Turn every Persian or Arabic-Indic digit into its ASCII twin."""
    return text.translate(_TO_ASCII)


def to_persian_digits(value: object) -> str:
    """Show every digit of `value` as a Persian digit."""
    return str(value).translate(_TO_PERSIAN)


def normalize_persian_text(text: str) -> str:
    """Arabic ي/ك to Persian ی/ک and trimmed spaces, so searches and uniqueness agree."""
    return " ".join(text.translate(_ARABIC_LETTERS).split())
