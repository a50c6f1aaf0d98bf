"""Tracking codes: Jalali-year based, sequential per year, with a Damm check digit."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pishkhan.cases.tracking import (
    _DAMM,
    allocate_tracking_code,
    damm_interim,
    is_valid_tracking_code,
    make_tracking_code,
)
from pishkhan.core.digits import to_persian_digits


def test_a_code_is_year_sequence_and_check_digit() -> None:
    code = make_tracking_code(1404, 123)
    assert code[:8] == "04000123"
    assert len(code) == 9
    assert is_valid_tracking_code(code)


def test_persian_digits_and_spaces_are_accepted() -> None:
    code = make_tracking_code(1403, 86820)
    assert is_valid_tracking_code(" " + to_persian_digits(code[:4]) + "-" + code[4:])


@pytest.mark.parametrize("raw", ["", "abc", "0400012", "04000123x", "040001235"])
def test_malformed_codes_are_invalid(raw: str) -> None:
    valid = make_tracking_code(1404, 123)
    assert raw != valid
    assert not is_valid_tracking_code(raw)


def test_the_table_is_a_weakly_totally_antisymmetric_quasigroup() -> None:
    digits = range(10)
    for row in _DAMM:
        assert sorted(row) == list(digits)
    for column in digits:
        assert sorted(row[column] for row in _DAMM) == list(digits)
    assert all(_DAMM[i][i] == 0 for i in digits)
    for c in digits:
        for x in digits:
            for y in digits:
                if x != y:
                    assert _DAMM[_DAMM[c][x]][y] != _DAMM[_DAMM[c][y]][x]


codes = st.builds(make_tracking_code, st.integers(1395, 1499), st.integers(1, 999_999))


@given(codes, st.integers(0, 8), st.integers(1, 9))
def test_every_single_digit_error_is_detected(code: str, position: int, shift: int) -> None:
    wrong = code[:position] + str((int(code[position]) + shift) % 10) + code[position + 1 :]
    assert is_valid_tracking_code(code)
    assert not is_valid_tracking_code(wrong)


@given(codes, st.integers(0, 7))
def test_every_adjacent_swap_is_detected(code: str, position: int) -> None:
    swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
    if swapped != code:
        assert not is_valid_tracking_code(swapped)


def test_the_check_digit_makes_the_interim_zero() -> None:
    assert damm_interim("572") == 4  # Damm's published example: 572 → check digit 4
    assert damm_interim("5724") == 0


@pytest.mark.django_db
def test_sequences_count_per_year_from_one() -> None:
    first, second = allocate_tracking_code(1404), allocate_tracking_code(1404)
    other_year = allocate_tracking_code(1405)
    assert (first[2:8], second[2:8], other_year[:8]) == ("000001", "000002", "05000001")
