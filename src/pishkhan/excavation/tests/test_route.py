"""The route as the server reads it, whoever sends it: typed points, GeoJSON, and hostile
input, each refused with a Persian message and nothing stored."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError

from pishkhan.excavation.route import (
    MAX_POINTS,
    clean_route,
    display_route,
    geodesic_distance,
    parse_route,
    route_length,
)


def test_the_geodesic_length_is_the_ellipsoids() -> None:
    # one degree of longitude on the equator is 111 319.49 m on WGS84
    assert geodesic_distance((0.0, 0.0), (1.0, 0.0)) == pytest.approx(111_319.49, abs=0.01)
    # one degree of latitude at Isfahan is about 110.9 km (not the sphere's 111.2 km)
    assert geodesic_distance((51.668, 32.0), (51.668, 33.0)) == pytest.approx(110_905, abs=50)


def test_typed_points_persian_digits_and_geojson_read_the_same() -> None:
    typed = "۳۲٫۶۵۴۶، ۵۱٫۶۶۸۰؛ ۳۲٫۶۵۵۰، ۵۱٫۶۶۹۰"
    geo = '{"type": "LineString", "coordinates": [[51.668, 32.6546], [51.669, 32.655]]}'
    assert clean_route(typed, {}) == clean_route(geo, {})
    stored = json.loads(clean_route(typed, {"length_m": "104"}))
    assert stored == {"type": "LineString", "coordinates": [[51.668, 32.6546], [51.669, 32.655]]}
    assert display_route(clean_route(typed, {})) == "۲ نقطه، حدود ۱۰۴ متر"


def test_the_declared_length_must_agree_with_the_drawn_one() -> None:
    route = "32.6546,51.6680;32.6550,51.6690"  # 103.8 m
    assert clean_route(route, {"length_m": "95"})  # within 15 %
    with pytest.raises(ValidationError) as refused:
        clean_route(route, {"length_m": "50"})
    assert "حدود ۱۰۴ متر است اما طول اعلام‌شده ۵۰ متر" in refused.value.messages[0]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "روی نقشه بکشید"),
        ("32.6546,51.6680", "دست‌کم ۲"),
        (";".join(["32.6546,51.6680"] * (MAX_POINTS + 1)), "حداکثر ۴۰"),
        ("32.6546,51.6680;32.6546,51.6680", "طول ندارد"),
        ("32.6546,51.6680;0,0", "بیرون از محدوده شهر"),
        ("nan,51.6;32.6,51.6", "عرض، طول"),
        ("1e400,51.6;32.6,51.6", "عرض، طول"),
        ("32.6546,51.6680\x00;32.6550,51.6690", "نویسه نامعتبر"),
        ("x" * 5000, "بیش از اندازه"),
        ('{"type":"LineString","coordinates":[[NaN,32.6],[51.6,32.6]]}', "عدد"),
        ('{"type":"LineString","coordinates":[[Infinity,32.6],[51.6,32.6]]}', "عدد"),
        ('{"type":"LineString","coordinates":[[1e400,32.6],[51.6,32.6]]}', "عدد"),
        ('{"type":"LineString","coordinates":[[' + "9" * 400 + ",32.6],[51.6,32.6]]}", "عدد"),
        ("9" * 400 + ",51.6;32.6,51.6", "عرض، طول"),
        ('{"type":"Point","coordinates":[51.6,32.6]}', "LineString"),
        ('{"type":"LineString","coordinates":[[true,32.6],[51.6,32.6]]}', "هر نقطه"),
        ('{"type":"LineString","coordinates":[["51.6",32.6],[51.6,32.6]]}', "هر نقطه"),
        ('{"type":"LineString","coordinates":[[51.6,32.6,9],[51.6,32.6]]}', "هر نقطه"),
        ('{"type":"LineString","coordinates":' + "[" * 600 + "]" * 600 + "}", "بلند"),
        ('{"type":"LineString"', "خوانا نیست"),
    ],
)
def test_hostile_routes_are_refused_in_persian(raw: str, message: str) -> None:
    with pytest.raises(ValidationError) as refused:
        parse_route(raw)
    assert message in refused.value.messages[0]


def test_a_route_of_forty_points_fits_its_field() -> None:
    points = ";".join(f"32.{6500 + i:04d}12,51.{6600 + i:04d}34" for i in range(MAX_POINTS))
    stored = clean_route(points, {})
    assert len(stored) <= 1000
    assert route_length(parse_route(stored)) > 0
