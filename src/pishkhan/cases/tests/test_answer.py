"""The inquiry's answer as data: drafted from the case, checked, frozen at approval; the
plan review and its mismatches; instant answers on a recent visit or a certificate."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from pishkhan.cases.actions import do_record_plan_review, do_save_response_draft
from pishkhan.cases.errors import (
    ActionNotAllowed,
    AnswerInvalid,
    GuardFailed,
    PlanReviewInvalid,
    RoleNotAllowed,
    WorkflowError,
)
from pishkhan.cases.models import Case, InquiryResponse, ResponseBasis, ResponseResult
from pishkhan.cases.responses import AnswerDraft, plan_mismatches
from pishkhan.catalog.models import ResponseCondition
from pishkhan.geo.models import CertificateKind, ConditionKind, LandUse, ParcelCertificate
from pishkhan.offices.roles import Role
from pishkhan.testing.personas import (
    City,
    act,
    client_for,
    draft_answer,
    record_plan_review,
    record_visit,
    walk_to,
)

DEBT = 18_733_000


def at_district_review(world: City) -> Case:
    return walk_to(world, world.open_case(), "district_review")


def conditional(**overrides: object) -> AnswerDraft:
    values: dict[str, object] = {
        "result": ResponseResult.CONDITIONAL,
        "own_conditions": ["پرداخت بدهی پیش از انتقال"],
        "zone": "R112",
        "permitted_uses": [LandUse.RESIDENTIAL],
        "widening_m": Decimal("4.5"),
    }
    values.update(overrides)
    return AnswerDraft(**values)  # type: ignore[arg-type]


def test_the_draft_keeps_the_parcels_debts_and_the_visits_findings(world: City) -> None:
    world.builder.condition(
        world.a.parcel, kind=ConditionKind.DEBT, title="عوارض نوسازی", amount=DEBT
    )
    case = walk_to(world, world.open_case(), "awaiting_visit")
    case = record_visit(world.a[Role.INSPECTOR], case, violations=["اضافه بنا در طبقه دوم"])
    case = walk_to(world, case, "district_review")
    maker = world.a.district_staff[0]
    response = do_save_response_draft(maker, case.pk, case.version, conditional())
    assert response.debts == [{"source": "condition", "title": "عوارض نوسازی", "amount": DEBT}]
    assert response.debt_total == DEBT
    assert response.basis == ResponseBasis.REVIEW
    assert response.plan["widening_m"] == "4.50"
    assert response.not_valid_for  # the notary's answer says what it does not serve
    assert response.issued_at is None


@pytest.mark.parametrize(
    ("draft", "field", "message"),
    [
        (conditional(result=ResponseResult.NO_OBJECTION, own_conditions=[]), "result", "بدهی"),
        (conditional(own_conditions=[]), "condition_codes", "دست‌کم یک شرط"),
        (conditional(result=ResponseResult.OBJECTION, own_conditions=[]), "notes", "علت"),
        (conditional(notes="x\x00y"), "notes", "نامعتبر"),
        (conditional(own_conditions=["ش" * 600]), "own_conditions", "۵۰۰"),
        (conditional(permitted_uses=["castle"]), "permitted_uses", "فهرست"),
        (conditional(condition_codes=["forged"]), "condition_codes", "فهرست"),
        (conditional(widening_m="1e9"), "widening_m", "متر"),
    ],
)
def test_an_answer_that_breaks_the_rules_is_refused_and_nothing_is_written(
    world: City, draft: AnswerDraft, field: str, message: str
) -> None:
    world.builder.condition(world.a.parcel, kind=ConditionKind.DEBT, title="عوارض", amount=DEBT)
    case = at_district_review(world)
    with pytest.raises(AnswerInvalid) as refused:
        do_save_response_draft(world.a.district_staff[0], case.pk, case.version, draft)
    assert message in refused.value.errors[field]
    assert not InquiryResponse.objects.filter(case=case).exists()
    assert Case.objects.get(pk=case.pk).version == case.version


def test_conditions_come_from_the_citys_list(world: City) -> None:
    ResponseCondition.objects.create(code="pay_debts", text="پرداخت بدهی الزامی است.")
    case = at_district_review(world)
    response = do_save_response_draft(
        world.a.district_staff[0], case.pk, case.version, conditional(condition_codes=["pay_debts"])
    )
    assert {"code": "pay_debts", "text": "پرداخت بدهی الزامی است."} in response.conditions


def test_the_answer_is_frozen_at_approval_by_a_second_person(world: City) -> None:
    maker, checker = world.a.district_staff
    case = at_district_review(world)
    case = draft_answer(maker, case, conditional())
    case = act(maker, case, "prepare_response")
    case = act(checker, case, "approve_response")
    response = InquiryResponse.objects.get(case=case)
    assert response.issued_by_id == checker.pk
    assert response.valid_until == timezone.localdate() + dt.timedelta(days=90)
    assert len(response.content_hash) == 64
    with pytest.raises(ActionNotAllowed):
        do_save_response_draft(maker, case.pk, case.version, conditional(notes="دیر"))
    assert InquiryResponse.objects.get(case=case).notes == ""


def test_a_debt_recorded_after_the_draft_stops_the_approval(world: City) -> None:
    maker, checker = world.a.district_staff
    case = walk_to(world, world.open_case(), "response_prepared")
    world.builder.condition(world.a.parcel, kind=ConditionKind.DEBT, title="عوارض", amount=DEBT)
    with pytest.raises(WorkflowError, match="بدهی‌های ملک پس از تهیه"):
        act(
            next(u for u in (maker, checker) if u.pk != case.prepared_by_id),
            case,
            "approve_response",
        )
    assert Case.objects.get(pk=case.pk).state == "response_prepared"


def test_a_send_back_for_revision_keeps_the_draft(world: City) -> None:
    maker, checker = world.a.district_staff
    case = at_district_review(world)
    case = draft_answer(maker, case, conditional(notes="پیش‌نویس نخست"))
    case = act(maker, case, "prepare_response")
    case = act(checker, case, "send_back_for_revision", "شرط گذربندی را کامل کنید")
    assert case.state == "district_review"
    assert InquiryResponse.objects.get(case=case).notes == "پیش‌نویس نخست"
    case = draft_answer(maker, case, conditional(notes="پیش‌نویس دوم"))
    assert InquiryResponse.objects.get(case=case).revision == 2


def test_preparing_needs_a_draft_and_only_district_staff_draft(world: City) -> None:
    case = at_district_review(world)
    with pytest.raises(GuardFailed, match="پیش‌نویس"):
        act(world.a.district_staff[0], case, "prepare_response")
    with pytest.raises(RoleNotAllowed):
        do_save_response_draft(world.a[Role.PLAN_REVIEWER], case.pk, case.version, conditional())


# --- the plan review ------------------------------------------------------------------


def test_the_plan_review_is_needed_and_its_findings_are_checked(world: City) -> None:
    case = walk_to(world, world.open_case(), "plan_review")
    reviewer = world.a[Role.PLAN_REVIEWER]
    with pytest.raises(GuardFailed, match="طرح تفصیلی"):
        act(reviewer, case, "complete_plan_review")
    with pytest.raises(PlanReviewInvalid) as refused:
        do_record_plan_review(reviewer, case.pk, case.version, {"zone": "", "opinion": "\x00"})
    assert set(refused.value.errors) >= {"zone", "permitted_uses", "opinion"}
    case = record_plan_review(reviewer, case, widening_m="6")
    case = act(reviewer, case, "complete_plan_review")
    assert case.state == "district_review"
    assert case.plan_reviews.get().widening_m == Decimal("6.00")


def test_a_use_the_zone_does_not_permit_is_shown_as_a_mismatch(world: City) -> None:
    world.builder.condition(
        world.a.parcel, kind=ConditionKind.PLAN_RESTRICTION, title="تعریض", widening_m=Decimal("4")
    )
    case = walk_to(world, world.open_case(), "plan_review")
    case = record_plan_review(
        world.a[Role.PLAN_REVIEWER], case, zone="C21", permitted_uses=[LandUse.COMMERCIAL]
    )
    review = case.plan_reviews.get()
    problems = plan_mismatches(
        review, case, case.visit_reports.first(), list(case.parcel.open_conditions())
    )
    assert any("کاربری مشاهده‌شده" in p for p in problems)  # the visit saw a home
    assert any("پهنه" in p for p in problems)  # the parcel's zone is another
    assert any("گذربندی" in p for p in problems)  # the parcel has a 4 m widening
    page = client_for(world.a[Role.PLAN_REVIEWER]).get(reverse("cases:detail", args=[case.pk]))
    assert "ناسازگاری" in page.content.decode()


# --- instant answers --------------------------------------------------------------------


def test_an_instant_answer_on_a_certificate_needs_the_certificate_and_the_declaration(
    world: City,
) -> None:
    tm = world.a[Role.TECHNICAL_MANAGER]
    case = world.open_case()
    with pytest.raises(GuardFailed, match="گواهی"):
        act(tm, case, "instant_response_on_certificate")
    ParcelCertificate.objects.create(
        parcel=world.a.parcel,
        kind=CertificateKind.COMPLETION,
        number="۱۲۳۴",
        issued_on=timezone.localdate() - dt.timedelta(days=700),
    )
    with pytest.raises(WorkflowError, match="اقرار مالک"):
        act(tm, case, "instant_response_on_certificate")
    case = act(tm, case, "instant_response_on_certificate", owner_declaration=True)
    response = InquiryResponse.objects.get(case=case)
    assert response.basis == ResponseBasis.CERTIFICATE
    assert response.certificate["number"] == "۱۲۳۴"
    assert "اقرار" in response.declaration
    assert response.result == ResponseResult.NO_OBJECTION


def test_an_old_certificate_does_not_qualify(world: City) -> None:
    ParcelCertificate.objects.create(
        parcel=world.a.parcel,
        kind=CertificateKind.COMPLETION,
        number="9",
        issued_on=dt.date(2010, 1, 1),  # before the definition's issued_after
    )
    with pytest.raises(GuardFailed):
        act(world.a[Role.TECHNICAL_MANAGER], world.open_case(), "instant_response_on_certificate")


def test_an_instant_answer_on_a_recent_visit_drafts_from_that_visit(world: City) -> None:
    first = walk_to(world, world.open_case(), "plan_review")  # the parcel was visited
    assert first.visit_reports.exists()
    case = act(world.a[Role.TECHNICAL_MANAGER], world.open_case(), "instant_response")
    response = InquiryResponse.objects.get(case=case)
    assert response.basis == ResponseBasis.RECENT_VISIT
    assert response.visit["case_id"] == first.pk


# --- who sees it ------------------------------------------------------------------------


def test_the_citizen_sees_the_issued_answer_and_never_a_draft(world: City) -> None:
    case = walk_to(world, world.open_case(), "response_prepared")
    citizen = client_for(world.citizen_of(case))  # type: ignore[arg-type]
    url = reverse("cases:answer", args=[case.pk])
    assert "هنوز پاسخی" in citizen.get(url).content.decode()
    assert "پیش‌نویس" in client_for(world.a.district_staff[0]).get(url).content.decode()
    case = walk_to(world, case, "response_issued")
    letter = citizen.get(url).content.decode()
    assert "بلامانع مشروط" in letter
    assert "نقل و انتقال" in letter  # what the notary's answer serves
    assert "در پاسخ به نامه" in letter  # the notary's letter it answers
    assert "پیش‌نویس" not in letter
