"""The registration page without JavaScript: the route is typed as points in its input,
read and checked by the server; a bad route comes back with its Persian message on the
field and nothing is written. The field-check seam refuses what it does not know."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from pishkhan.cases.fields import parse_fields
from pishkhan.cases.models import Case, CaseEvent
from pishkhan.offices.roles import Role
from pishkhan.testing.personas import (
    EXCAVATION_DOCUMENTS,
    City,
    application_form_data,
    client_for,
)

SERVICE = "inquiry_excavation"
URL = "/cases/new/"


def form(city: City, **overrides: Any) -> dict[str, Any]:
    return {
        "service": SERVICE,
        "office": city.a.office.pk,
        "national_id": city.citizen.national_id,
        "renewal_code": city.a.parcel.renewal_code,
        "documents": EXCAVATION_DOCUMENTS,
        **application_form_data(SERVICE),
        **overrides,
    }


def tm(city: City) -> Client:
    return client_for(city.a[Role.TECHNICAL_MANAGER])


def test_the_page_offers_the_map_editor_and_the_typed_points(city: City) -> None:
    html = tm(city).get(URL, {"service": SERVICE}).content.decode()
    assert 'name="field_route"' in html
    assert "data-route-editor" in html
    assert "excavation/route-map.js" in html
    assert '<script src="/static/vendor/leaflet/leaflet.js"' not in html  # on demand only


def test_typed_points_register_the_case_with_its_geojson_route(city: City) -> None:
    typed = "۳۲٫۶۵۴۶، ۵۱٫۶۶۸۰؛ ۳۲٫۶۵۵۰، ۵۱٫۶۶۹۰"
    response = tm(city).post(URL, form(city, field_route=typed), follow=True)
    case = Case.objects.get()
    assert response.status_code == 200
    assert json.loads(case.data["route"]) == {
        "type": "LineString",
        "coordinates": [[51.668, 32.6546], [51.669, 32.655]],
    }
    assert "۲ نقطه، حدود ۱۰۴ متر" in response.content.decode()


def test_a_bad_route_comes_back_on_its_field_and_nothing_is_written(city: City) -> None:
    for route, message in [
        ("۳۲٫۶۵۴۶، ۵۱٫۶۶۸۰؛ ۳۵٫۷، ۵۱٫۴", "بیرون از محدوده شهر"),
        ("32.6546,51.6680;32.6550,51.6690", "طول مسیر کشیده"),  # against 10 m declared
        ('{"type":"LineString","coordinates":[[NaN,1],[2,3]]}', "عدد باشد"),
        ("ا" * 3000, "بیش از اندازه بلند"),
    ]:
        response = tm(city).post(URL, form(city, field_route=route, field_length_m="10"))
        assert response.status_code in (200, 400)
        assert message in response.content.decode(), route[:40]
    assert (Case.objects.count(), CaseEvent.objects.count()) == (0, 0)


def test_the_loader_refuses_an_unknown_check_or_one_on_another_type() -> None:
    _, problems = parse_fields(
        [
            {"code": "route", "label": "مسیر", "type": "text", "check": "no_such_check"},
            {"code": "depth", "label": "عمق", "type": "decimal", "check": "excavation_route"},
        ]
    )
    assert [p.code for p in problems] == ["check", "check"]


def test_the_excavation_pages_are_under_200_kb_and_the_editor_adds_little(city: City) -> None:
    from django.urls import reverse

    from pishkhan.core import clock
    from pishkhan.excavation.actions import do_flag_overdue_restorations
    from pishkhan.excavation.models import ExcavationPermit
    from pishkhan.testing.personas import walk_to
    from pishkhan.testing.weights import BUDGET, page_weight

    case = walk_to(city, city.open_case(SERVICE), "works")
    permit = ExcavationPermit.objects.get(case=case)
    do_flag_overdue_restorations(clock.now())
    staff = client_for(city.a.district_staff[0])
    # Every service's registration page is held under the budget in
    # cases/tests/test_cartable_screens.py; the route's editor adds at most 12 KB to it.
    notary = page_weight(tm(city).get(URL, {"service": "inquiry_notary"}).content.decode())
    ours = page_weight(tm(city).get(URL, {"service": SERVICE}).content.decode())
    assert ours - notary < 12 * 1024, (notary, ours)
    pages = {
        "case": (tm(city), reverse("cases:detail", args=[case.pk])),
        "permit": (staff, reverse("excavation:permit", args=[permit.pk])),
        "overdue": (staff, reverse("excavation:overdue")),
    }
    for name, (client, url) in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        weight = page_weight(response.content.decode())
        assert weight < BUDGET, (name, weight)
