"""The demo city: Isfahan's 15 districts, 35 offices and their staff, parcels and citizens.

Deterministic: every kind of data is drawn from its own seeded random stream, and nothing
drawn depends on what the database holds, so a run always plans the same city (and the
first N parcels are the same whatever N is). Idempotent: every row is looked up by a
natural key (district number, office code, username, national ID, renewal code, contract
number) and created only when it is missing; nothing is deleted, and nothing existing is
changed except an office without a manager, which gets its demo manager. (The reference
catalog, loaded first, brings changed reference fields back to the reference.)

Every demo row is marked `is_demo=True`; the reference catalog and the tariffs are not
demo rows. Every demo account shares DEMO_PASSWORD.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from pishkhan.accounts.models import Citizen, User
from pishkhan.cases.holidays import load_holidays
from pishkhan.cases.workflow import load_all_definitions
from pishkhan.catalog.models import DocumentRequirement, ServiceType, Tariff
from pishkhan.catalog.reference import load_reference_catalog, reference_codes
from pishkhan.core.demo_cases import cases_report, load_demo_cases
from pishkhan.core.digits import to_persian_digits as fa
from pishkhan.core.jalali import from_jalali, jalali_year_bounds, to_jalali
from pishkhan.core.national_id import is_valid_national_id, national_id_check_digit
from pishkhan.geo.models import ConditionKind, District, LandUse, Parcel, ParcelCondition
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

DEMO_PASSWORD = "pishkhan-demo-1405"  # noqa: S105 - published on purpose: demo accounts only
DEFAULT_PARCELS = 3000
DEFAULT_CITIZENS = 200
CITIZEN_ACCOUNTS = 10  # citizens who sign in with their national ID, besides `citizen`
SEED = 1405
TEHRAN = ZoneInfo("Asia/Tehran")

# The article's staffing: 65 engineers in 35 offices.
OFFICE_COUNT = 35
TECHNICAL_MANAGERS = 32  # one per active office
INSPECTORS = 22
FOLLOW_UP_OFFICERS = 11
SUPERVISORS = 3
FIRST_OFFICE_CODE = 1101

# The stable accounts the README shows.
DEMO_USERNAMES = (
    "admin",
    "supervisor",
    "manager-1101",
    "tm-1101",
    "inspector-1101",
    "followup-1101",
    "planner-1101",
    "district-1",
    "district-3",
    "citizen",
)

ROLE_PREFIX: dict[str, str] = {
    Role.OFFICE_MANAGER: "manager",
    Role.TECHNICAL_MANAGER: "tm",
    Role.INSPECTOR: "inspector",
    Role.FOLLOW_UP_OFFICER: "followup",
    Role.PLAN_REVIEWER: "planner",
}
ROLE_EN: dict[str, str] = {
    Role.OFFICE_MANAGER: "office manager",
    Role.TECHNICAL_MANAGER: "technical manager",
    Role.INSPECTOR: "inspector",
    Role.FOLLOW_UP_OFFICER: "follow-up officer",
    Role.PLAN_REVIEWER: "detailed-plan reviewer",
    Role.DISTRICT_STAFF: "district staff",
    Role.SUPERVISOR: "supervisor",
    Role.ADMINISTRATOR: "administrator",
}


# --- the city's geography ---------------------------------------------------------------


@dataclass(frozen=True)
class DistrictSpec:
    number: int
    lat: float
    lng: float
    radius_km: float
    offices: int  # follows the district's demand
    zone_price: int  # rials per m² of a residential parcel
    streets: tuple[str, ...]  # main streets, without the word «خیابان»

    @property
    def sections(self) -> tuple[int, int]:
        """Registration sections (بخش ثبتی) the district's plates belong to."""
        return self.number, 16 + self.number % 3


# Centre ≈ 32.6546 N, 51.6680 E: 1 and 3 are the old centre, 5 and 6 south of the river,
# 8 and 12 north-west, 7 and 13 north-east, 10 and 14 north, 4 and 15 east.
DISTRICTS: tuple[DistrictSpec, ...] = (
    DistrictSpec(1, 32.6600, 51.6590, 1.8, 3, 48_000_000,
                 ("چهارباغ عباسی", "طالقانی", "شمس‌آبادی", "عباس‌آباد")),
    DistrictSpec(2, 32.6760, 51.6990, 2.2, 2, 35_000_000,
                 ("بزرگمهر", "سروش", "فروغی", "ولیعصر")),
    DistrictSpec(3, 32.6580, 51.6790, 1.8, 4, 52_000_000,
                 ("حافظ", "استانداری", "نشاط", "سپه", "ابن سینا")),
    DistrictSpec(4, 32.6520, 51.7150, 2.4, 2, 28_000_000,
                 ("جی", "جابر انصاری", "سجاد", "لاله")),
    DistrictSpec(5, 32.6330, 51.6560, 2.3, 3, 65_000_000,
                 ("چهارباغ بالا", "نظر شرقی", "توحید", "مرداویج")),
    DistrictSpec(6, 32.6150, 51.6850, 2.8, 3, 55_000_000,
                 ("هزارجریب", "آپادانا", "شیخ صدوق", "دانشگاه")),
    DistrictSpec(7, 32.6920, 51.7250, 2.5, 2, 32_000_000,
                 ("کاوه", "ارغوانیه", "بعثت")),
    DistrictSpec(8, 32.6950, 51.6320, 2.6, 3, 30_000_000,
                 ("اشرفی اصفهانی", "ارتش", "شهید کشوری")),
    DistrictSpec(9, 32.6470, 51.6120, 2.5, 2, 26_000_000,
                 ("آتشگاه", "سعادت‌آباد", "پروین")),
    DistrictSpec(10, 32.7040, 51.6980, 2.4, 2, 30_000_000,
                 ("امام خمینی", "ملک‌شهر", "مطهری")),
    DistrictSpec(11, 32.6240, 51.6240, 2.6, 2, 24_000_000,
                 ("شیخ کلینی", "سپهسالار", "ملاصدرا")),
    DistrictSpec(12, 32.6760, 51.5950, 2.8, 2, 20_000_000,
                 ("کهندژ", "رباط", "دکتر بهشتی")),
    DistrictSpec(13, 32.7200, 51.7350, 3.0, 1, 22_000_000,
                 ("مشتاق", "گلستان", "کوی امام")),
    DistrictSpec(14, 32.7220, 51.6600, 2.8, 3, 25_000_000,
                 ("زینبیه", "دشتستان", "کشاورز")),
    DistrictSpec(15, 32.6620, 51.7750, 3.5, 1, 18_000_000,
                 ("خوراسگان", "بهشت‌آباد", "جی شرقی")),
)  # fmt: skip

# The detailed-plan reviewers, each serving the offices of three neighbouring districts.
PLAN_REVIEWER_DISTRICTS = ((1, 3, 5), (2, 4, 15), (6, 11, 9), (7, 10, 13), (8, 12, 14))

KM_PER_DEGREE_LAT = 110.574
KM_PER_DEGREE_LNG_AT_EQUATOR = 111.320


def point_in_circle(rng: random.Random, spec: DistrictSpec, fill: float) -> tuple[Decimal, Decimal]:
    """A uniform point within `fill` × the district's radius of its centre."""
    distance = spec.radius_km * fill * math.sqrt(rng.random())
    angle = rng.uniform(0, 2 * math.pi)
    lat = spec.lat + distance * math.cos(angle) / KM_PER_DEGREE_LAT
    km_per_degree_lng = KM_PER_DEGREE_LNG_AT_EQUATOR * math.cos(math.radians(spec.lat))
    lng = spec.lng + distance * math.sin(angle) / km_per_degree_lng
    return Decimal(f"{lat:.6f}"), Decimal(f"{lng:.6f}")


# --- people -----------------------------------------------------------------------------

MALE_NAMES = (
    "علی", "محمد", "حسین", "رضا", "مهدی", "امیر", "حمید", "سعید", "مجید", "مصطفی",
    "جواد", "احمد", "محسن", "حسن", "مرتضی", "کاظم", "ابوالفضل", "امین", "پویا", "نوید",
    "بهنام", "فرهاد", "کامران", "هادی", "یاسر", "میلاد", "سجاد", "عرفان", "آرش", "داوود",
)  # fmt: skip
FEMALE_NAMES = (
    "فاطمه", "زهرا", "مریم", "زینب", "سمیه", "الهام", "نرگس", "مهسا", "سارا", "نازنین",
    "لیلا", "شیما", "ریحانه", "مینا", "پریسا", "نسرین", "فرزانه", "معصومه", "طاهره", "هانیه",
    "آزاده", "سپیده", "محدثه", "الهه", "بهاره", "مهناز", "سحر", "ندا", "راضیه", "کوثر",
)  # fmt: skip
LAST_NAMES = (
    "احمدی", "محمدی", "حسینی", "رضایی", "کاظمی", "موسوی", "جعفری", "صادقی", "کریمی",
    "رحیمی", "نوروزی", "قاسمی", "هاشمی", "سلطانی", "شریفی", "امینی", "نجفی", "طاهری",
    "فاضلی", "یزدانی", "زمانی", "خسروی", "مرادی", "باقری", "عسگری", "اکبری", "اسدی",
    "ابراهیمی", "نظری", "کیانی", "ملکی", "شفیعی", "شاهمرادی", "نصیری", "ترابی", "حیدری",
    "میرلوحی", "فروغی", "جلالی", "سبحانی", "قربانی", "دهقانی", "کشاورز", "زارعی", "توکلی",
    "بهشتی", "عابدی", "خادمی", "رنجبر", "نیکبخت", "صفوی", "لطفی", "پورمحمدی", "ستاری",
    "مختاری", "وحیدی", "پاکزاد", "صالحی", "فتحی", "نصر اصفهانی", "جمالزاده", "کلانتری",
    "سلیمانی", "آقاجانی", "شیروانی", "هرندی", "طباطبایی", "درخشان", "اصفهانیان", "دهکردی",
)  # fmt: skip
# Birth-place codes (the first three digits) issued in Isfahan; others come at random.
ISFAHAN_ID_PREFIXES = ("127", "128", "129", "130")
MOBILE_PREFIXES = ("0913", "0913", "0913", "0912", "0919", "0935", "0936", "0939", "0901",
                   "0902", "0990", "0991", "0930", "0933")  # fmt: skip


class People:
    """Persian names, unique valid national IDs and unique mobiles from one stream."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.national_ids: set[str] = set()
        self.mobiles: set[str] = set()

    def name(self) -> tuple[str, str]:
        first = self.rng.choice(MALE_NAMES if self.rng.random() < 0.5 else FEMALE_NAMES)
        return first, self.rng.choice(LAST_NAMES)

    def _digits(self, count: int) -> str:
        return "".join(str(self.rng.randrange(10)) for _ in range(count))

    def national_id(self) -> str:
        while True:
            if self.rng.random() < 0.75:
                prefix = self.rng.choice(ISFAHAN_ID_PREFIXES)
            else:
                prefix = self._digits(3)
            body = prefix + self._digits(6)
            value = body + str(national_id_check_digit(body))
            if is_valid_national_id(value) and value not in self.national_ids:
                self.national_ids.add(value)
                return value

    def mobile(self) -> str:
        while True:
            value = self.rng.choice(MOBILE_PREFIXES) + self._digits(7)
            if value not in self.mobiles:
                self.mobiles.add(value)
                return value


# --- dates ------------------------------------------------------------------------------


def jdate(text: str) -> dt.date:
    """'1403/01/15' → the Gregorian date."""
    year, month, day = (int(part) for part in text.split("/"))
    return from_jalali(year, month, day)


def random_day(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randrange((last - first).days + 1))


def plus_jalali_years(day: dt.date, years: int) -> dt.date:
    j = to_jalali(day)
    return from_jalali(j.year + years, j.month, min(j.day, 29)) - dt.timedelta(days=1)


def tehran_moment(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TEHRAN)


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


def street_address(rng: random.Random, spec: DistrictSpec) -> str:
    """'اصفهان، خیابان حافظ، کوچه ۱۲، پلاک ۴۵'."""
    street = "خیابان " + rng.choice(spec.streets)
    alley = rng.choice(
        (
            f"کوچه {fa(rng.randint(1, 60))}",
            f"کوچه شهید {rng.choice(LAST_NAMES)}",
            f"کوچه {rng.choice(('لاله', 'یاس', 'نسترن', 'ارغوان', 'بهار', 'نرگس', 'شقایق'))}",
        )
    )
    return f"اصفهان، {street}، {alley}، پلاک {fa(rng.randint(1, 180))}"


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


# --- the plan: citizens -----------------------------------------------------------------


@dataclass(frozen=True)
class CitizenPlan:
    national_id: str
    first_name: str
    last_name: str
    mobile: str
    username: str | None


def plan_citizens(rng: random.Random, count: int) -> list[CitizenPlan]:
    """`count` citizens: the first signs in as `citizen`, the next few with their ID."""
    people = People(rng)
    plans = []
    for k in range(count):
        first, last = people.name()
        national_id = people.national_id()
        if k == 0:
            username: str | None = "citizen"
        else:
            username = national_id if k <= CITIZEN_ACCOUNTS else None
        plans.append(CitizenPlan(national_id, first, last, people.mobile(), username))
    return plans


# --- the plan: parcels and their conditions ---------------------------------------------

LAND_USE_WEIGHTS: dict[str, int] = {
    LandUse.RESIDENTIAL: 62,
    LandUse.COMMERCIAL: 12,
    LandUse.MIXED: 7,
    LandUse.ADMINISTRATIVE: 3,
    LandUse.EDUCATIONAL: 3,
    LandUse.HEALTHCARE: 2,
    LandUse.RELIGIOUS: 2,
    LandUse.INDUSTRIAL: 2,
    LandUse.GREEN_SPACE: 2,
    LandUse.VACANT: 5,
}
# Land area in m² (low, high, mode) and built area as a share of it (low, high).
AREAS: dict[str, tuple[tuple[int, int, int], tuple[float, float]]] = {
    LandUse.RESIDENTIAL: ((90, 600, 200), (0.6, 2.4)),
    LandUse.COMMERCIAL: ((20, 300, 60), (0.8, 2.0)),
    LandUse.MIXED: ((100, 800, 250), (1.0, 3.0)),
    LandUse.ADMINISTRATIVE: ((300, 3000, 800), (0.5, 1.8)),
    LandUse.EDUCATIONAL: ((500, 5000, 1500), (0.3, 1.0)),
    LandUse.HEALTHCARE: ((300, 4000, 1000), (0.6, 2.0)),
    LandUse.RELIGIOUS: ((150, 2000, 400), (0.4, 1.0)),
    LandUse.INDUSTRIAL: ((500, 5000, 1200), (0.3, 0.8)),
    LandUse.GREEN_SPACE: ((300, 8000, 1500), (0.0, 0.05)),
    LandUse.VACANT: ((100, 1200, 300), (0.0, 0.0)),
}
PLAN_ZONES: dict[str, tuple[str, ...]] = {
    LandUse.RESIDENTIAL: ("R111", "R112", "R121", "R122", "R211", "R212"),
    LandUse.COMMERCIAL: ("C211", "C212", "C221"),
    LandUse.MIXED: ("M1", "M2", "M3"),
    LandUse.ADMINISTRATIVE: ("S211",),
    LandUse.EDUCATIONAL: ("S121",),
    LandUse.HEALTHCARE: ("S131",),
    LandUse.RELIGIOUS: ("S141",),
    LandUse.INDUSTRIAL: ("I11", "I12"),
    LandUse.GREEN_SPACE: ("G11", "G12"),
    LandUse.VACANT: ("R112", "R121", "M2"),
}
PRICE_FACTOR: dict[str, float] = {
    LandUse.COMMERCIAL: 2.2,
    LandUse.MIXED: 1.6,
    LandUse.ADMINISTRATIVE: 1.2,
    LandUse.RESIDENTIAL: 1.0,
    LandUse.VACANT: 0.9,
    LandUse.EDUCATIONAL: 0.8,
    LandUse.HEALTHCARE: 0.8,
    LandUse.RELIGIOUS: 0.8,
    LandUse.INDUSTRIAL: 0.6,
    LandUse.GREEN_SPACE: 0.5,
}
VIOLATIONS = (
    "اضافه بنای خارج از پروانه",
    "تغییر کاربری بدون مجوز",
    "عدم تأمین پارکینگ",
    "احداث بنا بدون پروانه",
    "تجاوز به حریم معبر",
)
VIOLATION_NOTES = (
    "پرونده برای رسیدگی به کمیسیون ماده ۱۰۰ ارجاع شده است.",
    "رأی کمیسیون ماده ۱۰۰ صادر شده و در انتظار اجراست.",
    "گزارش بازدید کارشناس ثبت شده و در انتظار رسیدگی است.",
)
HISTORIC_CORE = (1, 3)  # districts of the old city, under the historic-fabric rules


@dataclass
class ParcelDraft:
    parcel: Parcel
    conditions: list[ParcelCondition]


class ParcelMaker:
    """Parcels with unique codes and plates, placed inside their district's circle."""

    def __init__(self, rng: random.Random, districts: dict[int, District]) -> None:
        self.rng = rng
        self.districts = districts
        self.renewal_codes: set[str] = set()
        self.plates: set[tuple[int, int, int]] = set()
        self.postal_codes: set[str] = set()

    def make(self, count: int) -> list[ParcelDraft]:
        return [self._draft() for _ in range(count)]

    def _draft(self) -> ParcelDraft:
        rng = self.rng
        spec = rng.choices(DISTRICTS, weights=[s.offices + 1 for s in DISTRICTS])[0]
        land_use = rng.choices(list(LAND_USE_WEIGHTS), weights=list(LAND_USE_WEIGHTS.values()))[0]
        unit = land_use in (LandUse.RESIDENTIAL, LandUse.MIXED) and rng.random() < 0.35
        section, plate_main, plate_sub = self._plate(spec)
        lat, lng = point_in_circle(rng, spec, fill=0.95)
        land_area, building_area = self._areas(land_use)
        address = street_address(rng, spec) + (f"، واحد {fa(rng.randint(1, 24))}" if unit else "")
        parcel = Parcel(
            registration_section=section,
            plate_main=plate_main,
            plate_sub=plate_sub,
            postal_code=None if land_use == LandUse.VACANT else self._postal_code(),
            renewal_code=self._renewal_code(spec.number, unit),
            district=self.districts[spec.number],
            address=address,
            lat=lat,
            lng=lng,
            land_area=land_area,
            building_area=building_area,
            land_use=land_use,
            plan_zone=rng.choice(PLAN_ZONES[land_use]),
            zone_price=self._zone_price(spec, land_use),
            is_demo=True,
        )
        return ParcelDraft(parcel, self._conditions(parcel, spec))

    def _plate(self, spec: DistrictSpec) -> tuple[int, int, int]:
        while True:
            sub = 0 if self.rng.random() < 0.15 else self.rng.randint(1, 3000)
            plate = (self.rng.choice(spec.sections), self.rng.randint(1, 7000), sub)
            if plate not in self.plates:
                self.plates.add(plate)
                return plate

    def _renewal_code(self, district: int, unit: bool) -> str:
        """district-block-property-building-unit, e.g. 3-112-45-0-0."""
        while True:
            block, lot = self.rng.randint(1, 600), self.rng.randint(1, 350)
            building, flat = (self.rng.randint(1, 3), self.rng.randint(1, 24)) if unit else (0, 0)
            code = f"{district}-{block}-{lot}-{building}-{flat}"
            if code not in self.renewal_codes:
                self.renewal_codes.add(code)
                return code

    def _postal_code(self) -> str:
        """Isfahan's postal codes start with 81; the first five digits avoid 0 and 2."""
        while True:
            head = "81" + "".join(self.rng.choice("13456789") for _ in range(3))
            code = head + f"{self.rng.randrange(100_000):05d}"
            if code not in self.postal_codes:
                self.postal_codes.add(code)
                return code

    def _areas(self, land_use: str) -> tuple[Decimal, Decimal]:
        (low, high, mode), (least, most) = AREAS[land_use]
        land = self.rng.triangular(low, high, mode)
        built = land * self.rng.uniform(least, most)
        return Decimal(f"{land:.2f}"), Decimal(f"{built:.2f}")

    def _zone_price(self, spec: DistrictSpec, land_use: str) -> int:
        price = spec.zone_price * PRICE_FACTOR[land_use] * self.rng.uniform(0.85, 1.15)
        return max(100_000, round(price / 100_000) * 100_000)

    def _conditions(self, parcel: Parcel, spec: DistrictSpec) -> list[ParcelCondition]:
        found = []
        if self.rng.random() < 0.12:
            found.append(self._debt(parcel))
        if parcel.land_use != LandUse.VACANT and self.rng.random() < 0.05:
            found.append(self._violation(parcel))
        if self.rng.random() < 0.07:
            found.append(self._widening(parcel))
        if spec.number in HISTORIC_CORE and self.rng.random() < 0.08:
            found.append(self._historic(parcel))
        return found

    def _condition(self, parcel: Parcel, kind: str, title: str, **extra: Any) -> ParcelCondition:
        recorded_on = random_day(self.rng, jdate("1400/01/01"), jdate("1405/06/31"))
        resolved_at = None
        if recorded_on < jdate("1404/01/01") and self.rng.random() < 0.2:
            resolved_on = recorded_on + dt.timedelta(days=self.rng.randint(20, 200))
            resolved_at = tehran_moment(resolved_on, self.rng.randint(8, 14), 30)
        return ParcelCondition(
            parcel=parcel,
            kind=kind,
            title=title,
            recorded_on=recorded_on,
            resolved_at=resolved_at,
            is_demo=True,
            **extra,
        )

    def _debt(self, parcel: Parcel) -> ParcelCondition:
        last = self.rng.choice((1403, 1404))
        years = self.rng.randint(1, 4)
        span = f"سال {fa(last)}" if years == 1 else f"سال‌های {fa(last - years + 1)} تا {fa(last)}"
        yearly = float(parcel.land_area) * parcel.zone_price * 0.001
        amount = max(100_000, round(yearly * years / 1000) * 1000)
        return self._condition(
            parcel, ConditionKind.DEBT, f"بدهی عوارض نوسازی {span}", amount=amount
        )

    def _violation(self, parcel: Parcel) -> ParcelCondition:
        return self._condition(
            parcel,
            ConditionKind.VIOLATION,
            self.rng.choice(VIOLATIONS),
            description=self.rng.choice(VIOLATION_NOTES),
        )

    def _widening(self, parcel: Parcel) -> ParcelCondition:
        widening = Decimal(f"{self.rng.uniform(0.5, 6.0):.2f}")
        width = self.rng.choice((8, 10, 12, 16, 20, 24))
        return self._condition(
            parcel,
            ConditionKind.PLAN_RESTRICTION,
            "عقب‌نشینی در طرح تعریض معبر",
            description=f"بر پایه طرح تفصیلی، معبر مجاور ملک به عرض {fa(width)} متر تعریض می‌شود.",
            widening_m=widening,
        )

    def _historic(self, parcel: Parcel) -> ParcelCondition:
        return self._condition(
            parcel,
            ConditionKind.PLAN_RESTRICTION,
            "واقع در حریم بافت تاریخی",
            description="هر گونه ساخت‌وساز به استعلام از اداره کل میراث فرهنگی استان نیاز دارد.",
        )


# --- writing: catalog tariffs -----------------------------------------------------------

# The 1403 tariff of each reference service: (base, per m² of land), in rials. The tariff
# from 1404 on is 30% higher. Plausible amounts for a demo, not the city's resolution.
TARIFFS_1403 = {
    "inquiry_notary": (1_800_000, 0),
    "inquiry_bank": (1_500_000, 0),
    "inquiry_excavation": (2_200_000, 0),
    "certificate_structural_frame": (3_000_000, 4_000),
    "certificate_completion": (4_500_000, 6_000),
    "permit_building": (6_000_000, 12_000),
    "permit_new": (6_000_000, 12_000),
    "permit_demolition_rebuild": (7_000_000, 12_000),
    "permit_extension": (2_500_000, 0),
    "permit_replacement": (3_500_000, 3_000),
    "permit_expansion": (5_000_000, 10_000),
    "permit_repairs": (2_000_000, 0),
    "bill_renewal_dues": (250_000, 0),
    "toll_vehicle_annual": (200_000, 0),
}
TARIFF_RISE_1404 = Decimal("1.3")


def _tariffs_for(service: ServiceType) -> list[Tariff]:
    base, per_m2 = TARIFFS_1403[service.code]
    first, last = jalali_year_bounds(1403)
    closed = Tariff(
        service_type=service,
        base_amount=base,
        per_square_metre=per_m2,
        valid_from=first,
        valid_until=last,
        resolution="مصوبه شماره ۴۵۲۱ شورای اسلامی شهر اصفهان",
        approved_on=jdate("1402/12/10"),
    )
    current = Tariff(
        service_type=service,
        base_amount=round(base * TARIFF_RISE_1404 / 10_000) * 10_000,
        per_square_metre=round(per_m2 * TARIFF_RISE_1404 / 100) * 100,
        valid_from=jalali_year_bounds(1404)[0],
        valid_until=None,
        resolution="مصوبه شماره ۶۲۰۸ شورای اسلامی شهر اصفهان",
        approved_on=jdate("1403/12/12"),
    )
    return [closed, current]


def ensure_tariffs(services: Iterable[ServiceType], tally: Counter[str]) -> None:
    """Tariffs for each reference service that has none yet (history is never touched)."""
    for service in services:
        if service.code not in TARIFFS_1403 or service.tariffs.exists():
            continue
        for tariff in _tariffs_for(service):
            tariff.full_clean()
            tariff.save()
            tally["tariffs"] += 1


# --- writing: districts and offices -----------------------------------------------------


def ensure_districts(tally: Counter[str]) -> dict[int, District]:
    districts = {d.number: d for d in District.objects.all()}
    for spec in DISTRICTS:
        if spec.number in districts:
            continue
        district = District(
            number=spec.number,
            name=f"منطقه {fa(spec.number)}",
            center_lat=Decimal(f"{spec.lat:.6f}"),
            center_lng=Decimal(f"{spec.lng:.6f}"),
            radius_km=Decimal(f"{spec.radius_km:.2f}"),
            is_demo=True,
        )
        district.full_clean()
        district.save()
        districts[spec.number] = district
        tally["districts"] += 1
    return districts


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


# --- writing: validation ----------------------------------------------------------------

THOROUGH_EVERY = 25  # every 25th bulk-created row also runs full_clean()'s queries


def validate_rows(rows: Sequence[Model], relations: Sequence[str], every: int | None) -> None:
    """Every row's field validators and clean(), without queries; every `every`-th row
    (none when None) the whole full_clean(), with its foreign-key, unique and constraint
    queries. The plan already keeps natural keys unique within a run."""
    for k, row in enumerate(rows):
        if every and k % every == 0:
            row.full_clean()
        else:
            row.full_clean(
                exclude=list(relations), validate_unique=False, validate_constraints=False
            )


# --- writing: accounts and staff --------------------------------------------------------


class PasswordHash:
    """The demo password hashed once per run (Argon2 takes ~0.1 s a hash) and only if needed.

    Every demo account gets the same encoded hash: the password is published anyway, and
    150 separate hashes would make loading take 15 seconds.
    """

    def __init__(self) -> None:
        self._encoded: str | None = None

    def __call__(self) -> str:
        if self._encoded is None:
            self._encoded = make_password(DEMO_PASSWORD)
        return self._encoded


@dataclass(frozen=True)
class AccountPlan:
    username: str
    first_name: str
    last_name: str
    is_staff: bool = False
    is_superuser: bool = False


def ensure_users(
    accounts: Sequence[AccountPlan], password: PasswordHash, tally: Counter[str]
) -> dict[str, User]:
    """The accounts by username; the missing ones are created with the demo password."""
    usernames = [a.username for a in accounts]
    users = {u.username: u for u in User.objects.filter(username__in=usernames)}
    fresh = [
        User(
            username=a.username,
            first_name=a.first_name,
            last_name=a.last_name,
            is_staff=a.is_staff,
            is_superuser=a.is_superuser,
            password=password(),
        )
        for a in accounts
        if a.username not in users
    ]
    validate_rows(fresh, relations=(), every=THOROUGH_EVERY)
    User.objects.bulk_create(fresh)
    tally["users"] += len(fresh)
    return users | {u.username: u for u in fresh}


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
    offices: dict[str, Office],
    districts: dict[int, District],
    password: PasswordHash,
    tally: Counter[str],
) -> dict[str, StaffMember]:
    """Accounts, staff profiles, roles and employment contracts; staff by username."""
    users = ensure_users([plan.account for plan in plans], password, tally)
    members = _ensure_members(plans, users, tally)
    _ensure_role_assignments(plans, members, offices, districts, tally)
    _ensure_employment_contracts(plans, members, offices, tally)
    return members


# --- writing: citizens and parcels ------------------------------------------------------


def ensure_citizens(
    plans: Sequence[CitizenPlan], password: PasswordHash, tally: Counter[str]
) -> None:
    """The missing citizens; a few with an account (never one a person already has)."""
    ids = [p.national_id for p in plans]
    known = set(Citizen.objects.filter(national_id__in=ids).values_list("national_id", flat=True))
    missing = [p for p in plans if p.national_id not in known]
    accounts = [AccountPlan(p.username, p.first_name, p.last_name) for p in missing if p.username]
    users = ensure_users(accounts, password, tally)
    linked = set(
        Citizen.objects.filter(user__in=list(users.values())).values_list("user", flat=True)
    )
    fresh = []
    for plan in missing:
        user = users.get(plan.username or "")
        fresh.append(
            Citizen(
                national_id=plan.national_id,
                first_name=plan.first_name,
                last_name=plan.last_name,
                mobile=plan.mobile,
                user=user if user is not None and user.pk not in linked else None,
                is_demo=True,
            )
        )
    validate_rows(fresh, relations=("user",), every=THOROUGH_EVERY)
    Citizen.objects.bulk_create(fresh)
    tally["citizens"] += len(fresh)


def _keys(renewal_code: str, postal_code: str | None, plate: tuple[int, int, int]) -> set[object]:
    """A parcel's natural keys: each one alone is unique among parcels."""
    return {renewal_code, plate} | ({postal_code} if postal_code else set())


def _draft_keys(draft: ParcelDraft) -> set[object]:
    p = draft.parcel
    return _keys(p.renewal_code, p.postal_code, (p.registration_section, p.plate_main, p.plate_sub))


def _taken(drafts: Sequence[ParcelDraft]) -> set[object]:
    """The natural keys of the drafts that some stored parcel already uses."""
    wanted: set[object] = set().union(*(_draft_keys(d) for d in drafts))
    taken: set[object] = set()
    rows = Parcel.objects.values_list(
        "renewal_code", "postal_code", "registration_section", "plate_main", "plate_sub"
    )
    for code, postal, section, main, sub in rows.iterator(chunk_size=2000):
        taken |= _keys(code, postal, (section, main, sub)) & wanted
    return taken


def ensure_parcels(drafts: Sequence[ParcelDraft], tally: Counter[str]) -> None:
    """Bulk-create the drafts whose renewal code, postal code and plate are all free."""
    taken = _taken(drafts)
    fresh = [d for d in drafts if not _draft_keys(d) & taken]
    parcels = [d.parcel for d in fresh]
    conditions = [c for d in fresh for c in d.conditions]
    validate_rows(parcels, relations=("district",), every=10 * THOROUGH_EVERY)
    validate_rows(conditions, relations=("parcel",), every=None)  # its parcel is not saved yet
    Parcel.objects.bulk_create(parcels, batch_size=500)
    ParcelCondition.objects.bulk_create(conditions, batch_size=1000)
    tally["parcels"] += len(parcels)
    tally["parcel conditions"] += len(conditions)


# --- the whole city ---------------------------------------------------------------------


def stream(seed: int, topic: str) -> random.Random:
    """An independent, reproducible random stream per kind of data."""
    return random.Random(f"{seed}:{topic}")  # noqa: S311 - demo data, not secrets


@dataclass
class LoadResult:
    created: Counter[str]

    @property
    def changed(self) -> bool:
        return any(self.created.values())


def load_workflows(tally: Counter[str]) -> None:
    """The workflow definitions and official holidays, as `manage.py load_workflows` loads
    them: an unchanged definition file is a no-op."""
    tally["workflow definitions"] += sum(result.created for _, result in load_all_definitions())
    tally["holidays"] += load_holidays()


def load_demo_city(
    parcels: int = DEFAULT_PARCELS,
    citizens: int = DEFAULT_CITIZENS,
    seed: int = SEED,
    cases: int = 0,
) -> LoadResult:
    """Load (or complete) the demo city in one transaction; see the module docstring.

    The workflow definitions and official holidays are loaded after the reference catalog.
    `cases` demo cases are added once (see pishkhan.core.demo_cases); the command asks for
    DEFAULT_CASES, callers in code for none unless they say so."""
    tally: Counter[str] = Counter()
    password = PasswordHash()
    with transaction.atomic():
        tally["catalog rows"] += load_reference_catalog()
        load_workflows(tally)
        services = list(ServiceType.objects.filter(code__in=reference_codes()))
        ensure_tariffs(services, tally)
        districts = ensure_districts(tally)
        office_plans = plan_offices(stream(seed, "offices"))
        offices = ensure_offices(office_plans, districts, tally)
        staff_plans = StaffPlanner(stream(seed, "staff"), office_plans).plan()
        members = ensure_staff(staff_plans, offices, districts, password, tally)
        tally["office managers set"] += ensure_office_managers(office_plans, offices, members)
        ensure_office_contracts(office_plans, offices, services, tally)
        drafts = ParcelMaker(stream(seed, "parcels"), districts).make(parcels)
        ensure_parcels(drafts, tally)
        ensure_citizens(plan_citizens(stream(seed, "citizens"), citizens), password, tally)
        tally.update(load_demo_cases(cases, seed))
    return LoadResult(+tally)


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

CONDITION_EN: dict[str, str] = {
    ConditionKind.DEBT: "debts",
    ConditionKind.VIOLATION: "building violations",
    ConditionKind.PLAN_RESTRICTION: "plan restrictions",
}


def city_summary() -> list[tuple[str, int]]:
    """Counts of the demo city as stored (demo rows only, plus the reference catalog)."""
    roles = RoleAssignment.objects.filter(staff__is_demo=True)
    offices = Office.objects.filter(is_demo=True)
    conditions = ParcelCondition.objects.filter(is_demo=True)
    codes = reference_codes()
    return [
        ("districts", District.objects.filter(is_demo=True).count()),
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
        ("citizens", Citizen.objects.filter(is_demo=True).count()),
        ("  with an account", Citizen.objects.filter(is_demo=True, user__isnull=False).count()),
        ("parcels", Parcel.objects.filter(is_demo=True).count()),
        ("parcel conditions", conditions.count()),
        *(
            (f"  {CONDITION_EN[kind]}", conditions.filter(kind=kind).count())
            for kind in ConditionKind
        ),
        ("services (reference catalog)", ServiceType.objects.filter(code__in=codes).count()),
        (
            "document requirements",
            DocumentRequirement.objects.filter(service_type__code__in=codes).count(),
        ),
        ("tariffs", Tariff.objects.filter(service_type__code__in=codes).count()),
    ]


@dataclass(frozen=True)
class AccountRow:
    username: str
    role: str
    scope: str
    password_works: bool


def _scope(assignments: Sequence[RoleAssignment]) -> str:
    offices = [a.office.code for a in assignments if a.office]
    districts = [str(a.district.number) for a in assignments if a.district]
    if offices:
        return ("office " if len(offices) == 1 else "offices ") + ", ".join(sorted(offices))
    if districts:
        return ("district " if len(districts) == 1 else "districts ") + ", ".join(districts)
    return "whole city"


def _account_row(user: User, works: bool) -> AccountRow:
    assignments = list(
        RoleAssignment.objects.filter(staff__user=user).select_related("office", "district")
    )
    if not assignments:
        is_citizen = Citizen.objects.filter(user=user).exists()
        role, scope = ("citizen", "own requests") if is_citizen else ("(no role)", "-")
        return AccountRow(user.username, role, scope, works)
    role = " + ".join(sorted({ROLE_EN[Role(a.role)] for a in assignments}))
    if user.is_superuser:
        role += " (superuser)"
    return AccountRow(user.username, role, _scope(assignments), works)


def demo_accounts() -> list[AccountRow]:
    """The README's accounts as stored, and whether the demo password opens each one."""
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES)}
    verified: dict[str, bool] = {}  # one check per distinct hash: the demo accounts share one
    rows = []
    for username in DEMO_USERNAMES:
        user = users.get(username)
        if user is None:
            continue
        if user.password not in verified:
            verified[user.password] = check_password(DEMO_PASSWORD, user.password)
        rows.append(_account_row(user, verified[user.password] and user.is_active))
    return rows


def _table(rows: Sequence[AccountRow]) -> list[str]:
    header = ("username", "role", "scope")
    cells = [header, *((r.username, r.role, r.scope) for r in rows)]
    widths = [max(len(c[i]) for c in cells) for i in range(2)]
    lines = [f"  {c[0]:<{widths[0]}}  {c[1]:<{widths[1]}}  {c[2]}" for c in cells]
    lines.insert(1, "  " + "-" * (sum(widths) + 4 + max(len(c[2]) for c in cells)))
    for row, k in zip(rows, range(2, len(rows) + 2), strict=True):
        if not row.password_works:
            lines[k] += "   (!) the demo password does not open this account"
    return lines


def format_report(result: LoadResult, seconds: float) -> str:
    """What the command prints: what changed, the city's counts and the demo accounts."""
    if result.changed:
        made = ", ".join(f"{count} {label}" for label, count in result.created.items())
        lines = [f"Demo city loaded in {seconds:.1f} s. Created or updated: {made}."]
    else:
        lines = [f"The demo city is already loaded; nothing changed ({seconds:.1f} s)."]
    lines += ["", "Demo city:"]
    lines += [f"  {label:<34}{count:>6}" for label, count in city_summary()]
    lines += cases_report()
    lines += ["", f"Demo accounts (password for every demo account: {DEMO_PASSWORD})"]
    lines += _table(demo_accounts())
    lines += [
        "",
        "Every office's staff follow the same pattern where the office has the role:",
        "  manager-<code>, tm-<code>, inspector-<code>, followup-<code>, planner-<code>",
        f"  (offices {FIRST_OFFICE_CODE}–{FIRST_OFFICE_CODE + OFFICE_COUNT - 1});"
        " district staff: district-<n>, district-<n>-2; supervisors: supervisor-2, supervisor-3.",
        "Citizens with an account sign in with their national ID as the username.",
    ]
    return "\n".join(lines)
