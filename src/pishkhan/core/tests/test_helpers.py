"""Digits, money, phone numbers, postal codes and masking personal data in logs."""

from __future__ import annotations

import logging

import pytest
from django.core.exceptions import ValidationError

from pishkhan.core.digits import normalize_persian_text, to_ascii_digits, to_persian_digits
from pishkhan.core.logging import MaskPersonalData
from pishkhan.core.money import format_rials, format_tomans, group_digits
from pishkhan.core.phone import mask_mobile, normalize_mobile, validate_mobile, validate_phone
from pishkhan.core.postal import normalize_postal_code, validate_postal_code


def test_it_shows_every_digit_in_persian() -> None:
    assert to_persian_digits("Case 2024-07") == "Case ۲۰۲۴-۰۷"
    assert to_persian_digits(34) == "۳۴"
    assert to_persian_digits("٣٤") == "۳۴"  # Arabic-Indic digits too


def test_it_reads_persian_and_arabic_digits_as_ascii() -> None:
    assert to_ascii_digits("۱۲۳٤٥٦") == "123456"


def test_it_normalizes_arabic_letters_and_spaces() -> None:
    assert normalize_persian_text("  علي   كريمي ") == "علی کریمی"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, "۰"), (999, "۹۹۹"), (1000, "۱٬۰۰۰"), (1234567, "۱٬۲۳۴٬۵۶۷"), (-5000, "−۵٬۰۰۰")],
)
def test_it_groups_digits_in_thousands(value: int, expected: str) -> None:
    assert group_digits(value) == expected


def test_it_formats_rials_and_tomans() -> None:
    assert format_rials(8_800_000) == "۸٬۸۰۰٬۰۰۰ ریال"
    assert format_rials(None) == ""
    assert format_tomans(8_800_000) == "۸۸۰٬۰۰۰ تومان"
    # a remainder below one toman is not lost: it stays in rials
    assert format_tomans(8_800_005) == "۸٬۸۰۰٬۰۰۵ ریال"


@pytest.mark.parametrize(
    "raw",
    [
        "09121234567",
        "+989121234567",
        "00989121234567",
        "989121234567",
        "۰۹۱۲ ۱۲۳ ۴۵۶۷",
        "0912-123-4567",
    ],
)
def test_it_normalizes_a_mobile_number(raw: str) -> None:
    assert normalize_mobile(raw) == "09121234567"
    validate_mobile(raw)


@pytest.mark.parametrize("raw", ["9121234567", "0912123456", "03132220000", "+98912123456"])
def test_it_refuses_what_is_not_a_mobile_in_persian(raw: str) -> None:
    with pytest.raises(ValidationError) as raised:
        validate_mobile(raw)
    assert raised.value.messages == ["شماره همراه باید ۱۱ رقم باشد و با ۰۹ شروع شود."]


def test_a_landline_with_its_area_code_is_a_phone() -> None:
    validate_phone("۰۳۱۳۲۲۲۰۰۰۰")
    with pytest.raises(ValidationError):
        validate_phone("32220000")


def test_it_masks_a_mobile() -> None:
    assert mask_mobile("+989121234567") == "0912*****67"


def test_it_validates_postal_codes() -> None:
    assert normalize_postal_code("۸۱۳۴۸-۷۳۴۵۱") == "8134873451"
    validate_postal_code("8134873451")
    for bad in ("0134873451", "2134873451", "1111111111", "813487345"):
        with pytest.raises(ValidationError):
            validate_postal_code(bad)


@pytest.fixture
def masked_records(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """caplog whose handler masks personal data the way the console handler does."""
    caplog.handler.addFilter(MaskPersonalData())
    caplog.set_level(logging.INFO, logger="pishkhan.test")
    return caplog


def test_the_log_filter_masks_a_national_id_and_a_mobile(
    masked_records: pytest.LogCaptureFixture,
) -> None:
    # when a log line carries a valid national ID and a mobile as arguments
    logging.getLogger("pishkhan.test").info(
        "citizen %s registered with mobile %s", "0076229645", "+989121234567"
    )
    # then neither reaches the handler whole
    message = masked_records.records[-1].getMessage()
    assert message == "citizen ******9645 registered with mobile +989*****67"
    assert "0076229645" not in masked_records.text
    assert "9121234567" not in masked_records.text


def test_the_log_filter_leaves_a_number_that_is_not_a_national_id_alone(
    masked_records: pytest.LogCaptureFixture,
) -> None:
    logging.getLogger("pishkhan.test").info("invoice 0076229646 printed")
    assert masked_records.records[-1].getMessage() == "invoice 0076229646 printed"
