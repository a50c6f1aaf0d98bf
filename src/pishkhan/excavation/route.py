"""The excavation route: a GeoJSON LineString drawn on the map or typed as points.

What the registration posts (the declared field ``route``) is read here, whoever sends
it: a LineString (what the map's script writes) or points typed as ``lat,lng`` pairs
separated by ``;`` (Persian digits and separators too). A route has 2 to `MAX_POINTS`
finite points inside the city's area (``PISHKHAN_MAP_BOUNDS``), and its geodesic length
(Vincenty on the WGS84 ellipsoid) must agree with the declared length within the
tolerance. It is stored as compact GeoJSON text with six decimals (about 10 cm).
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError

from pishkhan.core.digits import to_ascii_digits, to_persian_digits

MAX_POINTS = 40
MAX_INPUT = 1000  # the declared field's max_length: the stored text fits it
# The declared length may differ from the drawn one by this share, or this many metres.
TOLERANCE_SHARE = Decimal("0.15")
TOLERANCE_METRES = Decimal("5")
MIN_LENGTH_METRES = 1.0
PLACES = 6

# WGS84
_A = 6378137.0
_F = 1 / 298.257223563
_B = (1 - _F) * _A

Point = tuple[float, float]  # (lng, lat), the GeoJSON order
_NUMBER = re.compile(r"^[+-]?\d{1,3}(\.\d{1,12})?$")


def city_bounds() -> tuple[float, float, float, float]:
    """(south, west, north, east) of the city's area."""
    south, west, north, east = (float(x) for x in settings.PISHKHAN_MAP_BOUNDS.split(","))
    return south, west, north, east


def _refuse(message: str) -> ValidationError:
    return ValidationError(message, code="route")


def _no_constant(name: str) -> Any:
    raise _refuse("مختصات مسیر باید عدد باشد.")


def parse_route(raw: str) -> list[Point]:
    """The points of a posted route, checked; ValidationError with a Persian message."""
    if not isinstance(raw, str) or not raw.strip():
        raise _refuse("مسیر حفاری را روی نقشه بکشید یا نقاط آن را وارد کنید.")
    if len(raw) > MAX_INPUT or "\x00" in raw:
        raise _refuse("مسیر حفاری بیش از اندازه بلند است یا نویسه نامعتبر دارد.")
    text = to_ascii_digits(raw).strip()
    points = _from_geojson(text) if text.startswith("{") else _from_typed(text)
    if not 2 <= len(points) <= MAX_POINTS:
        most = to_persian_digits(MAX_POINTS)
        raise _refuse(f"مسیر حفاری باید دست‌کم ۲ و حداکثر {most} نقطه داشته باشد.")
    south, west, north, east = city_bounds()
    for lng, lat in points:
        if not (math.isfinite(lng) and math.isfinite(lat)):
            raise _refuse("مختصات مسیر باید عدد باشد.")
        if not (south <= lat <= north and west <= lng <= east):
            raise _refuse("نقطه‌ای از مسیر حفاری بیرون از محدوده شهر است.")
    if route_length(points) < MIN_LENGTH_METRES:
        raise _refuse("نقاط مسیر حفاری بر هم افتاده‌اند؛ مسیر طول ندارد.")
    return [(round(lng, PLACES), round(lat, PLACES)) for lng, lat in points]


def _from_geojson(text: str) -> list[Point]:
    try:
        # every number read as a float: a 400-digit integer is infinity (refused below as
        # not finite) instead of an int that float() cannot convert
        data = json.loads(text, parse_constant=_no_constant, parse_int=float)
    except (ValueError, RecursionError):
        raise _refuse("مسیر حفاری خوانا نیست (GeoJSON نامعتبر).") from None
    if not isinstance(data, dict) or data.get("type") != "LineString":
        raise _refuse("مسیر حفاری باید یک خط (LineString) باشد.")
    coordinates = data.get("coordinates")
    if not isinstance(coordinates, list) or len(coordinates) > MAX_POINTS:
        most = to_persian_digits(MAX_POINTS)
        raise _refuse(f"مسیر حفاری باید دست‌کم ۲ و حداکثر {most} نقطه داشته باشد.")
    points: list[Point] = []
    for pair in coordinates:
        if (
            not isinstance(pair, list)
            or len(pair) != 2
            or not all(isinstance(x, int | float) and not isinstance(x, bool) for x in pair)
        ):
            raise _refuse("هر نقطه مسیر باید [طول جغرافیایی، عرض جغرافیایی] باشد.")
        points.append((float(pair[0]), float(pair[1])))
    return points


def _from_typed(text: str) -> list[Point]:
    """``lat,lng; lat,lng`` (as a person reads a position: latitude first)."""
    text = text.replace("٫", ".").replace("،", ",").replace("؛", ";")
    points: list[Point] = []
    for chunk in text.split(";"):
        if not chunk.strip():
            continue
        parts = [p.strip() for p in chunk.split(",")]
        if len(parts) != 2 or not all(_NUMBER.match(p) for p in parts):
            raise _refuse(
                "هر نقطه مسیر را به شکل «عرض، طول» بنویسید و نقطه‌ها را با «؛» جدا کنید؛ "
                "مثلاً ۳۲٫۶۵۴۶، ۵۱٫۶۶۸۰؛ ۳۲٫۶۵۵۰، ۵۱٫۶۶۹۰"
            )
        if len(points) >= MAX_POINTS:
            most = to_persian_digits(MAX_POINTS)
            raise _refuse(f"مسیر حفاری باید دست‌کم ۲ و حداکثر {most} نقطه داشته باشد.")
        points.append((float(parts[1]), float(parts[0])))
    return points


def geodesic_distance(a: Point, b: Point) -> float:
    """Metres between two (lng, lat) points on the WGS84 ellipsoid (Vincenty's inverse
    formula; the rare pair it does not converge for is nearly antipodal, never a street)."""
    if a == b:
        return 0.0
    u1 = math.atan((1 - _F) * math.tan(math.radians(a[1])))
    u2 = math.atan((1 - _F) * math.tan(math.radians(b[1])))
    big_l = math.radians(b[0] - a[0])
    lam = big_l
    sin_u1, cos_u1, sin_u2, cos_u2 = math.sin(u1), math.cos(u1), math.sin(u2), math.cos(u2)
    for _ in range(200):
        sin_lam, cos_lam = math.sin(lam), math.cos(lam)
        sin_sigma = math.hypot(cos_u2 * sin_lam, cos_u1 * sin_u2 - sin_u1 * cos_u2 * cos_lam)
        if sin_sigma == 0:
            return 0.0
        cos_sigma = sin_u1 * sin_u2 + cos_u1 * cos_u2 * cos_lam
        sigma = math.atan2(sin_sigma, cos_sigma)
        sin_alpha = cos_u1 * cos_u2 * sin_lam / sin_sigma
        cos2_alpha = 1 - sin_alpha**2
        cos_2sm = cos_sigma - 2 * sin_u1 * sin_u2 / cos2_alpha if cos2_alpha else 0.0
        c = _F / 16 * cos2_alpha * (4 + _F * (4 - 3 * cos2_alpha))
        previous = lam
        lam = big_l + (1 - c) * _F * sin_alpha * (
            sigma + c * sin_sigma * (cos_2sm + c * cos_sigma * (-1 + 2 * cos_2sm**2))
        )
        if abs(lam - previous) < 1e-12:
            break
    u_sq = cos2_alpha * (_A**2 - _B**2) / _B**2
    big_a = 1 + u_sq / 16384 * (4096 + u_sq * (-768 + u_sq * (320 - 175 * u_sq)))
    big_b = u_sq / 1024 * (256 + u_sq * (-128 + u_sq * (74 - 47 * u_sq)))
    delta = (
        big_b
        * sin_sigma
        * (
            cos_2sm
            + big_b
            / 4
            * (
                cos_sigma * (-1 + 2 * cos_2sm**2)
                - big_b / 6 * cos_2sm * (-3 + 4 * sin_sigma**2) * (-3 + 4 * cos_2sm**2)
            )
        )
    )
    return _B * big_a * (sigma - delta)


def route_length(points: list[Point]) -> float:
    return sum(geodesic_distance(a, b) for a, b in itertools.pairwise(points))


def as_geojson(points: list[Point]) -> dict[str, Any]:
    return {"type": "LineString", "coordinates": [[lng, lat] for lng, lat in points]}


def geojson_text(points: list[Point]) -> str:
    return json.dumps(as_geojson(points), separators=(",", ":"))


def stored_points(text: str) -> list[Point]:
    """The points of a stored route (canonical GeoJSON text)."""
    data = json.loads(text)
    return [(float(lng), float(lat)) for lng, lat in data["coordinates"]]


def metres_text(metres: float | Decimal) -> str:
    return to_persian_digits(f"{Decimal(str(metres)).quantize(Decimal('1')):,}").replace(",", "٬")


def check_declared_length(points: list[Point], declared: Any) -> None:
    """The drawn route and the declared length agree within the tolerance."""
    try:
        length = Decimal(str(declared))
    except (InvalidOperation, ValueError):
        return  # the length field reports its own problem
    drawn = Decimal(str(route_length(points)))
    allowed = max(TOLERANCE_METRES, length * TOLERANCE_SHARE)
    if abs(drawn - length) > allowed:
        raise _refuse(
            f"طول مسیر کشیده‌شده روی نقشه حدود {metres_text(drawn)} متر است اما طول "
            f"اعلام‌شده {metres_text(length)} متر است؛ مسیر یا طول را اصلاح کنید."
        )


def clean_route(value: str, values: Mapping[str, Any]) -> str:
    """The declared field's check: the canonical GeoJSON text of a valid route."""
    points = parse_route(value)
    if "length_m" in values:
        check_declared_length(points, values["length_m"])
    return geojson_text(points)


def display_route(value: str) -> str:
    try:
        points = stored_points(value)
    except (ValueError, KeyError, TypeError):
        return to_persian_digits(value)
    return f"{to_persian_digits(len(points))} نقطه، حدود {metres_text(route_length(points))} متر"
