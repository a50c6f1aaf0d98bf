"""Registering an applicant: one spelling for digits and letters, Persian errors."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from pishkhan.accounts.actions import do_register_citizen
from pishkhan.accounts.models import Citizen

pytestmark = pytest.mark.django_db


def test_it_stores_ascii_digits_and_persian_letters() -> None:
    # when a clerk types Persian digits, Arabic ي/ك and a +98 mobile
    citizen = do_register_citizen("۰۰۷۶۲۲۹۶۴۵", " علي ", "كرماني  زاده", "+98 ۹۱۲ ۱۲۳ ۴۵۶۷")
    # then one spelling is stored
    stored = Citizen.objects.get(pk=citizen.pk)
    assert (stored.national_id, stored.mobile) == ("0076229645", "09121234567")
    assert (stored.first_name, stored.last_name) == ("علی", "کرمانی زاده")


def test_it_accepts_arabic_indic_digits() -> None:
    citizen = do_register_citizen("٠٠٧٦٢٢٩٦٤٥", "زهرا", "احمدی", "٠٩١٢١٢٣٤٥٦٧")
    assert citizen.national_id == "0076229645"


def test_it_refuses_a_wrong_check_digit_in_persian() -> None:
    with pytest.raises(ValidationError) as raised:
        do_register_citizen("0076229646", "زهرا", "احمدی", "09121234567")
    assert raised.value.message_dict == {"national_id": ["رقم کنترل کد ملی درست نیست."]}
    assert not Citizen.objects.exists()


def test_it_refuses_a_bad_mobile_and_empty_names_in_persian() -> None:
    with pytest.raises(ValidationError) as raised:
        do_register_citizen("0076229645", "  ", "", "9121234567")
    errors = raised.value.message_dict
    assert errors["mobile"] == ["شماره همراه باید ۱۱ رقم باشد و با ۰۹ شروع شود."]
    assert set(errors) == {"mobile", "first_name", "last_name"}
    assert "خالی" in errors["first_name"][0]


def test_it_refuses_the_same_national_id_twice_in_persian() -> None:
    do_register_citizen("0076229645", "زهرا", "احمدی", "09121234567")
    with pytest.raises(ValidationError) as raised:
        do_register_citizen("۰۰۷۶۲۲۹۶۴۵", "زهره", "احمدی", "09121234568")
    [message] = raised.value.message_dict["national_id"]
    assert "کد ملی" in message
    assert Citizen.objects.count() == 1
