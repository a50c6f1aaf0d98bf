"""Send-backs keep their context: a case sent back goes to whoever held the step it returns
to (unless they are gone), carries the reason until someone works on it, and the
definition says which actions send back."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from pishkhan.cases.actions import do_claim_case, do_release_case
from pishkhan.cases.models import Case, CaseEvent
from pishkhan.cases.tests.test_cartable import URL, queries_for
from pishkhan.cases.timeline import person_name
from pishkhan.cases.workflow import DEFINITIONS_DIR, parse_definition, read_definition_file
from pishkhan.offices.models import RoleAssignment
from pishkhan.offices.roles import Role
from pishkhan.testing.personas import City, act, client_for, record_visit, walk_to

WHY = "نامه استعلام تاریخ ندارد"


def second_inspector(world: City) -> Any:
    return world.builder.staff(Role.INSPECTOR, office=world.a.office, first_name="ایمان").user


def last_event(case: Case) -> CaseEvent:
    return CaseEvent.objects.filter(case=case).order_by("-seq").first()  # type: ignore[return-value]


def test_the_definitions_mark_their_send_backs() -> None:
    marked: set[tuple[str, str]] = set()
    for name in ("inquiry_notary.json", "permit_extension.json"):
        spec = parse_definition(read_definition_file(DEFINITIONS_DIR / name))
        marked |= {(spec.service, a.code) for a in spec.actions if a.send_back}
    assert marked == {
        ("inquiry_notary", "return_to_registration"),
        ("inquiry_notary", "request_revisit"),
        ("inquiry_notary", "send_back_to_plan_review"),
        ("inquiry_notary", "send_back_for_revision"),
        ("permit_extension", "request_revisit"),
        ("permit_extension", "send_back_for_revision"),
    }


def loader_codes(data: dict[str, Any]) -> set[str]:
    with pytest.raises(ValidationError) as caught:
        parse_definition(data)
    return {e.code for e in caught.value.error_list if e.code}


def test_the_loader_refuses_a_send_back_without_a_reason_or_that_goes_forward() -> None:
    data = read_definition_file(DEFINITIONS_DIR / "inquiry_notary.json")
    refer = next(a for a in data["actions"] if a["code"] == "refer_to_inspector")
    refer["send_back"] = True
    assert loader_codes(data) == {"send_back_without_reason", "send_back_not_back"}
    refer["send_back"] = "yes"
    assert loader_codes(data) == {"format"}


def test_a_return_to_registration_goes_to_the_technical_manager_who_referred(
    world: City,
) -> None:
    case = walk_to(world, world.open_case(), "awaiting_visit")
    case = act(world.bob, case, "return_to_registration", reason=WHY)
    assert (case.state, case.assignee_id) == ("registered", world.alice.pk)
    event = last_event(case)
    assert (event.action, event.payload["assignee"]) == ("return_to_registration", world.alice.pk)


def test_a_send_back_goes_to_the_last_holder_not_to_a_colleague(world: City) -> None:
    ian = second_inspector(world)
    case = walk_to(world, world.open_case(), "awaiting_visit")
    case = do_claim_case(ian, case.pk, case.version)
    case = record_visit(ian, case)
    case = act(ian, case, "submit_visit_report")
    case = act(world.peggy, case, "request_revisit", reason="عکس نمای پشتی نیست")
    assert (case.state, case.assignee_id) == ("awaiting_visit", ian.pk)


def test_a_revisit_goes_to_the_inspector_who_recorded_the_visit(world: City) -> None:
    ian = second_inspector(world)
    case = walk_to(world, world.open_case(), "awaiting_visit")
    case = record_visit(world.bob, case)  # bob visits without claiming
    case = do_claim_case(ian, case.pk, case.version)  # ian only sends the report on
    case = act(ian, case, "submit_visit_report")
    case = act(world.peggy, case, "request_revisit", reason="عکس نمای پشتی نیست")
    assert case.assignee_id == world.bob.pk


def test_a_send_back_goes_to_the_pool_when_the_holder_is_inactive(world: City) -> None:
    case = walk_to(world, world.open_case(), "awaiting_visit")
    world.alice.is_active = False
    world.alice.save(update_fields=["is_active"])
    case = act(world.bob, case, "return_to_registration", reason=WHY)
    assert (case.state, case.assignee_id) == ("registered", None)
    assert last_event(case).payload["assignee"] is None


def test_a_send_back_goes_to_the_pool_when_the_holder_no_longer_holds_the_role(
    world: City,
) -> None:
    case = walk_to(world, world.open_case(), "awaiting_visit")
    # No action ends a role yet; the assignment ended yesterday.
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    RoleAssignment.objects.filter(staff__user=world.alice, role=Role.TECHNICAL_MANAGER).update(
        ends_on=yesterday
    )
    case = act(world.bob, case, "return_to_registration", reason=WHY)
    assert case.assignee_id is None


def test_district_staff_of_another_district_are_not_the_holder(world: City) -> None:
    """A district staff member who moved to another district is absent here."""
    maker, checker = world.a.district_staff
    case = walk_to(world, world.open_case(), "response_prepared")
    RoleAssignment.objects.filter(staff__user=maker).update(district=world.b.district)
    case = act(checker, case, "send_back_for_revision", reason="شماره پلاک اشتباه است")
    assert (case.state, case.assignee_id) == ("district_review", None)


def test_the_applicants_answer_goes_back_to_who_asked_without_a_returned_flag(
    world: City,
) -> None:
    case = act(world.alice, world.open_case(), "request_documents", reason="سند ناخوانا است")
    case = act(world.alice, case, "supply_documents")
    assert (case.state, case.assignee_id, case.returned_at) == ("registered", world.alice.pk, None)


def test_the_returned_flag_is_set_by_a_send_back_and_cleared_by_the_next_work(
    world: City,
) -> None:
    case = walk_to(world, world.open_case(), "plan_review")
    case = act(world.peggy, case, "request_revisit", reason="عکس نمای پشتی نیست")
    assert (case.returned_by_id, case.returned_reason) == (world.peggy.pk, "عکس نمای پشتی نیست")
    assert case.returned_at is not None
    # releasing and claiming say who holds it; the reason stays for whoever does
    case = do_release_case(world.bob, case.pk, case.version)
    case = do_claim_case(world.bob, case.pk, case.version)
    assert case.returned_at is not None
    case = record_visit(world.bob, case)  # the inspector's work on it
    assert (case.returned_at, case.returned_by_id, case.returned_reason) == (None, None, "")
    case = act(world.bob, case, "submit_visit_report")
    assert case.returned_at is None


def test_a_forward_action_clears_the_flag(world: City) -> None:
    case = walk_to(world, world.open_case(), "awaiting_visit")
    case = act(world.bob, case, "return_to_registration", reason=WHY)
    assert case.returned_at is not None
    case = act(world.alice, case, "refer_to_inspector")
    assert (case.state, case.returned_at, case.assignee_id) == ("awaiting_visit", None, None)


# --- what the pages show ---------------------------------------------------------------


def test_the_cartable_has_a_returned_tab_and_a_badge(world: City) -> None:
    returned = walk_to(world, world.open_case(), "awaiting_visit")
    returned = act(world.bob, returned, "return_to_registration", reason=WHY)
    world.open_case()  # a fresh registration, not returned
    client = client_for(world.alice)
    page = client.get(URL).context["page"]
    assert (page.counts["all"], page.counts["returned"]) == (2, 1)
    response = client.get(URL, {"tab": "returned"})
    rows = response.context["page"].rows
    assert [r.case.pk for r in rows] == [returned.pk]
    html = response.content.decode()
    assert "برگشتی" in html
    assert 'class="badge badge-warning"' in html
    assert 'برگشتی <span class="count">۱</span>' in html


def test_the_returned_tab_costs_what_every_tab_costs(world: City) -> None:
    client = client_for(world.alice)
    few = queries_for(client, {"tab": "returned"})
    for _ in range(4):
        case = walk_to(world, world.open_case(), "awaiting_visit")
        act(world.bob, case, "return_to_registration", reason=WHY)
    assert queries_for(client, {"tab": "returned"}) == few == queries_for(client)


def test_the_case_page_shows_why_who_and_when_at_the_top_until_acted_on(world: City) -> None:
    case = walk_to(world, world.open_case(), "awaiting_visit")
    case = act(world.bob, case, "return_to_registration", reason=WHY)
    html = client_for(world.alice).get(f"/cases/{case.pk}/").content.decode()
    notice = html.index("case-returned")
    assert notice < html.index("case-actions-title")  # above everything else
    assert WHY in html[notice:]
    assert "بازگشت به مسئول فنی" in html[notice:]
    assert person_name(world.bob) in html[notice : html.index("</section>", notice)]
    # the applicant does not read the staff's send-back
    citizen_html = client_for(world.zahra).get(f"/cases/{case.pk}/").content.decode()
    assert "case-returned" not in citizen_html
    assert WHY not in citizen_html
    case = act(world.alice, case, "refer_to_inspector")
    assert "case-returned" not in client_for(world.alice).get(f"/cases/{case.pk}/").content.decode()
