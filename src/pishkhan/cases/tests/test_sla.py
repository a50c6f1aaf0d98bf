"""SLA clocks on the working calendar: per state, overall, paused while waiting on the
applicant and resumed by the working time spent waiting."""

from __future__ import annotations

import datetime as dt

from pishkhan.cases.calendar import add_working_hours
from pishkhan.cases.models import Case, Holiday
from pishkhan.cases.sla import (
    Deadlines,
    StateMap,
    nearing_q,
    overdue_q,
    page_calendar,
    state_overdue_q,
)
from pishkhan.cases.tests.conftest import WEDNESDAY, Clock, at
from pishkhan.offices.roles import Role
from pishkhan.testing.personas import City, act


def test_each_state_is_due_after_its_working_hours(world: City, clock: Clock) -> None:
    case = world.open_case()
    assert case.due_at == at(WEDNESDAY, 10, plus_days=1)  # 7 h: Wed 4.5 h + Thu 2.5 h
    assert case.overall_due_at == add_working_hours(clock.now, 70)
    clock.now = at(WEDNESDAY, 9, plus_days=1)  # Thursday
    case = act(world.a[Role.TECHNICAL_MANAGER], case, "refer_to_inspector")
    # 21 h from Thursday 09:00: Thu 5.5 h, Friday off, Sat 7, Sun 7, Mon 1.5 → 09:00
    assert case.due_at == at(WEDNESDAY, 9, plus_days=5)
    assert case.state_entered_at == clock.now


def test_a_holiday_moves_the_due_time(world: City, clock: Clock) -> None:
    Holiday.objects.create(date=WEDNESDAY + dt.timedelta(days=1), title="تعطیل آزمایشی")
    case = world.open_case()
    assert case.due_at == at(WEDNESDAY, 10, plus_days=3)  # Thursday holiday, Friday weekend


def test_waiting_on_the_applicant_pauses_and_resumes_the_clock(world: City, clock: Clock) -> None:
    tm = world.a[Role.TECHNICAL_MANAGER]
    case = world.open_case()
    due, overall = case.due_at, case.overall_due_at
    assert due is not None
    assert overall is not None
    # paused on Wednesday 11:00 with a reason
    clock.now = at(WEDNESDAY, 11)
    case = act(tm, case, "request_documents", reason="سند ناخوانا است")
    assert (case.sla_paused_at, case.pause_reason) == (clock.now, "سند ناخوانا است")
    assert case.paused_from_state == "registered"
    assert case.due_at == due
    # resumed on Saturday 09:00: 12 working hours passed (Wed 3.5, Thu 7, Sat 1.5)
    clock.now = at(WEDNESDAY, 9, plus_days=3)
    case = act(tm, case, "supply_documents")
    assert case.sla_paused_at is None
    assert case.pause_reason == ""
    assert case.due_at == add_working_hours(due, 12) == at(WEDNESDAY, 8, plus_days=4)
    assert case.overall_due_at == add_working_hours(overall, 12)


def test_a_case_closed_while_paused_has_no_clock(world: City, clock: Clock) -> None:
    tm = world.a[Role.TECHNICAL_MANAGER]
    case = act(tm, world.open_case(), "request_documents", reason="سند ناخوانا است")
    case = act(tm, case, "cancel", reason="متقاضی مراجعه نکرد")
    assert (case.due_at, case.sla_paused_at, case.closed_at) == (None, None, clock.now)


def test_the_row_answers_agree_with_the_conditions(world: City, clock: Clock) -> None:
    """sla.Deadlines (the pages' tab counts, read from rows) says what the Q conditions
    say, at every edge: no deadline, past, exactly now, just inside and just outside the
    near limit, far; overall deadlines alike; paused or running."""
    case = world.open_case()  # registered: a 7-hour state SLA, 70 hours overall
    now = clock.now
    calendar = page_calendar(now)
    states = StateMap.load()
    deadlines = Deadlines(states, calendar, now)
    state_limit = deadlines.state_limits[(case.definition_id, case.state)]
    overall_limit = deadlines.overall_limits[case.definition_id]
    second = dt.timedelta(seconds=1)
    dues = [None, now - second, now, now + second, state_limit - second, state_limit]
    dues.append(now + dt.timedelta(days=30))
    overalls = [None, now - second, now, overall_limit - second, overall_limit]
    role = case.acting_role
    conditions = {
        "overdue": overdue_q(now),
        "state_overdue": state_overdue_q(now),
        "near_state": nearing_q(now, states, calendar, role=role, overall=False),
        "near_state_other_role": nearing_q(
            now, states, calendar, role=Role.INSPECTOR, overall=False
        ),
        "nearing": nearing_q(now, states, calendar),
    }
    checked = 0
    for paused in (None, now - dt.timedelta(hours=1)):
        for due in dues:
            for overall in overalls:
                Case.objects.filter(pk=case.pk).update(
                    due_at=due, overall_due_at=overall, sla_paused_at=paused
                )
                found = {
                    name: Case.objects.filter(q, pk=case.pk).exists()
                    for name, q in conditions.items()
                }
                key = (case.definition_id, case.state)
                assert found == {
                    "overdue": deadlines.overdue(paused, due, overall),
                    "state_overdue": deadlines.state_overdue(paused, due),
                    "near_state": deadlines.near_state(*key, paused, due, role),
                    "near_state_other_role": deadlines.near_state(
                        *key, paused, due, Role.INSPECTOR
                    ),
                    "nearing": deadlines.nearing(*key, paused, due, overall),
                }, (paused, due, overall)
                checked += 1
    assert checked == 2 * len(dues) * len(overalls)
    assert any(deadlines.nearing(*key, None, due, None) for due in dues)  # the edges bite
