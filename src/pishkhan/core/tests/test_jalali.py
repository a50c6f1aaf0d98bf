"""Jalali dates: stored Gregorian/UTC, shown in Tehran time as Jalali with Persian digits."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template

from pishkhan.core.jalali import (
    format_jalali_date,
    format_jalali_datetime,
    from_jalali,
    jalali_year_bounds,
    parse_jalali_date,
    to_jalali,
)

KNOWN_DAYS = [
    ((1397, 1, 1), dt.date(2018, 3, 21)),
    ((1402, 8, 15), dt.date(2023, 11, 6)),
]


@pytest.mark.parametrize(("jalali", "gregorian"), KNOWN_DAYS)
def test_it_turns_a_jalali_date_into_gregorian(
    jalali: tuple[int, int, int], gregorian: dt.date
) -> None:
    assert from_jalali(*jalali) == gregorian


@pytest.mark.parametrize(("jalali", "gregorian"), KNOWN_DAYS)
def test_it_turns_a_gregorian_date_into_jalali(
    jalali: tuple[int, int, int], gregorian: dt.date
) -> None:
    day = to_jalali(gregorian)
    assert (day.year, day.month, day.day) == jalali


@pytest.mark.parametrize(
    ("style", "expected"),
    [
        ("short", "۱۴۰۲/۰۸/۱۵"),
        ("long", "۱۵ آبان ۱۴۰۲"),
        ("full", "دوشنبه ۱۵ آبان ۱۴۰۲"),
    ],
)
def test_it_formats_in_persian_digits_and_month_names(style: str, expected: str) -> None:
    assert format_jalali_date(dt.date(2023, 11, 6), style) == expected


def test_it_shows_nothing_for_no_date() -> None:
    assert format_jalali_date(None) == ""
    assert format_jalali_datetime(None) == ""


def test_it_refuses_an_unknown_style() -> None:
    with pytest.raises(ValueError, match="unknown style"):
        format_jalali_date(dt.date(2023, 11, 6), "medium")


def test_a_late_evening_in_utc_is_already_the_next_day_in_tehran() -> None:
    # given 21:00 UTC on 6 November 2023, which is 00:30 on 7 November in Tehran
    moment = dt.datetime(2023, 11, 6, 21, 0, tzinfo=dt.UTC)
    # then the Jalali day is 16 Aban, not 15
    assert format_jalali_date(moment) == "۱۴۰۲/۰۸/۱۶"
    assert format_jalali_datetime(moment) == "۱۴۰۲/۰۸/۱۶ ۰۰:۳۰"


def test_it_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValueError, match="naive"):
        format_jalali_date(dt.datetime(2023, 11, 6, 21, 0))  # noqa: DTZ001


@pytest.mark.parametrize("raw", ["۱۴۰۲/۰۸/۱۵", "1402-8-15", "١٤٠٢.٠٨.١٥", " 1402 / 08 / 15 "])
def test_it_parses_jalali_input_in_any_digits(raw: str) -> None:
    assert parse_jalali_date(raw) == dt.date(2023, 11, 6)


def test_it_refuses_a_thirteenth_month_in_persian() -> None:
    with pytest.raises(ValidationError) as raised:
        parse_jalali_date("1402/13/01")
    assert raised.value.messages == ["این تاریخ شمسی وجود ندارد."]


def test_it_refuses_a_gregorian_date_typed_by_mistake() -> None:
    with pytest.raises(ValidationError) as raised:
        parse_jalali_date("2024-03-19")
    assert raised.value.messages == [
        "سال ۲۰۲۴ شمسی نیست؛ تاریخ را شمسی وارد کنید (مثلاً ۱۴۰۲/۰۸/۱۵)."
    ]


def test_it_refuses_text_that_is_not_a_date_in_persian() -> None:
    with pytest.raises(ValidationError) as raised:
        parse_jalali_date("فردا")
    assert "سال/ماه/روز" in raised.value.messages[0]


def test_it_gives_the_bounds_of_a_jalali_year() -> None:
    # 1402 is not a leap year: it ends on 29 Esfand = 19 March 2024
    assert jalali_year_bounds(1402) == (dt.date(2023, 3, 21), dt.date(2024, 3, 19))


def test_the_template_filters_render_through_a_real_template() -> None:
    # given a template using the builtin filters without {% load %}
    template = Template(
        "{{ day|jdate:'long' }}|{{ moment|jdatetime }}|{{ count|fa }}|{{ amount|rials }}"
    )
    context = Context(
        {
            "day": dt.date(2023, 11, 6),
            "moment": dt.datetime(2023, 11, 6, 10, 0, tzinfo=dt.UTC),
            "count": 1234567,
            "amount": 8_800_000,
        }
    )
    # when it renders
    rendered = template.render(context)
    # then every date is Jalali and every number Persian
    assert rendered == "۱۵ آبان ۱۴۰۲|۱۴۰۲/۰۸/۱۵ ۱۳:۳۰|۱٬۲۳۴٬۵۶۷|۸٬۸۰۰٬۰۰۰ ریال"


def test_the_template_filters_show_nothing_for_empty_values() -> None:
    template = Template(
        "[{{ none|jdate }}][{{ none|jdatetime }}][{{ empty|fa }}][{{ none|rials }}]"
    )
    assert template.render(Context({"none": None, "empty": ""})) == "[][][][]"
