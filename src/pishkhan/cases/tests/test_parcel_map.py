"""Finding a parcel by the map: a point (clicked on the map, or typed as coordinates
without JavaScript) lists the parcels around it, nearest first; the map draws the
parcels of a close view from a small JSON of plates and positions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import override_settings

from pishkhan.core.middleware import content_security_policy, tile_origin
from pishkhan.geo.models import Parcel
from pishkhan.offices.roles import Role
from pishkhan.testing.personas import City, client_for

URL = "/cases/parcels/"
POINTS = "/cases/parcels/points/"


def place(city: City, lat: str, lng: str) -> Parcel:
    return city.builder.parcel(city.a.district, lat=Decimal(lat), lng=Decimal(lng))


def found(response: Any) -> list[int]:
    return [m.parcel.pk for m in response.context["result"].matches]


def test_a_point_lists_the_parcels_around_it_nearest_first(world: City) -> None:
    Parcel.objects.update(lat=Decimal("32.500000"), lng=Decimal("51.500000"))  # far away
    near = place(world, "32.654700", "51.668100")
    nearer = place(world, "32.654610", "51.668010")
    place(world, "32.690000", "51.700000")  # kilometres off: not listed
    response = client_for(world.alice).get(URL, {"lat": "32.6546", "lng": "51.6680"})
    assert response.status_code == 200
    assert found(response) == [nearer.pk, near.pk]


def test_persian_digits_and_the_persian_decimal_separator_are_read(world: City) -> None:
    Parcel.objects.update(lat=Decimal("32.500000"), lng=Decimal("51.500000"))
    here = place(world, "32.654600", "51.668000")
    response = client_for(world.alice).get(URL, {"lat": "۳۲٫۶۵۴۶", "lng": "۵۱٫۶۶۸۰"})
    assert found(response) == [here.pk]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"lat": "32.6546"}, "هر دو مختصات"),
        ({"lat": "abc", "lng": "51"}, "مختصات را با رقم"),
        ({"lat": "95", "lng": "51"}, "بیرون از بازهٔ مجاز"),
        ({"lat": "32.6546\x00", "lng": "51"}, "مختصات"),
        ({"lat": "3" * 100_000, "lng": "51"}, "مختصات"),
    ],
)
def test_a_bad_point_gets_a_persian_message(
    world: City, query: dict[str, str], message: str
) -> None:
    response = client_for(world.alice).get(URL, query)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert response.context["result"] is None


def test_the_map_draws_the_parcels_of_a_close_view(world: City) -> None:
    inside = place(world, "32.654600", "51.668000")
    place(world, "32.700000", "51.668000")
    client = client_for(world.a[Role.INSPECTOR])
    view = client.get(POINTS, {"bbox": "32.6540,51.6670,32.6550,51.6690"})
    assert view.status_code == 200
    points = view.json()["points"]
    assert [p["id"] for p in points] == [inside.pk]
    assert set(points[0]) == {"id", "lat", "lng", "label"}  # no one's personal data
    wide = client.get(POINTS, {"bbox": "32.0,51.0,33.0,52.0"})
    assert wide.json()["points"] == []  # too wide a view draws nothing


@pytest.mark.parametrize("bbox", ["", "1,2,3", "a,b,c,d", "nan,1,2,3", "1,2,3,inf", "1e999,1,2,3"])
def test_a_bad_view_is_a_400_in_persian(world: City, bbox: str) -> None:
    response = client_for(world.alice).get(POINTS, {"bbox": bbox})
    assert response.status_code == 400
    assert response.json()["error"] == "محدودهٔ نقشه معتبر نیست."


def test_citizens_get_no_map_points(world: City) -> None:
    response = client_for(world.citizen.user).get(POINTS, {"bbox": "32.65,51.66,32.66,51.67"})
    assert response.status_code == 403


def test_the_registration_page_carries_the_map_but_loads_leaflet_only_on_demand(
    world: City,
) -> None:
    html = client_for(world.alice).get("/cases/new/", {"service": "inquiry_notary"}).content
    page = html.decode()
    assert 'data-leaflet-js="/static/vendor/leaflet/leaflet.js"' in page
    assert '<script src="/static/vendor/leaflet/leaflet.js"' not in page
    assert 'name="lat"' in page


def test_the_tile_server_is_allowed_by_the_content_security_policy() -> None:
    assert tile_origin("https://tiles.example.ir/{z}/{x}/{y}.png") == "https://tiles.example.ir"
    assert tile_origin("javascript:alert(1)") == ""
    with override_settings(PISHKHAN_MAP_TILE_URL="https://tiles.example.ir/{z}/{x}/{y}.png"):
        assert "img-src 'self' data: https://tiles.example.ir;" in content_security_policy()
    with override_settings(PISHKHAN_MAP_TILE_URL=""):
        assert "img-src 'self' data:;" in content_security_policy()
