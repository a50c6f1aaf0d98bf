"""The rules live in the actions: a call without any form (as the API will make it) gets
the same refusals as the registration page, and every posted value is bounded."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pishkhan.accounts.models import Citizen
from pishkhan.cases.actions import (
    NewApplicant,
    do_add_follow_up_note,
    do_claim_case,
    do_open_case,
    do_register_case,
)
from pishkhan.cases.errors import (
    InvalidInput,
    LicenceExpired,
    OfficeNotActive,
    ServiceNotContracted,
    WorkflowError,
)
from pishkhan.cases.models import Case, CaseEvent, Channel
from pishkhan.cases.overview import overview
from pishkhan.core import clock
from pishkhan.offices.models import Office, OfficeContract, OfficeStatus
from pishkhan.offices.roles import Role
from pishkhan.testing.personas import (
    DUPLICATE_REASON,
    INQUIRY_DOCUMENTS,
    City,
    act,
    application_data,
    application_form_data,
    client_for,
    walk_to,
)


def open_notary(world: City, office: Office | None = None, **overrides: Any) -> Case:
    fields: dict[str, Any] = {
        "service_type": world.services["inquiry_notary"],
        "applicant": world.citizen,
        "parcel": world.a.parcel,
        "office": office or world.a.office,
        "channel": Channel.IN_PERSON,
        "documents_checked": INQUIRY_DOCUMENTS,
        "data": application_data("inquiry_notary"),
        "duplicate_reason": DUPLICATE_REASON,
        **overrides,
    }
    return do_open_case(world.a[Role.TECHNICAL_MANAGER], **fields)


def post_registration(world: City) -> Any:
    client = client_for(world.a[Role.TECHNICAL_MANAGER])
    return client.post(
        "/cases/new/",
        {
            "service": "inquiry_notary",
            "office": world.a.office.pk,
            "national_id": world.citizen.national_id,
            "renewal_code": world.a.parcel.renewal_code,
            "documents": INQUIRY_DOCUMENTS,
            **application_form_data("inquiry_notary"),
        },
    )


# --- who may open a case, decided by do_open_case itself ------------------------------


def test_an_office_without_a_contract_for_the_service_opens_nothing(world: City) -> None:
    world.a.office.contracts.get().services.remove(world.services["inquiry_notary"])
    with pytest.raises(ServiceNotContracted):
        open_notary(world)
    assert Case.objects.count() == 0


def test_an_ended_contract_covers_nothing(world: City) -> None:
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    OfficeContract.objects.filter(office=world.a.office).update(ends_on=yesterday)
    with pytest.raises(ServiceNotContracted):
        open_notary(world)


def test_an_office_with_an_expired_licence_opens_nothing(world: City) -> None:
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Office.objects.filter(pk=world.a.office.pk).update(
        cra_licence_valid_from=yesterday - dt.timedelta(days=700),
        cra_licence_valid_until=yesterday,
    )
    world.a.office.refresh_from_db()
    with pytest.raises(LicenceExpired):
        open_notary(world)
    response = post_registration(world)  # the page gives the same answer
    assert response.status_code == 400
    assert LicenceExpired.default_message in response.content.decode()
    assert Case.objects.count() == 0


def test_a_suspended_office_opens_nothing(world: City) -> None:
    Office.objects.filter(pk=world.a.office.pk).update(status=OfficeStatus.SUSPENDED)
    world.a.office.refresh_from_db()
    with pytest.raises(OfficeNotActive):
        open_notary(world)


def test_an_undeclared_document_code_is_refused_not_stored(world: City) -> None:
    with pytest.raises(InvalidInput):
        open_notary(world, documents_checked=[*INQUIRY_DOCUMENTS, "anything_at_all"])
    with pytest.raises(InvalidInput):
        open_notary(world, documents_checked=[*INQUIRY_DOCUMENTS, 7])
    assert Case.objects.count() == 0


def test_registering_a_new_applicant_and_the_case_is_one_action(world: City) -> None:
    applicant = NewApplicant("0076229645", "مریم", "احمدی", "09121234567")
    case = do_register_case(
        world.a[Role.TECHNICAL_MANAGER],
        service_type=world.services["inquiry_notary"],
        office=world.a.office,
        applicant=applicant,
        parcel=world.a.parcel,
        documents_checked=INQUIRY_DOCUMENTS,
        data=application_data("inquiry_notary"),
    )
    assert case.applicant.national_id == "0076229645"
    # refused: the new citizen is not left behind
    other = NewApplicant("0012345679", "علی", "رضایی", "09121234568")
    Office.objects.filter(pk=world.a.office.pk).update(status=OfficeStatus.SUSPENDED)
    world.a.office.refresh_from_db()
    with pytest.raises(OfficeNotActive):
        do_register_case(
            world.a[Role.TECHNICAL_MANAGER],
            service_type=world.services["inquiry_notary"],
            office=world.a.office,
            applicant=other,
            parcel=world.a.parcel,
            documents_checked=INQUIRY_DOCUMENTS,
            data=application_data("inquiry_notary"),
        )
    assert not Citizen.objects.filter(national_id="0012345679").exists()


# --- what an action takes ---------------------------------------------------------------


def test_a_reason_on_an_action_that_takes_none_is_refused(world: City) -> None:
    case = open_notary(world)
    with pytest.raises(InvalidInput, match="علتی نمی‌گیرد"):
        act(world.a[Role.TECHNICAL_MANAGER], case, "refer_to_inspector", reason="بی‌ربط")
    case.refresh_from_db()
    assert case.version == 1


def test_a_megabyte_reason_is_refused(world: City) -> None:
    case = walk_to(world, open_notary(world), "awaiting_visit")
    with pytest.raises(InvalidInput, match="حداکثر"):
        act(world.a[Role.INSPECTOR], case, "return_to_registration", reason="x" * 1_048_576)
    assert not CaseEvent.objects.filter(case=case, reason__startswith="xxx").exists()


def test_a_nul_byte_in_a_reason_is_refused_by_the_action(world: City) -> None:
    case = walk_to(world, open_notary(world), "awaiting_visit")
    with pytest.raises(InvalidInput):
        act(world.a[Role.INSPECTOR], case, "return_to_registration", reason="بد\x00")


def test_a_citizen_cannot_tick_the_staffs_checklist(world: City) -> None:
    case = open_notary(world)
    case = act(world.a[Role.TECHNICAL_MANAGER], case, "request_documents", reason="سند ناخوانا")
    with pytest.raises(InvalidInput, match="کارکنان"):
        act(world.citizen.user, case, "supply_documents", documents_checked=["inquiry_letter"])  # type: ignore[arg-type]
    # the crafted POST of the probe: refused with a Persian page, nothing stored
    client = client_for(world.citizen.user)  # type: ignore[arg-type]
    response = client.post(
        f"/cases/{case.pk}/act/",
        {"version": case.version, "action": "supply_documents", "documents_checked": "forged"},
    )
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.state == "awaiting_documents"


def test_staff_tick_only_the_codes_the_next_step_requires(world: City) -> None:
    case = open_notary(world)
    with pytest.raises(InvalidInput, match="این مرحله"):
        act(world.a[Role.TECHNICAL_MANAGER], case, "refer_to_inspector", documents_checked=["x"])


def test_a_follow_up_note_is_bounded_in_the_action(world: City) -> None:
    case = open_notary(world)
    with pytest.raises(WorkflowError, match="حداکثر"):
        do_add_follow_up_note(world.a[Role.FOLLOW_UP_OFFICER], case.pk, "ن" * 1001)


def test_visit_report_lines_are_bounded(world: City) -> None:
    from django.core.exceptions import ValidationError

    from pishkhan.cases.actions import do_record_visit_report
    from pishkhan.testing.personas import INQUIRY_VISIT

    case = walk_to(world, open_notary(world), "awaiting_visit")
    with pytest.raises(ValidationError) as refused:
        do_record_visit_report(
            world.a[Role.INSPECTOR], case.pk, case.version,
            visited_at=timezone.now() - dt.timedelta(hours=1),
            answers=INQUIRY_VISIT | {"violations_observed": ["تخلف"] * 1000},
        )  # fmt: skip
    assert "violations_observed" in refused.value.message_dict


# --- the applicant's view ----------------------------------------------------------------


def test_the_applicant_sees_public_events_and_roles_not_notes_or_names(world: City) -> None:
    case = open_notary(world)
    do_add_follow_up_note(world.a[Role.FOLLOW_UP_OFFICER], case.pk, "تماس با دفترخانه گرفته شد")
    case.refresh_from_db()
    case = act(world.a[Role.TECHNICAL_MANAGER], case, "refer_to_inspector")
    html = client_for(world.citizen.user).get(f"/cases/{case.pk}/").content.decode()  # type: ignore[arg-type]
    assert "تماس با دفترخانه گرفته شد" not in html
    assert world.a[Role.TECHNICAL_MANAGER].last_name not in html
    assert "ارجاع به کارشناس بازدید" in html  # the step itself is public
    assert world.a.office.name in html
    staff_html = client_for(world.a[Role.TECHNICAL_MANAGER]).get(f"/cases/{case.pk}/")
    assert "تماس با دفترخانه گرفته شد" in staff_html.content.decode()


def test_blocked_actions_are_explained_not_offered(world: City) -> None:
    case = walk_to(world, open_notary(world), "awaiting_visit")
    page = client_for(world.a[Role.INSPECTOR]).get(f"/cases/{case.pk}/").context["page"]
    submit = next(o for o in page.actions if o.action.code == "submit_visit_report")
    assert not submit.allowed
    assert [b.code for b in submit.blocks] == ["visit_report_recorded"]
    html = client_for(world.a[Role.INSPECTOR]).get(f"/cases/{case.pk}/").content.decode()
    assert "ابتدا گزارش بازدید را ثبت کنید." in html


# --- one vocabulary: late means running and past a deadline -----------------------------


def test_the_overview_does_not_count_a_case_paused_on_the_applicant_as_late(
    world: City,
) -> None:
    case = open_notary(world)
    act(world.a[Role.TECHNICAL_MANAGER], case, "request_documents", reason="سند ناخوانا")
    running = open_notary(world)
    later = timezone.now() + dt.timedelta(days=60)  # both deadlines long past
    with clock.frozen(later):
        _, total, overdue = overview()
        assert (total, overdue) == (2, 1)
        assert set(Case.objects.overdue(later)) == {running}
        assert not Case.objects.nearing(later).exists()
        assert set(Case.objects.stalled(later)) == {case, running}
    assert set(Case.objects.open()) == {case, running}


@pytest.mark.django_db(transaction=True)
def test_the_registration_post_costs_at_most_twenty_one_queries(world: City) -> None:
    """The issue's budget (29 before, seven of them re-reads): the form's reads (session,
    user, principal, offices, contracts, definitions and states, applicant, parcel), the
    action's own checks (the contract in force), the citizen's race-safe insert, the
    tracking number, the holidays, the case and its event, and the event's audit record
    (the chain's head read and the insert; on PostgreSQL also its advisory lock).
    Measured outside a test transaction, as in production (a test's transaction would
    add its savepoints)."""
    open_notary(world)  # the year's tracking sequence exists, as on every day but one
    parcel = world.builder.parcel(world.a.district)  # with no open case: no duplicate
    client = client_for(world.a[Role.TECHNICAL_MANAGER])
    client.get("/cases/new/?service=inquiry_notary")  # warm the session
    with CaptureQueriesContext(connection) as captured:
        response = client.post(
            "/cases/new/",
            {
                "service": "inquiry_notary",
                "office": world.a.office.pk,
                "national_id": "0076229645",
                "first_name": "مریم",
                "last_name": "احمدی",
                "mobile": "09121234567",
                "renewal_code": parcel.renewal_code,
                "documents": INQUIRY_DOCUMENTS,
                **application_form_data("inquiry_notary"),
            },
        )
    assert response.status_code == 302
    assert Case.objects.count() == 2
    control = ("BEGIN", "COMMIT", "ROLLBACK")  # SQLite logs its transaction statements
    statements = [q["sql"] for q in captured.captured_queries if not q["sql"].startswith(control)]
    assert len(statements) <= 21, statements


def test_the_page_and_an_api_shaped_call_refuse_alike(world: City) -> None:
    OfficeContract.objects.filter(office=world.a.office).delete()
    response = post_registration(world)
    assert response.status_code == 400  # the page offers no service the contract lacks
    assert Case.objects.count() == 0
    with pytest.raises(ServiceNotContracted):
        open_notary(world)


def test_nobody_claims_a_case_waiting_on_the_applicant(world: City) -> None:
    case = open_notary(world)
    case = act(world.a[Role.TECHNICAL_MANAGER], case, "request_documents", reason="سند ناخوانا")
    page = client_for(world.citizen.user).get(f"/cases/{case.pk}/").context["page"]  # type: ignore[arg-type]
    assert not page.can_claim
    with pytest.raises(WorkflowError):
        do_claim_case(world.citizen.user, case.pk, case.version)


def test_a_staff_member_who_is_the_applicant_elsewhere_sees_it_as_an_applicant(
    world: City,
) -> None:
    inspector_b = world.b[Role.INSPECTOR]
    citizen = Citizen.objects.get(pk=world.citizen.pk)
    Citizen.objects.filter(pk=citizen.pk).update(user=inspector_b)
    case = open_notary(world)
    do_add_follow_up_note(world.a[Role.FOLLOW_UP_OFFICER], case.pk, "یادداشت درونی دفتر")
    html = client_for(inspector_b).get(f"/cases/{case.pk}/").content.decode()
    assert "یادداشت درونی دفتر" not in html
    assert world.a[Role.TECHNICAL_MANAGER].last_name not in html


def test_the_applicant_reads_only_public_reasons(world: City) -> None:
    case = walk_to(world, open_notary(world), "awaiting_visit")
    case = act(world.a[Role.INSPECTOR], case, "return_to_registration", reason="نامه تاریخ ندارد")
    case = act(
        world.a[Role.TECHNICAL_MANAGER], case, "request_documents", reason="نامه تازه بیاورید"
    )
    html = client_for(world.citizen.user).get(f"/cases/{case.pk}/").content.decode()  # type: ignore[arg-type]
    assert "نامه تاریخ ندارد" not in html  # a send-back between staff
    assert "نامه تازه بیاورید" in html  # what they are asked for
