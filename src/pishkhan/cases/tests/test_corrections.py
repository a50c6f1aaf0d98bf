"""Corrections: staff put a case's data right while its step allows it, with a reason,
each correction one event with before and after; a send-back may un-tick documents the
step it returns to must check again."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from pishkhan.cases.actions import do_claim_case, do_correct_case
from pishkhan.cases.errors import (
    ActionNotAllowed,
    AssignedToAnother,
    ConcurrentActionError,
    DocumentsMissing,
    InvalidInput,
    NothingChanged,
    ReasonRequired,
    RoleNotAllowed,
)
from pishkhan.cases.models import Case, CaseEvent
from pishkhan.offices.roles import Role
from pishkhan.testing.personas import INQUIRY_DOCUMENTS, City, act, client_for, walk_to

WHY = "پلاک اشتباه وارد شده بود"


def correct(user: Any, case: Case, **changes: Any) -> Case:
    return do_correct_case(user, case.pk, case.version, reason=WHY, changes=changes)


def events_of(case: Case) -> int:
    return CaseEvent.objects.filter(case=case).count()


def test_a_parcel_correction_is_one_event_with_before_and_after(world: City) -> None:
    case = world.open_case()
    right = world.builder.parcel(world.a.district)
    old = case.parcel_id
    case = correct(world.alice, case, parcel=right)
    assert (case.parcel_id, case.version, case.state) == (right.pk, 2, "registered")
    event = CaseEvent.objects.get(case=case, seq=2)
    assert (event.action, event.actor_id, event.actor_role, event.reason) == (
        "correct_case",
        world.alice.pk,
        Role.TECHNICAL_MANAGER,
        WHY,
    )
    change = event.payload["changes"]["parcel"]
    assert (change["before"], change["after"]) == (old, right.pk)
    assert "پلاک" in change["before_text"]
    assert "پلاک" in change["after_text"]


def test_a_parcel_of_another_district_is_refused(world: City) -> None:
    case = world.open_case()
    with pytest.raises(InvalidInput, match="منطقه دیگری"):
        correct(world.alice, case, parcel=world.b.parcel)
    assert (Case.objects.get(pk=case.pk).version, events_of(case)) == (1, 1)


def test_the_timeline_reads_a_correction_before_and_after(world: City) -> None:
    case = world.open_case()
    case = correct(world.alice, case, documents_checked=INQUIRY_DOCUMENTS[:-1])
    html = client_for(world.alice).get(f"/cases/{case.pk}/").content.decode()
    assert "اصلاح اطلاعات پرونده" in html
    assert "مدارک بررسی‌شده: " in html
    assert "آخرین فیش عوارض نوسازی پرداخت‌شده ← " in html  # before lists it, after not
    assert f"علت: {WHY}" in html


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({}, InvalidInput),
        ({"applicant": 1}, InvalidInput),
        ({"parcel": "۱۲x"}, InvalidInput),
        ({"parcel": 10**12}, InvalidInput),
        ({"documents_checked": ["inquiry_letter\x00"]}, InvalidInput),
        ({"documents_checked": ["x" * 1_000_000]}, InvalidInput),
        ({"documents_checked": "inquiry_letter"}, InvalidInput),
        ({"documents_checked": ["inquiry_letter"] * 51}, InvalidInput),
        ({"documents_checked": INQUIRY_DOCUMENTS}, NothingChanged),
    ],
    ids=["nothing", "unknown", "bad-id", "no-parcel", "nul", "huge", "not-a-list", "long", "same"],
)
def test_hostile_or_empty_corrections_are_refused_and_write_nothing(
    world: City, changes: dict[str, Any], error: type[Exception]
) -> None:
    case = world.open_case()
    with pytest.raises(error):
        do_correct_case(world.alice, case.pk, case.version, reason=WHY, changes=changes)
    assert (Case.objects.get(pk=case.pk).version, events_of(case)) == (1, 1)


def test_nothing_changed_says_so_in_persian(world: City) -> None:
    case = world.open_case()
    with pytest.raises(NothingChanged, match="چیزی تغییر نکرده است"):
        correct(world.alice, case, parcel=case.parcel_id)


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_correction_needs_a_reason(world: City, reason: str | None) -> None:
    case = world.open_case()
    with pytest.raises(ReasonRequired):
        do_correct_case(world.alice, case.pk, 1, reason=reason, changes={"documents_checked": []})  # type: ignore[arg-type]


def test_a_reason_with_nul_or_a_megabyte_is_refused(world: City) -> None:
    case = world.open_case()
    for reason in ("علت\x00", "ع" * 1_000_000):
        with pytest.raises(InvalidInput):
            do_correct_case(world.alice, case.pk, 1, reason=reason, changes={"parcel": None})


def test_corrections_only_while_the_step_allows_and_by_its_role(world: City) -> None:
    case = world.open_case()
    for outsider in (world.bob, world.peggy, world.frank, world.dave, world.zahra):
        with pytest.raises(RoleNotAllowed):
            correct(outsider, case, documents_checked=[])
    case = walk_to(world, case, "awaiting_visit")  # not data_editable
    for anyone in (world.alice, world.bob):
        with pytest.raises(ActionNotAllowed, match="اصلاح‌پذیر نیست"):
            correct(anyone, case, documents_checked=[])
    with pytest.raises(ActionNotAllowed):
        correct(world.sam, walk_to(world, world.open_case(), "response_issued"), parcel=None)


def test_a_case_of_another_office_is_a_404(world: City) -> None:
    from django.http import Http404

    case = world.open_case()
    with pytest.raises(Http404):
        correct(world.charlie, case, documents_checked=[])


def test_a_stale_version_and_a_colleagues_claim_are_refused(world: City) -> None:
    case = world.open_case()
    with pytest.raises(ConcurrentActionError):
        do_correct_case(world.alice, case.pk, 0, reason=WHY, changes={"documents_checked": []})
    other = world.builder.staff(Role.TECHNICAL_MANAGER, office=world.a.office).user
    case = do_claim_case(other, case.pk, case.version)
    with pytest.raises(AssignedToAnother):
        correct(world.alice, case, documents_checked=[])


def test_a_correction_clears_the_returned_flag(world: City) -> None:
    case = walk_to(world, world.open_case(), "awaiting_visit")
    case = act(world.bob, case, "return_to_registration", reason="نامه تاریخ ندارد")
    assert case.returned_at is not None
    case = correct(world.alice, case, parcel=world.builder.parcel(world.a.district))
    assert (case.returned_at, case.returned_reason) == (None, "")


def test_an_unticked_letter_must_be_ticked_again_before_referring(world: City) -> None:
    case = walk_to(world, world.open_case(), "awaiting_visit")
    case = act(
        world.bob,
        case,
        "return_to_registration",
        reason="نامه استعلام تاریخ ندارد",
        documents_unchecked=["inquiry_letter"],
    )
    assert "inquiry_letter" not in case.documents_checked
    event = CaseEvent.objects.filter(case=case).order_by("-seq").first()
    assert event is not None
    assert event.payload["documents_unchecked"] == ["inquiry_letter"]
    with pytest.raises(DocumentsMissing, match="نامه استعلام"):
        act(world.alice, case, "refer_to_inspector")
    page = client_for(world.alice).get(f"/cases/{case.pk}/").content.decode()
    assert "علامت این مدارک برداشته شد" in page
    assert "مدارک این مرحله کامل نیست" in page  # the refer button is blocked, with why
    case = do_correct_case(
        world.alice,
        case.pk,
        case.version,
        reason="نامه تاریخ‌دار رسید",
        changes={"documents_checked": INQUIRY_DOCUMENTS},
    )
    case = act(world.alice, case, "refer_to_inspector")
    assert case.state == "awaiting_visit"


@pytest.mark.parametrize(
    "unchecked",
    [["progress_report"], ["not_a_document"], "inquiry_letter", [1]],
)
def test_only_a_send_back_unticks_and_only_ticked_documents_of_its_step(
    world: City, unchecked: Any
) -> None:
    case = walk_to(world, world.open_case(), "awaiting_visit")
    with pytest.raises(InvalidInput):
        act(world.bob, case, "return_to_registration", reason="x", documents_unchecked=unchecked)
    case = record_and_submit(world, case)
    with pytest.raises(InvalidInput):
        act(world.peggy, case, "complete_plan_review", documents_unchecked=["inquiry_letter"])


def record_and_submit(world: City, case: Case) -> Case:
    from pishkhan.testing.personas import record_visit

    return act(world.bob, record_visit(world.bob, case), "submit_visit_report")


def test_a_send_back_into_a_step_that_cannot_be_corrected_unticks_nothing(world: City) -> None:
    case = walk_to(world, world.open_case("permit_extension"), "district_review")
    report = ["progress_report"]  # ticked, but awaiting_visit may not be corrected
    with pytest.raises(InvalidInput):
        act(world.dave, case, "request_revisit", reason="x", documents_unchecked=report)


# --- the page -------------------------------------------------------------------------


def test_the_correction_form_shows_only_where_permissions_allow(world: City) -> None:
    case = world.open_case()
    url = f"/cases/{case.pk}/"
    form = f'action="{reverse("cases:correct", args=[case.pk])}"'
    assert form in client_for(world.alice).get(url).content.decode()
    for other in (world.bob, world.frank, world.dave, world.zahra, world.sam):
        assert "/correct/" not in client_for(other).get(url).content.decode()
    case = walk_to(world, case, "awaiting_visit")
    assert "/correct/" not in client_for(world.alice).get(url).content.decode()


def test_the_form_posts_a_correction_and_refuses_bad_input_in_persian(world: City) -> None:
    case = world.open_case()
    client = client_for(world.alice)
    url = reverse("cases:correct", args=[case.pk])
    right = world.builder.parcel(world.a.district)
    posted = {"version": "۱", "reason": WHY, "renewal_code": right.renewal_code}
    bad = [
        ({**posted, "reason": ""}, "علت اصلاح را بنویسید"),
        ({**posted, "reason": "a\x00"}, "نویسه‌ای نامجاز"),
        ({**posted, "renewal_code": "99-9999-9-9-9"}, "ملکی با این کد نوسازی پیدا نشد"),
        ({**posted, "renewal_code": world.b.parcel.renewal_code}, "منطقه دیگری"),
        ({**posted, "version": "x"}, "نسخه پرونده در فرم نیست"),
    ]
    for data, message in bad:
        response = client.post(url, {**data, "documents_checked": INQUIRY_DOCUMENTS})
        assert response.status_code == 400, message
        assert message in response.content.decode()
    assert events_of(case) == 1
    response = client.post(url, {**posted, "documents_checked": INQUIRY_DOCUMENTS})
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).parcel_id == right.pk
    stale = client.post(url, {**posted, "documents_checked": []})
    assert stale.status_code == 409
