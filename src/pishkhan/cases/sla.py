"""SLA vocabulary: what "overdue", "nearing", "stalled" and "open" mean, once.

Every page and report asks ``Case.objects`` (``open()``, ``overdue(now)``,
``nearing(now)``, ``stalled(now)``) or the conditions below, so "late" means one thing:

- **overdue**: open, not paused on the applicant, and past the state's deadline or the
  overall one;
- **nearing**: open, not paused, not overdue, and less than ``NEAR_FRACTION`` (a quarter)
  of the state's SLA (or of the definition's overall SLA), in working hours, is left;
- **stalled**: open, and no event that moves or holds it (follow-up notes and calendar
  changes do not) for ``STALLED_WORKING_DAYS`` working days.

The state map is read in one query (it grows with workflow versions, never with cases)
and the calendar around `now` in one more.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from pishkhan.cases.calendar import WorkingCalendar, calendar_for
from pishkhan.cases.events import NOT_PROGRESS
from pishkhan.cases.models import OPEN, CaseEvent, WorkflowState

NEAR_FRACTION = 0.25
STALLED_WORKING_DAYS = 2
RUNNING = Q(sla_paused_at__isnull=True)


@dataclass(frozen=True)
class StateInfo:
    label: str
    acting_role: str
    sla_hours: int | None
    overall_sla_hours: int | None


class StateMap:
    """Every state of every workflow version, keyed by (definition id, state code), in
    one query; it grows with versions, never with cases."""

    def __init__(self, states: dict[tuple[int, str], StateInfo]) -> None:
        self.states = states

    @classmethod
    def load(cls) -> StateMap:
        rows = WorkflowState.objects.order_by().values_list(
            "definition_id", "code", "label", "acting_role", "sla_hours", "definition__sla_hours"
        )
        return cls(
            {
                (d, code): StateInfo(label, role, sla, overall)
                for d, code, label, role, sla, overall in rows
            }
        )

    def label(self, definition_id: int, code: str) -> str:
        info = self.states.get((definition_id, code))
        return info.label if info else code

    def label_by_code(self, code: str) -> str:
        """A state's label when only its code is known (every version names it alike)."""
        for (_, state), info in self.states.items():
            if state == code:
                return info.label
        return code

    def near_state_deadline(
        self, calendar: WorkingCalendar, now: dt.datetime, role: str | None
    ) -> Q:
        """Cases whose state deadline is ahead but less than a quarter of the state's SLA
        away. One OR-ed term per (version, state): bounded by the definitions."""
        groups: dict[float, list[tuple[int, str]]] = defaultdict(list)
        for (definition_id, code), info in self.states.items():
            if info.sla_hours and (role is None or info.acting_role == role):
                groups[info.sla_hours * NEAR_FRACTION].append((definition_id, code))
        condition = Q(pk__in=[])
        for hours, pairs in groups.items():
            limit = calendar.add(now, dt.timedelta(hours=hours))
            which = Q(pk__in=[])
            for definition_id, code in pairs:
                which |= Q(definition_id=definition_id, state=code)
            condition |= Q(due_at__gte=now, due_at__lt=limit) & which
        return condition

    def near_overall_deadline(self, calendar: WorkingCalendar, now: dt.datetime) -> Q:
        overall = {
            d: info.overall_sla_hours
            for (d, _), info in self.states.items()
            if info.overall_sla_hours
        }
        condition = Q(pk__in=[])
        for definition_id, hours in overall.items():
            limit = calendar.add(now, dt.timedelta(hours=hours * NEAR_FRACTION))
            condition |= Q(
                definition_id=definition_id, overall_due_at__gte=now, overall_due_at__lt=limit
            )
        return condition


def page_calendar(now: dt.datetime) -> WorkingCalendar:
    """The working calendar around `now`, with its holidays, in one query."""
    today = timezone.localtime(now).date()
    return calendar_for(today - dt.timedelta(days=45), today + dt.timedelta(days=60))


# --- the vocabulary -------------------------------------------------------------------


def overdue_q(now: dt.datetime) -> Q:
    """Open, running, and past the state's or the overall deadline."""
    return OPEN & RUNNING & (Q(due_at__lt=now) | Q(overall_due_at__lt=now))


def state_overdue_q(now: dt.datetime) -> Q:
    """Open, running, and past the current state's own deadline (a cartable's tab)."""
    return OPEN & RUNNING & Q(due_at__lt=now)


def nearing_q(
    now: dt.datetime,
    states: StateMap,
    calendar: WorkingCalendar,
    *,
    role: str | None = None,
    overall: bool = True,
) -> Q:
    """Open, running, not overdue, and close to the state's (or overall) deadline. With
    `overall=False` (a cartable's tabs) only the state's deadline counts, both ways."""
    near = states.near_state_deadline(calendar, now, role)
    if not overall:
        return OPEN & RUNNING & near & ~state_overdue_q(now)
    near |= states.near_overall_deadline(calendar, now)
    return OPEN & RUNNING & near & ~overdue_q(now)


def progress_events() -> QuerySet[CaseEvent]:
    """The events that move or hold a case, newest first (for a subquery on a case)."""
    return (
        CaseEvent.objects.filter(case=OuterRef("pk"))
        .exclude(action__in=sorted(NOT_PROGRESS))
        .order_by("-seq")
    )


def stalled_before(now: dt.datetime, calendar: WorkingCalendar) -> dt.datetime:
    return calendar.subtract(now, calendar.hours_per_day * STALLED_WORKING_DAYS)


def stalled_q(now: dt.datetime, calendar: WorkingCalendar) -> Q:
    """Open, and nothing has moved or held it for STALLED_WORKING_DAYS working days."""
    recent = progress_events().filter(created_at__gte=stalled_before(now, calendar))
    return OPEN & ~Q(Exists(recent))


# --- the same vocabulary for rows already read -----------------------------------------


class Deadlines:
    """overdue_q, state_overdue_q and nearing_q answered for a row in memory, so a page
    can count its tabs from one narrow read of its open cases instead of an aggregate of
    OR-ed conditions (Django spends far longer compiling that aggregate than the database
    spends running it). Same `now`, same limits, same answers as the Q conditions; the
    tests hold them to it (test_sla.py)."""

    def __init__(self, states: StateMap, calendar: WorkingCalendar, now: dt.datetime) -> None:
        self.now = now
        self.states = states
        self.state_limits = near_limits(states, calendar, now)
        self.overall_limits: dict[int, dt.datetime] = {}
        for (definition_id, _), info in states.states.items():
            if info.overall_sla_hours and definition_id not in self.overall_limits:
                hours = info.overall_sla_hours * NEAR_FRACTION
                self.overall_limits[definition_id] = calendar.add(now, dt.timedelta(hours=hours))

    def state_overdue(self, paused_at: dt.datetime | None, due_at: dt.datetime | None) -> bool:
        """state_overdue_q for an open case."""
        return paused_at is None and due_at is not None and due_at < self.now

    def overdue(
        self,
        paused_at: dt.datetime | None,
        due_at: dt.datetime | None,
        overall_due_at: dt.datetime | None,
    ) -> bool:
        """overdue_q for an open case."""
        if paused_at is not None:
            return False
        now = self.now
        return (due_at is not None and due_at < now) or (
            overall_due_at is not None and overall_due_at < now
        )

    def near_state(
        self,
        definition_id: int,
        state: str,
        paused_at: dt.datetime | None,
        due_at: dt.datetime | None,
        role: str | None = None,
    ) -> bool:
        """nearing_q(role=role, overall=False) for an open case."""
        if paused_at is not None or due_at is None:
            return False
        key = (definition_id, state)
        limit = self.state_limits.get(key)
        if limit is None or (role is not None and self.states.states[key].acting_role != role):
            return False
        return self.now <= due_at < limit

    def nearing(
        self,
        definition_id: int,
        state: str,
        paused_at: dt.datetime | None,
        due_at: dt.datetime | None,
        overall_due_at: dt.datetime | None,
    ) -> bool:
        """nearing_q (every role, the state's or the overall deadline) for an open case."""
        if paused_at is not None or self.overdue(paused_at, due_at, overall_due_at):
            return False
        if self.near_state(definition_id, state, paused_at, due_at):
            return True
        limit = self.overall_limits.get(definition_id)
        return (
            limit is not None and overall_due_at is not None and self.now <= overall_due_at < limit
        )


# --- badges on rows -------------------------------------------------------------------


def near_limits(
    states: StateMap, calendar: WorkingCalendar, now: dt.datetime
) -> dict[tuple[int, str], dt.datetime]:
    limits: dict[float, dt.datetime] = {}
    result: dict[tuple[int, str], dt.datetime] = {}
    for key, info in states.states.items():
        if info.sla_hours:
            hours = info.sla_hours * NEAR_FRACTION
            if hours not in limits:
                limits[hours] = calendar.add(now, dt.timedelta(hours=hours))
            result[key] = limits[hours]
    return result


def due_badge(due_at: dt.datetime | None, near_limit: dt.datetime | None, now: dt.datetime) -> str:
    if due_at is None:
        return ""
    if due_at < now:
        return "overdue"
    if near_limit is not None and due_at < near_limit:
        return "near"
    return ""
