"""The counter's receipt (/cases/<pk>/receipt/): tracking code, service, fee from the
tariff in force, the expected answer date, how to track, the office; the national ID
masked; A5 or an 80 mm roll; scoped like the case page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from pishkhan.cases.models import Case
from pishkhan.core.digits import to_persian_digits
from pishkhan.core.jalali import format_jalali_date
from pishkhan.core.national_id import mask_national_id
from pishkhan.testing.personas import INQUIRY_DOCUMENTS, City, application_form_data, client_for


@pytest.fixture
def case(city: City) -> Case:
    today = timezone.localdate()
    service = city.services["inquiry_notary"]
    city.builder.tariff(service, today - dt.timedelta(days=400), base_amount=900_000)
    city.builder.tariff(service, today - dt.timedelta(days=30), base_amount=1_250_000)
    return city.open_case()


def receipt(client: Client, case: Case, query: str = "") -> str:
    response = client.get(reverse("cases:receipt", args=[case.pk]) + query)
    assert response.status_code == 200
    return response.content.decode()


def test_the_receipt_says_what_the_applicant_needs(city: City, case: Case) -> None:
    page = receipt(client_for(city.alice), case)
    assert to_persian_digits(case.tracking_code) in page
    assert case.service_type.name in page
    # the tariff in force: 1,250,000 base + 1,000 a m² of the parcel's 250 m²
    assert "۱٬۵۰۰٬۰۰۰ ریال" in page
    assert "۱٬۱۵۰٬۰۰۰" not in page  # not the older tariff
    assert case.overall_due_at is not None
    assert format_jalali_date(case.overall_due_at, "full") in page
    assert city.a.office.name in page
    assert city.a.office.address in page
    assert to_persian_digits(city.a.office.phone) in page  # no public tracking page yet
    assert "۱۴۰۲/۰۱/۰۲" in page
    assert "شماره نامه" in page


def test_the_national_id_is_masked_and_the_name_shown(city: City, case: Case) -> None:
    page = receipt(client_for(city.alice), case)
    national_id = city.citizen.national_id
    assert national_id not in page
    assert to_persian_digits(national_id) not in page
    assert to_persian_digits(mask_national_id(national_id)) in page
    assert city.citizen.last_name in page


def test_the_paper_is_chosen_from_a_whitelist(city: City, case: Case) -> None:
    client = client_for(city.alice)
    assert "receipt-a5.css" in receipt(client, case)
    thermal = receipt(client, case, "?paper=80mm")
    assert "receipt-80mm.css" in thermal
    assert "paper-80mm" in thermal
    forged = receipt(client, case, "?paper=../../etc/passwd")
    assert "receipt-a5.css" in forged
    assert "passwd" not in forged


def test_the_receipt_has_no_inline_script_or_style(city: City, case: Case) -> None:
    page = receipt(client_for(city.alice), case)
    assert "style=" not in page
    assert "<script>" not in page
    assert "<style" not in page
    assert "receipt.js" in page


def test_without_a_tariff_it_says_the_office_will_tell(city: City) -> None:
    page = receipt(client_for(city.alice), city.open_case("inquiry_bank"))
    assert "تعرفه‌ای برای این خدمت در تاریخ ثبت نیست" in page


def test_the_applicant_and_the_district_see_it_another_office_does_not(
    city: City, case: Case
) -> None:
    assert receipt(client_for(city.zahra), case)
    assert receipt(client_for(city.dave), case)
    url = reverse("cases:receipt", args=[case.pk])
    for outsider in (city.charlie, city.erin, city.yusuf):
        assert client_for(outsider).get(url).status_code == 404
    assert Client().get(url).status_code == 302  # to the sign-in page


def test_registering_links_to_the_receipt(city: City) -> None:
    response = client_for(city.alice).post(
        "/cases/new/",
        {
            "service": "inquiry_notary",
            "office": city.a.office.pk,
            "national_id": city.citizen.national_id,
            "renewal_code": city.a.parcel.renewal_code,
            "documents": INQUIRY_DOCUMENTS,
            **application_form_data("inquiry_notary"),
        },
        follow=True,
    )
    case = Case.objects.get()
    assert reverse("cases:receipt", args=[case.pk]) in response.content.decode()


def test_register_and_print_lands_on_the_receipt(city: City) -> None:
    response = client_for(city.alice).post(
        "/cases/new/",
        {
            "service": "inquiry_notary",
            "office": city.a.office.pk,
            "national_id": city.citizen.national_id,
            "renewal_code": city.a.parcel.renewal_code,
            "documents": INQUIRY_DOCUMENTS,
            "then": "receipt",
            **application_form_data("inquiry_notary"),
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:receipt", args=[case.pk])
    page = client_for(city.alice).get(response["Location"]).content.decode()
    assert to_persian_digits(case.tracking_code) in page
