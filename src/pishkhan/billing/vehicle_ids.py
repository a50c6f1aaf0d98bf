"""An Iranian licence plate and a vehicle identification number (VIN), checked.

- Plate (پلاک): two digits, a Persian letter, three digits and the two-digit Iran code
  (the province's code, printed after «ایران»), e.g. ۱۲ ب ۳۴۵ ایران ۶۷. The letters are
  those the police issue on civilian, public and government plates. Digits are typed in
  Persian, Arabic-Indic or ASCII and stored in ASCII.
- VIN (ISO 3779): 17 characters of A–Z and 0–9 without I, O and Q. The ninth character
  is a check digit (weights 8 7 6 5 4 3 2 10 0 9 8 7 6 5 4 3 2, sum mod 11, 10 is X)
  where the standard of the maker's region requires one: North America (a first
  character 1–5). Other makers (Iran Khodro's NAA…, Saipa's NAS…) may use the ninth
  character freely, so it is not checked for them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from pishkhan.core.digits import to_ascii_digits, to_persian_digits

PLATE_LETTERS = (
    "الف", "ب", "پ", "ت", "ث", "ج", "د", "ز", "ژ", "س", "ش", "ص", "ط", "ع", "ف", "ق",
    "ک", "گ", "ل", "م", "ن", "و", "ه", "ی",
)  # fmt: skip
_ARABIC_TWINS = str.maketrans({"ي": "ی", "ك": "ک", "ى": "ی"})
_PLATE = re.compile(r"^(\d{2})\s*([^\d\s]{1,3})\s*(\d{3})\s*(?:-|ایران)?\s*(\d{2})$")

VIN_LENGTH = 17
_VIN = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")
_VIN_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
CHECKED_REGIONS = "12345"


@dataclass(frozen=True)
class Plate:
    two: int
    letter: str
    three: int
    iran: int

    def __str__(self) -> str:
        return to_persian_digits(
            f"{self.two:02d} {self.letter} {self.three:03d} ایران {self.iran:02d}"
        )


def parse_plate(raw: object) -> Plate:
    """A plate as a counter types it ('۱۲ب۳۴۵-۶۷', '12 ب 345 ایران 67'), or a Persian
    ValidationError."""
    if not isinstance(raw, str) or "\x00" in raw or len(raw) > 40:
        raise ValidationError("پلاک معتبر نیست.", code="invalid_plate")
    text = " ".join(to_ascii_digits(raw).translate(_ARABIC_TWINS).split())
    match = _PLATE.match(text)
    if not match:
        raise ValidationError(
            "پلاک را به شکل دو رقم، حرف، سه رقم و کد ایران بنویسید (مثلاً ۱۲ ب ۳۴۵ ایران ۶۷).",
            code="invalid_plate",
        )
    two, letter, three, iran = match.groups()
    plate = Plate(int(two), letter, int(three), int(iran))
    validate_plate_parts(plate.two, plate.letter, plate.three, plate.iran)
    return plate


def validate_plate_parts(two: int, letter: str, three: int, iran: int) -> None:
    if letter not in PLATE_LETTERS:
        raise ValidationError("حرف پلاک از حروف مجاز پلاک نیست.", code="invalid_plate")
    if not 10 <= two <= 99 or not 100 <= three <= 999 or not 10 <= iran <= 99:
        raise ValidationError(
            "رقم‌های پلاک دو رقمی، سه رقمی و کد ایران دو رقمی و بدون صفر آغازین است.",
            code="invalid_plate",
        )


def vin_check_character(vin: str) -> str:
    total = sum(_VIN_VALUES[ch] * w for ch, w in zip(vin, _VIN_WEIGHTS, strict=True))
    r = total % 11
    return "X" if r == 10 else str(r)


def normalize_vin(raw: object) -> str:
    """The VIN in capitals, checked; a Persian ValidationError otherwise."""
    if not isinstance(raw, str) or "\x00" in raw or len(raw) > 40:
        raise ValidationError("شماره شناسایی خودرو (VIN) معتبر نیست.", code="invalid_vin")
    vin = to_ascii_digits(raw).strip().upper().replace(" ", "").replace("-", "")
    if len(vin) != VIN_LENGTH:
        raise ValidationError("شماره شناسایی خودرو (VIN) ۱۷ نویسه است.", code="invalid_vin")
    if not _VIN.match(vin):
        raise ValidationError(
            "شماره شناسایی خودرو فقط حروف لاتین بزرگ و رقم است و I، O و Q ندارد.",
            code="invalid_vin",
        )
    if vin[0] in CHECKED_REGIONS and vin[8] != vin_check_character(vin):
        raise ValidationError(
            "رقم کنترل (نویسه نهم) شماره شناسایی خودرو درست نیست.", code="invalid_vin"
        )
    return vin


def validate_vin(value: str) -> None:
    normalize_vin(value)
