"""The demo city's excavations: rates, and office 1101's open, finished and overdue cases."""

from __future__ import annotations

import pytest

from pishkhan.cases.models import Case
from pishkhan.demo.city import load_demo_city
from pishkhan.excavation.models import ExcavationPermit, PermitStatus, RestorationRate

pytestmark = pytest.mark.django_db


def test_the_demo_has_an_open_a_finished_and_an_overdue_excavation_once() -> None:
    load_demo_city(parcels=60, citizens=10, cases=6)
    assert RestorationRate.objects.count() == 5
    cases = Case.objects.filter(service_type__code="inquiry_excavation", office__code="1101")
    assert sorted(cases.values_list("state", flat=True)) == ["awaiting_visit", "closed", "works"]
    statuses = sorted(ExcavationPermit.objects.values_list("status", flat=True))
    assert statuses == [PermitStatus.OVERDUE, PermitStatus.RESTORED]
    again = load_demo_city(parcels=60, citizens=10, cases=6)
    assert cases.count() == 3
    assert "demo excavation cases" not in again.created
