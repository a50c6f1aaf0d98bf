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


# Zero-width and direction marks a keyboard or a copied text may carry, the tatweel and
# the short vowels: none of them changes which word is meant.
_INVISIBLE = str.maketrans(
    dict.fromkeys(
        ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u2060", "\ufeff", "\u0640"]
        + [chr(c) for c in range(0x064B, 0x0653)],
        None,
    )
)


def search_key(text: str) -> str:
    """Text as a search compares it: Persian letters for Arabic ones, ASCII digits, no
    zero-width non-joiners or marks (پایان‌کار = پایانکار), lower case, single spaces."""
    return normalize_persian_text(to_ascii_digits(text).translate(_INVISIBLE).lower())


def matches_words(query: str, text: str) -> bool:
    """Whether every word of `query` appears in `text`, as part of a word or across a
    space the query left out (پایانکار finds «پایان کار»)."""
    haystack = search_key(text)
    compact = haystack.replace(" ", "")
    return all(word in haystack or word in compact for word in search_key(query).split())
