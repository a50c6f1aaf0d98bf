"""Opening a case: after the document checklist, by the office or by the applicant."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from pishkhan.cases.actions import do_open_case
from pishkhan.cases.errors import (
    DocumentsMissing,
    NoActiveDefinition,
    OpenNotAllowed,
    WorkflowError,
)
from pishkhan.cases.models import CaseEvent, Channel, VisitReport, WorkflowDefinition
from pishkhan.cases.tracking import is_valid_tracking_code
from pishkhan.core.jalali import jalali_year
from pishkhan.offices.models import OfficeStatus
from pishkhan.offices.roles import Role
from pishkhan.testing.personas import (
    DUPLICATE_REASON,
    INQUIRY_DOCUMENTS,
    INQUIRY_VISIT,
    City,
    application_data,
)


def open_as(world: City, user, channel=Channel.IN_PERSON, documents=INQUIRY_DOCUMENTS, **kw):  # type: ignore[no-untyped-def]
    fields = {
        "service_type": world.services["inquiry_notary"],
        "applicant": world.citizen,
        "parcel": world.a.parcel,
        "office": world.a.office,
        "channel": channel,
        "documents_checked": documents,
        "data": application_data("inquiry_notary"),
        "duplicate_reason": DUPLICATE_REASON,
        **kw,
    }
    return do_open_case(user, **fields)


def test_the_technical_manager_registers_a_case(world: City) -> None:
    case = open_as(world, world.a[Role.TECHNICAL_MANAGER])
    assert (case.state, case.acting_role, case.version) == ("registered", Role.TECHNICAL_MANAGER, 1)
    assert case.district_id == world.a.district.pk
    assert case.channel == Channel.IN_PERSON
    assert is_valid_tracking_code(case.tracking_code)
    assert case.tracking_code[:2] == f"{jalali_year(case.opened_at) % 100:02d}"
    assert case.due_at is not None
    assert case.overall_due_at is not None
    assert case.due_at <= case.overall_due_at
    assert case.definition.is_active
    assert case.definition.service_type.code == "inquiry_notary"
    event = CaseEvent.objects.get(case=case)
    assert (event.seq, event.action, event.actor_role, event.to_state) == (
        1,
        "open",
        Role.TECHNICAL_MANAGER,
        "registered",
    )


def test_tracking_codes_are_distinct_and_sequential(world: City) -> None:
    codes = [open_as(world, world.a[Role.TECHNICAL_MANAGER]).tracking_code for _ in range(3)]
    assert len(set(codes)) == 3
    assert [int(c[2:-1]) for c in codes] == sorted(int(c[2:-1]) for c in codes)


def test_missing_documents_are_named_in_persian(world: City) -> None:
    with pytest.raises(DocumentsMissing) as caught:
        open_as(world, world.a[Role.TECHNICAL_MANAGER], documents=["inquiry_letter"])
    assert "اصل و تصویر سند مالکیت" in caught.value.message
    assert "نامه استعلام" not in caught.value.message


def test_the_applicant_registers_online(world: City) -> None:
    case = open_as(world, world.citizen.user, channel=Channel.ONLINE)
    assert case.channel == Channel.ONLINE
    assert CaseEvent.objects.get(case=case).actor_role == "applicant"


@pytest.mark.parametrize(
    "who",
    ["b.technical_manager", "a.inspector", "a.district_staff.0", "supervisor", "other_citizen"],
)
def test_others_cannot_register(world: City, who: str) -> None:
    user = world.everyone()[who]
    channel = Channel.ONLINE if who == "other_citizen" else Channel.IN_PERSON
    with pytest.raises(OpenNotAllowed):
        open_as(world, user, channel=channel)


def test_the_channel_must_match_who_registers(world: City) -> None:
    with pytest.raises(WorkflowError):
        open_as(world, world.a[Role.TECHNICAL_MANAGER], channel=Channel.ONLINE)
    with pytest.raises(WorkflowError):
        open_as(world, world.citizen.user, channel=Channel.IN_PERSON)


def test_a_suspended_office_takes_no_case(world: City) -> None:
    world.a.office.status = OfficeStatus.SUSPENDED
    world.a.office.save(update_fields=["status"])
    with pytest.raises(WorkflowError, match="فعال نیست"):
        open_as(world, world.a[Role.TECHNICAL_MANAGER])


def test_a_parcel_is_required_where_the_service_needs_one(world: City) -> None:
    with pytest.raises(WorkflowError, match="ملک"):
        open_as(world, world.a[Role.TECHNICAL_MANAGER], parcel=None)


def test_a_service_without_an_active_workflow_cannot_open(world: City) -> None:
    WorkflowDefinition.objects.filter(service_type__code="inquiry_notary").update(is_active=False)
    with pytest.raises(NoActiveDefinition):
        open_as(world, world.a[Role.TECHNICAL_MANAGER])


def test_a_visit_report_with_bad_values_is_refused(world: City) -> None:
    import datetime as dt

    from django.utils import timezone

    from pishkhan.cases.actions import do_record_visit_report
    from pishkhan.testing.personas import walk_to

    case = walk_to(world, open_as(world, world.a[Role.TECHNICAL_MANAGER]), "awaiting_visit")
    with pytest.raises(ValidationError) as caught:
        do_record_visit_report(
            world.a[Role.INSPECTOR],
            case.pk,
            case.version,
            visited_at=timezone.now() + dt.timedelta(days=1),
            answers=INQUIRY_VISIT,
        )
    assert set(caught.value.message_dict) == {"visited_at"}
    with pytest.raises(ValidationError) as caught:
        do_record_visit_report(
            world.a[Role.INSPECTOR],
            case.pk,
            case.version,
            visited_at=timezone.now() - dt.timedelta(hours=1),
            answers={
                "observed_land_use": "castle",
                "built_area": "-1",
                "floors": -2,
                "violations_observed": [7],
                "photos": ["forged.jpg"],  # photos are files, never answers
                "notes": "\x00",
            },
        )
    assert set(caught.value.message_dict) == {
        "observed_land_use",
        "built_area",
        "floors",
        "violations_observed",
        "photos",
        "notes",
    }
    assert not VisitReport.objects.filter(case=case).exists()
