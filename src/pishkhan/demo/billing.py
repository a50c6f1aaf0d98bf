"""The demo city's billing (pishkhan.billing): the finance unit's dues rules, a few
vehicles in the registry, the dues history of some parcels, and bills issued, paid and
cancelled through the real actions.

The rules are reference data like the tariffs (not demo rows): renewal dues at five per
thousand of the zone value of the land since 1398, with 10% off until the end of
Khordad since 1403; transfer dues of the notary inquiry at 2% of zone price × land area;
the annual toll of every vehicle class since 1398, raised in 1404. Each is looked up by
its start day and created only when missing.

The vehicles, dues histories and bills are demo data, loaded once: if a demo vehicle
exists they count as loaded. Bills are issued by office 1101's technical manager
(tm-1101) at the counter through ``do_issue_bill``; one of each kind is paid through
``do_record_bill_payment`` (a counter's card reader, reference DEMO-…) and one renewal
bill is cancelled and re-issued.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from pishkhan.accounts.models import Citizen, User
from pishkhan.billing.actions import (
    do_cancel_bill,
    do_issue_bill,
    do_publish_rule,
    do_record_bill_payment,
    do_register_vehicle,
)
from pishkhan.billing.models import (
    Bill,
    BillKind,
    RenewalDuesAccount,
    RenewalDuesRule,
    TransferBasis,
    TransferDuesRule,
    ValueBasis,
    Vehicle,
    VehicleClass,
    VehicleTollRule,
)
from pishkhan.catalog.models import ServiceType
from pishkhan.demo.common import jdate
from pishkhan.geo.models import Parcel
from pishkhan.offices.models import Office

RESOLUTION = "۱۴۰۲/۳۱۸ شورای شهر"
COUNTER = "tm-1101"
HOME_OFFICE = "1101"
# (class, 1398 toll, 1404 toll) in rials: plausible for a demo, not the city's resolution
TOLLS = (
    (VehicleClass.PASSENGER, 1_200_000, 1_600_000),
    (VehicleClass.TAXI, 600_000, 800_000),
    (VehicleClass.PICKUP, 1_500_000, 2_000_000),
    (VehicleClass.MOTORCYCLE, 400_000, 550_000),
    (VehicleClass.MINIBUS, 2_500_000, 3_300_000),
    (VehicleClass.BUS, 3_500_000, 4_600_000),
    (VehicleClass.TRUCK, 4_000_000, 5_200_000),
)
# (plate, VIN, class, model year, settled through): Iranian makers' VINs (no check digit)
VEHICLES = (
    ("۱۲ ب ۳۴۵ ایران ۱۳", "NAAN01CA9KE100101", VehicleClass.PASSENGER, 1398, 1401),
    ("۲۳ ج ۴۵۶ ایران ۱۳", "NAS411100K1200202", VehicleClass.PASSENGER, 1400, 1403),
    ("۳۴ ت ۵۶۷ ایران ۲۳", "NAPKT21A8LE300303", VehicleClass.TAXI, 1397, 1402),
    ("۴۵ د ۶۷۸ ایران ۴۳", "NAAU21CC2ME400404", VehicleClass.PICKUP, 1401, 1404),
    ("۵۶ س ۷۸۹ ایران ۵۳", "NAM3MC250PE500505", VehicleClass.MOTORCYCLE, 1402, 1402),
    ("۶۷ ق ۸۹۱ ایران ۶۷", "NAAN91CE6NE600606", VehicleClass.PASSENGER, 1403, 1404),
)
PARCEL_DUES_THROUGH = (1401, 1402, 1403, 1404, 1403, 1400)


def ensure_rules(tally: Counter[str]) -> None:
    """The finance unit's rules, each published once (looked up by its start day)."""
    approved = jdate("1397/12/20")
    wanted: list[Any] = [
        RenewalDuesRule(valid_from=jdate("1398/01/01"), rate_bp=50, value_basis=ValueBasis.LAND),
        RenewalDuesRule(
            valid_from=jdate("1403/01/01"),
            rate_bp=50,
            value_basis=ValueBasis.LAND,
            early_discount_bp=1000,
            early_discount_until_month=3,
        ),
    ]
    notary = ServiceType.objects.filter(code="inquiry_notary").first()
    if notary is not None:
        wanted.append(
            TransferDuesRule(
                service_type=notary,
                valid_from=jdate("1398/01/01"),
                basis=TransferBasis.LAND,
                rate_bp=200,
                minimum_amount=2_000_000,
            )
        )
    for vehicle_class, old, new in TOLLS:
        for start, amount in (("1398/01/01", old), ("1404/01/01", new)):
            wanted.append(
                VehicleTollRule(
                    vehicle_class=vehicle_class,
                    model_year_from=1340,
                    amount=amount,
                    late_fee_bp=1000,
                    valid_from=jdate(start),
                )
            )
    for rule in wanted:
        rule.resolution, rule.approved_on = RESOLUTION, approved
        if not rule.competitors().filter(valid_from=rule.valid_from).exists():
            do_publish_rule(rule)
            tally["dues rules"] += 1


def load_demo_billing(tally: Counter[str]) -> None:
    """Vehicles, dues histories and bills, once (see the module docstring)."""
    ensure_rules(tally)
    counter = User.objects.filter(username=COUNTER).first()
    office = Office.objects.filter(code=HOME_OFFICE).first()
    citizens = list(Citizen.objects.filter(is_demo=True).order_by("national_id")[: len(VEHICLES)])
    if Vehicle.objects.filter(is_demo=True).exists() or counter is None or office is None:
        return
    if len(citizens) < len(VEHICLES):
        return
    vehicles = [
        do_register_vehicle(
            plate=plate, vin=vin, vehicle_class=kind, model_year=year, owner=owner,
            toll_paid_through=settled, is_demo=True,
        )
        for (plate, vin, kind, year, settled, ), owner in zip(VEHICLES, citizens, strict=True)
    ]  # fmt: skip
    tally["demo vehicles"] += len(vehicles)
    parcels = list(
        Parcel.objects.filter(is_demo=True, district=office.district).order_by("renewal_code")[
            : len(PARCEL_DUES_THROUGH)
        ]
    )
    for parcel, settled in zip(parcels, PARCEL_DUES_THROUGH, strict=False):
        RenewalDuesAccount.objects.get_or_create(
            parcel=parcel, defaults={"paid_through_year": settled, "is_demo": True}
        )
    bills = [
        do_issue_bill(counter, kind=BillKind.RENEWAL, parcel_id=p.pk, office_id=office.pk)
        for p in parcels
    ]
    bills += [
        do_issue_bill(counter, kind=BillKind.TOLL, vehicle_id=v.pk, office_id=office.pk)
        for v in vehicles[:4]
    ]
    tally["demo bills"] += len(bills)
    for bill in (bills[0], bills[len(parcels)]):
        do_record_bill_payment(
            bill.pk, amount=bill.total, reference=f"DEMO-{bill.bill_id}", channel="counter"
        )
        tally["demo bills paid"] += 1
    if len(parcels) > 1:
        do_cancel_bill(counter, bills[1].pk, bills[1].version, "اصلاح سابقه پرداخت", reissue=True)
        tally["demo bills re-issued"] += 1


def billing_summary() -> list[tuple[str, int]]:
    return [
        ("dues rules", RenewalDuesRule.objects.count() + TransferDuesRule.objects.count()
         + VehicleTollRule.objects.count()),
        ("vehicles (demo)", Vehicle.objects.filter(is_demo=True).count()),
        ("bills", Bill.objects.count()),
    ]  # fmt: skip
