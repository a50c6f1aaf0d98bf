"""A holiday declared at short notice moves the due times of the open cases it takes
working time from, so each keeps the working time it had left; withdrawing a future one
moves them back. One event and one version per moved case, in the declaring transaction."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pishkhan.accounts.models import User
from pishkhan.cases import holidays
from pishkhan.cases.actions import do_perform_action
from pishkhan.cases.calendar import add_working_hours, calendar_for, working_hours_between
from pishkhan.cases.errors import ConcurrentActionError, WorkflowError
from pishkhan.cases.events import EventType
from pishkhan.cases.holidays import (
    declare_holiday,
    do_declare_holiday,
    load_holidays,
    withdraw_holiday,
)
from pishkhan.cases.models import Case, CaseEvent, Holiday
from pishkhan.cases.tests.conftest import WEDNESDAY, Clock, at
from pishkhan.cases.tests.test_concurrency import file_database, race
from pishkhan.cases.tests.test_workflow_definitions import codes_of, notary
from pishkhan.offices.roles import Role
from pishkhan.testing.personas import City, act, build_city

THURSDAY = WEDNESDAY + dt.timedelta(days=1)  # 1404/08/08, declared in these tests
FRIDAY = WEDNESDAY + dt.timedelta(days=2)  # the weekend
SATURDAY = WEDNESDAY + dt.timedelta(days=3)  # 1404/08/10
TITLE = "تعطیلی اضطراری (آلودگی هوا)"


def fresh(case: Case) -> Case:
    case.refresh_from_db()
    return case


def calendar_events(case: Case) -> list[CaseEvent]:
    changed = CaseEvent.objects.filter(case=case, action=EventType.CALENDAR_CHANGED)
    return list(changed.order_by("seq"))


def assert_events_match_versions() -> None:
    for case in Case.objects.all():
        seqs = list(case.events.order_by("seq").values_list("seq", flat=True))
        assert seqs == list(range(1, case.version + 1)), case


def brief_formula(old: dt.datetime, now: dt.datetime, day: dt.date) -> dt.datetime:
    """new_due = c1.add(now, c0.between(now, old_due)), on calendars built here."""
    c0 = calendar_for(now.date(), old.date() + dt.timedelta(days=60))
    c0 = type(c0)(c0.weekend, c0.day_start, c0.day_end, c0.holidays - {day})
    c1 = type(c0)(c0.weekend, c0.day_start, c0.day_end, c0.holidays | {day})
    return c1.add(now, c0.between(now, old))


# --- declaring ----------------------------------------------------------------------------


def test_a_case_due_on_the_declared_day_moves_to_the_next_working_day(
    world: City, clock: Clock
) -> None:
    case = world.open_case()  # Wednesday 10:00: due Thursday 10:00, 7 working hours
    assert case.due_at == at(THURSDAY, 10)
    due, overall, version = case.due_at, case.overall_due_at, case.version
    assert overall is not None
    clock.now = at(WEDNESDAY, 18)  # announced the evening before
    left = working_hours_between(clock.now, due)
    left_overall = working_hours_between(clock.now, overall)

    change = declare_holiday(world.administrator, THURSDAY, TITLE)

    assert (change.created, change.moved) == (True, 1)
    assert Holiday.objects.get(date=THURSDAY).title == TITLE
    case = fresh(case)
    # Thursday closed, Friday the weekend: Saturday 10:00, still 2.5 working hours away
    assert case.due_at == at(SATURDAY, 10) == brief_formula(due, clock.now, THURSDAY)
    assert working_hours_between(clock.now, case.due_at) == left == 2.5
    # the overall due time moves too, a working day later: as if opened with the holiday
    assert case.overall_due_at == add_working_hours(at(WEDNESDAY, 10), 70)
    assert case.overall_due_at == brief_formula(overall, clock.now, THURSDAY)
    assert case.overall_due_at > overall
    assert working_hours_between(clock.now, case.overall_due_at) == left_overall
    # one event, one version
    assert case.version == version + 1
    [event] = calendar_events(case)
    assert event.seq == case.version
    assert (event.actor_id, event.actor_role) == (world.administrator.pk, "system")
    assert event.from_state == event.to_state == case.state == "registered"
    assert event.created_at == clock.now
    assert event.payload["holiday"] == "2025-10-30"
    assert event.payload["change"] == "declared"
    assert event.payload["due_at"] == {
        "old": "2025-10-30T10:00:00+03:30",
        "new": "2025-11-01T10:00:00+03:30",
    }
    moved = event.payload["overall_due_at"]
    assert dt.datetime.fromisoformat(moved["old"]) == overall
    assert dt.datetime.fromisoformat(moved["new"]) == case.overall_due_at
    assert_events_match_versions()


def test_do_declare_holiday_returns_the_holiday(world: City, clock: Clock) -> None:
    case = world.open_case()
    holiday = do_declare_holiday(world.administrator, THURSDAY, f"  {TITLE} ")
    assert (holiday.pk, holiday.date, holiday.title) == (
        Holiday.objects.get(date=THURSDAY).pk,
        THURSDAY,
        TITLE,
    )
    assert fresh(case).due_at == at(SATURDAY, 10)


@pytest.mark.parametrize("day", [FRIDAY, THURSDAY], ids=["weekend", "already a holiday"])
def test_a_day_that_is_not_working_time_moves_nothing(
    world: City, clock: Clock, day: dt.date
) -> None:
    if day == THURSDAY:
        Holiday.objects.create(date=THURSDAY, title="تعطیل رسمی")
    case = world.open_case()
    before = (case.due_at, case.overall_due_at, case.version)
    clock.now = at(WEDNESDAY, 18)
    change = declare_holiday(world.administrator, day, TITLE)
    assert change.moved == 0
    case = fresh(case)
    assert (case.due_at, case.overall_due_at, case.version) == before
    assert calendar_events(case) == []
    assert Holiday.objects.get(date=day).title == TITLE  # an existing one is retitled


def test_a_closed_case_is_untouched(world: City, clock: Clock) -> None:
    tm = world.a[Role.TECHNICAL_MANAGER]
    case = act(tm, world.open_case(), "cancel", reason="انصراف متقاضی")
    assert case.closed_at is not None
    assert case.overall_due_at is not None  # kept on the closed case, after Thursday
    before = (case.due_at, case.overall_due_at, case.version)
    assert declare_holiday(world.administrator, THURSDAY, TITLE).moved == 0
    case = fresh(case)
    assert (case.due_at, case.overall_due_at, case.version) == before


def test_a_due_time_before_the_day_stays(world: City, clock: Clock) -> None:
    case = world.open_case()  # due Thursday 10:00, overall well after Saturday
    early = world.open_case()
    Case.objects.filter(pk=early.pk).update(overall_due_at=at(THURSDAY, 14))
    clock.now = at(WEDNESDAY, 18)
    change = declare_holiday(world.administrator, SATURDAY, TITLE)
    assert change.moved == 1
    overall = case.overall_due_at
    case = fresh(case)
    assert case.due_at == at(THURSDAY, 10)  # before Saturday: stays
    assert overall is not None
    assert case.overall_due_at == brief_formula(overall, clock.now, SATURDAY) != overall
    [event] = calendar_events(case)
    assert "due_at" not in event.payload
    early = fresh(early)
    assert (early.due_at, early.overall_due_at, early.version) == (
        at(THURSDAY, 10),
        at(THURSDAY, 14),
        1,
    )


def test_a_closure_declared_on_the_day_itself_keeps_past_due_times(
    world: City, clock: Clock
) -> None:
    case = world.open_case()  # due Thursday 10:00
    overall = case.overall_due_at
    assert overall is not None
    clock.now = at(THURSDAY, 11)  # offices close at 11:00 on Thursday
    assert declare_holiday(world.administrator, THURSDAY, TITLE).moved == 1
    case = fresh(case)
    assert case.due_at == at(THURSDAY, 10)  # already past: stays overdue
    # the 3.5 hours left of Thursday are no longer working time
    assert case.overall_due_at == brief_formula(overall, clock.now, THURSDAY)
    assert case.overall_due_at - overall == dt.timedelta(hours=3.5)  # same day, later


def test_a_paused_case_keeps_its_working_time_left_when_it_resumes(
    world: City, clock: Clock
) -> None:
    tm = world.a[Role.TECHNICAL_MANAGER]
    case = world.open_case()  # due Thursday 10:00
    clock.now = at(WEDNESDAY, 11)
    case = act(tm, case, "request_documents", reason="سند ناخوانا است")  # 6 h left
    overall = case.overall_due_at
    assert overall is not None
    clock.now = at(WEDNESDAY, 18)
    assert declare_holiday(world.administrator, THURSDAY, TITLE).moved == 1
    case = fresh(case)
    assert case.sla_paused_at == at(WEDNESDAY, 11)
    # both due times move as seen from the pause (the same as from now: Thursday is ahead)
    assert case.due_at == at(SATURDAY, 10) == brief_formula(at(THURSDAY, 10), clock.now, THURSDAY)
    assert case.overall_due_at == brief_formula(overall, clock.now, THURSDAY)
    clock.now = at(SATURDAY, 9)
    case = act(tm, case, "supply_documents")
    # back in "registered" with its 6 working hours: Saturday 5.5 h, Sunday 0.5 h
    assert case.state == "registered"
    assert case.due_at == at(SATURDAY + dt.timedelta(days=1), 8)
    assert working_hours_between(clock.now, case.due_at) == 6
    assert_events_match_versions()


def test_retitling_moves_nothing(world: City, clock: Clock) -> None:
    case = world.open_case()
    declare_holiday(world.administrator, THURSDAY, TITLE)
    case = fresh(case)
    before = (case.due_at, case.overall_due_at, case.version)
    change = declare_holiday(world.administrator, THURSDAY, "تعطیلی به علت آلودگی هوا")
    assert (change.created, change.retitled, change.moved) == (False, True, 0)
    assert Holiday.objects.get(date=THURSDAY).title == "تعطیلی به علت آلودگی هوا"
    case = fresh(case)
    assert (case.due_at, case.overall_due_at, case.version) == before
    assert len(calendar_events(case)) == 1


def test_a_title_is_required(world: City, clock: Clock) -> None:
    with pytest.raises(ValidationError):
        declare_holiday(world.administrator, THURSDAY, "  ")
    assert not Holiday.objects.exists()


def test_many_open_cases_move_in_batches_with_a_fixed_number_of_queries(
    world: City, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    cases = [world.open_case() for _ in range(7)]
    closed = act(world.a[Role.TECHNICAL_MANAGER], world.open_case(), "cancel", reason="انصراف")
    clock.now = at(WEDNESDAY, 18)
    with CaptureQueriesContext(connection) as one_batch:
        assert declare_holiday(world.administrator, THURSDAY, TITLE).moved == 7
    # lock, holidays, swap and events per batch, whatever the number of cases, and the
    # audit chain's head and rows (and on PostgreSQL its lock)
    audit = 3 if connection.vendor == "postgresql" else 2
    assert len(one_batch) <= 12 + audit, [q["sql"] for q in one_batch]
    assert all(fresh(c).due_at == at(SATURDAY, 10) for c in cases)
    monkeypatch.setattr(holidays, "BATCH_SIZE", 3)
    with CaptureQueriesContext(connection) as three_batches:
        assert declare_holiday(world.administrator, SATURDAY, TITLE).moved == 7
    assert len(three_batches) <= len(one_batch) + 2 * (4 + audit)
    assert all(len(calendar_events(fresh(c))) == 2 for c in cases)
    assert calendar_events(closed) == []
    reads = [q["sql"] for q in three_batches if 'FROM "cases_case"' in q["sql"]]
    assert reads
    assert all('"closed_at" IS NULL' in sql for sql in reads)  # closed cases are never read
    assert_events_match_versions()


# --- withdrawing --------------------------------------------------------------------------


def test_withdrawing_a_future_holiday_moves_the_due_times_back(world: City, clock: Clock) -> None:
    case = world.open_case()
    due, overall = case.due_at, case.overall_due_at
    clock.now = at(WEDNESDAY, 18)
    declare_holiday(world.administrator, THURSDAY, TITLE)
    assert fresh(case).due_at == at(SATURDAY, 10)
    change = withdraw_holiday(world.administrator, Holiday.objects.get(date=THURSDAY))
    assert change.moved == 1
    assert not Holiday.objects.filter(date=THURSDAY).exists()
    case = fresh(case)
    assert (case.due_at, case.overall_due_at, case.version) == (due, overall, 3)
    first, second = calendar_events(case)
    assert second.payload["change"] == "withdrawn"
    assert second.payload["due_at"] == {"old": first.payload["due_at"]["new"],
                                        "new": first.payload["due_at"]["old"]}  # fmt: skip
    assert_events_match_versions()


def test_a_holiday_whose_day_has_come_is_not_withdrawn(world: City, clock: Clock) -> None:
    holiday = Holiday.objects.create(date=WEDNESDAY, title=TITLE)
    with pytest.raises(WorkflowError):
        withdraw_holiday(world.administrator, holiday)
    assert Holiday.objects.filter(pk=holiday.pk).exists()


def test_load_holidays_declares_a_new_day(world: City, clock: Clock, tmp_path: Path) -> None:
    case = world.open_case()
    clock.now = at(WEDNESDAY, 18)
    path = tmp_path / "holidays.json"
    path.write_text(
        json.dumps({"holidays": [{"date": "1404/08/08", "title": TITLE}]}, ensure_ascii=False),
        encoding="utf-8",
    )
    assert load_holidays(path) == 1
    case = fresh(case)
    assert case.due_at == at(SATURDAY, 10)
    [event] = calendar_events(case)
    assert (event.actor_id, event.actor_role) == (None, "system")
    assert load_holidays(path) == 0  # loaded again: nothing more moves
    assert fresh(case).version == case.version


def test_no_definition_may_use_the_event_code() -> None:
    data = notary()
    data["actions"][0]["code"] = EventType.CALENDAR_CHANGED
    assert "reserved_action" in codes_of(data)


# --- concurrency --------------------------------------------------------------------------


def test_an_action_on_the_version_before_the_declaration_is_refused(
    world: City, clock: Clock
) -> None:
    tm = world.a[Role.TECHNICAL_MANAGER]
    case = world.open_case()
    seen = case.version  # the page was loaded before the declaration
    declare_holiday(world.administrator, THURSDAY, TITLE)
    with pytest.raises(ConcurrentActionError):
        do_perform_action(tm, case.pk, "refer_to_inspector", seen)
    case = fresh(case)
    assert (case.state, case.due_at, case.version) == ("registered", at(SATURDAY, 10), seen + 1)


@pytest.fixture
def threaded_world(
    transactional_db: None, tmp_path: Path, clock: Clock
) -> Iterator[tuple[City, Clock]]:
    # `clock` is one clock for every thread: an override of pishkhan.core.clock is global.
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        with file_database(tmp_path / "holiday.sqlite3"):
            yield build_city(), clock
    else:
        yield build_city(), clock


def held(call: Callable[[], Any], done: threading.Event, release: threading.Event) -> Any:
    """Run `call` in a transaction kept open until `release` is set."""
    with transaction.atomic():
        result = call()
        done.set()
        assert release.wait(timeout=10)
    return result


def after(event: threading.Event, call: Callable[[], Any]) -> Callable[[], Any]:
    def run() -> Any:
        assert event.wait(timeout=10)
        return call()

    return run


def release_soon(release: threading.Event) -> Callable[[], None]:
    def run() -> None:
        time.sleep(0.5)  # the other transaction is waiting for ours by now
        release.set()

    return run


def test_a_declaration_waits_for_an_action_in_flight_and_moves_its_new_due_time(
    threaded_world: tuple[City, Clock],
) -> None:
    world, clock = threaded_world
    tm = world.a[Role.TECHNICAL_MANAGER]
    case = world.open_case()
    version = case.version
    clock.now = at(WEDNESDAY, 12)
    acted, release = threading.Event(), threading.Event()
    results = race(
        lambda: held(
            lambda: do_perform_action(tm, case.pk, "refer_to_inspector", version), acted, release
        ),
        after(acted, lambda: declare_holiday(world.administrator, THURSDAY, TITLE)),
        after(acted, release_soon(release)),
    )
    assert isinstance(results[0], Case), results
    assert results[1].moved == 1, results
    case = fresh(case)
    # the action's state and due time stand (21 h: Wed 2.5, Sat 7, Sun 7, Mon 4.5), moved
    assert (case.state, case.version) == ("awaiting_visit", version + 2)
    assert case.due_at == at(WEDNESDAY + dt.timedelta(days=5), 12)
    [event] = calendar_events(case)
    assert event.seq == version + 2
    assert event.from_state == "awaiting_visit"
    assert_events_match_versions()


def test_an_action_during_a_declaration_waits_and_loses_its_version(
    threaded_world: tuple[City, Clock],
) -> None:
    world, clock = threaded_world
    tm = world.a[Role.TECHNICAL_MANAGER]
    case = world.open_case()
    version = case.version
    clock.now = at(WEDNESDAY, 12)
    declared, release = threading.Event(), threading.Event()
    results = race(
        lambda: held(
            lambda: declare_holiday(world.administrator, THURSDAY, TITLE), declared, release
        ),
        after(declared, lambda: do_perform_action(tm, case.pk, "refer_to_inspector", version)),
        after(declared, release_soon(release)),
    )
    assert results[0].moved == 1, results
    assert isinstance(results[1], ConcurrentActionError), results
    case = fresh(case)
    assert (case.state, case.due_at, case.version) == ("registered", at(SATURDAY, 10), version + 1)
    assert_events_match_versions()


# --- the admin and the case page ----------------------------------------------------------


def signed_in(user: User) -> Client:
    User.objects.filter(pk=user.pk).update(is_staff=True)
    client = Client()
    client.force_login(user)
    return client


def test_adding_a_holiday_in_the_admin_declares_it_and_says_how_many_cases_moved(
    world: City, clock: Clock
) -> None:
    case = world.open_case()
    world.open_case()
    clock.now = at(WEDNESDAY, 18)
    client = signed_in(world.administrator)
    response = client.post(
        reverse("admin:cases_holiday_add"), {"date": "۱۴۰۴/۰۸/۰۸", "title": TITLE}, follow=True
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "تعطیل پنجشنبه ۸ آبان ۱۴۰۴ اعلام شد؛ مهلت‌های ۲ پرونده باز جابه‌جا شد." in html
    assert fresh(case).due_at == at(SATURDAY, 10)
    [event] = calendar_events(case)
    assert event.actor_id == world.administrator.pk
    # a weekend day: declared, nothing moves
    response = client.post(
        reverse("admin:cases_holiday_add"), {"date": "۱۴۰۴/۰۸/۰۹", "title": TITLE}, follow=True
    )
    assert "مهلت هیچ پرونده بازی جابه‌جا نشد" in response.content.decode()


def test_editing_a_holiday_in_the_admin_changes_only_its_title(world: City, clock: Clock) -> None:
    case = world.open_case()
    clock.now = at(WEDNESDAY, 18)
    holiday = do_declare_holiday(world.administrator, THURSDAY, TITLE)
    case = fresh(case)
    before = (case.due_at, case.overall_due_at, case.version)
    client = signed_in(world.administrator)
    url = reverse("admin:cases_holiday_change", args=[holiday.pk])
    page = client.get(url).content.decode()
    assert 'name="date"' not in page  # the date is fixed once declared
    response = client.post(url, {"date": "۱۴۰۴/۰۸/۱۰", "title": "آلودگی هوا"})
    assert response.status_code == 302
    holiday.refresh_from_db()
    assert (holiday.date, holiday.title) == (THURSDAY, "آلودگی هوا")
    case = fresh(case)
    assert (case.due_at, case.overall_due_at, case.version) == before


def test_deleting_in_the_admin_withdraws_a_future_holiday_only(world: City, clock: Clock) -> None:
    case = world.open_case()
    due = case.due_at
    clock.now = at(WEDNESDAY, 18)
    holiday = do_declare_holiday(world.administrator, THURSDAY, TITLE)
    client = signed_in(world.administrator)
    url = reverse("admin:cases_holiday_delete", args=[holiday.pk])
    clock.now = at(THURSDAY, 8)  # its day has come
    assert client.get(url).status_code == 403
    assert client.post(url, {"post": "yes"}).status_code == 403
    clock.now = at(WEDNESDAY, 19)
    response = client.post(url, {"post": "yes"}, follow=True)
    assert response.status_code == 200
    assert "تعطیل پنجشنبه ۸ آبان ۱۴۰۴ لغو شد؛ مهلت‌های ۱ پرونده باز جابه‌جا شد." in (
        response.content.decode()
    )
    assert not Holiday.objects.filter(pk=holiday.pk).exists()
    assert fresh(case).due_at == due
    changelist = client.get(reverse("admin:cases_holiday_changelist")).content.decode()
    assert "delete_selected" not in changelist  # one at a time, from its page


def test_the_case_page_shows_the_move_in_persian(world: City, clock: Clock) -> None:
    tm = world.a[Role.TECHNICAL_MANAGER]
    case = world.open_case()
    clock.now = at(WEDNESDAY, 18)
    do_declare_holiday(world.administrator, THURSDAY, TITLE)
    client = Client()
    client.force_login(tm)
    page = client.get(reverse("cases:detail", args=[case.pk]))
    html = page.content.decode()
    assert "تعطیل اعلام‌شده: مهلت‌ها جابه‌جا شد" in html
    assert f"روز تعطیل: پنجشنبه ۸ آبان ۱۴۰۴ ({TITLE})" in html
    assert "مهلت این مرحله: ۱۴۰۴/۰۸/۰۸ ۱۰:۰۰ ← ۱۴۰۴/۰۸/۱۰ ۱۰:۰۰" in html
    [stint] = page.context["page"].stints
    assert world.administrator.get_full_name() not in stint.holders  # not a holder
    withdraw_holiday(world.administrator, Holiday.objects.get(date=THURSDAY))
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "لغو تعطیل: مهلت‌ها جابه‌جا شد" in html
    assert f"تعطیل لغوشده: پنجشنبه ۸ آبان ۱۴۰۴ ({TITLE})" in html
    assert "مهلت این مرحله: ۱۴۰۴/۰۸/۱۰ ۱۰:۰۰ ← ۱۴۰۴/۰۸/۰۸ ۱۰:۰۰" in html
