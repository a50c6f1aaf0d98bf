"""Registering an inquiry with its letter (the declared fields of the definition), the
guard against a second open case of a service on one parcel, and parcel identifiers that
disagree. The page and the action give the same answers."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from pishkhan.accounts.models import Citizen
from pishkhan.cases.actions import do_register_case
from pishkhan.cases.errors import DuplicateOpenCase, InvalidFieldValues, InvalidInput
from pishkhan.cases.models import Case, CaseEvent, WorkflowDefinition
from pishkhan.cases.workflow import definition_to_dict, publish_definition_edit
from pishkhan.core.digits import to_persian_digits
from pishkhan.testing.personas import (
    INQUIRY_DOCUMENTS,
    City,
    application_data,
    application_form_data,
    client_for,
)

URL = "/cases/new/"


@pytest.fixture
def alice(city: City) -> Client:
    return client_for(city.alice)


def posted(city: City, service: str = "inquiry_notary", **overrides: Any) -> dict[str, Any]:
    return {
        "service": service,
        "office": city.a.office.pk,
        "national_id": city.citizen.national_id,
        "renewal_code": city.a.parcel.renewal_code,
        "documents": INQUIRY_DOCUMENTS,
        **application_form_data(service),
        **overrides,
    }


def register(city: City, **overrides: Any) -> Case:
    fields: dict[str, Any] = {
        "service_type": city.services["inquiry_notary"],
        "office": city.a.office,
        "applicant": city.citizen,
        "parcel": city.a.parcel,
        "documents_checked": INQUIRY_DOCUMENTS,
        "data": application_data("inquiry_notary"),
        **overrides,
    }
    return do_register_case(city.alice, **fields)


def written() -> tuple[int, int, int]:
    return Case.objects.count(), CaseEvent.objects.count(), Citizen.objects.count()


# --- the letter -------------------------------------------------------------------------


def test_the_notary_form_asks_for_the_letter(city: City, alice: Client) -> None:
    page = alice.get(f"{URL}?service=inquiry_notary").content.decode()
    assert "مشخصات درخواست" in page
    for label in ("شماره دفترخانه", "شماره نامه", "تاریخ نامه"):
        assert label in page
    assert 'name="field_letter_date"' in page


def test_the_bank_form_offers_the_banks(city: City, alice: Client) -> None:
    page = alice.get(f"{URL}?service=inquiry_bank").content.decode()
    assert "بانک ملی ایران" in page
    assert "بانک ملت" in page
    assert "شعبه / کد شعبه" in page


def test_the_letter_is_stored_normalised_and_shown_in_persian(city: City, alice: Client) -> None:
    response = alice.post(
        URL,
        posted(
            city,
            field_notary_office_number="۱۱۲",
            field_letter_number="۱۴۰۵/۳۲۱/ك",
            field_letter_date="۱۴۰۲/۰۱/۰۲",
        ),
    )
    assert response.status_code == 302, response.content.decode()
    case = Case.objects.get()
    assert case.data == {
        "notary_office_number": 112,
        "letter_number": "1405/321/ک",
        "letter_date": "2023-03-22",
    }
    assert case.events.get().payload["data"] == case.data
    page = client_for(city.alice).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "مشخصات درخواست" in page
    assert "۱۴۰۵/۳۲۱/ک" in page
    assert "۱۴۰۲/۰۱/۰۲" in page
    assert "۱۱۲" in page


def test_the_bank_letter_shows_the_banks_name(city: City, alice: Client) -> None:
    response = alice.post(URL, posted(city, "inquiry_bank", field_bank="mellat"))
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.data["bank"] == "mellat"
    page = alice.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "بانک ملت" in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("field_letter_number", "", "«شماره نامه» را وارد کنید."),
        ("field_letter_number", "۱" * 41, "حداکثر ۴۰ نویسه"),
        ("field_letter_number", "12\x0034", "نویسه نامعتبر"),
        ("field_letter_number", "x" * 1_000_000, "بیش از اندازه بلند"),
        ("field_notary_office_number", "یک", "عدد صحیح معتبر"),
        ("field_notary_office_number", "0", "کمتر از ۱"),
        ("field_letter_date", "۱۴۹۹/۰۱/۰۱", "آینده"),
        ("field_letter_date", "2023-03-22x", "شمسی"),
    ],
)
def test_a_bad_letter_is_refused_on_the_page(
    city: City, alice: Client, field: str, value: str, message: str
) -> None:
    before = written()
    response = alice.post(URL, posted(city, **{field: value}))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert written() == before


def test_the_bank_must_be_one_of_the_list(city: City, alice: Client) -> None:
    response = alice.post(URL, posted(city, "inquiry_bank", field_bank="bank_of_nowhere"))
    assert response.status_code == 400
    assert "«نام بانک» را از فهرست انتخاب کنید." in response.content.decode()


def test_a_forged_field_on_the_page_is_not_stored(city: City, alice: Client) -> None:
    response = alice.post(URL, posted(city, field_forged="x", data="{}"))
    assert response.status_code == 302
    assert "forged" not in Case.objects.get().data


def test_the_action_refuses_what_the_page_refuses(city: City) -> None:
    cases = [
        ({}, "notary_office_number"),
        (
            {**application_data("inquiry_notary"), "notary_office_number": "abc"},
            "notary_office_number",
        ),
        ({**application_data("inquiry_notary"), "letter_date": "1499/01/01"}, "letter_date"),
        ({**application_data("inquiry_notary"), "forged": "x"}, "__all__"),
    ]
    for data, code in cases:
        with pytest.raises(InvalidFieldValues) as refused:
            register(city, data=data)
        assert code in refused.value.errors
        assert refused.value.code == "invalid_field_values"
    with pytest.raises(InvalidFieldValues):
        register(city, data="letter_number=1")
    assert Case.objects.count() == 0


def test_a_case_keeps_the_fields_of_its_own_version(city: City, alice: Client) -> None:
    old = register(city)
    definition = WorkflowDefinition.objects.get(service_type__code="inquiry_notary")
    fields = definition_to_dict(definition)["fields"]
    fields[1]["label"] = "شماره نامه دفترخانه"
    publish_definition_edit(definition, {"fields": fields[1:]})
    old_page = alice.get(reverse("cases:detail", args=[old.pk])).content.decode()
    assert "شماره دفترخانه" in old_page
    assert "شماره نامه دفترخانه" not in old_page
    form = alice.get(f"{URL}?service=inquiry_notary").content.decode()
    assert "شماره نامه دفترخانه" in form
    assert 'name="field_notary_office_number"' not in form


# --- a second open case on one parcel ---------------------------------------------------


def test_a_second_open_case_of_the_service_is_refused_naming_the_first(city: City) -> None:
    first = register(city)
    before = written()
    with pytest.raises(DuplicateOpenCase) as refused:
        register(city)
    assert refused.value.code == "duplicate_open_case"
    assert to_persian_digits(first.tracking_code) in refused.value.message
    assert written() == before


def test_with_a_reason_it_is_registered_and_the_reason_kept(city: City, alice: Client) -> None:
    first = register(city)
    second = register(city, duplicate_reason="  مالک دوم همین ملک   درخواست جدا دارد ")
    payload = second.events.get().payload
    assert payload["duplicate_reason"] == "مالک دوم همین ملک درخواست جدا دارد"
    assert payload["duplicate_of"] == first.tracking_code
    page = alice.get(reverse("cases:detail", args=[second.pk])).content.decode()
    assert "مالک دوم همین ملک درخواست جدا دارد" in page
    assert to_persian_digits(first.tracking_code) in page


def test_no_reason_is_recorded_when_there_is_nothing_to_justify(city: City) -> None:
    case = register(city, duplicate_reason="بی‌دلیل")
    assert "duplicate_reason" not in case.events.get().payload


def test_another_service_or_a_closed_case_is_no_duplicate(city: City) -> None:
    register(city)
    register(
        city,
        service_type=city.services["inquiry_bank"],
        data=application_data("inquiry_bank"),
    )
    cancelled = city.open_case("inquiry_bank", parcel=city.builder.parcel(city.a.district))
    city.walk_to(cancelled, "cancelled")
    register(
        city,
        service_type=city.services["inquiry_bank"],
        data=application_data("inquiry_bank"),
        parcel=cancelled.parcel,
    )


def test_another_offices_open_case_is_not_named(city: City) -> None:
    theirs = city.open_case(side=city.b, parcel=city.a.parcel)
    with pytest.raises(DuplicateOpenCase) as refused:
        register(city)
    assert to_persian_digits(theirs.tracking_code) not in refused.value.message
    assert "دفتر دیگری" in refused.value.message


@pytest.mark.parametrize("reason", ["x" * 501, "دلیل\x00", ["list"]])
def test_a_bad_reason_is_refused(city: City, reason: Any) -> None:
    register(city)
    with pytest.raises(InvalidInput):
        register(city, duplicate_reason=reason)


def test_the_page_warns_and_asks_for_a_reason(city: City, alice: Client) -> None:
    first = register(city)
    refused = alice.post(URL, posted(city))
    assert refused.status_code == 400
    page = refused.content.decode()
    assert to_persian_digits(first.tracking_code) in page
    assert 'name="duplicate_reason"' in page
    assert "<textarea" in page
    accepted = alice.post(URL, posted(city, duplicate_reason="درخواست دوم بانک"))
    assert accepted.status_code == 302
    assert Case.objects.count() == 2


# --- identifiers that disagree ----------------------------------------------------------


def test_the_parcel_is_found_by_its_postal_code(city: City, alice: Client) -> None:
    parcel = city.builder.parcel(city.a.district, postal_code="8174673111")
    response = alice.post(URL, posted(city, renewal_code="", postal_code="۸۱۷۴۶-۷۳۱۱۱"))
    assert response.status_code == 302
    assert Case.objects.get().parcel == parcel


def test_identifiers_of_two_parcels_are_refused(city: City, alice: Client) -> None:
    other = city.builder.parcel(city.a.district, postal_code="8174673112")
    before = written()
    by_plate = alice.post(
        URL,
        posted(
            city,
            registration_section=str(other.registration_section),
            plate_main=str(other.plate_main),
            plate_sub="0",
        ),
    )
    assert by_plate.status_code == 400
    assert "به املاک متفاوتی اشاره می‌کنند" in by_plate.content.decode()
    by_postal = alice.post(URL, posted(city, postal_code=other.postal_code))
    assert by_postal.status_code == 400
    assert "به املاک متفاوتی اشاره می‌کنند" in by_postal.content.decode()
    assert written() == before


def test_identifiers_of_one_parcel_agree(city: City, alice: Client) -> None:
    parcel = city.a.parcel
    response = alice.post(
        URL,
        posted(
            city,
            registration_section=to_persian_digits(parcel.registration_section),
            plate_main=to_persian_digits(parcel.plate_main),
            plate_sub="۰",
        ),
    )
    assert response.status_code == 302


def test_a_plate_needs_its_section_and_a_postal_code_must_be_valid(
    city: City, alice: Client
) -> None:
    no_section = alice.post(URL, posted(city, renewal_code="", plate_main="12"))
    assert "بخش ثبتی پلاک را هم وارد کنید." in no_section.content.decode()
    bad_postal = alice.post(URL, posted(city, postal_code="123"))
    assert "کد پستی باید ۱۰ رقم باشد." in bad_postal.content.decode()
    unknown = alice.post(URL, posted(city, postal_code="8174673999"))
    assert "ملکی با این کد پستی پیدا نشد." in unknown.content.decode()
    assert Case.objects.count() == 0
