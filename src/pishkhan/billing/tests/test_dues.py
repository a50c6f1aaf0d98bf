"""Dues from the rules: arrears over several years across a rule change, the early
discount, transfer dues, service fees from the tariffs, vehicle tolls with late fees,
and the rounding rules."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pishkhan.billing import dues
from pishkhan.billing.actions import do_issue_bill, do_register_vehicle
from pishkhan.billing.errors import InvalidBillInput, NoRule
from pishkhan.billing.models import (
    BillKind,
    RenewalDuesAccount,
    RenewalDuesRule,
    TransferBasis,
    TransferDuesRule,
    VehicleClass,
)
from pishkhan.billing.tests.conftest import NOW_DAY, Rules
from pishkhan.core.jalali import from_jalali
from pishkhan.testing.personas import City

# the personas' parcel: 250 m² at 12,000,000 rials a m² -> 3,000,000,000 rials
VALUE = 3_000_000_000


def test_the_assessed_value_is_zone_price_times_area(city: City, rules: Rules) -> None:
    assert dues.assessed_value(city.a.parcel, rules.renewal_old) == VALUE


def test_arrears_use_each_years_own_rule_across_a_rule_change(
    city: City, rules: Rules, now: object
) -> None:
    RenewalDuesAccount.objects.create(parcel=city.a.parcel, paid_through_year=1400)
    lines = dues.renewal_lines(city.a.parcel, NOW_DAY)
    assert [(line.year, line.amount) for line in lines] == [
        (1401, 15_000_000),  # 5 per thousand (the rule of 1398)
        (1402, 15_000_000),
        (1403, 18_000_000),  # 6 per thousand (the rule of 1403)
        (1404, 18_000_000),
        (1405, 16_200_000),  # this year, in Ordibehesht: 10% early-payment discount
    ]
    assert lines[0].basis["rule_id"] == rules.renewal_old.pk
    assert lines[2].basis["rule_id"] == rules.renewal_new.pk


def test_the_discount_ends_with_its_month(city: City, rules: Rules) -> None:
    after = from_jalali(1405, 4, 1)
    assert [line.amount for line in dues.renewal_lines(city.a.parcel, after)] == [18_000_000]


def test_a_parcel_without_a_dues_account_owes_only_this_year(city: City, rules: Rules) -> None:
    assert [line.year for line in dues.renewal_lines(city.a.parcel, NOW_DAY)] == [1405]


def test_a_year_without_a_rule_is_refused_in_persian(city: City, rules: Rules) -> None:
    RenewalDuesAccount.objects.create(parcel=city.a.parcel, paid_through_year=1395)
    with pytest.raises(NoRule, match="۱۳۹۶"):
        dues.renewal_lines(city.a.parcel, NOW_DAY)


def test_an_absurd_arrears_period_is_refused(city: City, rules: Rules) -> None:
    RenewalDuesAccount.objects.create(parcel=city.a.parcel, paid_through_year=1300)
    with pytest.raises(InvalidBillInput, match="سال"):
        dues.renewal_lines(city.a.parcel, NOW_DAY)


def test_rounding_half_up_once_then_down_to_thousands(city: City, rules: Rules) -> None:
    parcel = city.builder.parcel(city.a.district, land_area=Decimal("100.01"), zone_price=1_234_567)
    # value: 1,234,567 × 100.01 = 123,469,045.67 -> 123,469,046 rials
    assert dues.assessed_value(parcel, rules.renewal_old) == 123_469_046
    line = dues.renewal_line(parcel, 1401, rules.renewal_old, NOW_DAY)
    # 0.5% = 617,345.23 -> 617,345 rials -> 617,000 payable
    assert (line.basis["exact"], line.amount) == (617_345, 617_000)
    assert dues.half_up(5, 2) == 3
    assert dues.half_up(4, 3) == 1
    assert dues.half_up(5, 3) == 2


def test_transfer_dues_by_each_basis(city: City, rules: Rules) -> None:
    parcel = city.builder.parcel(
        city.a.district,
        land_area=Decimal("200"),
        building_area=Decimal("300"),
        zone_price=10_000_000,
    )
    service = city.services["inquiry_notary"]
    made = {
        basis: dues.transfer_line(
            parcel,
            TransferDuesRule(
                service_type=service, basis=basis, rate_bp=200, fixed_amount=7_500_500
            ),
        ).amount
        for basis in TransferBasis.values
    }
    assert made == {
        "land": 40_000_000,  # 2% of 10,000,000 × 200
        "building": 60_000_000,
        "land_and_building": 100_000_000,
        "fixed": 7_500_000,  # whole thousands, rounded down
    }


def test_transfer_dues_never_below_the_minimum(city: City, rules: Rules) -> None:
    rule = TransferDuesRule(
        service_type=city.services["inquiry_notary"],
        basis=TransferBasis.LAND,
        rate_bp=1,
        minimum_amount=5_000_000,
    )
    assert dues.transfer_line(city.a.parcel, rule).amount == 5_000_000


def test_the_service_fee_comes_from_the_tariff_of_the_day(city: City, rules: Rules) -> None:
    service = city.services["inquiry_notary"]
    city.builder.tariff(service, from_jalali(1404, 1, 1), base_amount=500_000)
    line = dues.service_fee_line(service, city.a.parcel, NOW_DAY)
    assert line is not None
    assert line.amount == 500_000 + 1_000 * 250


def test_a_tariff_change_does_not_touch_an_issued_bill(
    city: City, rules: Rules, now: object
) -> None:
    service = city.services["inquiry_notary"]
    city.builder.tariff(service, from_jalali(1404, 1, 1), base_amount=500_000)
    case = city.open_case()
    bill = do_issue_bill(city.alice, kind=BillKind.SERVICE, case_id=case.pk)
    city.builder.tariff(service, from_jalali(1405, 2, 5), base_amount=900_000)
    bill.refresh_from_db()
    assert bill.total == 750_000
    assert bill.lines.get().amount == 750_000
    assert dues.service_fee_line(service, city.a.parcel, NOW_DAY).amount == 1_150_000  # type: ignore[union-attr]


def test_a_rule_change_does_not_touch_an_issued_bill(city: City, rules: Rules, now: object) -> None:
    bill = do_issue_bill(city.alice, kind=BillKind.RENEWAL, parcel_id=city.a.parcel.pk)
    from pishkhan.billing.actions import do_publish_rule

    do_publish_rule(
        RenewalDuesRule(
            valid_from=from_jalali(1405, 3, 1), rate_bp=80, resolution="۹", approved_on=NOW_DAY
        )
    )
    bill.refresh_from_db()
    assert bill.total == 16_200_000


def test_tolls_of_past_years_carry_a_late_fee(city: City, rules: Rules) -> None:
    vehicle = do_register_vehicle(
        plate="۱۲ ب ۳۴۵ ایران ۱۳",
        vin="NAAN01CA9CE123456",
        vehicle_class=VehicleClass.PASSENGER,
        model_year=1399,
        owner=city.citizen,
        toll_paid_through=1402,
    )
    lines = dues.toll_lines(vehicle, NOW_DAY)
    assert [(line.kind, line.year, line.amount) for line in lines] == [
        ("toll_year", 1403, 1_200_000),  # the rule of 1398
        ("late_fee", 1403, 240_000),  # two years late, 10% a year
        ("toll_year", 1404, 1_500_000),  # the rule of 1404
        ("late_fee", 1404, 150_000),
        ("toll_year", 1405, 1_500_000),
    ]


def test_a_vehicle_class_without_a_rule_is_refused(city: City, rules: Rules) -> None:
    vehicle = do_register_vehicle(
        plate="۱۲ ب ۳۴۶ ایران ۱۳",
        vin="NAAN01CA9CE123457",
        vehicle_class=VehicleClass.TRUCK,
        model_year=1399,
        owner=city.citizen,
        toll_paid_through=1404,
    )
    with pytest.raises(NoRule, match="کامیون"):
        dues.toll_lines(vehicle, NOW_DAY)


def test_negative_inputs_never_make_money() -> None:
    with pytest.raises(InvalidBillInput):
        dues.half_up(-1, 3)
    with pytest.raises(InvalidBillInput):
        dues.centi(Decimal("-1"))
    with pytest.raises(InvalidBillInput):
        dues.centi(Decimal("NaN"))
