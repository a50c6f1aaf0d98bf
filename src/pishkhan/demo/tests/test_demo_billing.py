"""The demo city's billing: rules, vehicles and bills through the real actions, loaded
once, with a ledger that agrees."""

from __future__ import annotations

import pytest

from pishkhan.billing.ledger import check_ledger
from pishkhan.billing.models import Bill, BillStatus, Vehicle, VehicleTollRule
from pishkhan.demo.city import load_demo_city


@pytest.mark.django_db
def test_the_demo_city_has_rules_vehicles_and_bills_once() -> None:
    load_demo_city(parcels=120, citizens=30)
    assert Vehicle.objects.filter(is_demo=True).count() == 6
    assert VehicleTollRule.objects.count() == 14
    statuses = set(Bill.objects.values_list("status", flat=True))
    assert statuses == {BillStatus.ISSUED, BillStatus.PAID, BillStatus.CANCELLED}
    assert Bill.objects.filter(replaces__isnull=False).count() == 1
    assert check_ledger().consistent
    bills = Bill.objects.count()
    assert not load_demo_city(parcels=120, citizens=30).changed
    assert Bill.objects.count() == bills
