"""A small city for the case tests: two districts, an office in each, one person per role,
two district staff per district (maker and checker), a citizen, parcels, and the three
workflow definitions loaded from their files. Cases are built through the real actions."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from pishkhan.accounts.models import Citizen, User
from pishkhan.cases.actions import do_open_case, do_perform_action, do_record_visit_report
from pishkhan.cases.models import Case, Channel
from pishkhan.cases.workflow import definition_files, load_definition
from pishkhan.catalog.models import ServiceCategory, ServiceType
from pishkhan.core import clock as core_clock
from pishkhan.core.digits import to_persian_digits
from pishkhan.core.national_id import national_id_check_digit
from pishkhan.geo.models import District, LandUse, Parcel
from pishkhan.offices.models import (
    ContractStatus,
    Office,
    OfficeContract,
    RoleAssignment,
    StaffMember,
)
from pishkhan.offices.roles import DegreeLevel, Field, Role

SERVICES = {
    "inquiry_notary": ("استعلام دفترخانه (نقل و انتقال ملک)", ServiceCategory.INQUIRY),
    "inquiry_bank": ("استعلام بانک", ServiceCategory.INQUIRY),
    "permit_extension": ("تمدید پروانه ساختمانی", ServiceCategory.PERMIT),
}
INQUIRY_DOCUMENTS = [
    "inquiry_letter",
    "ownership_document",
    "owner_id_card",
    "renewal_dues_receipt",
]
PERMIT_DOCUMENTS = ["permit_original", "owner_id_card", "renewal_dues_receipt"]
OFFICE_ROLE_LIST = [
    Role.OFFICE_MANAGER,
    Role.TECHNICAL_MANAGER,
    Role.INSPECTOR,
    Role.FOLLOW_UP_OFFICER,
    Role.PLAN_REVIEWER,
]

_serial = itertools.count(1)


def serial() -> int:
    return next(_serial)


def national_id() -> str:
    body = f"58{serial():07d}"
    return body + str(national_id_check_digit(body))


def make_district(number: int) -> District:
    district = District(
        number=number,
        name=f"منطقه آزمون {to_persian_digits(number)}",
        center_lat=Decimal("32.650000"),
        center_lng=Decimal("51.670000"),
        radius_km=Decimal("3"),
    )
    district.full_clean()
    district.save()
    return district


def make_office(district: District) -> Office:
    n = serial()
    today = timezone.localdate()
    office = Office(
        code=f"{50000 + n}",
        name=f"دفتر پیشخوان آزمون {to_persian_digits(n)}",
        district=district,
        address=f"خیابان آزمون، پلاک {to_persian_digits(n)}",
        lat=Decimal("32.650000"),
        lng=Decimal("51.670000"),
        phone="03132220000",
        cra_licence_number=f"CRA-CASES-{n}",
        # wide enough for the tests that set the engine's clock to a fixed day in 1404
        cra_licence_valid_from=today - dt.timedelta(days=5 * 365),
        cra_licence_valid_until=today + dt.timedelta(days=5 * 365),
        capacity=40,
    )
    office.full_clean()
    office.save()
    return office


def make_user(label: str) -> User:
    n = serial()
    return User.objects.create_user(
        username=f"cases-{label}-{n}", first_name="کاربر", last_name=to_persian_digits(n)
    )


def make_staff(role: str, office: Office | None = None, district: District | None = None) -> User:
    """A user holding `role` (since a month ago) in an office, a district or the city."""
    user = make_user(str(role))
    staff = StaffMember(
        user=user,
        national_id=national_id(),
        mobile=f"0912{serial():07d}",
        degree_level=DegreeLevel.MASTER,
        field=Field.CIVIL_ENGINEERING,
    )
    staff.full_clean()
    staff.save()
    grant(staff, role, office=office, district=district)
    return user


def grant(
    staff: StaffMember, role: str, office: Office | None = None, district: District | None = None
) -> None:
    assignment = RoleAssignment(
        staff=staff,
        role=role,
        office=office,
        district=district,
        starts_on=timezone.localdate() - dt.timedelta(days=30),
    )
    assignment.full_clean()
    assignment.save()


def make_citizen(with_account: bool = True) -> Citizen:
    n = serial()
    citizen = Citizen(
        national_id=national_id(),
        first_name="زهرا",
        last_name=f"متقاضی {to_persian_digits(n)}",
        mobile=f"0913{n:07d}",
        user=make_user("citizen") if with_account else None,
    )
    citizen.full_clean()
    citizen.save()
    return citizen


def make_parcel(district: District) -> Parcel:
    n = serial()
    parcel = Parcel(
        registration_section=9,
        plate_main=80000 + n,
        renewal_code=f"{district.number}-{n % 10000}-7-0-0",
        district=district,
        address=f"خیابان چهارباغ، پلاک {to_persian_digits(n)}",
        lat=Decimal("32.650000"),
        lng=Decimal("51.670000"),
        land_area=Decimal("200"),
        land_use=LandUse.RESIDENTIAL,
        plan_zone="R112",
        zone_price=10_000_000,
    )
    parcel.full_clean()
    parcel.save()
    return parcel


def make_service(code: str) -> ServiceType:
    name, category = SERVICES[code]
    service, _ = ServiceType.objects.get_or_create(
        code=code, defaults={"name": name, "category": category, "requires_visit": True}
    )
    return service


def load_definitions() -> None:
    for code in SERVICES:
        make_service(code)
    for path in definition_files():
        load_definition(path)


@dataclass
class Side:
    """One district with its office and the people of every role there."""

    district: District
    office: Office
    staff: dict[str, User]
    district_staff: list[User]
    parcel: Parcel

    def __getitem__(self, role: str) -> User:
        return self.staff[role]


@dataclass
class World:
    a: Side
    b: Side
    supervisor: User
    administrator: User
    citizen: Citizen
    other_citizen: Citizen
    services: dict[str, ServiceType] = field(default_factory=dict)

    def everyone(self) -> dict[str, User]:
        """Every person by a readable name: 'a.inspector', 'b.district_staff.1', ..."""
        people: dict[str, User] = {
            "supervisor": self.supervisor,
            "administrator": self.administrator,
            "citizen": _user(self.citizen),
            "other_citizen": _user(self.other_citizen),
        }
        for name, side in (("a", self.a), ("b", self.b)):
            people.update({f"{name}.{role}": user for role, user in side.staff.items()})
            for i, user in enumerate(side.district_staff):
                people[f"{name}.district_staff.{i}"] = user
        return people

    def open_case(
        self,
        service: str = "inquiry_notary",
        side: Side | None = None,
        documents: list[str] | None = None,
        applicant: Citizen | None = None,
    ) -> Case:
        side = side or self.a
        if documents is None:
            documents = PERMIT_DOCUMENTS if service == "permit_extension" else INQUIRY_DOCUMENTS
        return do_open_case(
            side[Role.TECHNICAL_MANAGER],
            self.services[service],
            applicant or self.citizen,
            side.parcel,
            side.office,
            Channel.IN_PERSON,
            documents,
        )


def _user(citizen: Citizen) -> User:
    assert citizen.user is not None
    return citizen.user


def make_contract(office: Office, codes: tuple[str, ...] = tuple(SERVICES)) -> OfficeContract:
    """The office's contract with the city, covering `codes` (every test service)."""
    today = timezone.localdate()
    contract = OfficeContract.objects.create(
        office=office,
        number=f"CASES-{office.pk}-{serial()}",
        signed_on=today - dt.timedelta(days=5 * 365),
        starts_on=today - dt.timedelta(days=5 * 365),
        ends_on=today + dt.timedelta(days=5 * 365),
        status=ContractStatus.ACTIVE,
    )
    contract.services.set(ServiceType.objects.filter(code__in=codes))
    return contract


def make_side(number: int) -> Side:
    district = make_district(number)
    office = make_office(district)
    make_contract(office)
    return Side(
        district=district,
        office=office,
        staff={role: make_staff(role, office=office) for role in OFFICE_ROLE_LIST},
        district_staff=[make_staff(Role.DISTRICT_STAFF, district=district) for _ in range(2)],
        parcel=make_parcel(district),
    )


def build_world() -> World:
    load_definitions()
    return World(
        a=make_side(71),
        b=make_side(72),
        supervisor=make_staff(Role.SUPERVISOR),
        administrator=make_staff(Role.ADMINISTRATOR),
        citizen=make_citizen(),
        other_citizen=make_citizen(),
        services={code: ServiceType.objects.get(code=code) for code in SERVICES},
    )


@pytest.fixture
def world(db: None) -> World:
    return build_world()


# --- walking a case -------------------------------------------------------------------


def act(user: User, case: Case, code: str, reason: str | None = None, **payload: Any) -> Case:
    return do_perform_action(user, case.pk, code, case.version, reason=reason, payload=payload)


def record_visit(inspector: User, case: Case, violations: list[str] | None = None) -> Case:
    do_record_visit_report(
        inspector,
        case.pk,
        case.version,
        visited_at=timezone.now() - dt.timedelta(hours=1),
        observed_land_use=LandUse.RESIDENTIAL,
        built_area=Decimal("180.5"),
        floors=2,
        violations_observed=violations or [],
        photo_refs=["visits/front.jpg", "visits/back.jpg"],
        notes="بازدید انجام شد.",
    )
    case.refresh_from_db()
    return case


def walk_to(world: World, case: Case, state: str, side: Side | None = None) -> Case:
    """Move an inquiry along the main path until it reaches `state` (a rejection is
    prepared off the path, from the district's review)."""
    side = side or world.a
    if state == "rejection_prepared":
        case = walk_to(world, case, "district_review", side)
        return act(side.district_staff[0], case, "prepare_rejection", reason="ملک در طرح است")
    maker, checker = side.district_staff
    steps: list[tuple[str, Any]] = [
        ("registered", lambda c: act(side[Role.TECHNICAL_MANAGER], c, "refer_to_inspector")),
        (
            "awaiting_visit",
            lambda c: act(
                side[Role.INSPECTOR],
                record_visit(side[Role.INSPECTOR], c),
                "submit_visit_report",
            ),
        ),
        ("plan_review", lambda c: act(side[Role.PLAN_REVIEWER], c, "complete_plan_review")),
        ("district_review", lambda c: act(maker, c, "prepare_response")),
        ("response_prepared", lambda c: act(checker, c, "approve_response")),
    ]
    order = [at for at, _ in steps]
    assert case.state in [*order, state], f"walk_to cannot leave {case.state}"
    for at, step in steps:
        if case.state == state:
            return case
        if case.state == at:
            case = step(case)
    assert case.state == state
    return case


# --- the clock the engine reads (pishkhan.core.clock) ---------------------------------

TEHRAN = timezone.get_default_timezone()
WEDNESDAY = dt.date(2025, 10, 29)  # 1404/08/07


def at(day: dt.date, hour: int, minute: int = 0, plus_days: int = 0) -> dt.datetime:
    day = day + dt.timedelta(days=plus_days)
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TEHRAN)


Clock = core_clock.FrozenClock


@pytest.fixture
def clock() -> Iterator[Clock]:
    """The clock, set by the test (Wednesday 10:00 to start): `clock.now = ...`."""
    with core_clock.frozen(at(WEDNESDAY, 10)) as frozen:
        yield frozen


# --- pages ----------------------------------------------------------------------------


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def listed(response: Any) -> set[str]:
    """The tracking codes on a cartable or follow-up page."""
    return {row.case.tracking_code for row in response.context["page"].rows}
