"""Revoking a permit: district staff of its district, with a reason, while it is valid,
extended or expired; its history says so; later requests cannot name it. The page shows
the form only to those who may."""

from __future__ import annotations

import pytest

from pishkhan.cases.errors import InvalidFieldValues, InvalidInput, RoleNotAllowed
from pishkhan.permits.actions import do_revoke_permit
from pishkhan.permits.models import BuildingPermit, PermitEvent, PermitEventKind, PermitStatus
from pishkhan.testing.personas import City, application_data, client_for


def test_district_staff_revoke_a_permit_with_a_reason(city: City) -> None:
    permit = city.builder.paper_permit(city.a.parcel)
    staff = city.a.district_staff[0]
    do_revoke_permit(staff, permit.pk, "سند مالکیت جعلی بوده است")
    permit.refresh_from_db()
    assert permit.status == PermitStatus.REVOKED
    event = permit.events.get(kind=PermitEventKind.REVOKED)
    assert (event.actor_id, event.from_status, event.note) == (
        staff.pk,
        PermitStatus.VALID,
        "سند مالکیت جعلی بوده است",
    )
    with pytest.raises(InvalidFieldValues, match="ابطال‌شده"):
        city.open_case(
            "permit_extension",
            data={**application_data("permit_extension"), "parent_permit": permit.number},
        )


@pytest.mark.parametrize("reason", ["", "   ", "a\x00b", "x" * 501])
def test_a_bad_reason_is_refused_and_nothing_changes(city: City, reason: str) -> None:
    permit = city.builder.paper_permit(city.a.parcel)
    with pytest.raises(InvalidInput):
        do_revoke_permit(city.a.district_staff[0], permit.pk, reason)
    assert BuildingPermit.objects.get(pk=permit.pk).status == PermitStatus.VALID
    assert not PermitEvent.objects.filter(permit=permit, kind=PermitEventKind.REVOKED).exists()


def test_only_district_staff_of_its_district_revoke_it(city: City) -> None:
    permit = city.builder.paper_permit(city.a.parcel)
    with pytest.raises(RoleNotAllowed):
        do_revoke_permit(city.supervisor, permit.pk, "علت")
    from django.http import Http404

    for user in (city.b.district_staff[0], city.alice):
        with pytest.raises(Http404):
            do_revoke_permit(user, permit.pk, "علت")
    assert BuildingPermit.objects.get(pk=permit.pk).status == PermitStatus.VALID


def test_a_revoked_permit_is_not_revoked_twice(city: City) -> None:
    permit = city.builder.paper_permit(city.a.parcel)
    do_revoke_permit(city.a.district_staff[0], permit.pk, "علت")
    with pytest.raises(RoleNotAllowed):
        do_revoke_permit(city.a.district_staff[1], permit.pk, "علت دوباره")
    assert permit.events.filter(kind=PermitEventKind.REVOKED).count() == 1


def test_the_page_offers_the_form_to_those_who_may_and_posts_it(city: City) -> None:
    permit = city.builder.paper_permit(city.a.parcel)
    url = f"/permits/{permit.pk}/"
    assert "ابطال پروانه" not in client_for(city.supervisor).get(url).content.decode()
    staff = client_for(city.a.district_staff[0])
    assert "ابطال پروانه" in staff.get(url).content.decode()
    unsure = staff.post(f"{url}revoke/", {"reason": "حکم دادگاه"})
    assert unsure.status_code == 400
    assert BuildingPermit.objects.get(pk=permit.pk).status == PermitStatus.VALID
    done = staff.post(f"{url}revoke/", {"reason": "حکم دادگاه", "confirmed": "on"}, follow=True)
    assert "پروانه ابطال شد." in done.content.decode()
    assert BuildingPermit.objects.get(pk=permit.pk).status == PermitStatus.REVOKED
    again = staff.post(f"{url}revoke/", {"reason": "حکم دادگاه", "confirmed": "on"})
    assert again.status_code == 400
