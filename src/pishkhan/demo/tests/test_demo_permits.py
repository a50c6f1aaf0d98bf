"""Demo permits: paper permits of district 1 (some lapsed and expired by the job, some
ending soon), a permit issued by a walked case, open cases of every group; loaded once."""

from __future__ import annotations

import pytest
from django.utils import timezone

from pishkhan.cases.models import Case
from pishkhan.demo.city import LoadResult, load_demo_city
from pishkhan.permits.models import BuildingPermit, PermitKind, PermitStatus
from pishkhan.testing.personas import client_for


@pytest.fixture
def demo(db: None) -> LoadResult:
    return load_demo_city(parcels=150, citizens=30, cases=20)


def test_the_demo_has_expired_expiring_and_issued_permits(demo: LoadResult) -> None:
    today = timezone.localdate()
    assert demo.created["paper permits"] == 6
    assert demo.created["permits expired"] >= 2
    expired = BuildingPermit.objects.filter(status=PermitStatus.EXPIRED, parcel__is_demo=True)
    assert expired.count() >= 2
    assert all(p.events.filter(kind="expired").exists() for p in expired)
    assert (
        BuildingPermit.objects.expiring(today, 30).filter(parcel__district__number=1).count() >= 2
    )
    issued = BuildingPermit.objects.get(kind=PermitKind.NEW)
    assert issued.case is not None
    assert issued.case.state == "issued"


def test_the_demo_has_open_cases_of_every_permit_group(demo: LoadResult) -> None:
    services = set(
        Case.objects.filter(
            closed_at__isnull=True, service_type__code__startswith="permit_"
        ).values_list("service_type__code", flat=True)
    )
    assert {
        "permit_new",
        "permit_demolition_rebuild",
        "permit_replacement",
        "permit_expansion",
        "permit_repairs",
        "permit_extension",
    } <= services


def test_district_1_staff_see_the_expiring_permits_page(demo: LoadResult) -> None:
    from pishkhan.accounts.models import User

    staff = User.objects.get(username="district-1")
    page = client_for(staff).get("/permits/expiring/")
    assert page.status_code == 200
    assert "روز" in page.content.decode()


def test_a_second_load_adds_no_permits(demo: LoadResult) -> None:
    count = BuildingPermit.objects.count()
    again = load_demo_city(parcels=150, citizens=30, cases=20)
    assert "paper permits" not in again.created
    assert BuildingPermit.objects.count() == count
