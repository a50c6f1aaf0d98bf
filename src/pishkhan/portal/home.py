"""What each person sees first after signing in: one section per role family they hold.

Every section reads its rows in a fixed number of queries, however many offices, staff or
parcels there are, and reads only what the person's roles cover: office staff their own
offices, district staff their own districts, supervisors and administrators the city.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from django.db import models
from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from pishkhan.accounts.access import Principal
from pishkhan.accounts.models import Citizen
from pishkhan.cases.models import APPLICANT, Case
from pishkhan.cases.sla import StateMap
from pishkhan.catalog.models import ServiceType
from pishkhan.core.phone import mask_mobile
from pishkhan.geo.models import District, Parcel, ParcelCondition
from pishkhan.offices.models import (
    ContractStatus,
    Office,
    OfficeContract,
    OfficeStatus,
    RoleAssignment,
)
from pishkhan.offices.roles import OFFICE_ROLES, Role

# The citizen's home page lists this many of their latest requests.
CITIZEN_REQUESTS = 20

# A licence that ends within this many days is flagged on every page that shows it.
LICENCE_WARNING_DAYS = 60

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class Licence:
    """An office's CRA licence as seen on one day."""

    valid_from: dt.date
    valid_until: dt.date
    today: dt.date

    @classmethod
    def of(cls, office: Office, today: dt.date) -> Licence:
        return cls(office.cra_licence_valid_from, office.cra_licence_valid_until, today)

    @property
    def days_left(self) -> int:
        return (self.valid_until - self.today).days

    @property
    def is_expired(self) -> bool:
        return self.days_left < 0

    @property
    def not_started(self) -> bool:
        return self.today < self.valid_from

    @property
    def expires_soon(self) -> bool:
        return 0 <= self.days_left <= LICENCE_WARNING_DAYS

    @property
    def needs_attention(self) -> bool:
        return self.days_left <= LICENCE_WARNING_DAYS


@dataclass(frozen=True)
class OfficeRow:
    office: Office
    licence: Licence


@dataclass(frozen=True)
class DistrictGroup:
    district: District
    offices: list[OfficeRow]


@dataclass(frozen=True)
class StaffRow:
    name: str
    roles: list[str]


@dataclass(frozen=True)
class OfficeCard:
    office: Office
    licence: Licence
    contract: OfficeContract | None
    staff: list[StaffRow]

    @property
    def services(self) -> list[ServiceType]:
        """The contract's active services, from the prefetched cache (no query)."""
        return list(self.contract.services.all()) if self.contract else []


@dataclass(frozen=True)
class OfficeSection:
    """For the people of an office: their office, its contracted services and its staff."""

    template: ClassVar[str] = "portal/home_office.html"
    cards: list[OfficeCard]


@dataclass(frozen=True)
class DistrictPanel:
    district: District
    offices: list[OfficeRow]
    parcel_count: int
    open_condition_count: int


@dataclass(frozen=True)
class DistrictSection:
    """For district staff: the offices and the parcel workload of their districts."""

    template: ClassVar[str] = "portal/home_district.html"
    panels: list[DistrictPanel]


@dataclass(frozen=True)
class RoleCount:
    label: str
    count: int


@dataclass(frozen=True)
class CitySection:
    """For supervisors and administrators: every office, its licence and the city's staff."""

    template: ClassVar[str] = "portal/home_city.html"
    groups: list[DistrictGroup]
    role_counts: list[RoleCount]
    attention: list[OfficeRow]
    office_count: int
    active_count: int
    show_admin_link: bool


@dataclass(frozen=True)
class CitizenRequest:
    """One of the citizen's own cases, as the citizen sees it."""

    case: Case
    state_label: str

    @property
    def awaits_applicant(self) -> bool:
        return bool(self.case.acting_role == APPLICANT and self.case.closed_at is None)


@dataclass(frozen=True)
class CitizenSection:
    """For citizens: who they are to us, their own requests, and the offices open to them."""

    template: ClassVar[str] = "portal/home_citizen.html"
    citizen: Citizen
    masked_mobile: str
    requests: list[CitizenRequest]
    more_requests: bool
    directory: list[DistrictGroup]


Section = OfficeSection | DistrictSection | CitySection | CitizenSection


@dataclass
class HomeContext:
    template: str
    data: dict[str, Any]


def home_context(principal: Principal) -> HomeContext:
    """The sections of every role family the person holds, in a fixed order."""
    today = timezone.localdate()
    sections: list[Section] = []
    office_ids = principal.office_ids(*OFFICE_ROLES)
    if office_ids:
        sections.append(office_section(office_ids, today))
    district_ids = principal.district_ids(Role.DISTRICT_STAFF)
    if district_ids:
        sections.append(district_section(district_ids, today))
    if principal.has_role(Role.SUPERVISOR, Role.ADMINISTRATOR):
        sections.append(city_section(today, principal.has_role(Role.ADMINISTRATOR)))
    if principal.citizen_id is not None:
        sections.append(citizen_section(principal.citizen_id, today))
    return HomeContext("portal/home.html", {"sections": sections})


def office_section(office_ids: set[int], today: dt.date) -> OfficeSection:
    """Four queries: offices, contracts in force, their services, staff with roles."""
    offices = Office.objects.filter(id__in=office_ids).select_related("district")
    contracts: dict[int, OfficeContract] = {}
    active_services = ServiceType.objects.filter(is_active=True)
    for contract in (
        in_force(OfficeContract.objects.filter(office_id__in=office_ids), today)
        .filter(status=ContractStatus.ACTIVE)
        .order_by("office_id", "-starts_on")
        .prefetch_related(Prefetch("services", queryset=active_services))
    ):
        contracts.setdefault(contract.office_id, contract)
    staff = staff_by_office(office_ids, today)
    return OfficeSection(
        cards=[
            OfficeCard(
                office=office,
                licence=Licence.of(office, today),
                contract=contracts.get(office.pk),
                staff=staff.get(office.pk, []),
            )
            for office in offices
        ]
    )


def staff_by_office(office_ids: set[int], today: dt.date) -> dict[int, list[StaffRow]]:
    """Everyone holding a role in force today in these offices, with all their roles there."""
    order = [str(role) for role in Role]
    roles: dict[int, dict[int, list[str]]] = defaultdict(dict)
    names: dict[int, str] = {}
    assignments = (
        in_force(RoleAssignment.objects.filter(office_id__in=office_ids), today)
        .select_related("staff__user")
        .order_by("staff__user__last_name", "staff__user__first_name", "staff_id")
    )
    for assignment in assignments:
        if assignment.office_id is None:
            continue
        names[assignment.staff_id] = str(assignment.staff)
        roles[assignment.office_id].setdefault(assignment.staff_id, []).append(assignment.role)
    return {
        office_id: [
            StaffRow(names[staff_id], [str(Role(r).label) for r in sorted(held, key=order.index)])
            for staff_id, held in by_staff.items()
        ]
        for office_id, by_staff in roles.items()
    }


def district_section(district_ids: set[int], today: dt.date) -> DistrictSection:
    """Four queries: districts, their offices, parcel counts, open-condition counts."""
    offices = Office.objects.filter(district_id__in=district_ids).select_related("district")
    by_district = group_rows(offices, today)
    parcels = count_by(Parcel.objects.filter(district_id__in=district_ids), "district_id")
    open_conditions = count_by(
        ParcelCondition.objects.filter(
            parcel__district_id__in=district_ids, resolved_at__isnull=True
        ),
        "parcel__district_id",
    )
    return DistrictSection(
        panels=[
            DistrictPanel(
                district=district,
                offices=by_district.get(district.pk, []),
                parcel_count=parcels.get(district.pk, 0),
                open_condition_count=open_conditions.get(district.pk, 0),
            )
            for district in District.objects.filter(id__in=district_ids)
        ]
    )


def city_section(today: dt.date, show_admin_link: bool) -> CitySection:
    """Three queries: districts, offices, and staff counted per role."""
    offices = list(Office.objects.select_related("district"))
    by_district = group_rows(offices, today)
    rows = [row for group in by_district.values() for row in group]
    staff_per_role = {
        entry["role"]: entry["people"]
        for entry in in_force(RoleAssignment.objects.all(), today)
        .order_by()
        .values("role")
        .annotate(people=Count("staff", distinct=True))
    }
    return CitySection(
        groups=[
            DistrictGroup(district, by_district.get(district.pk, []))
            for district in District.objects.all()
        ],
        role_counts=[RoleCount(str(role.label), staff_per_role.get(role, 0)) for role in Role],
        # A closed office's licence no longer matters.
        attention=sorted(
            (
                row
                for row in rows
                if row.licence.needs_attention and row.office.status != OfficeStatus.CLOSED
            ),
            key=lambda row: row.licence.valid_until,
        ),
        office_count=len(offices),
        active_count=sum(1 for office in offices if office.status == OfficeStatus.ACTIVE),
        show_admin_link=show_admin_link,
    )


def citizen_requests(citizen_id: int) -> tuple[list[CitizenRequest], bool]:
    """The citizen's latest requests, newest first, in two queries: the cases (on the
    applicant index) and the states' labels."""
    cases = list(
        Case.objects.filter(applicant_id=citizen_id)
        .select_related("service_type", "office")
        .order_by("-opened_at")[: CITIZEN_REQUESTS + 1]
    )
    more, cases = len(cases) > CITIZEN_REQUESTS, cases[:CITIZEN_REQUESTS]
    states = StateMap.load()
    rows = [CitizenRequest(c, states.label(c.definition_id, c.state)) for c in cases]
    return rows, more


def citizen_section(citizen_id: int, today: dt.date) -> CitizenSection:
    """Four queries: the citizen, their requests and the states' labels, and the offices
    open to them today (active, licensed)."""
    citizen = Citizen.objects.get(pk=citizen_id)
    requests, more_requests = citizen_requests(citizen_id)
    offices = (
        Office.objects.filter(
            status=OfficeStatus.ACTIVE,
            cra_licence_valid_from__lte=today,
            cra_licence_valid_until__gte=today,
        )
        .select_related("district")
        .order_by("district__number", "name", "code")
    )
    return CitizenSection(
        citizen=citizen,
        masked_mobile=mask_mobile(citizen.mobile),
        requests=requests,
        more_requests=more_requests,
        directory=[
            DistrictGroup(rows[0].office.district, rows)
            for rows in group_rows(offices, today).values()
        ],
    )


def in_force(queryset: models.QuerySet[M], today: dt.date) -> models.QuerySet[M]:
    """Rows of a period model (starts_on/ends_on) that cover `today`."""
    return queryset.filter(starts_on__lte=today).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today)
    )


def group_rows(offices: Iterable[Office], today: dt.date) -> dict[int, list[OfficeRow]]:
    """Office rows keyed by district id, in the queryset's order (district number first)."""
    groups: dict[int, list[OfficeRow]] = defaultdict(list)
    for office in offices:
        groups[office.district_id].append(OfficeRow(office, Licence.of(office, today)))
    return groups


def count_by(queryset: models.QuerySet[Any], key: str) -> dict[int, int]:
    """Row counts grouped by one column, in one query."""
    return {
        entry[key]: entry["n"] for entry in queryset.order_by().values(key).annotate(n=Count("pk"))
    }
