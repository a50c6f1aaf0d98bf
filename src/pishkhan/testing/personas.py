"""The people and places of every app's tests, built through the real actions.

One module for the whole suite, in the manner of healthchecks' ``hc/test.py``: a `Builder`
for single valid rows (written by their ``do_*`` action where one exists: offices, staff
and their roles, citizens, tariffs, cases and their steps; by ``full_clean()`` and
``save()`` where none does: districts, parcels and their conditions, services,
contracts), and `City`, a small city of named people:

- office A, in district A (۷۱): ``alice`` its technical manager, ``bob`` her inspector,
  ``peggy`` the plan reviewer, ``frank`` the follow-up officer, ``olivia`` the office
  manager; ``dave`` and ``dana``, district A's staff (maker and checker);
- office B, in district B (۷۲): ``charlie`` its technical manager (``city.b[role]`` for
  its other roles); ``erin`` and ``ezra``, district B's staff;
- ``sam`` the supervisor and ``ada`` the administrator, who see every case and act on
  none; ``zahra``, a citizen with an account (``city.citizen`` is her record), and
  ``yusuf``, another (``city.other_citizen``).

Each district has a parcel (``city.a.parcel``) and each office a contract for the three
services of cases/definitions/, whose workflow definitions are loaded from their files.
``city.open_case()`` registers a case at office A; ``city.walk_to(case, state)`` moves it,
through the real actions, to any state its definition reaches.

Fixtures (src/pishkhan/conftest.py): ``build`` (a Builder) and ``city`` (a City); the
names the suite used before, ``actions_builder`` and ``city_builder``, are the same
Builder, and the case tests' ``world`` is a City.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from pishkhan.accounts.actions import do_register_citizen
from pishkhan.accounts.models import Citizen, User
from pishkhan.cases.actions import (
    do_open_case,
    do_perform_action,
    do_record_plan_review,
    do_record_visit_report,
    do_save_response_draft,
    state_checklist,
)
from pishkhan.cases.models import APPLICANT, Case, Channel, ResponseResult
from pishkhan.cases.responses import AnswerDraft
from pishkhan.cases.workflow import definition_files, load_definition
from pishkhan.catalog.actions import do_publish_tariff
from pishkhan.catalog.models import ServiceCategory, ServiceType, Tariff
from pishkhan.core import clock
from pishkhan.core.digits import to_persian_digits
from pishkhan.core.national_id import national_id_check_digit
from pishkhan.excavation.actions import do_publish_restoration_rate
from pishkhan.excavation.models import RestorationRate
from pishkhan.geo.models import ConditionKind, District, LandUse, Parcel, ParcelCondition
from pishkhan.offices.actions import do_assign_role, do_create_office, do_create_staff_member
from pishkhan.offices.models import (
    ContractStatus,
    Office,
    OfficeContract,
    OfficeStatus,
    RoleAssignment,
    StaffMember,
)
from pishkhan.offices.roles import DegreeLevel, Field, Role
from pishkhan.permits.actions import PaperPermit, do_record_paper_permit
from pishkhan.permits.models import BuildingPermit
from pishkhan.testing.uploads import image_bytes, upload
from pishkhan.testing.workflows import plan, read_definitions

TEST_PASSWORD = "a-long-test-passphrase-۱۴۰۲"  # noqa: S105 - every test account's password

# The services whose workflow definitions live in cases/definitions/.
SERVICES = {
    "inquiry_notary": ("استعلام دفترخانه (نقل و انتقال ملک)", ServiceCategory.INQUIRY),
    "inquiry_bank": ("استعلام بانک", ServiceCategory.INQUIRY),
    "permit_extension": ("تمدید پروانه ساختمانی", ServiceCategory.PERMIT),
    "permit_new": ("پروانه احداث بنای جدید", ServiceCategory.PERMIT),
    "permit_demolition_rebuild": ("پروانه تخریب و نوسازی", ServiceCategory.PERMIT),
    "permit_replacement": ("تعویض پروانه ساختمانی", ServiceCategory.PERMIT),
    "permit_expansion": ("پروانه توسعه بنا", ServiceCategory.PERMIT),
    "permit_repairs": ("پروانه تعمیرات", ServiceCategory.PERMIT),
    "inquiry_excavation": ("استعلام حفاری", ServiceCategory.INQUIRY),
}
INQUIRY_DOCUMENTS = [
    "inquiry_letter",
    "ownership_document",
    "owner_id_card",
    "renewal_dues_receipt",
]
PERMIT_DOCUMENTS = ["permit_original", "owner_id_card", "renewal_dues_receipt"]
EXCAVATION_DOCUMENTS = [
    "utility_letter",
    "route_sketch",
    "ownership_document",
    "applicant_id_card",
    "restoration_undertaking",
]
# What each building-permit group's registration requires (its initial state's list).
REGISTRATION_DOCUMENTS = {
    "permit_extension": PERMIT_DOCUMENTS,
    "permit_new": ["deed", "owner_id_card", "renewal_dues_receipt"],
    "permit_demolition_rebuild": ["deed", "owner_id_card", "safe_demolition_pledge"],
    "permit_replacement": ["previous_permit", "deed", "owner_id_card"],
    "permit_expansion": ["completion_certificate", "deed", "owner_id_card"],
    "permit_repairs": ["repairs_description", "deed_copy", "owner_id_card"],
    "inquiry_excavation": EXCAVATION_DOCUMENTS,
}
# The groups whose registration names a parent permit (the declared field parent_permit).
WITH_PARENT_PERMIT = frozenset(
    {"permit_extension", "permit_replacement", "permit_expansion", "permit_repairs"}
)
# The parent permit the test builder registers for them: two floors, 240 m².
PARENT_FLOORS, PARENT_AREA = 2, Decimal("240")
OFFICE_ROLE_LIST = [
    Role.OFFICE_MANAGER,
    Role.TECHNICAL_MANAGER,
    Role.INSPECTOR,
    Role.FOLLOW_UP_OFFICER,
    Role.PLAN_REVIEWER,
]
REASON = "علت آزمایشی"
# The declared fields of each service's definition (cases/fields.py), valid for any day a
# test sets the clock to: the letter is dated before all of them.
LETTER_DATE = "2023-03-22"  # ۱۴۰۲/۰۱/۰۲
APPLICATION_DATA: dict[str, dict[str, Any]] = {
    "inquiry_notary": {
        "notary_office_number": 112,
        "letter_number": "1402/4521",
        "letter_date": LETTER_DATE,
    },
    "inquiry_bank": {
        "bank": "melli",
        "branch": "شعبه چهارباغ (کد 3120)",
        "letter_number": "1402/887",
        "letter_date": LETTER_DATE,
    },
    "permit_new": {"land_use": "residential", "floors": 3, "units": 3, "built_area": "360"},
    "permit_demolition_rebuild": {
        "land_use": "residential",
        "floors": 4,
        "units": 4,
        "built_area": "480",
    },
    "permit_replacement": {"land_use": "mixed", "floors": 3, "units": 4, "built_area": "380"},
    "permit_expansion": {"floors": 3, "units": 3, "built_area": "330"},
    "permit_repairs": {"description": "تعویض سقف و بازسازی نما"},
    # a 104 m trench along a street of the city (the route drawn agrees with the length)
    "inquiry_excavation": {
        "requester_kind": "utility",
        "utility": "gas",
        "utility_letter_number": "1402/5510",
        "street_name": "خیابان چهارباغ عباسی، کوچه ۱۲",
        "street_type": "local",
        "length_m": "104",
        "width_m": "0.6",
        "planned_start": "2023-04-01",
        "planned_end": "2023-05-01",
        "route": "32.6546,51.6680;32.6550,51.6690",
    },
}
# What the counter says when a test opens a second case of a service on one parcel; the
# action records it only when there is an open case to justify it against.
DUPLICATE_REASON = "پرونده آزمایشی دیگری روی همین ملک"


def application_data(service: str) -> dict[str, Any]:
    """Valid values of the service's declared fields."""
    return dict(APPLICATION_DATA.get(service, {}))


def application_form_data(service: str) -> dict[str, str]:
    """The same values as the registration form posts them (``field_<code>``), the way
    a counter types them: Persian digits, the letter's date Jalali."""
    typed = {
        code: "۱۴۰۲/۰۱/۰۲" if code == "letter_date" else to_persian_digits(value)
        for code, value in APPLICATION_DATA.get(service, {}).items()
    }
    return {f"field_{code}": value for code, value in typed.items()}


# One counter for the whole session: rows of two builders in one test never collide.
_serial = itertools.count(1)


def valid_national_id(serial: int) -> str:
    """A national ID that passes the check-digit rule, distinct for each serial."""
    body = f"31{serial % 10**7:07d}"
    return body + str(national_id_check_digit(body))


# --- single rows ----------------------------------------------------------------------


class Builder:
    """Valid rows, written through the do_* actions where one exists."""

    def __init__(self) -> None:
        self.today = timezone.localdate()

    def serial(self) -> int:
        return next(_serial)

    next = serial  # the name the city builder used

    def national_id(self) -> str:
        return valid_national_id(self.serial())

    # --- people -----------------------------------------------------------------------

    def user(
        self,
        *,
        username: str | None = None,
        first_name: str = "",
        last_name: str = "",
        **fields: Any,
    ) -> User:
        """An account (password `TEST_PASSWORD`)."""
        return get_user_model().objects.create_user(
            username=username or f"user{self.serial()}",
            password=TEST_PASSWORD,
            first_name=first_name,
            last_name=last_name,
            **fields,
        )

    def staff(
        self,
        role: str | int | None = None,
        legacy_field: str | None = None,
        *,
        office: Office | None = None,
        district: District | None = None,
        degree_level: int = DegreeLevel.MASTER,
        field: str = Field.ARCHITECTURE,
        username: str | None = None,
        first_name: str = "مریم",
        last_name: str | None = None,
    ) -> StaffMember:
        """A staff member holding `role` (since a month ago) at `office` or in
        `district` (or in the whole city for a city role), or no role at all.
        ``staff(degree_level, field)`` is the old actions builder's form, still read."""
        if isinstance(role, int):  # staff(degree_level, field)
            degree_level, field, role = role, legacy_field or field, None
        serial = self.serial()
        user = self.user(
            username=username,
            first_name=first_name,
            last_name=last_name or f"کارمند {to_persian_digits(serial)}",
        )
        staff = do_create_staff_member(
            None,
            user,
            valid_national_id(serial),
            f"0912{serial % 10**7:07d}",
            degree_level,
            field,
        )
        if role is not None:
            self.grant(staff, role, office=office, district=district)
        return staff

    def grant(
        self,
        staff: StaffMember,
        role: str,
        *,
        office: Office | None = None,
        district: District | None = None,
        ends_on: dt.date | None = None,
        starts_on: dt.date | None = None,
    ) -> RoleAssignment:
        assignment = do_assign_role(
            None,
            staff,
            role,
            office=office,
            district=district,
            starts_on=starts_on or self.today - dt.timedelta(days=30),
            ends_on=ends_on,
        )
        staff.user.refresh_from_db(fields=["is_staff"])  # the admin roles set it
        return assignment

    def citizen(
        self,
        *,
        national_id: str | None = None,
        mobile: str | None = None,
        with_account: bool = True,
        first_name: str = "زهرا",
        last_name: str | None = None,
    ) -> Citizen:
        """A citizen; with an account, its user name is the national ID."""
        serial = self.serial()
        citizen = do_register_citizen(
            national_id or valid_national_id(serial),
            first_name,
            last_name or f"شهروند {to_persian_digits(serial)}",
            mobile or f"0913{serial % 10**7:07d}",
        )
        if with_account:
            # No action links an account yet; a citizen's user name is their national ID.
            citizen.user = self.user(
                username=citizen.national_id,
                first_name=citizen.first_name,
                last_name=citizen.last_name,
            )
            citizen.save(update_fields=["user", "updated_at"])
        return citizen

    # --- places -----------------------------------------------------------------------

    def district(self, number: int | None = None, name: str | None = None) -> District:
        """A district; without a number, the first free one from 60 on (1–99 wrap)."""
        if number is None:
            taken = set(District.objects.values_list("number", flat=True))
            number = next(n for n in [*range(60, 100), *range(1, 60)] if n not in taken)
        district = District(
            number=number,
            name=name or f"منطقه {to_persian_digits(number)}",
            center_lat=Decimal("32.650000"),
            center_lng=Decimal("51.670000"),
            radius_km=Decimal("2.5"),
        )
        district.full_clean()
        district.save()
        return district

    def office_fields(self, district: District, **overrides: Any) -> dict[str, Any]:
        """What do_create_office takes, valid, with `overrides` over it."""
        serial = self.serial()
        valid_until = overrides.pop("valid_until", None) or self.today + dt.timedelta(days=365)
        return {
            "code": f"{70000 + serial}",
            "name": f"دفتر پیشخوان شماره {to_persian_digits(serial)}",
            "district": district,
            "address": f"خیابان چهارباغ، کوچه {to_persian_digits(serial)}",
            "lat": Decimal("32.650000"),
            "lng": Decimal("51.670000"),
            "phone": "03132220000",
            "cra_licence_number": f"CRA-{serial}",
            # wide: tests may set the engine's clock to a fixed day of 1404
            "cra_licence_valid_from": min(self.today, valid_until) - dt.timedelta(days=5 * 365),
            "cra_licence_valid_until": valid_until,
            "status": OfficeStatus.ACTIVE,
            "capacity": 40,
            **overrides,
        }

    def office(self, district: District | None = None, **overrides: Any) -> Office:
        """An active office (licensed until a year from now unless `valid_until`)."""
        return do_create_office(
            None, **self.office_fields(district or self.district(), **overrides)
        )

    def parcel(self, district: District, **overrides: Any) -> Parcel:
        serial = self.serial()
        parcel = Parcel(
            **{
                "registration_section": 5,
                "plate_main": 10_000 + serial,
                "plate_sub": 0,
                "renewal_code": f"{district.number % 100}-{serial % 10000}-1-0-0",
                "district": district,
                "address": f"خیابان هشت بهشت، پلاک {to_persian_digits(serial)}",
                "lat": Decimal("32.650000"),
                "lng": Decimal("51.670000"),
                "land_area": Decimal("250"),
                "land_use": LandUse.RESIDENTIAL,
                "plan_zone": "R112",
                "zone_price": 12_000_000,
                **overrides,
            }
        )
        parcel.full_clean()
        parcel.save()
        return parcel

    def paper_permit(
        self,
        parcel: Parcel,
        *,
        valid_until: dt.date | None = None,
        issued_on: dt.date | None = None,
    ) -> BuildingPermit:
        """A permit issued on paper before Pishkhan, registered by a district staff
        member of the parcel's district: two floors, 240 m²."""
        registrar = self.district_registrar(parcel.district)
        issued = issued_on or self.today - dt.timedelta(days=300)
        return do_record_paper_permit(
            registrar,
            parcel.pk,
            PaperPermit(
                land_use=LandUse.RESIDENTIAL,
                floors=PARENT_FLOORS,
                units=2,
                built_area=PARENT_AREA,
                issued_on=issued,
                valid_until=valid_until or self.today + dt.timedelta(days=60),
                paper_number="۱۴۰۰/۱۲۳",
            ),
        )

    def district_registrar(self, district: District) -> User:
        """A district staff member of `district` in force today, made if there is none
        (looked up each time: a test that rolls back a savepoint takes its people)."""
        found = (
            RoleAssignment.objects.in_force(self.today)
            .filter(role=Role.DISTRICT_STAFF, district=district)
            .select_related("staff__user")
            .order_by("pk")
            .first()
        )
        return (
            found.staff.user if found else self.staff(Role.DISTRICT_STAFF, district=district).user
        )

    def application_data_on(self, service: str, parcel: Parcel) -> dict[str, Any]:
        """`application_data` of a service; a group that names a parent permit gets a
        fresh paper permit of `parcel` as its parent."""
        data = application_data(service)
        if service in WITH_PARENT_PERMIT:
            data["parent_permit"] = self.paper_permit(parcel).number
        return data

    def condition(
        self,
        parcel: Parcel,
        *,
        resolved: bool = False,
        kind: str = ConditionKind.VIOLATION,
        title: str = "اضافه بنای بدون پروانه",
        amount: int | None = None,
        widening_m: Decimal | None = None,
    ) -> ParcelCondition:
        """An open (or resolved) condition; a debt needs its `amount` in rials."""
        condition = ParcelCondition(
            parcel=parcel,
            kind=kind,
            title=title,
            amount=amount,
            widening_m=widening_m,
            recorded_on=self.today - dt.timedelta(days=10),
            resolved_at=timezone.now() if resolved else None,
        )
        condition.full_clean()
        condition.save()
        return condition

    # --- services, contracts, tariffs ---------------------------------------------------

    def service(self, name: str | None = None, **fields: Any) -> ServiceType:
        serial = self.serial()
        service = ServiceType(
            **{
                "code": f"service_{serial}",
                "name": name or f"خدمت آزمایشی {to_persian_digits(serial)}",
                "category": ServiceCategory.INQUIRY,
                **fields,
            }
        )
        service.full_clean()
        service.save()
        return service

    service_type = service  # the name the actions builder used

    def workflow_services(self) -> dict[str, ServiceType]:
        """The three services of cases/definitions/, their definitions loaded."""
        services = {code: workflow_service(code) for code in SERVICES}
        for path in definition_files():
            load_definition(path)
        return services

    def contract(
        self,
        office: Office,
        services: list[ServiceType],
        *,
        status: str = ContractStatus.ACTIVE,
        years: int = 1,
    ) -> OfficeContract:
        """The office's contract with the city for `services`, in force today (and
        `years` either side of it)."""
        serial = self.serial()
        contract = OfficeContract(
            office=office,
            number=f"QN-{serial}",
            signed_on=self.today - dt.timedelta(days=365 * years),
            starts_on=self.today - dt.timedelta(days=365 * years),
            ends_on=self.today + dt.timedelta(days=365 * years),
            status=status,
        )
        contract.full_clean()
        contract.save()
        contract.services.set(services)
        return contract

    def tariff(
        self, service: ServiceType, valid_from: dt.date, base_amount: int = 500_000
    ) -> Tariff:
        return do_publish_tariff(
            service, base_amount, 1_000, valid_from, "مصوبه ۱۲۳/آزمایشی", valid_from
        )

    def city(self) -> City:
        return build_city(self)


def workflow_service(code: str) -> ServiceType:
    """One of the services of cases/definitions/ (it may exist already)."""
    name, category = SERVICES[code]
    service, _ = ServiceType.objects.get_or_create(
        code=code, defaults={"name": name, "category": category, "requires_visit": True}
    )
    return service


# --- the city -------------------------------------------------------------------------


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
class City:
    """Two districts, an office in each, one person per office role, two district staff
    per district (maker and checker), the city roles, two citizens."""

    builder: Builder
    a: Side
    b: Side
    supervisor: User
    administrator: User
    citizen: Citizen
    other_citizen: Citizen
    services: dict[str, ServiceType] = field(default_factory=dict)

    # --- the personas -----------------------------------------------------------------

    @property
    def alice(self) -> User:
        """Office A's technical manager."""
        return self.a[Role.TECHNICAL_MANAGER]

    @property
    def bob(self) -> User:
        """Office A's inspector."""
        return self.a[Role.INSPECTOR]

    @property
    def peggy(self) -> User:
        """Office A's plan reviewer."""
        return self.a[Role.PLAN_REVIEWER]

    @property
    def frank(self) -> User:
        """Office A's follow-up officer."""
        return self.a[Role.FOLLOW_UP_OFFICER]

    @property
    def olivia(self) -> User:
        """Office A's manager."""
        return self.a[Role.OFFICE_MANAGER]

    @property
    def charlie(self) -> User:
        """Office B's technical manager."""
        return self.b[Role.TECHNICAL_MANAGER]

    @property
    def dave(self) -> User:
        """District A's staff: the maker."""
        return self.a.district_staff[0]

    @property
    def dana(self) -> User:
        """District A's staff: the checker."""
        return self.a.district_staff[1]

    @property
    def erin(self) -> User:
        """District B's staff: the maker."""
        return self.b.district_staff[0]

    @property
    def ezra(self) -> User:
        """District B's staff: the checker."""
        return self.b.district_staff[1]

    @property
    def sam(self) -> User:
        """The supervisor."""
        return self.supervisor

    @property
    def ada(self) -> User:
        """The administrator."""
        return self.administrator

    @property
    def zahra(self) -> User:
        """The citizen's account."""
        return account(self.citizen)

    @property
    def yusuf(self) -> User:
        """The other citizen's account."""
        return account(self.other_citizen)

    def everyone(self) -> dict[str, User]:
        """Every person by a readable name: 'a.inspector', 'b.district_staff.1', ..."""
        people: dict[str, User] = {
            "supervisor": self.supervisor,
            "administrator": self.administrator,
            "citizen": account(self.citizen),
            "other_citizen": account(self.other_citizen),
        }
        for name, side in (("a", self.a), ("b", self.b)):
            people.update({f"{name}.{role}": user for role, user in side.staff.items()})
            for i, user in enumerate(side.district_staff):
                people[f"{name}.district_staff.{i}"] = user
        return people

    def side_of(self, *, office_id: int | None = None, district_id: int | None = None) -> Side:
        for side in (self.a, self.b):
            if side.office.pk == office_id or side.district.pk == district_id:
                return side
        raise LookupError("not an office or district of the city")

    # --- cases ------------------------------------------------------------------------

    def open_case(
        self,
        service: str = "inquiry_notary",
        side: Side | None = None,
        documents: list[str] | None = None,
        applicant: Citizen | None = None,
        parcel: Parcel | None = None,
        data: dict[str, Any] | None = None,
        duplicate_reason: str = DUPLICATE_REASON,
    ) -> Case:
        """A case registered in person by the side's technical manager (office A's
        alice by default) on the side's parcel, after the document checklist, with the
        service's declared fields filled (`application_data`). Tests open many cases on
        one parcel, so the helper gives the reason a second open case needs; pass
        ``duplicate_reason=""`` to meet the refusal."""
        side = side or self.a
        if documents is None:
            documents = REGISTRATION_DOCUMENTS.get(service, INQUIRY_DOCUMENTS)
        if data is None:
            data = self.builder.application_data_on(service, parcel or side.parcel)
        return do_open_case(
            side[Role.TECHNICAL_MANAGER],
            self.services[service],
            applicant or self.citizen,
            parcel or side.parcel,
            side.office,
            Channel.IN_PERSON,
            documents,
            data=data,
            duplicate_reason=duplicate_reason,
        )

    def actor(
        self, case: Case, roles: list[str] | tuple[str, ...], side: Side | None = None
    ) -> User:
        """Who takes a step: the office's holder of the first role it has, the district
        staff of the parcel's district (not the preparer, for a checker's step) or the
        applicant."""
        side = side or self.side_of(office_id=case.office_id)
        holder = self.holder_of(case, roles, side)
        if holder is not None:
            return holder  # a case sent back to someone is theirs to take on
        for role in roles:
            if role == APPLICANT:
                return account(Citizen.objects.get(pk=case.applicant_id))
            if role == Role.DISTRICT_STAFF:
                staff = self.side_of(district_id=case.district_id).district_staff
                return next(u for u in staff if u.pk != case.prepared_by_id)
            if role in side.staff:
                return side.staff[role]
        raise LookupError(f"nobody of the city takes a step for {roles}")

    def holder_of(self, case: Case, roles: list[str] | tuple[str, ...], side: Side) -> User | None:
        """The case's assignee, when they take a step of `roles` in its acting role."""
        if case.assignee_id is None or case.acting_role not in roles:
            return None
        staff = [*side.staff.values(), *self.side_of(district_id=case.district_id).district_staff]
        return next((u for u in staff if u.pk == case.assignee_id), None)

    def citizen_of(self, case: Case) -> User | None:
        return Citizen.objects.get(pk=case.applicant_id).user

    def walk_to(self, case: Case, state: str, side: Side | None = None) -> Case:
        """Move a case through the real actions, the shortest way its definition file
        allows, to `state` (recording a visit where a step needs one)."""
        definition = read_definitions()[case.service_type.code]
        path = plan(definition, case.state, case.visit_reports.exists(), state, None)
        assert path is not None, f"walk_to: no way from {case.state} to {state}"
        for step in path:
            if step is None or "visit_report_recorded" in step.guards:
                case = record_visit(self.actor(case, [Role.INSPECTOR], side), case)
            if step is None:
                continue
            if "plan_review_recorded" in step.guards:
                case = record_plan_review(self.actor(case, [Role.PLAN_REVIEWER], side), case)
            if "response_drafted" in step.guards:
                case = draft_answer(self.actor(case, [Role.DISTRICT_STAFF], side), case)
            user = self.actor(case, step.roles, side)
            required = definition.states[step.target].documents_required
            missing = sorted(required - set(case.documents_checked))
            ticked = (
                {"documents_checked": missing} if missing and user != self.citizen_of(case) else {}
            )
            case = act(user, case, step.code, REASON if step.reason_required else None, **ticked)
        assert case.state == state
        return case


# The restoration deposit per m² by street type (rials), in force from long before any
# day a test sets the clock to: an excavation permit can always be issued.
RESTORATION_RATES = {
    "alley": 1_500_000,
    "local": 2_000_000,
    "arterial": 3_500_000,
    "highway": 5_000_000,
    "sidewalk": 1_200_000,
}
RATES_FROM = dt.date(2020, 3, 20)


def publish_restoration_rates() -> None:
    for street_type, rate in RESTORATION_RATES.items():
        if not RestorationRate.objects.filter(street_type=street_type).exists():
            do_publish_restoration_rate(
                street_type, rate, RATES_FROM, "مصوبه ۴۵/آزمایشی", RATES_FROM
            )


def account(citizen: Citizen) -> User:
    assert citizen.user is not None, "a citizen without an account"
    return citizen.user


def build_side(builder: Builder, number: int, services: dict[str, ServiceType]) -> Side:
    taken = District.objects.filter(number=number).exists()
    district = builder.district(None if taken else number)
    office = builder.office(
        district,
        name=f"دفتر پیشخوان {to_persian_digits(district.number)}",
        valid_until=builder.today + dt.timedelta(days=5 * 365),
    )
    builder.contract(office, list(services.values()), years=5)
    return Side(
        district=district,
        office=office,
        staff={role: builder.staff(role, office=office).user for role in OFFICE_ROLE_LIST},
        district_staff=[
            builder.staff(Role.DISTRICT_STAFF, district=district).user for _ in range(2)
        ],
        parcel=builder.parcel(district),
    )


def build_city(builder: Builder | None = None) -> City:
    """The city of the module docstring, built through the real actions."""
    builder = builder or Builder()
    services = builder.workflow_services()
    publish_restoration_rates()
    return City(
        builder=builder,
        a=build_side(builder, 71, services),
        b=build_side(builder, 72, services),
        supervisor=builder.staff(Role.SUPERVISOR).user,
        administrator=builder.staff(Role.ADMINISTRATOR).user,
        citizen=builder.citizen(),
        other_citizen=builder.citizen(first_name="یوسف"),
        services=services,
    )


# --- walking a case and reading pages -------------------------------------------------


def act(user: User, case: Case, code: str, reason: str | None = None, **payload: Any) -> Case:
    """`user` takes action `code` on the case (at its current version)."""
    return do_perform_action(user, case.pk, code, case.version, reason=reason, payload=payload)


# answers to the inquiries' checklist ("site_visit" in definitions/_inquiry.json)
INQUIRY_VISIT: dict[str, Any] = {
    "observed_land_use": LandUse.RESIDENTIAL,
    "built_area": "180.5",
    "floors": 2,
    "notes": "بازدید انجام شد.",
}
# answers to each checklist of the definition files, by its code
VISIT_ANSWERS: dict[str, dict[str, Any]] = {
    "site_visit": INQUIRY_VISIT,
    "extension_visit": {
        "construction_stage": "skeleton",
        "works_progress": 60,
        "floors_built": 3,
        "conforms_to_permit": True,
    },
    "new_building_visit": {
        "site_status": "vacant",
        "observed_land_use": LandUse.RESIDENTIAL,
        "land_area_measured": "240",
    },
    "demolition_visit": {
        "observed_land_use": LandUse.RESIDENTIAL,
        "existing_floors": 2,
        "existing_built_area": "240",
    },
    "replacement_visit": {"construction_stage": "skeleton", "floors_built": 2},
    "expansion_visit": {
        "existing_floors": 2,
        "existing_built_area": "240",
        "structure_type": "concrete",
    },
    "repairs_visit": {"repair_scope": ["roof"]},
    "before_work_visit": {"surface": "asphalt", "measured_length": "104"},
    "restoration_visit": {"surface_quality": "good", "restored_length": "104"},
}


def png_upload(name: str) -> Any:
    return upload(image_bytes(), name, "image/png")


def visit_answers(
    case: Case, violations: list[str] | None = None
) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    """Answers to the checklist of the case's step and the fewest photos it needs."""
    checklist = state_checklist(case)
    given = dict(VISIT_ANSWERS.get(checklist.code, {}) if checklist else {})
    item = checklist.item("violations_observed") if checklist else None
    if item is not None:
        picked = [item.choices[0][0]] if violations and item.choices else violations
        given["violations_observed"] = picked or []
    photos = {
        i.code: [png_upload(f"{i.code}-{k}.png") for k in range(i.photos_min)]
        for i in (checklist.photo_items if checklist else ())
    }
    return given, photos


def record_visit(
    inspector: User, case: Case, violations: list[str] | None = None, **answers: Any
) -> Case:
    """The inspector records a visit an hour ago: the answers to the checklist of the
    case's step (`VISIT_ANSWERS`, then `answers`), `violations` if any seen (one chosen
    violation for a checklist that lists them as choices), and the fewest photos each
    photo item needs."""
    given, photos = visit_answers(case, violations)
    do_record_visit_report(
        inspector,
        case.pk,
        case.version,
        visited_at=clock.now() - dt.timedelta(hours=1),
        answers=given | answers,
        photos=photos,
    )
    case.refresh_from_db()
    return case


def record_plan_review(reviewer: User, case: Case, **findings: Any) -> Case:
    """The plan reviewer records the plan of the case's parcel (its own zone, residential
    use, no widening unless given)."""
    parcel = case.parcel
    do_record_plan_review(
        reviewer,
        case.pk,
        case.version,
        {
            "zone": parcel.plan_zone if parcel else "R111",
            "permitted_uses": [LandUse.RESIDENTIAL],
            "opinion": "با ضوابط طرح تفصیلی منطقه مطابقت دارد.",
            **findings,
        },
    )
    case.refresh_from_db()
    return case


def draft_answer(staff: User, case: Case, draft: AnswerDraft | None = None) -> Case:
    """District staff save the answer's draft (conditional on one condition of their own
    unless `draft` says otherwise)."""
    do_save_response_draft(
        staff,
        case.pk,
        case.version,
        draft
        or AnswerDraft(
            result=ResponseResult.CONDITIONAL,
            own_conditions=["رعایت ضوابط طرح تفصیلی در هر نوسازی الزامی است."],
            zone=case.parcel.plan_zone if case.parcel else "",
            permitted_uses=[LandUse.RESIDENTIAL],
        ),
    )
    case.refresh_from_db()
    return case


def walk_to(city: City, case: Case, state: str, side: Side | None = None) -> Case:
    return city.walk_to(case, state, side)


def client_for(user: User) -> Client:
    """A test client signed in as `user`."""
    client = Client()
    client.force_login(user)
    return client
