"""The demo city's offices (pishkhan.offices): 35 offices numbered from 1101, more where
demand is higher, a few suspended; their history, the municipality's contracts, and the
article's staffing (65 engineers) with roles and employment contracts.

Staff accounts are made by the accounts builder (:mod:`pishkhan.demo.accounts`); this
builder gives them their staff profiles, roles and contracts."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from pishkhan.accounts.models import User
from pishkhan.catalog.models import ServiceType
from pishkhan.core.digits import to_persian_digits as fa
from pishkhan.core.jalali import to_jalali
from pishkhan.demo.accounts import AccountPlan
from pishkhan.demo.common import (
    THOROUGH_EVERY,
    People,
    jdate,
    plus_jalali_years,
    random_day,
    tehran_moment,
    validate_rows,
)
from pishkhan.demo.geo import DISTRICTS, DistrictSpec, point_in_circle, street_address
from pishkhan.geo.models import District
from pishkhan.offices.models import (
    ContractStatus,
    EmploymentContract,
    Office,
    OfficeChange,
    OfficeContract,
    OfficeStatus,
    RoleAssignment,
    StaffMember,
)
from pishkhan.offices.roles import ENGINEERING_ROLES, DegreeLevel, Field, Role

# The article's staffing: 65 engineers in 35 offices.
OFFICE_COUNT = 35
TECHNICAL_MANAGERS = 32  # one per active office
INSPECTORS = 22
FOLLOW_UP_OFFICERS = 11
SUPERVISORS = 3
FIRST_OFFICE_CODE = 1101
LAST_OFFICE_CODE = FIRST_OFFICE_CODE + OFFICE_COUNT - 1

ROLE_PREFIX: dict[str, str] = {
    Role.OFFICE_MANAGER: "manager",
    Role.TECHNICAL_MANAGER: "tm",
    Role.INSPECTOR: "inspector",
    Role.FOLLOW_UP_OFFICER: "followup",
    Role.PLAN_REVIEWER: "planner",
}

# The detailed-plan reviewers, each serving the offices of three neighbouring districts.
PLAN_REVIEWER_DISTRICTS = ((1, 3, 5), (2, 4, 15), (6, 11, 9), (7, 10, 13), (8, 12, 14))

STAFF_HIRED_BY = jdate("1404/06/31")
CONTRACT_SIGNED = jdate("1403/12/20")
CONTRACT_STARTS = jdate("1404/01/01")
CONTRACT_ENDS = jdate("1406/12/29")


# --- the plan: offices ------------------------------------------------------------------


@dataclass(frozen=True)
class OfficePlan:
    code: str
    district: int
    name: str
    address: str
    lat: Decimal
    lng: Decimal
    phone: str
    licence_number: str
    licence_from: dt.date
    licence_until: dt.date
    suspended: bool
    capacity: int
    opened_on: dt.date

    def distance2(self, other: OfficePlan) -> Decimal:
        return (self.lat - other.lat) ** 2 + (self.lng - other.lng) ** 2


def _suspended_slots(rng: random.Random, slots: Sequence[DistrictSpec]) -> set[int]:
    """Which offices are suspended: never 1101, never a district's only office."""
    eligible = [k for k, spec in enumerate(slots) if k > 0 and spec.offices > 1]
    return set(rng.sample(eligible, OFFICE_COUNT - TECHNICAL_MANAGERS))


def _plan_office(
    rng: random.Random, code: int, spec: DistrictSpec, number: int, suspended: bool
) -> OfficePlan:
    lat, lng = point_in_circle(rng, spec, fill=0.8)
    # A suspended office's CRA licence ran out in early 1405.
    first, last = ("1400/01/15", "1400/06/01") if suspended else ("1401/01/15", "1404/06/01")
    licence_from = random_day(rng, jdate(first), jdate(last))
    return OfficePlan(
        code=str(code),
        district=spec.number,
        name=f"دفتر پیشخوان دولت شماره {fa(number)}",
        address=street_address(rng, spec),
        lat=lat,
        lng=lng,
        phone="0313" + "".join(str(rng.randrange(10)) for _ in range(7)),
        licence_number=f"{to_jalali(licence_from).year}/{code}-{rng.randint(100, 999)}",
        licence_from=licence_from,
        licence_until=plus_jalali_years(licence_from, 5),
        suspended=suspended,
        capacity=rng.randint(20, 35) + 8 * spec.offices,
        opened_on=random_day(rng, jdate("1395/01/20"), jdate("1403/06/31")),
    )


def plan_offices(rng: random.Random) -> list[OfficePlan]:
    """35 offices, numbered from 1101 in district order, more where demand is higher."""
    slots = [spec for spec in DISTRICTS for _ in range(spec.offices)]
    if len(slots) != OFFICE_COUNT:
        raise RuntimeError(f"the districts hold {len(slots)} offices, not {OFFICE_COUNT}")
    numbers = sorted(rng.sample(range(101, 400), len(slots)))
    suspended = _suspended_slots(rng, slots)
    return [
        _plan_office(rng, FIRST_OFFICE_CODE + k, spec, numbers[k], k in suspended)
        for k, spec in enumerate(slots)
    ]


# --- the plan: staff --------------------------------------------------------------------


@dataclass(frozen=True)
class GrantPlan:
    role: str
    starts_on: dt.date
    office: str | None = None
    district: int | None = None
    contract: str | None = None  # employment contract number, for office engineering roles


@dataclass
class StaffPlan:
    username: str
    first_name: str
    last_name: str
    national_id: str
    mobile: str
    degree_level: int
    field: str
    is_staff: bool = False
    is_superuser: bool = False
    grants: list[GrantPlan] = dataclasses.field(default_factory=list)

    @property
    def account(self) -> AccountPlan:
        return AccountPlan(
            self.username, self.first_name, self.last_name, self.is_staff, self.is_superuser
        )


ENGINEERING_FIELDS = (Field.ARCHITECTURE, Field.CIVIL_ENGINEERING, Field.URBAN_PLANNING)
ENGINEER_DEGREES = (DegreeLevel.BACHELOR, DegreeLevel.MASTER, DegreeLevel.DOCTORATE)


class StaffPlanner:
    """Who works where: the article's staffing spread over the offices by demand.

    Every active office has a manager and a technical manager; the 22 inspectors and 11
    follow-up officers sit in the busiest offices (1101 first), and an office without its
    own inspector is also served by the inspector of the nearest office that has one.
    """

    def __init__(self, rng: random.Random, offices: Sequence[OfficePlan]) -> None:
        self.rng = rng
        self.people = People(rng)
        self.offices = list(offices)
        self.active = [o for o in offices if not o.suspended]
        if len(self.active) != TECHNICAL_MANAGERS:
            raise RuntimeError("every active office needs exactly one technical manager")
        first = str(FIRST_OFFICE_CODE)
        self.ranked = sorted(self.active, key=lambda o: (o.code != first, -o.capacity, o.code))

    def plan(self) -> list[StaffPlan]:
        return [
            *self._city_staff(),
            *self._one_each(Role.OFFICE_MANAGER, self.offices),
            *self._one_each(Role.TECHNICAL_MANAGER, self.active),
            *self._inspectors(),
            *self._one_each(Role.FOLLOW_UP_OFFICER, self.ranked[:FOLLOW_UP_OFFICERS]),
            *self._plan_reviewers(),
            *self._district_staff(),
        ]

    def _person(
        self,
        username: str,
        degree: int,
        field: str,
        is_staff: bool = False,
        is_superuser: bool = False,
    ) -> StaffPlan:
        first, last = self.people.name()
        return StaffPlan(
            username=username,
            first_name=first,
            last_name=last,
            national_id=self.people.national_id(),
            mobile=self.people.mobile(),
            degree_level=degree,
            field=field,
            is_staff=is_staff,
            is_superuser=is_superuser,
        )

    def _engineer(self, username: str) -> StaffPlan:
        degree = self.rng.choices(ENGINEER_DEGREES, weights=(55, 38, 7))[0]
        field = self.rng.choices(ENGINEERING_FIELDS, weights=(40, 35, 25))[0]
        return self._person(username, degree, field)

    def _manager(self, username: str) -> StaffPlan:
        degree = self.rng.choice((DegreeLevel.ASSOCIATE, DegreeLevel.BACHELOR, DegreeLevel.MASTER))
        field = self.rng.choice((*ENGINEERING_FIELDS, Field.OTHER, Field.OTHER))
        return self._person(username, degree, field)

    def _grant(self, plan: StaffPlan, role: str, office: OfficePlan) -> None:
        if role == Role.OFFICE_MANAGER:
            starts_on = office.opened_on
        else:
            starts_on = random_day(self.rng, office.opened_on, STAFF_HIRED_BY)
        contract = f"{office.code}/{plan.username}" if role in ENGINEERING_ROLES else None
        plan.grants.append(GrantPlan(role, starts_on, office=office.code, contract=contract))

    def _office_person(self, role: str, office: OfficePlan) -> StaffPlan:
        username = f"{ROLE_PREFIX[role]}-{office.code}"
        plan = self._manager(username) if role == Role.OFFICE_MANAGER else self._engineer(username)
        self._grant(plan, role, office)
        return plan

    def _one_each(self, role: str, offices: Iterable[OfficePlan]) -> list[StaffPlan]:
        return [self._office_person(role, office) for office in offices]

    def _inspectors(self) -> list[StaffPlan]:
        homes = self.ranked[:INSPECTORS]
        inspectors = {o.code: self._office_person(Role.INSPECTOR, o) for o in homes}
        for office in self.ranked[INSPECTORS:]:
            nearest = min(homes, key=office.distance2)
            self._grant(inspectors[nearest.code], Role.INSPECTOR, office)
        return list(inspectors.values())

    def _plan_reviewers(self) -> list[StaffPlan]:
        reviewers = []
        for districts in PLAN_REVIEWER_DISTRICTS:
            offices = [o for o in self.active if o.district in districts]
            plan = self._engineer(f"{ROLE_PREFIX[Role.PLAN_REVIEWER]}-{offices[0].code}")
            plan.field = Field.URBAN_PLANNING
            for office in offices:
                self._grant(plan, Role.PLAN_REVIEWER, office)
            reviewers.append(plan)
        return reviewers

    def _district_staff(self) -> list[StaffPlan]:
        # Two in every district: a response is prepared by one and approved by another.
        staff = []
        for spec in DISTRICTS:
            for n in (1, 2):
                username = f"district-{spec.number}" + (f"-{n}" if n > 1 else "")
                plan = self._engineer(username)
                starts_on = random_day(self.rng, jdate("1396/01/15"), STAFF_HIRED_BY)
                plan.grants.append(GrantPlan(Role.DISTRICT_STAFF, starts_on, district=spec.number))
                staff.append(plan)
        return staff

    def _city_staff(self) -> list[StaffPlan]:
        admin = self._person(
            "admin", DegreeLevel.BACHELOR, Field.OTHER, is_staff=True, is_superuser=True
        )
        admin.grants.append(GrantPlan(Role.ADMINISTRATOR, jdate("1402/01/15")))
        staff = [admin]
        for n in range(1, SUPERVISORS + 1):
            username = "supervisor" + (f"-{n}" if n > 1 else "")
            field = self.rng.choice(ENGINEERING_FIELDS)
            plan = self._person(username, DegreeLevel.MASTER, field, is_staff=True)
            starts_on = random_day(self.rng, jdate("1395/02/01"), jdate("1403/01/01"))
            plan.grants.append(GrantPlan(Role.SUPERVISOR, starts_on))
            staff.append(plan)
        return staff


# --- writing: offices -------------------------------------------------------------------


OFFICE_OPENED_REASON = "ثبت دفتر"
SUSPENSION_REASON = "پایان اعتبار پروانه سازمان تنظیم مقررات و ارتباطات رادیویی"


def _office_history(office: Office, plan: OfficePlan) -> list[OfficeChange]:
    """The office's history as if it had been registered and (maybe) suspended."""
    opened = tehran_moment(plan.opened_on, 9)
    rows = [
        OfficeChange(office=office, field="status", new_value=str(OfficeStatus.ACTIVE.label)),
        OfficeChange(office=office, field="district", new_value=str(office.district)),
        OfficeChange(office=office, field="address", new_value=office.address),
    ]
    for row in rows:
        row.reason, row.changed_at = OFFICE_OPENED_REASON, opened
    if plan.suspended:
        rows.append(
            OfficeChange(
                office=office,
                field="status",
                old_value=str(OfficeStatus.ACTIVE.label),
                new_value=str(OfficeStatus.SUSPENDED.label),
                reason=SUSPENSION_REASON,
                changed_at=tehran_moment(plan.licence_until + dt.timedelta(days=1), 10),
            )
        )
    return rows


def _create_office(plan: OfficePlan, district: District, tally: Counter[str]) -> Office:
    office = Office(
        code=plan.code,
        name=plan.name,
        district=district,
        address=plan.address,
        lat=plan.lat,
        lng=plan.lng,
        phone=plan.phone,
        cra_licence_number=plan.licence_number,
        cra_licence_valid_from=plan.licence_from,
        cra_licence_valid_until=plan.licence_until,
        status=OfficeStatus.SUSPENDED if plan.suspended else OfficeStatus.ACTIVE,
        capacity=plan.capacity,
        is_demo=True,
    )
    office.full_clean()
    office.save()
    history = OfficeChange.objects.bulk_create(_office_history(office, plan))
    tally["offices"] += 1
    tally["office history rows"] += len(history)
    return office


def ensure_offices(
    plans: Sequence[OfficePlan], districts: dict[int, District], tally: Counter[str]
) -> dict[str, Office]:
    offices = {o.code: o for o in Office.objects.filter(code__in=[p.code for p in plans])}
    for plan in plans:
        if plan.code not in offices:
            offices[plan.code] = _create_office(plan, districts[plan.district], tally)
    return offices


def ensure_office_contracts(
    plans: Sequence[OfficePlan],
    offices: dict[str, Office],
    services: Sequence[ServiceType],
    tally: Counter[str],
) -> None:
    """The municipality's contract with each office, covering the whole catalog."""
    for plan in plans:
        number = f"1404-{plan.code}"
        if OfficeContract.objects.filter(number=number).exists():
            continue
        contract = OfficeContract(
            office=offices[plan.code],
            number=number,
            signed_on=CONTRACT_SIGNED,
            starts_on=CONTRACT_STARTS,
            ends_on=CONTRACT_ENDS,
            status=ContractStatus.SUSPENDED if plan.suspended else ContractStatus.ACTIVE,
            notes="واگذاری خدمات شهرسازی منطقه به دفتر پیشخوان دولت (قرارداد نمایشی).",
            is_demo=True,
        )
        contract.full_clean()
        contract.save()
        contract.services.set(services)
        tally["office contracts"] += 1


def ensure_office_managers(
    plans: Sequence[OfficePlan], offices: dict[str, Office], staff: dict[str, StaffMember]
) -> int:
    """Point each office that has no manager at its demo manager; how many were set."""
    count = 0
    for plan in plans:
        manager = staff[f"{ROLE_PREFIX[Role.OFFICE_MANAGER]}-{plan.code}"]
        unmanaged = Office.objects.filter(pk=offices[plan.code].pk, manager__isnull=True)
        count += unmanaged.update(manager=manager, updated_at=timezone.now())
    return count


# --- writing: staff ---------------------------------------------------------------------


def _ensure_members(
    plans: Sequence[StaffPlan], users: dict[str, User], tally: Counter[str]
) -> dict[str, StaffMember]:
    stored = StaffMember.objects.filter(user__in=list(users.values()))
    by_user = {member.user_id: member for member in stored}
    members, fresh = {}, []
    for plan in plans:
        user = users[plan.username]
        member = by_user.get(user.pk)
        if member is None:
            member = StaffMember(
                user=user,
                national_id=plan.national_id,
                mobile=plan.mobile,
                degree_level=plan.degree_level,
                field=plan.field,
                is_demo=True,
            )
            fresh.append(member)
        members[plan.username] = member
    validate_rows(fresh, relations=("user",), every=THOROUGH_EVERY)
    StaffMember.objects.bulk_create(fresh)
    tally["staff members"] += len(fresh)
    return members


def _ensure_role_assignments(
    plans: Sequence[StaffPlan],
    members: dict[str, StaffMember],
    offices: dict[str, Office],
    districts: dict[int, District],
    tally: Counter[str],
) -> None:
    stored = RoleAssignment.objects.filter(staff__in=list(members.values()))
    held: set[tuple[int, str, int | None, int | None]] = set(
        stored.values_list("staff_id", "role", "office_id", "district_id")
    )
    fresh = []
    for plan in plans:
        member = members[plan.username]
        for grant in plan.grants:
            office = offices[grant.office] if grant.office else None
            district = districts[grant.district] if grant.district else None
            key = (
                member.pk,
                grant.role,
                office.pk if office else None,
                district.pk if district else None,
            )
            if key in held:
                continue
            held.add(key)
            fresh.append(
                RoleAssignment(
                    staff=member,
                    role=grant.role,
                    office=office,
                    district=district,
                    starts_on=grant.starts_on,
                )
            )
    validate_rows(fresh, relations=("staff", "office", "district"), every=THOROUGH_EVERY)
    RoleAssignment.objects.bulk_create(fresh)
    tally["role assignments"] += len(fresh)


def _contract_grants(plans: Sequence[StaffPlan]) -> list[tuple[str, str, str, GrantPlan]]:
    """(contract number, username, office code, grant) of the grants under contract."""
    return [
        (grant.contract, plan.username, grant.office, grant)
        for plan in plans
        for grant in plan.grants
        if grant.office and grant.contract
    ]


def _ensure_employment_contracts(
    plans: Sequence[StaffPlan],
    members: dict[str, StaffMember],
    offices: dict[str, Office],
    tally: Counter[str],
) -> None:
    wanted = _contract_grants(plans)
    numbers = [number for number, *_ in wanted]
    signed = set(
        EmploymentContract.objects.filter(number__in=numbers).values_list("number", flat=True)
    )
    fresh = [
        EmploymentContract(
            office=offices[office_code],
            staff=members[username],
            role=grant.role,
            number=number,
            starts_on=grant.starts_on,
            status=ContractStatus.ACTIVE,
            is_demo=True,
        )
        for number, username, office_code, grant in wanted
        if number not in signed
    ]
    validate_rows(fresh, relations=("office", "staff"), every=THOROUGH_EVERY)
    EmploymentContract.objects.bulk_create(fresh)
    tally["employment contracts"] += len(fresh)


def ensure_staff(
    plans: Sequence[StaffPlan],
    users: dict[str, User],
    offices: dict[str, Office],
    districts: dict[int, District],
    tally: Counter[str],
) -> dict[str, StaffMember]:
    """Staff profiles, roles and employment contracts of the staff's accounts (`users`,
    by username, from :func:`pishkhan.demo.accounts.ensure_users`); staff by username."""
    members = _ensure_members(plans, users, tally)
    _ensure_role_assignments(plans, members, offices, districts, tally)
    _ensure_employment_contracts(plans, members, offices, tally)
    return members


# --- the report -------------------------------------------------------------------------

ROLE_PLURAL_EN: dict[str, str] = {
    Role.OFFICE_MANAGER: "office managers",
    Role.TECHNICAL_MANAGER: "technical managers",
    Role.INSPECTOR: "inspectors",
    Role.FOLLOW_UP_OFFICER: "follow-up officers",
    Role.PLAN_REVIEWER: "detailed-plan reviewers",
    Role.DISTRICT_STAFF: "district staff",
    Role.SUPERVISOR: "supervisors",
    Role.ADMINISTRATOR: "administrators",
}


def office_summary() -> list[tuple[str, int]]:
    """Offices, their contracts, staff by role and employment contracts (demo rows)."""
    roles = RoleAssignment.objects.filter(staff__is_demo=True)
    offices = Office.objects.filter(is_demo=True)
    return [
        ("offices", offices.count()),
        ("  active", offices.filter(status=OfficeStatus.ACTIVE).count()),
        ("  suspended", offices.filter(status=OfficeStatus.SUSPENDED).count()),
        ("office contracts", OfficeContract.objects.filter(is_demo=True).count()),
        ("staff members", StaffMember.objects.filter(is_demo=True).count()),
        *(
            (
                f"  {ROLE_PLURAL_EN[role]}",
                roles.filter(role=role).values("staff").distinct().count(),
            )
            for role in Role
        ),
        ("employment contracts", EmploymentContract.objects.filter(is_demo=True).count()),
    ]
