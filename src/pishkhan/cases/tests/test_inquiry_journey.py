"""The in-person inquiry journey, action by action, by the right role."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from pishkhan.cases.actions import do_claim_case, do_release_case
from pishkhan.cases.errors import (
    ActionNotAllowed,
    AssignedToAnother,
    GuardFailed,
    ReasonRequired,
    RoleNotAllowed,
)
from pishkhan.cases.models import Case, CaseEvent, VisitReport
from pishkhan.geo.models import ConditionKind, ParcelCondition
from pishkhan.offices.roles import Role
from pishkhan.testing.personas import (
    City,
    act,
    draft_answer,
    record_plan_review,
    record_visit,
    walk_to,
)


def events(case: Case) -> list[tuple[str, str, str]]:
    return list(
        CaseEvent.objects.filter(case=case)
        .order_by("seq")
        .values_list("action", "from_state", "to_state")
    )


@pytest.mark.parametrize("service", ["inquiry_notary", "inquiry_bank"])
def test_the_main_path_issues_a_response_prepared_and_approved_by_two_people(
    world: City, service: str
) -> None:
    # given a case registered after the document checklist
    case = world.open_case(service)
    a = world.a
    maker, checker = a.district_staff
    assert (case.state, case.acting_role) == ("registered", Role.TECHNICAL_MANAGER)
    # when every role does its step
    case = act(a[Role.TECHNICAL_MANAGER], case, "refer_to_inspector")
    assert (case.state, case.acting_role) == ("awaiting_visit", Role.INSPECTOR)
    case = record_visit(a[Role.INSPECTOR], case)
    case = act(a[Role.INSPECTOR], case, "submit_visit_report")
    assert (case.state, case.acting_role) == ("plan_review", Role.PLAN_REVIEWER)
    case = record_plan_review(a[Role.PLAN_REVIEWER], case)
    case = act(a[Role.PLAN_REVIEWER], case, "complete_plan_review", findings="مطابق طرح")
    assert (case.state, case.acting_role) == ("district_review", Role.DISTRICT_STAFF)
    case = draft_answer(maker, case)
    case = act(maker, case, "prepare_response")
    assert (case.state, case.prepared_by_id) == ("response_prepared", maker.pk)
    case = act(checker, case, "approve_response")
    # then the response is issued, the case closed, and every step is an event
    assert case.state == "response_issued"
    assert case.approved_by_id == checker.pk
    assert case.closed_at is not None
    assert case.acting_role == ""
    assert case.due_at is None
    assert events(case) == [
        ("open", "", "registered"),
        ("refer_to_inspector", "registered", "awaiting_visit"),
        ("record_visit_report", "awaiting_visit", "awaiting_visit"),
        ("submit_visit_report", "awaiting_visit", "plan_review"),
        ("record_plan_review", "plan_review", "plan_review"),
        ("complete_plan_review", "plan_review", "district_review"),
        ("save_response_draft", "district_review", "district_review"),
        ("prepare_response", "district_review", "response_prepared"),
        ("approve_response", "response_prepared", "response_issued"),
    ]
    assert case.version == 9
    assert CaseEvent.objects.get(case=case, seq=6).payload == {"findings": "مطابق طرح"}
    assert case.response.is_issued
    assert case.response.issued_by_id == checker.pk


def test_the_preparer_cannot_approve_their_own_response(world: City) -> None:
    maker, _ = world.a.district_staff
    case = walk_to(world, world.open_case(), "response_prepared")
    with pytest.raises(GuardFailed, match="تهیه‌کننده نمی‌تواند"):
        act(maker, case, "approve_response")
    case.refresh_from_db()
    assert case.state == "response_prepared"
    assert case.approved_by_id is None


def test_a_visit_report_is_needed_before_the_visit_is_submitted(world: City) -> None:
    case = walk_to(world, world.open_case(), "awaiting_visit")
    with pytest.raises(GuardFailed, match="گزارش بازدید"):
        act(world.a[Role.INSPECTOR], case, "submit_visit_report")


def test_the_visit_report_keeps_what_the_inspector_saw(world: City) -> None:
    case = walk_to(world, world.open_case(), "awaiting_visit")
    case = record_visit(world.a[Role.INSPECTOR], case, violations=["اضافه بنا در طبقه دوم"])
    report = VisitReport.objects.get(case=case)
    assert report.parcel_id == world.a.parcel.pk
    assert report.checklist == "site_visit"  # the inquiries' checklist, answered
    assert report.answers == {
        "observed_land_use": "residential",
        "built_area": "180.5",
        "floors": 2,
        "violations_observed": ["اضافه بنا در طبقه دوم"],
        "notes": "بازدید انجام شد.",
    }


def test_a_revisit_after_a_send_back_needs_a_new_report(world: City) -> None:
    a = world.a
    case = walk_to(world, world.open_case(), "plan_review")
    case = act(a[Role.PLAN_REVIEWER], case, "request_revisit", reason="عکس نمای پشتی لازم است")
    assert (case.state, case.acting_role) == ("awaiting_visit", Role.INSPECTOR)
    with pytest.raises(GuardFailed):
        act(a[Role.INSPECTOR], case, "submit_visit_report")
    case = record_visit(a[Role.INSPECTOR], case)
    case = act(a[Role.INSPECTOR], case, "submit_visit_report")
    assert case.state == "plan_review"


@pytest.mark.parametrize(
    ("state", "role", "action", "back_to"),
    [
        ("awaiting_visit", Role.INSPECTOR, "return_to_registration", "registered"),
        ("plan_review", Role.PLAN_REVIEWER, "request_revisit", "awaiting_visit"),
        ("district_review", Role.DISTRICT_STAFF, "send_back_to_plan_review", "plan_review"),
        ("response_prepared", Role.DISTRICT_STAFF, "send_back_for_revision", "district_review"),
    ],
)
def test_a_send_back_needs_a_reason_and_returns_to_the_earlier_step(
    world: City, state: str, role: str, action: str, back_to: str
) -> None:
    case = walk_to(world, world.open_case(), state)
    user = world.a.district_staff[1] if role == Role.DISTRICT_STAFF else world.a[role]
    with pytest.raises(ReasonRequired):
        act(user, case, action)
    with pytest.raises(ReasonRequired):
        act(user, case, action, reason="   ")
    case = act(user, case, action, reason="نقشه موقعیت ناقص است")
    assert case.state == back_to
    assert CaseEvent.objects.get(case=case, seq=case.version).reason == "نقشه موقعیت ناقص است"


def test_a_revised_response_goes_back_to_its_maker_and_is_checked_by_another(
    world: City,
) -> None:
    maker, checker = world.a.district_staff
    case = walk_to(world, world.open_case(), "response_prepared")
    case = act(checker, case, "send_back_for_revision", reason="شماره پلاک اشتباه است")
    assert (case.state, case.assignee_id) == ("district_review", maker.pk)
    with pytest.raises(AssignedToAnother):
        act(checker, case, "prepare_response")
    case = act(maker, case, "prepare_response")
    assert case.prepared_by_id == maker.pk
    with pytest.raises(GuardFailed):
        act(maker, case, "approve_response")
    case = act(checker, case, "approve_response")
    assert (case.state, case.prepared_by_id, case.approved_by_id) == (
        "response_issued",
        maker.pk,
        checker.pk,
    )


def test_a_rejection_is_prepared_by_one_and_confirmed_by_another(world: City) -> None:
    maker, checker = world.a.district_staff
    case = walk_to(world, world.open_case(), "district_review")
    with pytest.raises(ReasonRequired):
        act(maker, case, "prepare_rejection")
    case = act(maker, case, "prepare_rejection", reason="ملک در طرح تعریض است")
    assert (case.state, case.prepared_by_id) == ("rejection_prepared", maker.pk)
    with pytest.raises(GuardFailed, match="دو نفر"):
        act(maker, case, "confirm_rejection", reason="تأیید")
    case = act(checker, case, "confirm_rejection", reason="ملک در طرح تعریض است")
    assert (case.state, case.approved_by_id) == ("rejected", checker.pk)
    assert case.closed_at is not None
    with pytest.raises(ActionNotAllowed):
        act(checker, case, "prepare_response")


def test_a_prepared_response_is_turned_into_a_rejection_confirmed_by_another(
    world: City,
) -> None:
    maker, checker = world.a.district_staff
    case = walk_to(world, world.open_case(), "response_prepared")
    with pytest.raises(ReasonRequired):
        act(checker, case, "prepare_rejection")
    case = act(checker, case, "prepare_rejection", reason="ملک در طرح تعریض است")
    assert (case.state, case.prepared_by_id, case.approved_by_id) == (
        "rejection_prepared",
        checker.pk,
        None,
    )
    with pytest.raises(GuardFailed, match="دو نفر"):
        act(checker, case, "confirm_rejection", reason="تأیید")
    case = act(maker, case, "confirm_rejection", reason="ملک در طرح تعریض است")
    assert (case.state, case.approved_by_id) == ("rejected", maker.pk)


@pytest.mark.parametrize("state", ["registered", "awaiting_visit"])
def test_the_applicant_cancels_before_the_visit(world: City, state: str) -> None:
    case = walk_to(world, world.open_case(), state)
    case = act(world.citizen.user, case, "cancel", reason="معامله منتفی شد")  # type: ignore[arg-type]
    assert case.state == "cancelled"
    assert CaseEvent.objects.get(case=case, seq=case.version).actor_role == "applicant"


def test_the_technical_manager_cancels_on_behalf_of_the_applicant(world: City) -> None:
    case = walk_to(world, world.open_case(), "awaiting_visit")
    case = act(world.a[Role.TECHNICAL_MANAGER], case, "cancel", reason="درخواست کتبی متقاضی")
    assert case.state == "cancelled"


def test_no_cancellation_after_the_visit(world: City) -> None:
    a = world.a
    case = walk_to(world, world.open_case(), "plan_review")
    case = act(a[Role.PLAN_REVIEWER], case, "request_revisit", reason="بازدید دوباره")
    with pytest.raises(GuardFailed, match="پس از بازدید"):
        act(world.citizen.user, case, "cancel", reason="منصرف شدم")  # type: ignore[arg-type]
    with pytest.raises(ActionNotAllowed):
        act(world.citizen.user, walk_to(world, world.open_case(), "registered"), "reject", "x")  # type: ignore[arg-type]


def test_another_citizen_cannot_cancel_someone_elses_case(world: City) -> None:
    from django.http import Http404

    case = world.open_case()
    with pytest.raises(Http404):
        act(world.other_citizen.user, case, "cancel", reason="x")  # type: ignore[arg-type]


def test_documents_can_be_requested_from_the_applicant_and_supplied(world: City) -> None:
    tm = world.a[Role.TECHNICAL_MANAGER]
    case = world.open_case()
    with pytest.raises(ReasonRequired):
        act(tm, case, "request_documents")
    case = act(tm, case, "request_documents", reason="سند مالکیت خوانا نیست")
    assert (case.state, case.acting_role) == ("awaiting_documents", "applicant")
    assert case.sla_paused_at is not None
    assert case.pause_reason == "سند مالکیت خوانا نیست"
    case = act(world.citizen.user, case, "supply_documents")  # type: ignore[arg-type]
    assert case.state == "registered"
    assert case.sla_paused_at is None


# --- instant response -----------------------------------------------------------------


def visited_earlier(world: City, days_ago: int, violations: list[str] | None = None) -> None:
    """An earlier case of the same parcel that was visited `days_ago` days ago."""
    earlier = walk_to(world, world.open_case(), "awaiting_visit")
    record_visit(world.a[Role.INSPECTOR], earlier, violations)
    VisitReport.objects.filter(case=earlier).update(
        visited_at=timezone.now() - dt.timedelta(days=days_ago)
    )


def test_instant_response_after_a_recent_clean_visit(world: City) -> None:
    visited_earlier(world, days_ago=30)
    case = world.open_case()
    case = act(world.a[Role.TECHNICAL_MANAGER], case, "instant_response")
    assert case.state == "response_prepared"
    assert case.prepared_by_id == world.a[Role.TECHNICAL_MANAGER].pk
    case = act(world.a.district_staff[0], case, "approve_response")
    assert case.state == "response_issued"


def test_no_instant_response_without_a_visit(world: City) -> None:
    case = world.open_case()
    with pytest.raises(GuardFailed, match="بازدید نشده"):
        act(world.a[Role.TECHNICAL_MANAGER], case, "instant_response")


def test_no_instant_response_when_the_visit_is_too_old(world: City) -> None:
    visited_earlier(world, days_ago=181)
    with pytest.raises(GuardFailed, match="۱۸۰ روز"):
        act(world.a[Role.TECHNICAL_MANAGER], world.open_case(), "instant_response")


def test_no_instant_response_when_the_visit_saw_a_violation(world: City) -> None:
    visited_earlier(world, days_ago=10, violations=["تغییر کاربری"])
    with pytest.raises(GuardFailed, match="تخلف"):
        act(world.a[Role.TECHNICAL_MANAGER], world.open_case(), "instant_response")


def test_no_instant_response_with_an_open_parcel_condition(world: City) -> None:
    visited_earlier(world, days_ago=10)
    ParcelCondition.objects.create(
        parcel=world.a.parcel,
        kind=ConditionKind.VIOLATION,
        title="اضافه بنا",
        recorded_on=timezone.localdate(),
    )
    with pytest.raises(GuardFailed, match="رفع‌نشده"):
        act(world.a[Role.TECHNICAL_MANAGER], world.open_case(), "instant_response")


# --- claiming -------------------------------------------------------------------------


def test_claim_and_release_are_events_and_a_claim_holds_off_colleagues(world: City) -> None:
    first, second = world.a.district_staff
    case = walk_to(world, world.open_case(), "district_review")
    case = do_claim_case(first, case.pk, case.version)
    assert case.assignee_id == first.pk
    with pytest.raises(AssignedToAnother):
        do_claim_case(second, case.pk, case.version)
    with pytest.raises(AssignedToAnother):
        act(second, case, "prepare_response")
    with pytest.raises(ActionNotAllowed):
        do_release_case(second, case.pk, case.version)
    case = do_release_case(first, case.pk, case.version)
    assert case.assignee_id is None
    case = draft_answer(second, case)
    case = act(second, case, "prepare_response")
    assert case.assignee_id is None  # the next step starts in its role's pool
    assert [e[0] for e in events(case)][-4:] == [
        "claim",
        "release",
        "save_response_draft",
        "prepare_response",
    ]


def test_only_the_acting_role_may_claim(world: City) -> None:
    case = walk_to(world, world.open_case(), "awaiting_visit")
    with pytest.raises(RoleNotAllowed):
        do_claim_case(world.a[Role.TECHNICAL_MANAGER], case.pk, case.version)
    case = do_claim_case(world.a[Role.INSPECTOR], case.pk, case.version)
    with pytest.raises(ActionNotAllowed):
        do_claim_case(world.a[Role.INSPECTOR], case.pk, case.version)


def test_a_claim_does_not_stop_the_applicant_from_cancelling(world: City) -> None:
    case = walk_to(world, world.open_case(), "awaiting_visit")
    case = do_claim_case(world.a[Role.INSPECTOR], case.pk, case.version)
    case = act(world.citizen.user, case, "cancel", reason="منصرف شدم")  # type: ignore[arg-type]
    assert case.state == "cancelled"
    assert case.assignee_id is None
