"""The case page: facts, timeline, who held it how long, the viewer's actions, and every
journey action taken through the page by the right role (and refused for a wrong one)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pishkhan.accounts.models import User
from pishkhan.cases.actions import do_claim_case, do_release_case
from pishkhan.cases.models import Case, CaseEvent, VisitReport
from pishkhan.core.digits import to_persian_digits
from pishkhan.core.jalali import format_jalali_datetime
from pishkhan.geo.models import ConditionKind, ParcelCondition
from pishkhan.offices.roles import Role
from pishkhan.testing.personas import City, act, client_for, record_visit, walk_to
from pishkhan.testing.uploads import image_bytes, photo_with_gps, upload


def detail_url(case: Case) -> str:
    return reverse("cases:detail", args=[case.pk])


def post_action(user: User, case: Case, code: str, **data: object) -> object:
    payload = {"action": code, "version": case.version, **data}
    return client_for(user).post(reverse("cases:act", args=[case.pk]), payload)


def snapshot(case: Case) -> tuple[str, int, int]:
    case.refresh_from_db()
    return case.state, case.version, CaseEvent.objects.filter(case=case).count()


def action_codes(response: object) -> list[str]:
    return [item.action.code for item in response.context["page"].actions]  # type: ignore[attr-defined]


# --- what the page shows ----------------------------------------------------------------


def test_it_shows_the_case_in_persian_right_to_left(world: City) -> None:
    case = world.open_case()
    ParcelCondition.objects.create(
        parcel=world.a.parcel,
        kind=ConditionKind.PLAN_RESTRICTION,
        title="عقب‌نشینی تعریض گذر",
        recorded_on=case.opened_at.date(),
    )
    response = client_for(world.a[Role.TECHNICAL_MANAGER]).get(detail_url(case))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'dir="rtl"' in html
    assert to_persian_digits(case.tracking_code) in html
    assert "ثبت‌شده؛ در انتظار ارجاع" in html
    assert "عقب‌نشینی تعریض گذر" in html
    assert format_jalali_datetime(case.opened_at) in html
    assert "ثبت پرونده" in html  # the opening event in the timeline
    assert world.a.office.name in html
    assert world.a.district.name in html


def test_office_staff_see_the_full_national_id_and_district_staff_a_masked_one(
    world: City,
) -> None:
    case = world.open_case()
    full = to_persian_digits(world.citizen.national_id)
    office_view = client_for(world.a[Role.INSPECTOR]).get(detail_url(case)).content.decode()
    district_view = client_for(world.a.district_staff[0]).get(detail_url(case)).content.decode()
    assert full in office_view
    assert full not in district_view
    assert to_persian_digits(world.citizen.national_id[-4:]) in district_view


def test_the_timeline_and_stints_name_every_step(world: City) -> None:
    case = walk_to(world, world.open_case(), "response_issued")
    response = client_for(world.a.district_staff[0]).get(detail_url(case))
    page = response.context["page"]
    assert [e.event.action for e in page.entries] == [
        "open",
        "refer_to_inspector",
        "record_visit_report",
        "submit_visit_report",
        "record_plan_review",
        "complete_plan_review",
        "save_response_draft",
        "prepare_response",
        "approve_response",
    ]
    assert page.entries[1].from_label == "ثبت‌شده؛ در انتظار ارجاع"
    assert page.entries[1].to_label == "در انتظار بازدید"
    assert [s.state_label for s in page.stints] == [
        "ثبت‌شده؛ در انتظار ارجاع",
        "در انتظار بازدید",
        "بررسی طرح تفصیلی",
        "بررسی در منطقه",
        "پاسخ تهیه‌شده؛ در انتظار تأیید",
    ]
    assert all(s.left_at is not None and s.working_time for s in page.stints)
    html = response.content.decode()
    assert "پاسخ صادر شد" in html
    assert "چه کسی، چه مدت" in html
    assert page.actions == []


def test_its_query_count_does_not_grow_with_the_events(world: City) -> None:
    tm = world.a[Role.TECHNICAL_MANAGER]
    few, many = world.open_case(), world.open_case()
    for case, cycles in ((few, 1), (many, 7)):
        for _ in range(cycles):
            case = do_claim_case(tm, case.pk, case.version)
            case = do_release_case(tm, case.pk, case.version)
    assert CaseEvent.objects.filter(case=few).count() == 3
    assert CaseEvent.objects.filter(case=many).count() == 15
    client = client_for(tm)
    client.get(detail_url(few))  # warm the session
    counts = []
    for case in (few, many):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(detail_url(case)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    # session, user, principal (3), the scoped lookup, the case with its relations and
    # the parcel's open conditions (2), states, actions, events, visit reports, plan
    # reviews, scans and photos, holidays, the certificate an instant answer may rest on
    assert counts[0] == 15, counts


def test_supervisors_read_but_have_no_actions(world: City) -> None:
    case = world.open_case()
    supervisor = world.supervisor
    response = client_for(supervisor).get(detail_url(case))
    assert response.status_code == 200
    assert action_codes(response) == []
    assert reverse("cases:act", args=[case.pk]) not in response.content.decode()
    before = snapshot(case)
    refused = post_action(supervisor, case, "refer_to_inspector")
    assert refused.status_code == 400  # type: ignore[attr-defined]
    assert snapshot(case) == before


def test_each_role_sees_only_its_actions(world: City) -> None:
    case = world.open_case()
    tm = client_for(world.a[Role.TECHNICAL_MANAGER]).get(detail_url(case))
    assert set(action_codes(tm)) == {
        "refer_to_inspector",
        "instant_response",
        "instant_response_on_certificate",
        "request_documents",
        "cancel",
    }
    assert 'name="reason"' in tm.content.decode()
    inspector = client_for(world.a[Role.INSPECTOR]).get(detail_url(case))
    assert action_codes(inspector) == []
    assert not inspector.context["page"].can_record_visit


# --- acting through the page ------------------------------------------------------------


def test_the_whole_journey_through_the_pages(world: City) -> None:
    side = world.a
    case = world.open_case()
    maker, checker = side.district_staff

    response = post_action(side[Role.TECHNICAL_MANAGER], case, "refer_to_inspector")
    assert response.status_code == 302  # type: ignore[attr-defined]
    case.refresh_from_db()
    assert case.state == "awaiting_visit"

    inspector = client_for(side[Role.INSPECTOR])
    page = inspector.get(detail_url(case))
    assert page.context["page"].can_record_visit
    response = inspector.post(
        reverse("cases:visit", args=[case.pk]),
        {
            "version": to_persian_digits(case.version),
            "visited_on": "۱۴۰۳/۰۱/۱۵",
            "visited_time": "۱۰:۳۰",
            "field_observed_land_use": "residential",
            "field_built_area": "۱۸۰٫۵",
            "field_floors": "۲",
            "field_violations_observed": "",
            "field_photos": [
                upload(photo_with_gps(), "نما.jpg"),
                upload(image_bytes(), "حیاط.png"),
            ],
            "field_notes": "ملک مطابق سند است.",
        },
    )
    assert response.status_code == 302, response.content.decode()  # type: ignore[attr-defined]
    report = VisitReport.objects.get(case=case)
    assert report.answers["floors"] == 2
    assert report.answers["built_area"] == "180.5"
    assert report.answers["notes"] == "ملک مطابق سند است."
    photos = list(report.photos.select_related("file").order_by("pk"))
    assert {p.checklist_item for p in photos} == {"photos"}
    assert [p.file.display_name for p in photos] == ["نما.jpg", "حیاط.png"]
    assert photos[0].has_position
    assert not photos[1].has_position
    case.refresh_from_db()

    forms = {
        "complete_plan_review": (
            side[Role.PLAN_REVIEWER],
            "cases:plan_review",
            {"zone": case.parcel.plan_zone, "permitted_uses": ["residential"], "opinion": "مطابق"},
        ),
        "prepare_response": (
            maker,
            "cases:answer_draft",
            {"result": "conditional", "own_conditions": "پرداخت بدهی", "notes": ""},
        ),
    }
    for user, code, state in [
        (side[Role.INSPECTOR], "submit_visit_report", "plan_review"),
        (side[Role.PLAN_REVIEWER], "complete_plan_review", "district_review"),
        (maker, "prepare_response", "response_prepared"),
        (checker, "approve_response", "response_issued"),
    ]:
        if code in forms:
            who, name, data = forms[code]
            response = client_for(who).post(
                reverse(name, args=[case.pk]), {"version": case.version, **data}
            )
            assert response.status_code == 302, response.content.decode()
            case.refresh_from_db()
        response = post_action(user, case, code)
        assert response.status_code == 302, (code, response.content.decode())  # type: ignore[attr-defined]
        case.refresh_from_db()
        assert case.state == state
    assert case.prepared_by_id == maker.pk
    assert case.approved_by_id == checker.pk
    final = client_for(checker).get(detail_url(case))
    assert "پاسخ صادر شد" in final.content.decode()


def test_a_successful_action_says_so_in_persian(world: City) -> None:
    case = world.open_case()
    client = client_for(world.a[Role.TECHNICAL_MANAGER])
    response = client.post(
        reverse("cases:act", args=[case.pk]),
        {"action": "refer_to_inspector", "version": case.version},
        follow=True,
    )
    assert "اقدام «ارجاع به کارشناس بازدید» انجام شد." in response.content.decode()


@pytest.mark.parametrize(
    ("state", "code", "role", "reason"),
    [
        ("registered", "request_documents", Role.TECHNICAL_MANAGER, "سند ناخوانا است"),
        ("registered", "cancel", Role.TECHNICAL_MANAGER, "انصراف متقاضی"),
        ("awaiting_visit", "return_to_registration", Role.INSPECTOR, "نشانی نادرست"),
        ("plan_review", "request_revisit", Role.PLAN_REVIEWER, "عکس‌ها ناقص است"),
        ("district_review", "send_back_to_plan_review", "maker", "پهنه اشتباه"),
        ("response_prepared", "send_back_for_revision", "checker", "متن پاسخ ناقص"),
        ("district_review", "prepare_rejection", "maker", "ملک در طرح است"),
    ],
)
def test_reasoned_actions_need_their_reason(
    world: City, state: str, code: str, role: str, reason: str
) -> None:
    case = walk_to(world, world.open_case(), state)
    maker, checker = world.a.district_staff
    user = {"maker": maker, "checker": checker}.get(role) or world.a[role]
    before = snapshot(case)
    sure = {"confirmed": "1"}  # a destructive action's confirmation (tested on its own)
    refused = post_action(user, case, code, **sure)
    assert refused.status_code == 400  # type: ignore[attr-defined]
    assert "علت" in refused.content.decode()  # type: ignore[attr-defined]
    assert snapshot(case) == before
    done = post_action(user, case, code, reason=reason, **sure)
    assert done.status_code == 302  # type: ignore[attr-defined]
    case.refresh_from_db()
    assert case.version == before[1] + 1
    assert CaseEvent.objects.get(case=case, seq=case.version).reason == reason


def test_documents_supplied_through_the_page(world: City) -> None:
    tm = world.a[Role.TECHNICAL_MANAGER]
    case = world.open_case()
    case = act(tm, case, "request_documents", reason="سند ناخوانا")
    response = client_for(tm).get(detail_url(case))
    assert "supply_documents" in action_codes(response)
    assert post_action(tm, case, "supply_documents").status_code == 302  # type: ignore[attr-defined]
    case.refresh_from_db()
    assert case.state == "registered"


@pytest.mark.parametrize(
    ("state", "code", "wrong"),
    [
        ("registered", "refer_to_inspector", Role.INSPECTOR),
        ("awaiting_visit", "submit_visit_report", Role.TECHNICAL_MANAGER),
        ("plan_review", "complete_plan_review", Role.INSPECTOR),
        ("district_review", "prepare_response", Role.PLAN_REVIEWER),
        ("response_prepared", "approve_response", Role.OFFICE_MANAGER),
    ],
)
def test_a_wrong_role_is_refused_and_nothing_changes(
    world: City, state: str, code: str, wrong: str
) -> None:
    case = walk_to(world, world.open_case(), state)
    before = snapshot(case)
    response = post_action(world.a[wrong], case, code)
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "نقش شما اجازه این اقدام" in response.content.decode()  # type: ignore[attr-defined]
    assert snapshot(case) == before


def test_the_preparer_cannot_approve_their_own_response(world: City) -> None:
    case = walk_to(world, world.open_case(), "response_prepared")
    before = snapshot(case)
    response = post_action(world.a.district_staff[0], case, "approve_response")
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert snapshot(case) == before


def test_a_stale_version_is_a_conflict_and_nothing_changes(world: City) -> None:
    case = world.open_case()
    tm = world.a[Role.TECHNICAL_MANAGER]
    stale_version = case.version
    do_claim_case(tm, case.pk, case.version)
    before = snapshot(case)
    response = client_for(tm).post(
        reverse("cases:act", args=[case.pk]),
        {"action": "refer_to_inspector", "version": stale_version},
    )
    assert response.status_code == 409
    assert "این پرونده هم‌زمان" in response.content.decode()
    assert snapshot(case) == before


def test_a_missing_version_is_refused(world: City) -> None:
    case = world.open_case()
    before = snapshot(case)
    response = client_for(world.a[Role.TECHNICAL_MANAGER]).post(
        reverse("cases:act", args=[case.pk]), {"action": "refer_to_inspector"}
    )
    assert response.status_code == 400
    assert snapshot(case) == before


def test_a_bad_visit_report_is_shown_again_with_persian_errors(world: City) -> None:
    case = walk_to(world, world.open_case(), "awaiting_visit")
    before = snapshot(case)
    response = client_for(world.a[Role.INSPECTOR]).post(
        reverse("cases:visit", args=[case.pk]),
        {"version": case.version, "visited_on": "۱۴۰۳/۱۳/۴۰", "visited_time": "ظهر",
         "field_observed_land_use": "", "field_built_area": "-۲", "field_floors": "x"},
    )  # fmt: skip
    html = response.content.decode()
    assert response.status_code == 400
    assert "ساعت را به شکل ساعت:دقیقه وارد کنید." in html
    # the answers are checked at once against the checklist, each on its input
    assert "«کاربری مشاهده‌شده» را وارد کنید." in html
    assert "«مساحت ساخته‌شده» نباید کمتر از ۰ مترمربع باشد." in html
    assert "«تعداد طبقات» باید عدد صحیح معتبر باشد." in html
    assert snapshot(case) == before
    assert not VisitReport.objects.filter(case=case).exists()


def test_only_an_inspector_records_a_visit(world: City) -> None:
    case = walk_to(world, world.open_case(), "awaiting_visit")
    before = snapshot(case)
    response = client_for(world.a[Role.PLAN_REVIEWER]).post(
        reverse("cases:visit", args=[case.pk]),
        {"version": case.version, "visited_on": "۱۴۰۳/۰۱/۱۵", "visited_time": "۱۰:۳۰",
         "field_observed_land_use": "residential", "field_built_area": "۱۰۰",
         "field_floors": "۱"},
    )  # fmt: skip
    assert response.status_code == 400
    assert snapshot(case) == before


@pytest.mark.parametrize("name", ["cases:act", "cases:visit"])
def test_post_only_urls_answer_get_with_405(world: City, name: str) -> None:
    case = world.open_case()
    before = snapshot(case)
    response = client_for(world.a[Role.TECHNICAL_MANAGER]).get(reverse(name, args=[case.pk]))
    assert response.status_code == 405
    assert snapshot(case) == before


def test_a_post_without_csrf_is_forbidden(world: City) -> None:
    case = world.open_case()
    before = snapshot(case)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.a[Role.TECHNICAL_MANAGER])
    response = client.post(
        reverse("cases:act", args=[case.pk]),
        {"action": "refer_to_inspector", "version": case.version},
    )
    assert response.status_code == 403
    assert snapshot(case) == before


def test_anonymous_visitors_are_sent_to_sign_in(world: City) -> None:
    case = world.open_case()
    response = Client().get(detail_url(case))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_record_visit_helper_still_matches_the_page(world: City) -> None:
    # The conftest's helper and the page produce the same kind of report.
    case = walk_to(world, world.open_case(), "awaiting_visit")
    case = record_visit(world.a[Role.INSPECTOR], case)
    response = client_for(world.a[Role.PLAN_REVIEWER]).get(detail_url(case))
    assert "گزارش‌های بازدید" in response.content.decode()
    assert "مسکونی" in response.content.decode()
    assert "۱۸۰٫۵" in response.content.decode() or "۱۸۰.۵" in response.content.decode()
