"""The demo city's catalog (pishkhan.catalog): the reference catalog of services (reference
data, not demo data: it is loaded as in production) and two years of tariffs for each."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from decimal import Decimal

from pishkhan.catalog.models import DocumentRequirement, ServiceType, Tariff
from pishkhan.catalog.reference import load_reference_catalog, reference_codes
from pishkhan.core.jalali import jalali_year_bounds
from pishkhan.demo.common import jdate


def load_catalog(tally: Counter[str]) -> None:
    """The reference catalog: services and their document checklists (idempotent; a
    changed reference field is brought back to the reference)."""
    tally["catalog rows"] += load_reference_catalog()


def reference_services() -> list[ServiceType]:
    return list(ServiceType.objects.filter(code__in=reference_codes()))


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


def catalog_summary() -> list[tuple[str, int]]:
    codes = reference_codes()
    return [
        ("services (reference catalog)", ServiceType.objects.filter(code__in=codes).count()),
        (
            "document requirements",
            DocumentRequirement.objects.filter(service_type__code__in=codes).count(),
        ),
        ("tariffs", Tariff.objects.filter(service_type__code__in=codes).count()),
    ]
