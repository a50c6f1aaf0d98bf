"""The permits' pages: scoped (a foreign id is a 404), linked from the case and the
parcel file, the about-to-expire list searchable and sortable with flat query counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pishkhan.offices.roles import Role
from pishkhan.permits.models import BuildingPermit
from pishkhan.testing.personas import City, act, client_for
from pishkhan.testing.weights import BUDGET, page_weight


def approved_new_permit(city: City) -> BuildingPermit:
    case = city.walk_to(city.open_case("permit_new"), "permit_prepared")
    checker = next(u for u in city.a.district_staff if u.pk != case.prepared_by_id)
    case = act(checker, case, "approve_permit")
    return BuildingPermit.objects.get(case=case)


def test_a_permit_page_shows_its_facts_and_history_to_those_who_see_it(city: City) -> None:
    permit = approved_new_permit(city)
    for user in (city.alice, city.a.district_staff[0], city.supervisor, city.citizen.user):
        page = client_for(user).get(f"/permits/{permit.pk}/")  # type: ignore[arg-type]
        assert page.status_code == 200, user
        text = page.content.decode()
        assert "احداث بنای جدید" in text
        assert "صدور" in text
    for user in (city.b[Role.TECHNICAL_MANAGER], city.b.district_staff[0]):
        assert client_for(user).get(f"/permits/{permit.pk}/").status_code == 404
    assert client_for(city.other_citizen.user).get(f"/permits/{permit.pk}/").status_code == 404  # type: ignore[arg-type]
    assert client_for(city.alice).get("/permits/2147483000/").status_code == 404


def test_the_case_page_links_its_permits_and_they_link_back(city: City) -> None:
    permit = approved_new_permit(city)
    assert permit.case_id is not None
    page = client_for(city.alice).get(f"/cases/{permit.case_id}/").content.decode()
    assert f"/permits/case/{permit.case_id}/" in page
    listing = client_for(city.alice).get(f"/permits/case/{permit.case_id}/").content.decode()
    assert f"/permits/{permit.pk}/" in listing
    # an inquiry's case page has no permits link
    inquiry = city.open_case()
    assert (
        "/permits/case/" not in client_for(city.alice).get(f"/cases/{inquiry.pk}/").content.decode()
    )
    assert (
        client_for(city.b.district_staff[0]).get(f"/permits/case/{permit.case_id}/").status_code
        == 404
    )


def test_the_parcel_file_lists_the_parcels_permits(city: City) -> None:
    permit = approved_new_permit(city)
    mine = client_for(city.a.district_staff[0]).get(f"/cases/parcels/{city.a.parcel.pk}/")
    text = mine.content.decode()
    assert "پروانه ساختمانی (احداث بنای جدید)" in text
    assert f"/permits/{permit.pk}/" in text
    # staff of another district read the parcel's record, without the permit's link
    other = client_for(city.b.district_staff[0]).get(f"/cases/parcels/{city.a.parcel.pk}/")
    assert "پروانه ساختمانی (احداث بنای جدید)" in other.content.decode()
    assert f"/permits/{permit.pk}/" not in other.content.decode()


def expiring(city: City, n: int, days_left: int = 10, side: Any = None) -> list[BuildingPermit]:
    side = side or city.a
    today = timezone.localdate()
    return [
        city.builder.paper_permit(
            side.parcel,
            issued_on=today - dt.timedelta(days=300),
            valid_until=today + dt.timedelta(days=days_left + i),
        )
        for i in range(n)
    ]


def test_the_expiring_list_shows_the_districts_permits_with_days_left(city: City) -> None:
    soon, later = expiring(city, 1, days_left=5)[0], expiring(city, 1, days_left=90)[0]
    theirs = expiring(city, 1, side=city.b)[0]
    text = client_for(city.a.district_staff[0]).get("/permits/expiring/").content.decode()
    assert f"/permits/{soon.pk}/" in text
    assert "۵ روز" in text
    assert f"/permits/{later.pk}/" not in text  # beyond 60 days
    assert f"/permits/{theirs.pk}/" not in text  # another district's
    wider = client_for(city.a.district_staff[0]).get("/permits/expiring/?days=120")
    assert f"/permits/{later.pk}/" in wider.content.decode()
    everyone = client_for(city.supervisor).get("/permits/expiring/").content.decode()
    assert f"/permits/{theirs.pk}/" in everyone


def test_the_expiring_list_searches_and_sorts(city: City) -> None:
    first, second = expiring(city, 2)
    staff = client_for(city.a.district_staff[0])
    found = staff.get("/permits/expiring/", {"q": first.number}).content.decode()
    assert f"/permits/{first.pk}/" in found
    assert f"/permits/{second.pk}/" not in found
    ascending = staff.get("/permits/expiring/?sort=valid_until").content.decode()
    descending = staff.get("/permits/expiring/?sort=-valid_until").content.decode()
    assert ascending.index(f"/permits/{first.pk}/") < ascending.index(f"/permits/{second.pk}/")
    assert descending.index(f"/permits/{second.pk}/") < descending.index(f"/permits/{first.pk}/")


@pytest.mark.parametrize(
    "query",
    [
        {"days": "abc"},
        {"days": "-4"},
        {"q": "a\x00b"},
        {"q": "x" * 5000},
        {"sort": "pk"},
        {"page": "۹۹"},
    ],
)
def test_bad_input_on_the_expiring_list_is_no_error_page(city: City, query: dict[str, str]) -> None:
    response = client_for(city.a.district_staff[0]).get("/permits/expiring/", query)
    assert response.status_code == 200


def test_only_district_staff_and_city_roles_open_the_expiring_list(city: City) -> None:
    assert client_for(city.alice).get("/permits/expiring/").status_code == 403
    assert client_for(city.citizen.user).get("/permits/expiring/").status_code == 403  # type: ignore[arg-type]


def queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_pages_cost_the_same_queries_however_many_permits(city: City) -> None:
    permit = approved_new_permit(city)
    staff = client_for(city.a.district_staff[0])
    urls = ["/permits/expiring/", f"/permits/{permit.pk}/", f"/cases/parcels/{city.a.parcel.pk}/"]
    expiring(city, 2)
    before = [queries(staff, url) for url in urls]
    expiring(city, 12)
    assert [queries(staff, url) for url in urls] == before


def test_every_permit_page_is_under_200_kb_with_what_it_loads(city: City) -> None:
    permit = approved_new_permit(city)
    expiring(city, 30)
    staff = client_for(city.a.district_staff[0])
    for url in (
        f"/permits/{permit.pk}/",
        f"/permits/case/{permit.case_id}/",
        "/permits/expiring/",
        f"/cases/parcels/{city.a.parcel.pk}/",
    ):
        response = staff.get(url)
        assert response.status_code == 200, url
        assert page_weight(response.content.decode()) < BUDGET, url
