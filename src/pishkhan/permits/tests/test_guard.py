"""The parent a permit group names: at registration (a field check) a permit of the
case's own parcel that may carry the request; at each step that names the guard
parent_permit_usable, the same again (the permit may have changed meanwhile). An
extension stays within the law's count and expiry limit. The case page shows why."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from pishkhan.cases.errors import GuardFailed, InvalidFieldValues
from pishkhan.cases.models import Case
from pishkhan.permits.models import BuildingPermit, PermitStatus
from pishkhan.testing.personas import (
    REGISTRATION_DOCUMENTS,
    City,
    act,
    application_data,
    client_for,
)


def register(city: City, service: str, number: str) -> Case:
    return city.open_case(service, data={**application_data(service), "parent_permit": number})


def refused_at_registration(city: City, service: str, number: str, match: str) -> None:
    before = Case.objects.count()
    with pytest.raises(InvalidFieldValues, match=match) as refusal:
        register(city, service, number)
    assert list(refusal.value.errors) == ["parent_permit"]
    assert Case.objects.count() == before


def test_a_parent_of_another_parcel_or_no_permit_is_not_found(city: City) -> None:
    foreign = city.builder.paper_permit(city.b.parcel)
    for number in (foreign.number, "99999999", "not a number"):
        refused_at_registration(city, "permit_extension", number, "برای ملک این پرونده پیدا نشد")


def test_a_number_typed_with_persian_digits_finds_the_parent(city: City) -> None:
    parent = city.builder.paper_permit(city.a.parcel)
    typed = parent.number.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    case = register(city, "permit_extension", f" {typed[:4]}-{typed[4:]} ")
    assert case.data["parent_permit"] == f"{parent.number[:4]}-{parent.number[4:]}"
    assert act(city.alice, case, "send_for_document_check").state == "document_check"


@pytest.mark.parametrize("service", ["permit_extension", "permit_expansion", "permit_repairs"])
def test_a_revoked_parent_carries_no_request(city: City, service: str) -> None:
    parent = city.builder.paper_permit(city.a.parcel)
    case = register(city, service, parent.number)
    BuildingPermit.objects.filter(pk=parent.pk).update(status=PermitStatus.REVOKED)
    with pytest.raises(GuardFailed, match="ابطال‌شده"):
        act(city.alice, case, "send_for_document_check")
    refused_at_registration(city, service, parent.number, "ابطال‌شده")


def test_a_permit_is_extended_at_most_as_often_as_the_law_allows(city: City) -> None:
    parent = city.builder.paper_permit(city.a.parcel)
    BuildingPermit.objects.filter(pk=parent.pk).update(extensions=2)
    refused_at_registration(city, "permit_extension", parent.number, "بیش از ۲ بار تمدید نمی‌شود")


def test_an_expired_permit_is_extendable_only_within_the_limit_after_expiry(city: City) -> None:
    today = timezone.localdate()
    long_ago = today - dt.timedelta(days=900)
    late = city.builder.paper_permit(
        city.a.parcel, issued_on=long_ago, valid_until=today - dt.timedelta(days=100)
    )
    case = register(city, "permit_extension", late.number)  # 100 days late: within 180
    assert act(city.alice, case, "send_for_document_check").state == "document_check"
    too_late = city.builder.paper_permit(
        city.a.parcel, issued_on=long_ago, valid_until=today - dt.timedelta(days=181)
    )
    refused_at_registration(city, "permit_extension", too_late.number, "مهلت قانونی تمدید")


def test_the_last_extension_allowed_is_checked_again_at_approval(city: City) -> None:
    case = city.walk_to(city.open_case("permit_extension"), "extension_prepared")
    parent = BuildingPermit.objects.get(number=case.data["parent_permit"])
    BuildingPermit.objects.filter(pk=parent.pk).update(extensions=2)  # extended meanwhile
    checker = next(u for u in city.a.district_staff if u.pk != case.prepared_by_id)
    with pytest.raises(GuardFailed, match="بیش از ۲ بار"):
        act(checker, case, "approve_extension")
    assert BuildingPermit.objects.get(pk=parent.pk).valid_until == parent.valid_until


def test_the_case_page_shows_why_the_step_is_blocked(city: City) -> None:
    case = city.open_case("permit_extension")
    parent = BuildingPermit.objects.get(number=case.data["parent_permit"])
    BuildingPermit.objects.filter(pk=parent.pk).update(extensions=2)
    page = client_for(city.alice).get(f"/cases/{case.pk}/")
    assert page.status_code == 200
    assert "بیش از ۲ بار تمدید نمی‌شود" in page.content.decode()


def test_the_registration_form_shows_the_refusal_at_the_field(city: City) -> None:
    before = Case.objects.count()
    response = client_for(city.alice).post(
        "/cases/new/",
        {
            "service": "permit_extension",
            "office": city.a.office.pk,
            "national_id": city.citizen.national_id,
            "renewal_code": city.a.parcel.renewal_code,
            "documents": REGISTRATION_DOCUMENTS["permit_extension"],
            "field_parent_permit": "۱۲۳۴۵۶۷۸",
        },
    )
    assert response.status_code == 400
    assert "پروانه شماره ۱۲۳۴۵۶۷۸ برای ملک این پرونده پیدا نشد" in response.content.decode()
    assert Case.objects.count() == before
