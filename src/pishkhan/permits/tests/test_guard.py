"""The guard parent_permit_usable: a group's request needs a parent permit of its own
parcel that may carry it; an extension, within the law's count and expiry limit. The
case page shows the Persian reason."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from pishkhan.cases.errors import GuardFailed
from pishkhan.permits.models import BuildingPermit, PermitStatus
from pishkhan.testing.personas import City, act, application_data, client_for


def send(city: City, service: str, number: str) -> None:
    case = city.open_case(service, data={**application_data(service), "parent_permit": number})
    act(city.alice, case, "send_for_document_check")


def test_a_parent_of_another_parcel_is_not_found(city: City) -> None:
    foreign = city.builder.paper_permit(city.b.parcel)
    with pytest.raises(GuardFailed, match="برای ملک این پرونده پیدا نشد"):
        send(city, "permit_extension", foreign.number)


def test_a_number_typed_with_persian_digits_finds_the_parent(city: City) -> None:
    parent = city.builder.paper_permit(city.a.parcel)
    typed = parent.number.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    case = city.open_case("permit_extension", data={"parent_permit": typed})
    assert act(city.alice, case, "send_for_document_check").state == "document_check"


def test_a_revoked_parent_carries_no_request(city: City) -> None:
    parent = city.builder.paper_permit(city.a.parcel)
    BuildingPermit.objects.filter(pk=parent.pk).update(status=PermitStatus.REVOKED)
    for service in ("permit_extension", "permit_expansion", "permit_repairs"):
        with pytest.raises(GuardFailed, match="ابطال‌شده"):
            send(city, service, parent.number)


def test_a_permit_is_extended_at_most_as_often_as_the_law_allows(city: City) -> None:
    parent = city.builder.paper_permit(city.a.parcel)
    BuildingPermit.objects.filter(pk=parent.pk).update(extensions=2)
    with pytest.raises(GuardFailed, match="بیش از ۲ بار تمدید نمی‌شود"):
        send(city, "permit_extension", parent.number)


def test_an_expired_permit_is_extendable_only_within_the_limit_after_expiry(city: City) -> None:
    today = timezone.localdate()
    late = city.builder.paper_permit(
        city.a.parcel,
        issued_on=today - dt.timedelta(days=900),
        valid_until=today - dt.timedelta(days=100),
    )
    send(city, "permit_extension", late.number)  # 100 days late: within 180
    too_late = city.builder.paper_permit(
        city.a.parcel,
        issued_on=today - dt.timedelta(days=900),
        valid_until=today - dt.timedelta(days=181),
    )
    with pytest.raises(GuardFailed, match="مهلت قانونی تمدید"):
        send(city, "permit_extension", too_late.number)


def test_the_case_page_shows_why_the_step_is_blocked(city: City) -> None:
    parent = city.builder.paper_permit(city.a.parcel)
    case = city.open_case("permit_extension", data={"parent_permit": parent.number})
    BuildingPermit.objects.filter(pk=parent.pk).update(extensions=2)
    page = client_for(city.alice).get(f"/cases/{case.pk}/")
    assert page.status_code == 200
    assert "بیش از ۲ بار تمدید نمی‌شود" in page.content.decode()
