"""The follow-up officer's list (stalled, near or past SLA) and follow-up notes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pishkhan.cases.actions import do_add_follow_up_note
from pishkhan.cases.errors import ReasonRequired, RoleNotAllowed
from pishkhan.cases.holidays import do_declare_holiday
from pishkhan.cases.models import Case, CaseEvent
from pishkhan.cases.tests.conftest import listed
from pishkhan.core.jalali import format_jalali_date
from pishkhan.offices.roles import Role
from pishkhan.testing.personas import City, act, client_for

URL = "/cases/follow-up/"


def age(case: Case, days: int) -> None:
    """Pretend the case last moved `days` calendar days ago (its events and clocks)."""
    past = timezone.now() - dt.timedelta(days=days)
    CaseEvent.objects.filter(case=case).update(created_at=past)
    Case.objects.filter(pk=case.pk).update(
        due_at=timezone.now() + dt.timedelta(days=30),
        overall_due_at=timezone.now() + dt.timedelta(days=60),
    )


@pytest.fixture
def officer(world: City) -> Client:
    return client_for(world.a[Role.FOLLOW_UP_OFFICER])


def test_it_lists_stalled_near_and_overdue_cases_of_the_office(
    world: City, officer: Client
) -> None:
    fresh, stalled, near, late = (world.open_case() for _ in range(4))
    age(fresh, 0)
    age(stalled, 7)  # a week: more than two working days whatever the weekday
    age(near, 0)
    Case.objects.filter(pk=near.pk).update(due_at=timezone.now() + dt.timedelta(minutes=20))
    age(late, 0)
    Case.objects.filter(pk=late.pk).update(overall_due_at=timezone.now() - dt.timedelta(hours=2))
    foreign = world.open_case(side=world.b)
    age(foreign, 7)

    response = officer.get(URL)

    assert response.status_code == 200
    assert listed(response) == {c.tracking_code for c in (stalled, near, late)}
    assert response.context["page"].counts == {"all": 3, "stalled": 1, "near": 1, "overdue": 1}
    assert listed(officer.get(URL, {"tab": "stalled"})) == {stalled.tracking_code}
    assert listed(officer.get(URL, {"tab": "overdue"})) == {late.tracking_code}
    body = response.content.decode()
    assert 'dir="rtl"' in body
    assert format_jalali_date(stalled.opened_at) in body


def test_a_note_becomes_an_event_and_does_not_unstall_the_case(
    world: City, officer: Client
) -> None:
    case = world.open_case()
    age(case, 7)
    response = officer.post(
        reverse("cases:follow_up_note", args=[case.pk]), {"text": "  با متقاضی تماس گرفته شد. "}
    )
    assert response.status_code == 302
    after = Case.objects.get(pk=case.pk)
    note = CaseEvent.objects.get(case=case, action="follow_up_note")
    assert (note.seq, after.version, after.state) == (2, 2, case.state)
    assert (note.actor, note.actor_role) == (world.a[Role.FOLLOW_UP_OFFICER], "follow_up_officer")
    assert note.reason == "با متقاضی تماس گرفته شد."
    assert (note.from_state, note.to_state) == (case.state, case.state)
    page = officer.get(URL)
    assert listed(page) == {case.tracking_code}  # still stalled
    assert "با متقاضی تماس گرفته شد." in page.content.decode()
    # the engine's invariant: version == number of events, seq 1..version
    seqs = list(CaseEvent.objects.filter(case=case).order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, after.version + 1))


def test_a_declared_holiday_does_not_unstall_a_case(world: City, officer: Client) -> None:
    case = world.open_case()
    age(case, 7)
    # a closure declared for a working day before the case's due time moves its clocks
    day = timezone.localdate() + dt.timedelta(days=1)
    while day.weekday() == 4:  # Friday is already off
        day += dt.timedelta(days=1)
    do_declare_holiday(world.administrator, day, "تعطیلی اضطراری")
    assert CaseEvent.objects.filter(case=case, action="calendar_changed").exists()
    assert listed(officer.get(URL, {"tab": "stalled"})) == {case.tracking_code}


@pytest.mark.parametrize("text", ["", "   ", "ن" * 1001])
def test_an_empty_or_long_note_is_refused_in_persian(
    world: City, officer: Client, text: str
) -> None:
    case = world.open_case()
    response = officer.post(reverse("cases:follow_up_note", args=[case.pk]), {"text": text})
    assert response.status_code == 400
    assert "یادداشت پیگیری" in response.content.decode()
    assert Case.objects.get(pk=case.pk).version == 1


def test_a_note_on_a_case_of_another_office_is_a_404(world: City, officer: Client) -> None:
    foreign = world.open_case(side=world.b)
    response = officer.post(reverse("cases:follow_up_note", args=[foreign.pk]), {"text": "سلام"})
    assert response.status_code == 404
    assert Case.objects.get(pk=foreign.pk).version == 1
    assert not CaseEvent.objects.filter(case=foreign, action="follow_up_note").exists()


def test_get_on_the_note_url_is_a_405(world: City, officer: Client) -> None:
    case = world.open_case()
    assert officer.get(reverse("cases:follow_up_note", args=[case.pk])).status_code == 405


def test_only_follow_up_officers_reach_the_page_and_write_notes(world: City) -> None:
    case = world.open_case()
    tm = client_for(world.a[Role.TECHNICAL_MANAGER])
    assert tm.get(URL).status_code == 403
    assert (
        tm.post(reverse("cases:follow_up_note", args=[case.pk]), {"text": "x"}).status_code == 403
    )
    with pytest.raises(RoleNotAllowed):
        do_add_follow_up_note(world.a[Role.TECHNICAL_MANAGER], case.pk, "یادداشت")
    with pytest.raises(ReasonRequired):
        do_add_follow_up_note(world.a[Role.FOLLOW_UP_OFFICER], case.pk, " ")
    assert Client().get(URL).status_code == 302


def test_the_case_may_still_move_after_a_note(world: City) -> None:
    case = world.open_case()
    do_add_follow_up_note(world.a[Role.FOLLOW_UP_OFFICER], case.pk, "پیگیری شد")
    case.refresh_from_db()
    moved = act(world.a[Role.TECHNICAL_MANAGER], case, "refer_to_inspector")
    assert (moved.state, moved.version) == ("awaiting_visit", 3)


def test_bad_filters_show_a_persian_error(world: City, officer: Client) -> None:
    response = officer.get(URL, {"date_from": "۱۴۰۳/۰۲/۳۵", "page": "-3"})
    assert response.status_code == 200
    assert "این تاریخ شمسی وجود ندارد" in response.content.decode()


def queries_for(client: Client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL)
    assert response.status_code == 200
    return len(captured)


def test_the_query_count_does_not_grow_with_cases(world: City, officer: Client) -> None:
    for _ in range(3):
        age(world.open_case(), 7)
    few = queries_for(officer)
    for i in range(37):
        case = world.open_case("inquiry_bank")
        age(case, 7)
        if i % 3 == 0:
            do_add_follow_up_note(world.a[Role.FOLLOW_UP_OFFICER], case.pk, "پیگیری شد")
    many = queries_for(officer)
    assert officer.get(URL).context["page"].paging.count == 2  # a full first page
    assert few == many
    print("follow-up queries:", few)
