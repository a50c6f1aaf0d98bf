"""A second, different definition walks on the same engine: the building-permit extension."""

from __future__ import annotations

import pytest

from pishkhan.cases.errors import DocumentsMissing, GuardFailed
from pishkhan.cases.models import CaseEvent
from pishkhan.offices.roles import Role
from pishkhan.testing.personas import City, act, record_visit


def test_a_permit_extension_is_checked_visited_and_extended(world: City) -> None:
    a = world.a
    first, second = a.district_staff
    case = world.open_case("permit_extension")
    assert (case.state, case.acting_role) == ("registered", Role.TECHNICAL_MANAGER)
    case = act(a[Role.TECHNICAL_MANAGER], case, "send_for_document_check")
    assert (case.state, case.acting_role) == ("document_check", Role.DISTRICT_STAFF)
    case = act(first, case, "request_more_documents", reason="گزارش ناظر پیوست نیست")
    assert (case.state, case.acting_role) == ("awaiting_applicant", "applicant")
    assert case.sla_paused_at is not None
    case = act(a[Role.TECHNICAL_MANAGER], case, "supply_more_documents")
    assert case.state == "document_check"
    assert case.sla_paused_at is None
    # the answer goes back to the district staff who asked for it
    assert case.assignee_id == first.pk
    # the visit needs the supervisor's progress report on the checklist
    with pytest.raises(DocumentsMissing, match="گزارش پیشرفت کار مهندس ناظر"):
        act(first, case, "confirm_documents")
    case = act(first, case, "confirm_documents", documents_checked=["progress_report"])
    assert "progress_report" in case.documents_checked
    assert (case.state, case.acting_role) == ("awaiting_visit", Role.INSPECTOR)
    with pytest.raises(GuardFailed):
        act(a[Role.INSPECTOR], case, "submit_visit_report")
    case = record_visit(a[Role.INSPECTOR], case)
    case = act(a[Role.INSPECTOR], case, "submit_visit_report")
    assert (case.state, case.acting_role) == ("district_review", Role.DISTRICT_STAFF)
    case = act(first, case, "request_revisit", reason="طبقه سوم دیده نشده")
    assert (case.assignee_id, case.returned_reason) == (a[Role.INSPECTOR].pk, "طبقه سوم دیده نشده")
    case = record_visit(a[Role.INSPECTOR], case)
    case = act(a[Role.INSPECTOR], case, "submit_visit_report")
    case = act(first, case, "prepare_extension")
    assert case.state == "extension_prepared"
    with pytest.raises(GuardFailed, match="دو نفر"):
        act(first, case, "approve_extension")
    case = act(second, case, "approve_extension")
    assert (case.state, case.prepared_by_id, case.approved_by_id) == (
        "extended",
        first.pk,
        second.pk,
    )
    assert case.closed_at is not None
    assert list(CaseEvent.objects.filter(case=case).values_list("seq", flat=True)) == list(
        range(1, case.version + 1)
    )


def test_a_permit_extension_can_be_rejected_or_withdrawn(world: City) -> None:
    a = world.a
    case = act(
        a[Role.TECHNICAL_MANAGER], world.open_case("permit_extension"), "send_for_document_check"
    )
    case = act(a.district_staff[0], case, "prepare_rejection", reason="پروانه باطل شده است")
    case = act(a.district_staff[1], case, "confirm_rejection", reason="پروانه باطل شده است")
    assert case.state == "rejected"
    other = world.open_case("permit_extension")
    other = act(world.citizen.user, other, "withdraw", reason="فروش ملک")  # type: ignore[arg-type]
    assert other.state == "withdrawn"


def test_a_permit_extension_opens_only_in_person(world: City) -> None:
    from pishkhan.cases.actions import do_open_case
    from pishkhan.cases.errors import OpenNotAllowed
    from pishkhan.cases.models import Channel
    from pishkhan.testing.personas import PERMIT_DOCUMENTS

    with pytest.raises(OpenNotAllowed):
        do_open_case(
            world.citizen.user,
            world.services["permit_extension"],
            world.citizen,
            world.a.parcel,
            world.a.office,
            Channel.ONLINE,
            PERMIT_DOCUMENTS,
        )
