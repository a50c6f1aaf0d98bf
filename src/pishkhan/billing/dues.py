"""How much is owed: renewal dues, transfer dues, service fees and vehicle tolls, from
the rules in force, as bill lines in integer rials.

Rounding (docs/billing.md): every product of a value and a rate is computed in whole
numbers and rounded half up to a rial once, at the end (no floats, no intermediate
rounding); then each line is rounded *down* to whole thousands of rials, because the
payment id carries the amount in thousands of rials, and rounding down never asks a
citizen for more than the rule says. A line that rounds to nothing is left out.

Years are Jalali. The rule of a year is the one in force on the year's first day
(1 Farvardin), so arrears across a rule change use each year's own rule, and a rule
published today never changes what an old year costs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pishkhan.billing.errors import InvalidBillInput, NoRule
from pishkhan.billing.models import (
    BASIS_POINTS,
    LIVE,
    BillKind,
    BillLine,
    LineKind,
    RenewalDuesAccount,
    RenewalDuesRule,
    TransferBasis,
    TransferDuesRule,
    ValueBasis,
    Vehicle,
    VehicleTollRule,
)
from pishkhan.catalog.models import ServiceType
from pishkhan.core.digits import to_persian_digits
from pishkhan.core.jalali import from_jalali, to_jalali
from pishkhan.core.money import format_rials
from pishkhan.geo.models import Parcel

THOUSAND = 1000
ARREARS_YEARS_MAX = 40  # more is a data error (a paid-through year typed wrong)


@dataclass(frozen=True)
class Line:
    kind: str
    title: str
    amount: int  # rials, whole thousands
    year: int | None = None
    basis: dict[str, Any] = field(default_factory=dict)


def half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half up, for non-negative whole numbers."""
    if numerator < 0 or denominator <= 0:
        raise InvalidBillInput("مبلغ منفی در محاسبه عوارض پذیرفته نیست.")
    quotient, rest = divmod(numerator, denominator)
    return quotient + (1 if 2 * rest >= denominator else 0)


def whole_thousands(rials: int) -> int:
    return rials - rials % THOUSAND


def centi(area: Decimal) -> int:
    """An area in hundredths of a square metre (areas are stored with two decimals)."""
    value = Decimal(area) * 100
    if not value.is_finite() or value < 0 or value != value.to_integral_value():
        raise InvalidBillInput("مساحت ملک معتبر نیست.")
    return int(value)


def nowruz(year: int) -> dt.date:
    return from_jalali(year, 1, 1)


def fa(value: object) -> str:
    return to_persian_digits(value)


# --- renewal dues ----------------------------------------------------------------


def assessed_value(parcel: Parcel, rule: RenewalDuesRule) -> int:
    """The parcel's value in rials on the rule's basis (half up to a rial)."""
    area = centi(parcel.land_area)
    if rule.value_basis == ValueBasis.LAND_AND_BUILDING:
        area += centi(parcel.building_area)
    return half_up(int(parcel.zone_price) * area * int(rule.valuation_percent), 100 * 100)


def early_discount_applies(rule: RenewalDuesRule, year: int, issued_on: dt.date) -> bool:
    when = to_jalali(issued_on)
    return bool(
        rule.early_discount_bp
        and rule.early_discount_until_month
        and when.year == year
        and when.month <= rule.early_discount_until_month
    )


def renewal_line(parcel: Parcel, year: int, rule: RenewalDuesRule, issued_on: dt.date) -> Line:
    value = assessed_value(parcel, rule)
    discount = rule.early_discount_bp if early_discount_applies(rule, year, issued_on) else 0
    exact = half_up(
        value * int(rule.rate_bp) * (BASIS_POINTS - int(discount)), BASIS_POINTS * BASIS_POINTS
    )
    title = f"عوارض نوسازی سال {fa(year)}"
    if discount:
        title += f" (با {fa(f'{Decimal(discount) / 100:g}')}٪ تخفیف پرداخت زودهنگام)"
    return Line(
        kind=LineKind.RENEWAL_YEAR,
        title=title,
        amount=whole_thousands(exact),
        year=year,
        basis={
            "rule_id": rule.pk,
            "resolution": rule.resolution,
            "value": value,
            "value_basis": rule.value_basis,
            "valuation_percent": rule.valuation_percent,
            "rate_bp": rule.rate_bp,
            "discount_bp": discount,
            "discount_until_month": rule.early_discount_until_month if discount else None,
            "exact": exact,
        },
    )


def rule_of_year(rules: list[Any], year: int) -> Any | None:
    """Of rules sorted newest first, the one in force on the year's first day."""
    day = nowruz(year)
    return next((r for r in rules if r.is_in_force(day)), None)


def covered_years(kind: str, **subject: Any) -> set[int]:
    """Years that a live (issued or paid) bill of the subject already carries."""
    line_kind = LineKind.RENEWAL_YEAR if kind == BillKind.RENEWAL else LineKind.TOLL_YEAR
    filters = {f"bill__{name}": value for name, value in subject.items()}
    rows = BillLine.objects.filter(kind=line_kind, bill__status__in=LIVE, **filters)
    return {int(year) for year in rows.values_list("year", flat=True) if year is not None}


def owed_years(first: int, current: int, covered: set[int]) -> list[int]:
    if current - first + 1 > ARREARS_YEARS_MAX:
        raise InvalidBillInput(
            f"بدهی بیش از {fa(ARREARS_YEARS_MAX)} سال است؛ سابقه پرداخت را بررسی کنید."
        )
    return [y for y in range(first, current + 1) if y not in covered]


def renewal_years_owed(parcel: Parcel, current: int) -> list[int]:
    account = RenewalDuesAccount.objects.filter(parcel_id=parcel.pk).first()
    first = account.paid_through_year + 1 if account else current
    return owed_years(first, current, covered_years(BillKind.RENEWAL, parcel_id=parcel.pk))


def renewal_lines(parcel: Parcel, issued_on: dt.date, years: list[int] | None = None) -> list[Line]:
    """A line per year of arrears (and the current year), each by its year's rule."""
    current = to_jalali(issued_on).year
    years = renewal_years_owed(parcel, current) if years is None else years
    rules = list(RenewalDuesRule.objects.order_by("-valid_from"))
    lines = []
    for year in years:
        rule = rule_of_year(rules, year)
        if rule is None:
            raise NoRule(f"برای سال {fa(year)} قاعده عوارض نوسازی ثبت نشده است.")
        lines.append(renewal_line(parcel, year, rule, issued_on))
    return [line for line in lines if line.amount]


# --- transfer dues ---------------------------------------------------------------


def transfer_line(parcel: Parcel, rule: TransferDuesRule) -> Line:
    if rule.basis == TransferBasis.FIXED:
        exact = int(rule.fixed_amount)
        area = 0
    else:
        area = {
            TransferBasis.LAND: centi(parcel.land_area),
            TransferBasis.BUILDING: centi(parcel.building_area),
            TransferBasis.LAND_AND_BUILDING: centi(parcel.land_area) + centi(parcel.building_area),
        }[TransferBasis(rule.basis)]
        exact = half_up(int(parcel.zone_price) * area * int(rule.rate_bp), 100 * BASIS_POINTS)
    exact = max(exact, int(rule.minimum_amount))
    return Line(
        kind=LineKind.TRANSFER,
        title=f"عوارض نقل و انتقال ({rule.get_basis_display()})",
        amount=whole_thousands(exact),
        basis={
            "rule_id": rule.pk,
            "resolution": rule.resolution,
            "basis": rule.basis,
            "zone_price": int(parcel.zone_price),
            "area_centi_m2": area,
            "rate_bp": rule.rate_bp,
            "minimum": int(rule.minimum_amount),
            "exact": exact,
        },
    )


def transfer_rule(service: ServiceType, on: dt.date) -> TransferDuesRule | None:
    rows = TransferDuesRule.objects.in_force(on).filter(service_type=service)
    return rows.order_by("-valid_from").first()


# --- service fees (the tariffs of catalog) ---------------------------------------


def service_fee_line(service: ServiceType, parcel: Parcel | None, on: dt.date) -> Line | None:
    tariff = service.tariff_on(on)
    if tariff is None:
        return None
    exact = tariff.fee_for(parcel.land_area if parcel else None)
    return Line(
        kind=LineKind.SERVICE_FEE,
        title=f"هزینه خدمت «{service.name}»",
        amount=whole_thousands(exact),
        basis={
            "tariff_id": tariff.pk,
            "resolution": tariff.resolution,
            "base_amount": int(tariff.base_amount),
            "per_square_metre": int(tariff.per_square_metre),
            "exact": exact,
        },
    )


# --- vehicle tolls ---------------------------------------------------------------


def toll_rules(vehicle_class: str, model_year: int) -> list[VehicleTollRule]:
    rows = VehicleTollRule.objects.filter(
        vehicle_class=vehicle_class, model_year_from__lte=model_year
    ).order_by("-valid_from")
    return [r for r in rows if r.model_year_to is None or model_year <= r.model_year_to]


def toll_lines_for_year(rule: VehicleTollRule, year: int, current: int) -> list[Line]:
    toll = Line(
        kind=LineKind.TOLL_YEAR,
        title=f"عوارض سالیانه خودرو سال {fa(year)}",
        amount=whole_thousands(int(rule.amount)),
        year=year,
        basis={"rule_id": rule.pk, "resolution": rule.resolution, "exact": int(rule.amount)},
    )
    late_years = current - year
    if late_years <= 0 or not rule.late_fee_bp:
        return [toll]
    exact = half_up(int(rule.amount) * int(rule.late_fee_bp) * late_years, BASIS_POINTS)
    late = Line(
        kind=LineKind.LATE_FEE,
        title=f"جریمه دیرکرد عوارض سال {fa(year)} ({fa(late_years)} سال)",
        amount=whole_thousands(exact),
        year=year,
        basis={"rule_id": rule.pk, "late_fee_bp": rule.late_fee_bp, "years_late": late_years,
               "exact": exact},
    )  # fmt: skip
    return [toll, late]


def toll_years_owed(vehicle: Vehicle, current: int) -> list[int]:
    first = max(vehicle.toll_paid_through + 1, vehicle.model_year)
    return owed_years(first, current, covered_years(BillKind.TOLL, vehicle_id=vehicle.pk))


def toll_lines(vehicle: Vehicle, issued_on: dt.date) -> list[Line]:
    current = to_jalali(issued_on).year
    rules = toll_rules(vehicle.vehicle_class, vehicle.model_year)
    lines: list[Line] = []
    for year in toll_years_owed(vehicle, current):
        rule = rule_of_year(rules, year)
        if rule is None:
            raise NoRule(
                f"برای سال {fa(year)} قاعده عوارض {vehicle.get_vehicle_class_display()} "
                f"ساخت {fa(vehicle.model_year)} ثبت نشده است."
            )
        lines.extend(toll_lines_for_year(rule, year, current))
    return [line for line in lines if line.amount]


def describe(lines: list[Line]) -> list[tuple[str, str]]:
    """(title, amount) rows for a preview."""
    return [(line.title, format_rials(line.amount)) for line in lines]
