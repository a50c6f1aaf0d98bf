"""The excavation journey on the engine: registration with the route, the document check,
the inspection before the work, the district's four-eyes approval that issues the permit,
the works, the inspection after the restoration, and the close; send-backs, rejection
and withdrawal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from pishkhan.cases.errors import GuardFailed, InvalidInput
from pishkhan.cases.models import CaseEvent
from pishkhan.cases.workflow import DEFINITIONS_DIR, parse_definition, read_definition_file
from pishkhan.core.jalali import jalali_year
from pishkhan.excavation.models import ExcavationPermit, PermitEventKind, PermitStatus
from pishkhan.offices.roles import Role
from pishkhan.testing.personas import City, act, application_data, record_visit, walk_to

SERVICE = "inquiry_excavation"


def test_the_definition_validates() -> None:
    spec = parse_definition(read_definition_file(DEFINITIONS_DIR / "inquiry_excavation.json"))
    assert spec.service == SERVICE
    route = next(f for f in spec.fields if f.code == "route")
    assert (route.type, route.check, route.required) == ("text", "excavation_route", True)
    street = next(f for f in spec.fields if f.code == "street_type")
    from pishkhan.excavation.models import StreetType

    assert {code for code, _ in street.choices} == set(StreetType.values)


def test_an_excavation_is_checked_visited_permitted_restored_and_closed(city: City) -> None:
    a = city.a
    first, second = a.district_staff
    tm, inspector = a[Role.TECHNICAL_MANAGER], a[Role.INSPECTOR]
    case = city.open_case(SERVICE)
    assert case.state == "registered"
    # the route is stored as a GeoJSON LineString
    assert case.data["route"].startswith('{"type":"LineString"')
    case = act(tm, case, "send_for_document_check")
    case = act(first, case, "request_more_documents", reason="نامه شرکت گاز پیوست نیست")
    assert (case.state, case.sla_paused_at is not None) == ("awaiting_applicant", True)
    case = act(tm, case, "supply_more_documents")
    case = act(first, case, "confirm_documents")
    assert (case.state, case.acting_role) == ("awaiting_visit", Role.INSPECTOR)
    with pytest.raises(GuardFailed):
        act(inspector, case, "submit_visit_report")
    case = record_visit(inspector, case)
    case = act(inspector, case, "submit_visit_report")
    case = act(first, case, "request_revisit", reason="مسیر دوم دیده نشده")
    assert case.assignee_id == inspector.pk
    case = record_visit(inspector, case)
    case = act(inspector, case, "submit_visit_report")
    case = act(first, case, "prepare_permit")
    assert not ExcavationPermit.objects.filter(case=case).exists()
    with pytest.raises(GuardFailed, match="دو نفر"):
        act(first, case, "approve_permit")
    case = act(second, case, "approve_permit")
    assert (case.state, case.prepared_by_id, case.approved_by_id) == ("works", first.pk, second.pk)
    permit = ExcavationPermit.objects.get(case=case)
    data = application_data(SERVICE)
    assert permit.valid_from == dt.date.fromisoformat(data["planned_start"])
    assert permit.valid_until == dt.date.fromisoformat(data["planned_end"])
    assert permit.status == PermitStatus.ACTIVE
    assert permit.number == f"{jalali_year(permit.issued_at)}-00001"
    # 104 m × 0.6 m = 62.4 m² on a local street at 2,000,000 rials per m²
    assert (permit.area_m2, permit.deposit) == (Decimal("62.40"), 124_800_000)
    assert permit.route["type"] == "LineString"
    assert len(permit.route["coordinates"]) == 2
    assert list(permit.events.values_list("kind", flat=True)) == [PermitEventKind.ISSUED]
    case = act(tm, case, "report_restoration")
    assert (case.state, case.acting_role) == ("awaiting_restoration_visit", Role.INSPECTOR)
    case = record_visit(inspector, case)
    case = act(inspector, case, "submit_restoration_report")
    case = act(first, case, "request_repair", reason="آسفالت نشست کرده است")
    assert case.state == "works"
    case = act(tm, case, "report_restoration")
    case = record_visit(inspector, case)
    case = act(inspector, case, "submit_restoration_report")
    permit.refresh_from_db()
    assert permit.status == PermitStatus.ACTIVE  # inspected, not yet accepted
    case = act(first, case, "close")
    assert case.state == "closed"
    assert case.closed_at is not None
    permit.refresh_from_db()
    assert (permit.status, permit.restored_at is not None) == (PermitStatus.RESTORED, True)
    assert list(CaseEvent.objects.filter(case=case).values_list("seq", flat=True)) == list(
        range(1, case.version + 1)
    )


def test_permit_numbers_count_up_within_the_jalali_year(city: City) -> None:
    numbers = []
    for _ in range(2):
        case = walk_to(city, city.open_case(SERVICE), "works")
        numbers.append(ExcavationPermit.objects.get(case=case).number)
    year = numbers[0].split("-")[0]
    assert numbers == [f"{year}-00001", f"{year}-00002"]


def test_an_excavation_can_be_rejected_or_withdrawn(city: City) -> None:
    a = city.a
    case = act(a[Role.TECHNICAL_MANAGER], city.open_case(SERVICE), "send_for_document_check")
    case = act(a.district_staff[0], case, "prepare_rejection", reason="معبر تازه آسفالت شده")
    with pytest.raises(GuardFailed):
        act(a.district_staff[0], case, "confirm_rejection", reason="معبر تازه آسفالت شده")
    case = act(a.district_staff[1], case, "confirm_rejection", reason="معبر تازه آسفالت شده")
    assert case.state == "rejected"
    assert not ExcavationPermit.objects.filter(case=case).exists()
    other = act(
        city.a[Role.TECHNICAL_MANAGER], city.open_case(SERVICE), "withdraw", reason="انصراف"
    )
    assert other.state == "withdrawn"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"route": "32.6546,51.6680"}, "دست‌کم ۲"),
        ({"length_m": "500"}, "طول مسیر کشیده‌شده"),
        ({"route": "35.70,51.40;35.71,51.41"}, "بیرون از محدوده شهر"),
        ({"planned_end": "2023-03-01"}, "پیش از تاریخ شروع"),
        ({"route": '{"type":"LineString","coordinates":[[NaN,32.6],[51.6,32.6]]}'}, "عدد"),
    ],
)
def test_a_bad_route_is_refused_at_registration_in_persian(
    city: City, changes: dict[str, str], message: str
) -> None:
    data = {**application_data(SERVICE), **changes}
    with pytest.raises((InvalidInput, ValidationError)) as refused:
        city.open_case(SERVICE, data=data)
    assert message in str(getattr(refused.value, "message", "")) + str(refused.value)
