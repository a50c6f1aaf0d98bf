"""Excavation on the spine's seams: this app imports cases and registers into its
registries; cases never imports excavation.

- field check ``excavation_route``: the declared field ``route`` of the excavation
  definition is read by route.py (a LineString in the city, its length agreeing with the
  declared length) and stored as GeoJSON; its input carries the map editor.
- effect ``issue_excavation_permit``: the district's approval issues the permit (number,
  validity = planned start..end, the restoration deposit frozen from the rate table).
- effect ``accept_restoration``: the district's acceptance of the restoration, after the
  inspector's report from the site, settles the permit (no longer counted overdue).
- panels: the case page shows the route's map, the permit and an overdue restoration;
  the parcel file lists the parcel's permits.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.templatetags.static import static
from django.urls import reverse

from pishkhan.accounts.access import Principal
from pishkhan.cases.effects import EffectContext, effect
from pishkhan.cases.fields import FieldCheck, field_check
from pishkhan.cases.models import Case
from pishkhan.cases.panels import case_panel, parcel_panel
from pishkhan.excavation.access import permits_visible_to
from pishkhan.excavation.actions import issue_permit, record_restoration_accepted
from pishkhan.excavation.models import ExcavationPermit
from pishkhan.excavation.route import clean_route, display_route, stored_points

ROUTE_FIELD = "route"


def map_attrs() -> dict[str, str]:
    """What route-map.js needs: where Leaflet is, the tiles, the centre and the city."""
    return {
        "data-route-editor": "1",
        "data-leaflet-js": static("vendor/leaflet/leaflet.js"),
        "data-leaflet-css": static("vendor/leaflet/leaflet.css"),
        "data-tiles": settings.PISHKHAN_MAP_TILE_URL,
        "data-attribution": settings.PISHKHAN_MAP_TILE_ATTRIBUTION,
        "data-center": settings.PISHKHAN_MAP_CENTER,
        "data-bounds": settings.PISHKHAN_MAP_BOUNDS,
        "dir": "ltr",
        "autocomplete": "off",
    }


def _clean(value: str, values: Mapping[str, Any]) -> str:
    """The route, and the dates it is dug between (both known here, with every value)."""
    start, end = values.get("planned_start"), values.get("planned_end")
    if start and end and str(end) < str(start):  # ISO dates compare as text
        raise ValidationError("تاریخ پایان کار پیش از تاریخ شروع آن است.", code="route_dates")
    return clean_route(value, values)


field_check(
    "excavation_route",
    FieldCheck(
        clean=_clean,
        display=display_route,
        attrs=map_attrs,
        script="excavation/route-map.js",
    ),
)


@effect("issue_excavation_permit")
def issue_on_approval(context: EffectContext) -> None:
    issue_permit(context.case, actor_id=context.actor_id, now=context.now)


@effect("accept_restoration")
def restoration_accepted(context: EffectContext) -> None:
    record_restoration_accepted(context.case, actor_id=context.actor_id, now=context.now)


def route_view(route: Any) -> dict[str, str]:
    """The read-only map's attributes: the route as GeoJSON text."""
    attrs = {k: v for k, v in map_attrs().items() if k != "data-route-editor"}
    attrs["data-route-view"] = json.dumps(route, separators=(",", ":"))
    return attrs


@case_panel("excavation")
def case_excavation(principal: Principal, case: Case) -> dict[str, Any] | None:
    route_text = (case.data or {}).get(ROUTE_FIELD) if isinstance(case.data, dict) else None
    if not route_text:  # not an excavation (a permit is only issued on a route): no query
        return None
    permit = ExcavationPermit.objects.filter(case_id=case.pk).first()
    route: Any = permit.route if permit is not None else None
    if route is None:
        try:
            points = stored_points(str(route_text))
        except (ValueError, KeyError, TypeError):
            return None
        route = {"type": "LineString", "coordinates": [[x, y] for x, y in points]}
    return {
        "template": "excavation/_case_panel.html",
        "permit": permit,
        "permit_url": reverse("excavation:permit", args=[permit.pk]) if permit else "",
        "map_attrs": route_view(route),
        "script": static("excavation/route-map.js"),
    }


@parcel_panel("excavation")
def parcel_excavations(principal: Principal, parcel_id: int) -> dict[str, Any] | None:
    permits = list(
        permits_visible_to(principal)
        .filter(case__parcel_id=parcel_id)
        .select_related("case")
        .order_by("-issued_at", "-pk")[:50]
    )
    if not permits:
        return None
    return {"template": "excavation/_parcel_panel.html", "permits": permits}
