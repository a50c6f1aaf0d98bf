"""The demo city's geography (pishkhan.geo): Isfahan's 15 districts, and its parcels with
their conditions (debts, building violations, plan restrictions).

Parcels are drawn from their own stream inside their district's circle, with unique
renewal codes, plates and postal codes; one is stored only when none of its natural keys
is taken, so a larger load later adds only the new ones."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pishkhan.core.digits import to_persian_digits as fa
from pishkhan.demo.common import (
    LAST_NAMES,
    THOROUGH_EVERY,
    jdate,
    random_day,
    tehran_moment,
    validate_rows,
)
from pishkhan.geo.models import ConditionKind, District, LandUse, Parcel, ParcelCondition

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


# --- writing ------------------------------------------------------------------------------


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


# --- the report -------------------------------------------------------------------------

CONDITION_EN: dict[str, str] = {
    ConditionKind.DEBT: "debts",
    ConditionKind.VIOLATION: "building violations",
    ConditionKind.PLAN_RESTRICTION: "plan restrictions",
}


def district_summary() -> list[tuple[str, int]]:
    return [("districts", District.objects.filter(is_demo=True).count())]


def parcel_summary() -> list[tuple[str, int]]:
    conditions = ParcelCondition.objects.filter(is_demo=True)
    return [
        ("parcels", Parcel.objects.filter(is_demo=True).count()),
        ("parcel conditions", conditions.count()),
        *(
            (f"  {CONDITION_EN[kind]}", conditions.filter(kind=kind).count())
            for kind in ConditionKind
        ),
    ]
