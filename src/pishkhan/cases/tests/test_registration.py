"""Registering an in-person case at /cases/new/: the service in the office's contract, the
applicant by national ID (registered here when new), the parcel by renewal code or plate,
the document checklist. Any bad input shows the form again and writes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pishkhan.accounts.models import Citizen, User
from pishkhan.cases.models import Case, CaseEvent
from pishkhan.cases.tracking import is_valid_tracking_code
from pishkhan.core.digits import to_persian_digits
from pishkhan.offices.models import ContractStatus, Office, OfficeContract, OfficeStatus
from pishkhan.offices.roles import Role
from pishkhan.testing.personas import INQUIRY_DOCUMENTS, City, application_form_data

URL = "/cases/new/"
NEW_NATIONAL_ID = "0076229645"
PERSIAN_NEW_ID = "۰۰۷۶۲۲۹۶۴۵"
ARABIC_NEW_ID = "٠٠٧٦٢٢٩٦٤٥"


def contract(office: Office, world: City, *codes: str) -> OfficeContract:
    today = timezone.localdate()
    row = OfficeContract.objects.create(
        office=office,
        number=f"REG-{office.pk}-{OfficeContract.objects.count()}",
        signed_on=today - dt.timedelta(days=40),
        starts_on=today - dt.timedelta(days=30),
        ends_on=today + dt.timedelta(days=300),
        status=ContractStatus.ACTIVE,
    )
    row.services.set([world.services[c] for c in codes or ("inquiry_notary", "inquiry_bank")])
    return row


@pytest.fixture(autouse=True)
def only_the_contracts_a_test_makes(world: City) -> None:
    """The world's offices come with a contract for every service; these tests are about
    contracts, so each makes its own."""
    OfficeContract.objects.all().delete()


@pytest.fixture
def tm(world: City) -> Client:
    contract(world.a.office, world)
    client = Client()
    client.force_login(world.a[Role.TECHNICAL_MANAGER])
    return client


def form_data(world: City, **overrides: Any) -> dict[str, Any]:
    return {
        "service": "inquiry_notary",
        "office": world.a.office.pk,
        "national_id": world.citizen.national_id,
        "renewal_code": world.a.parcel.renewal_code,
        "documents": INQUIRY_DOCUMENTS,
        **application_form_data(overrides.get("service", "inquiry_notary")),
        **overrides,
    }


def written() -> tuple[int, int, int]:
    return Case.objects.count(), CaseEvent.objects.count(), Citizen.objects.count()


def test_the_happy_path_opens_a_case_with_a_tracking_code(world: City, tm: Client) -> None:
    response = tm.post(URL, form_data(world), follow=True)
    case = Case.objects.get()
    assert response.redirect_chain[-1][0] == reverse("cases:detail", args=[case.pk])
    assert is_valid_tracking_code(case.tracking_code)
    assert case.state == "registered"
    assert case.applicant == world.citizen
    assert case.office == world.a.office
    assert case.parcel == world.a.parcel
    event = CaseEvent.objects.get(case=case)
    assert (event.action, event.seq, event.actor_id) == (
        "open",
        1,
        world.a[Role.TECHNICAL_MANAGER].pk,
    )
    html = response.content.decode()
    assert f"<bdi>{to_persian_digits(case.tracking_code)}</bdi>" in html
    assert "ثبت شد" in html


def test_it_offers_only_services_of_the_offices_contract(world: City, tm: Client) -> None:
    response = tm.get(URL)
    assert response.status_code == 200
    offered = {card.offering.service.code for card in response.context["cards"]}
    assert offered == {"inquiry_notary", "inquiry_bank"}
    html = response.content.decode()  # one link a service: one click to its form
    assert '?service=inquiry_notary"' in html
    assert "?service=permit_extension" not in html
    refused = tm.get(URL, {"service": "permit_extension"})
    assert refused.status_code == 400
    assert "این خدمت برای دفتر شما قابل ثبت نیست" in refused.content.decode()


def test_the_checklist_marks_the_required_documents(world: City, tm: Client) -> None:
    response = tm.get(URL, {"service": "inquiry_notary"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "نامه استعلام دفترخانه اسناد رسمی (الزامی)" in html
    assert 'type="checkbox"' in html


def test_a_missing_required_document_is_refused(world: City, tm: Client) -> None:
    before = written()
    response = tm.post(URL, form_data(world, documents=INQUIRY_DOCUMENTS[:2]))
    assert response.status_code == 400
    assert "مدارک الزامی بررسی نشده است" in response.content.decode()
    assert written() == before


def test_an_unknown_parcel_is_refused(world: City, tm: Client) -> None:
    before = written()
    response = tm.post(URL, form_data(world, renewal_code="99-9999-9-0-0"))
    assert response.status_code == 400
    assert "ملکی با این کد نوسازی پیدا نشد." in response.content.decode()
    by_plate = tm.post(
        URL, form_data(world, renewal_code="", registration_section="۹", plate_main="۱")
    )
    assert by_plate.status_code == 400
    assert "ملکی با این پلاک ثبتی پیدا نشد." in by_plate.content.decode()
    none = tm.post(URL, form_data(world, renewal_code=""))
    assert "ملک را با کد نوسازی، بخش و پلاک ثبتی یا کد پستی مشخص کنید." in none.content.decode()
    assert written() == before


def test_the_parcel_can_be_found_by_its_plate_in_persian_digits(world: City, tm: Client) -> None:
    parcel = world.a.parcel
    response = tm.post(
        URL,
        form_data(
            world,
            renewal_code="",
            registration_section=to_persian_digits(parcel.registration_section),
            plate_main=to_persian_digits(parcel.plate_main),
            plate_sub=to_persian_digits(parcel.plate_sub),
        ),
    )
    assert response.status_code == 302
    assert Case.objects.get().parcel == parcel


@pytest.mark.parametrize("national_id", ["0076229646", "1111111111", "12345", "abc"])
def test_an_invalid_national_id_is_refused(world: City, tm: Client, national_id: str) -> None:
    before = written()
    response = tm.post(URL, form_data(world, national_id=national_id))
    assert response.status_code == 400
    assert "کد ملی" in response.content.decode()
    assert written() == before


@pytest.mark.parametrize("national_id", [PERSIAN_NEW_ID, ARABIC_NEW_ID])
def test_a_new_applicant_is_registered_from_persian_or_arabic_digits(
    world: City, tm: Client, national_id: str
) -> None:
    data = form_data(
        world, national_id=national_id, first_name="علي", last_name="كاظمی", mobile="۰۹۱۳۱۲۳۴۵۶۷"
    )
    response = tm.post(URL, data)
    assert response.status_code == 302
    citizen = Citizen.objects.get(national_id=NEW_NATIONAL_ID)
    assert (citizen.first_name, citizen.last_name) == ("علی", "کاظمی")
    assert Case.objects.get().applicant == citizen


def test_an_existing_applicant_is_found_by_persian_digits(world: City, tm: Client) -> None:
    data = form_data(world, national_id=to_persian_digits(world.citizen.national_id))
    assert tm.post(URL, data).status_code == 302
    assert Case.objects.get().applicant == world.citizen


def test_a_new_applicant_needs_name_and_mobile(world: City, tm: Client) -> None:
    before = written()
    response = tm.post(URL, form_data(world, national_id=NEW_NATIONAL_ID, mobile="123"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "متقاضی با این کد ملی ثبت نشده است" in html
    assert written() == before


def test_nothing_is_half_written_when_the_case_is_refused(world: City, tm: Client) -> None:
    # given a new applicant, valid in every field, at an office that was just suspended
    Office.objects.filter(pk=world.a.office.pk).update(status=OfficeStatus.SUSPENDED)
    before = written()
    data = form_data(
        world,
        national_id=NEW_NATIONAL_ID,
        first_name="سارا",
        last_name="نوری",
        mobile="09131112233",
    )
    response = tm.post(URL, data)
    assert response.status_code == 400
    assert "این دفتر فعال نیست" in response.content.decode()
    assert written() == before  # the applicant was not registered either


def test_only_technical_managers_register(world: City) -> None:
    contract(world.a.office, world)
    for user in (world.a[Role.INSPECTOR], world.a.district_staff[0], world.supervisor):
        client = Client()
        client.force_login(user)
        assert client.get(URL).status_code == 403
        assert client.post(URL, form_data(world)).status_code == 403
    assert Case.objects.count() == 0


def test_a_technical_manager_cannot_register_at_another_office(world: City, tm: Client) -> None:
    contract(world.b.office, world)
    before = written()
    response = tm.post(URL, form_data(world, office=world.b.office.pk))
    assert response.status_code == 400
    assert written() == before


def test_registration_page_is_right_to_left(world: City, tm: Client) -> None:
    user: User = world.a[Role.TECHNICAL_MANAGER]
    assert user.is_authenticated
    html = tm.get(URL, {"service": "inquiry_bank"}).content.decode()
    assert 'dir="rtl"' in html
    assert "ثبت پرونده حضوری" in html


def test_the_registration_page_costs_the_same_queries_for_one_or_more_services_and_cases(
    world: City,
) -> None:
    contract(world.a.office, world, "inquiry_notary")
    client = Client()
    client.force_login(world.a[Role.TECHNICAL_MANAGER])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(URL, {"service": "inquiry_notary"})
        assert response.status_code == 200
        assert 'dir="rtl"' in response.content.decode()
        return len(captured)

    small = queries()
    contract(world.a.office, world, "inquiry_bank", "permit_extension")  # more services
    for _ in range(5):
        world.open_case()
    assert queries() == small
