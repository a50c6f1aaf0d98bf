"""Iranian plates and VINs, as a counter types them and as an attacker posts them."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from pishkhan.billing.vehicle_ids import Plate, normalize_vin, parse_plate, vin_check_character


@pytest.mark.parametrize(
    ("typed", "plate"),
    [
        ("12 ب 345 ایران 67", Plate(12, "ب", 345, 67)),
        ("۱۲ب۳۴۵-۶۷", Plate(12, "ب", 345, 67)),
        ("٢٢ ي ٤٤٤ ٣٣", Plate(22, "ی", 444, 33)),
        ("55 الف 123 ایران 13", Plate(55, "الف", 123, 13)),
    ],
)
def test_it_reads_a_plate_however_it_is_typed(typed: str, plate: Plate) -> None:
    assert parse_plate(typed) == plate


def test_a_plate_prints_in_persian_digits() -> None:
    assert str(Plate(12, "ب", 345, 67)) == "۱۲ ب ۳۴۵ ایران ۶۷"


@pytest.mark.parametrize(
    "typed",
    ["", "12 X 345 67", "1 ب 345 67", "12 ب 34 67", "12 ب 345 6", "05 ب 345 67",
     "12 ب 045 67", "12 ب 345 67\x00", "1" * 100, "12 ب 345 ایران 677"],
)  # fmt: skip
def test_it_refuses_a_plate_not_in_the_iranian_format(typed: str) -> None:
    with pytest.raises(ValidationError) as error:
        parse_plate(typed)
    assert "پلاک" in error.value.messages[0]


def test_the_vin_check_digit_of_the_standard_example() -> None:
    assert vin_check_character("1M8GDM9AXKP042788") == "X"
    assert normalize_vin(" 1m8gdm9axkp042788 ") == "1M8GDM9AXKP042788"


def test_a_north_american_vin_with_a_wrong_check_digit_is_refused() -> None:
    with pytest.raises(ValidationError, match="رقم کنترل"):
        normalize_vin("1M8GDM9A1KP042788")


def test_an_iranian_vin_has_no_check_digit_to_verify() -> None:
    assert normalize_vin("NAAN01CA9CE123456") == "NAAN01CA9CE123456"


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("NAAN01CA9CE12345", "۱۷"),
        ("NAAN01CA9CE1234567", "۱۷"),
        ("NAAN01CO9CE123456", "I، O"),
        ("NAAN01CA9CE12345\x00", "معتبر"),
        ("ناان۰۱", "۱۷"),
    ],
)
def test_it_refuses_a_bad_vin_in_persian(typed: str, says: str) -> None:
    with pytest.raises(ValidationError) as error:
        normalize_vin(typed)
    assert says in error.value.messages[0]
