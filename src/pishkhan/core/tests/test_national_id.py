"""The national ID (کد ملی): ten digits whose last one is a mod-11 check digit."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from pishkhan.core.national_id import (
    is_valid_national_id,
    mask_national_id,
    national_id_check_digit,
    national_id_error,
    validate_national_id,
)


@pytest.mark.parametrize("value", ["0076229645", "1583250689", "0018465986", "0499370899"])
def test_it_accepts_published_valid_ids(value: str) -> None:
    assert is_valid_national_id(value)
    validate_national_id(value)


def test_it_refuses_a_wrong_check_digit_with_a_persian_message() -> None:
    with pytest.raises(ValidationError) as raised:
        validate_national_id("0076229646")
    assert raised.value.messages == ["رقم کنترل کد ملی درست نیست."]
    assert raised.value.code == "invalid_national_id"


@pytest.mark.parametrize("value", ["1111111111", "0000000000", "9999999999"])
def test_it_refuses_ten_equal_digits(value: str) -> None:
    assert national_id_error(value) == "کد ملی با ده رقم یکسان معتبر نیست."


@pytest.mark.parametrize("value", ["007622964", "00762296451"])
def test_it_refuses_a_wrong_length(value: str) -> None:
    assert national_id_error(value) == "کد ملی باید دقیقاً ۱۰ رقم باشد."


def test_it_refuses_letters() -> None:
    assert national_id_error("00762a9645") == "کد ملی باید فقط از رقم تشکیل شده باشد."


@pytest.mark.parametrize(
    "value",
    [
        "۰۰۷۶۲۲۹۶۴۵",  # Persian digits
        "٠٠٧٦٢٢٩٦٤٥",  # Arabic-Indic digits
        "007-622964-5",  # typed with dashes
        " 0076229645 ",
    ],
)
def test_it_accepts_persian_and_arabic_digits_and_separators(value: str) -> None:
    assert is_valid_national_id(value)


def _is_repdigit(text: str) -> bool:
    return len(set(text)) == 1


bodies = st.text(alphabet="0123456789", min_size=9, max_size=9).filter(
    lambda body: not _is_repdigit(body) and body[3:9] != "000000"
)


@given(body=bodies, other=st.integers(min_value=0, max_value=9))
def test_exactly_one_check_digit_makes_a_body_valid(body: str, other: int) -> None:
    # given any nine-digit body that is not excluded by the repdigit and zero rules
    check = national_id_check_digit(body)
    # then the body with its computed check digit is valid …
    assert is_valid_national_id(f"{body}{check}")
    # … and with any other digit it is not
    if other != check:
        assert not is_valid_national_id(f"{body}{other}")


def test_it_masks_all_but_the_last_four_digits() -> None:
    assert mask_national_id("0076229645") == "******9645"
    assert mask_national_id("۰۰۷۶۲۲۹۶۴۵") == "******9645"
    assert mask_national_id("12") == "12"
