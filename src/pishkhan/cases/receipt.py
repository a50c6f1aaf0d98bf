"""The counter's receipt of a registered case: what the applicant takes home.

The fee comes from the service's tariff in force on the day the case was registered
(catalog.Tariff), for the parcel's land area when the tariff charges per square metre.
Tracking: the public tracking address when a tracking page exists, else the office's
phone. The applicant's national ID is masked; nothing personal enters the URL.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from pishkhan.cases.fields import DisplayRow, declared_fields, display_rows
from pishkhan.cases.models import Case
from pishkhan.catalog.models import Tariff

PAPERS = ("a5", "80mm")  # the print formats the receipt's style sheets know
PUBLIC_TRACKING_ROUTE = "track"  # a public tracking page's URL name, once one exists


@dataclass(frozen=True)
class Receipt:
    case: Case
    tariff: Tariff | None
    fee: int | None
    application: list[DisplayRow]
    tracking_path: str  # '' when there is no public tracking page
    paper: str


def paper_of(raw: object) -> str:
    """A whitelisted paper format; anything else is the default, A5."""
    return raw if isinstance(raw, str) and raw in PAPERS else PAPERS[0]


def public_tracking_path() -> str:
    try:
        return reverse(PUBLIC_TRACKING_ROUTE)
    except NoReverseMatch:
        return ""


def receipt_for(case: Case, paper: str) -> Receipt:
    """Three queries: the case with its relations, the tariff, and nothing else."""
    case = Case.objects.select_related(
        "definition", "service_type", "office", "applicant", "parcel"
    ).get(pk=case.pk)
    opened_on = timezone.localtime(case.opened_at).date()
    tariff = Tariff.objects.in_force(opened_on).filter(service_type_id=case.service_type_id).first()
    area = case.parcel.land_area if case.parcel else None
    return Receipt(
        case=case,
        tariff=tariff,
        fee=tariff.fee_for(area) if tariff else None,
        application=display_rows(declared_fields(case.definition), case.data),
        tracking_path=public_tracking_path(),
        paper=paper_of(paper),
    )
