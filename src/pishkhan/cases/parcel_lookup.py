"""Finding a parcel before registering a case: by plate (a partial main number, an
optional sub number), postal code, renewal code or words of the address.

Parcels are city data, so any technical manager may find any parcel; the cases shown on
each are only those the caller may see (`cases_visible_to`), and the others are only
counted. Each match carries its open conditions, the caller's visible open and recent
cases with their state labels, the number of open cases elsewhere and the date of the
last visit — in a fixed number of queries however many matches there are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    CharField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Cast, Coalesce

from pishkhan.accounts.access import Principal
from pishkhan.cases.access import cases_visible_to
from pishkhan.cases.models import OPEN, Case, VisitReport
from pishkhan.cases.sla import StateMap
from pishkhan.core import clock
from pishkhan.geo.models import Parcel, ParcelCondition

LOOKUP_LIMIT = 20
# Around a point on the map: about 300 m of latitude (and less of longitude) each way.
NEAR_DEGREES = Decimal("0.003")
# The parcels the map draws in its view: at most this many, and only when zoomed in.
MAP_POINTS_LIMIT = 400
MAP_VIEW_MAX_DEGREES = Decimal("0.05")
RECENT_DAYS = 365  # a closed case this recent is still listed
CASES_SHOWN = 5


@dataclass(frozen=True)
class ParcelQuery:
    """What the technical manager typed, normalised (ASCII digits, Persian letters)."""

    plate_main: str = ""
    plate_sub: int | None = None
    postal_code: str = ""
    renewal_code: str = ""
    words: tuple[str, ...] = ()
    near: tuple[Decimal, Decimal] | None = None  # a point on the map: parcels around it

    def condition(self) -> Q:
        condition = Q()
        if self.near is not None:
            lat, lng = self.near
            condition &= Q(
                lat__range=(lat - NEAR_DEGREES, lat + NEAR_DEGREES),
                lng__range=(lng - NEAR_DEGREES, lng + NEAR_DEGREES),
            )
        if self.plate_main:
            condition &= Q(plate_text__startswith=self.plate_main)
        if self.plate_sub is not None:
            condition &= Q(plate_sub=self.plate_sub)
        if self.postal_code:
            condition &= Q(postal_code__startswith=self.postal_code)
        if self.renewal_code:
            condition &= Q(renewal_code__startswith=self.renewal_code)
        for word in self.words:
            condition &= Q(address__icontains=word)
        return condition


@dataclass(frozen=True)
class CaseLine:
    case: Case
    state_label: str


@dataclass(frozen=True)
class ParcelMatch:
    parcel: Parcel
    conditions: list[ParcelCondition]
    cases: list[CaseLine]
    open_elsewhere: int  # open cases the caller may not see
    last_visit: dt.datetime | None


@dataclass(frozen=True)
class LookupResult:
    matches: list[ParcelMatch]
    more: bool  # more parcels matched than are shown


def _count(cases: QuerySet[Case]) -> Subquery:
    return Subquery(
        cases.filter(parcel_id=OuterRef("pk"))
        .order_by()
        .values("parcel_id")
        .annotate(n=Count("pk"))
        .values("n")[:1],
        output_field=IntegerField(),
    )


def ordering(query: ParcelQuery) -> list[Any]:
    """Nearest first around a point of the map; else by district and plate."""
    plate = ["district__number", "plate_main", "plate_sub", "pk"]
    if query.near is None:
        return plate
    lat, lng = query.near
    # squared degrees are distance enough to sort a few hundred metres
    distance = (F("lat") - lat) * (F("lat") - lat) + (F("lng") - lng) * (F("lng") - lng)
    return [distance.asc(), *plate]


@dataclass(frozen=True)
class MapPoint:
    pk: int
    lat: Decimal
    lng: Decimal
    label: str


def map_points(south: Decimal, west: Decimal, north: Decimal, east: Decimal) -> list[MapPoint]:
    """The parcels inside a small view of the map (city data: plate and position only),
    for drawing; nothing when the view is wider than MAP_VIEW_MAX_DEGREES. One query."""
    if north - south > MAP_VIEW_MAX_DEGREES or east - west > MAP_VIEW_MAX_DEGREES:
        return []
    rows = (
        Parcel.objects.filter(lat__range=(south, north), lng__range=(west, east))
        .order_by("pk")
        .values_list("pk", "lat", "lng", "registration_section", "plate_main", "plate_sub")[
            :MAP_POINTS_LIMIT
        ]
    )
    return [
        MapPoint(pk, lat, lng, f"{main}/{sub} بخش {section}" if sub else f"{main} بخش {section}")
        for pk, lat, lng, section, main, sub in rows
    ]


def find_parcels(user: object, principal: Principal, query: ParcelQuery) -> LookupResult:
    """Five queries: the parcels with their counts and last visit, their open
    conditions, the caller's cases on them, and the workflow states' labels."""
    now = clock.now()
    visible = cases_visible_to(user, principal)
    recent = Q(closed_at__isnull=True) | Q(opened_at__gte=now - dt.timedelta(days=RECENT_DAYS))
    shown = visible.filter(recent).select_related("service_type").order_by("-opened_at", "-pk")
    last_visit = (
        VisitReport.objects.filter(parcel_id=OuterRef("pk"))
        .order_by("-visited_at")
        .values("visited_at")[:1]
    )
    conditions = ParcelCondition.objects.filter(resolved_at__isnull=True).order_by("recorded_on")
    parcels = list(
        Parcel.objects.annotate(plate_text=Cast("plate_main", CharField()))
        .filter(query.condition())
        .select_related("district")
        .annotate(
            open_all=Coalesce(_count(Case.objects.open()), 0),
            open_visible=Coalesce(_count(visible.filter(OPEN)), 0),
            last_visit=Subquery(last_visit),
        )
        .prefetch_related(
            Prefetch("conditions", queryset=conditions, to_attr="open_condition_list"),
            Prefetch("cases", queryset=shown[:CASES_SHOWN], to_attr="shown_cases"),
        )
        .order_by(*ordering(query))[: LOOKUP_LIMIT + 1]
    )
    states = StateMap.load() if parcels else None
    matches = [
        ParcelMatch(
            parcel=p,
            conditions=p.open_condition_list,
            cases=[
                CaseLine(c, states.label(c.definition_id, c.state) if states else c.state)
                for c in p.shown_cases
            ],
            open_elsewhere=max(p.open_all - p.open_visible, 0),
            last_visit=p.last_visit,
        )
        for p in parcels[:LOOKUP_LIMIT]
    ]
    return LookupResult(matches, more=len(parcels) > LOOKUP_LIMIT)
