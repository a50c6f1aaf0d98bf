"""Official holidays declared (or withdrawn) while cases are open.

Closures are often announced at short notice (an air-pollution closure the evening
before). A new holiday takes working time out of every open case whose deadline lies
beyond it, so declaring one moves those deadlines: each due time keeps the working time
it had left. With ``now = clock.now()``, the calendar before the change ``c0`` and
after it ``c1``::

    new_due = c1.add(now, c0.between(now, old_due))      # when old_due > now

A due time already past stays, and so does one the day's working hours do not reach
(a due time before the day, or the day already over). A paused case's clocks stand
still at ``sla_paused_at``: the engine keeps both of its due times while it waits and,
on resume, moves them later by the working time waited (measured on the calendar of
that moment, which has the holiday). Its working time left is counted from the pause,
so both of its due times move with ``sla_paused_at`` in place of ``now``; for a holiday
after the declaration (the usual case) that is the same as counting from now.

Every moved case gets its next version and one ``calendar_changed`` event, in the same
transaction as the Holiday row. Withdrawing a future holiday is the same change the
other way round; a holiday whose day has come is never withdrawn.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.utils import timezone

from pishkhan.cases.calendar import calendar_for
from pishkhan.cases.errors import ConcurrentActionError, WorkflowError
from pishkhan.cases.events import EventType, NewEvent, write_events
from pishkhan.cases.models import OPEN, SYSTEM, Case, Holiday
from pishkhan.core import clock
from pishkhan.core.calendar import WorkingCalendar, configured_calendar
from pishkhan.core.jalali import parse_jalali_date

DECLARED, WITHDRAWN = "declared", "withdrawn"
BATCH_SIZE = 500  # cases locked, moved and given their events per round trip
CLOCK_FIELDS = ("due_at", "overall_due_at")


@dataclass(frozen=True)
class HolidayChange:
    """What a declaration or withdrawal did: the holiday row and how many open cases had
    their due times moved."""

    holiday: Holiday
    created: bool = False
    retitled: bool = False
    moved: int = 0


def do_declare_holiday(actor: Any, date: dt.date, title: str) -> Holiday:
    """Declare `date` an official holiday and move the due times of the open cases it
    takes working time from (see the module docstring). An existing holiday is only
    retitled."""
    return declare_holiday(actor, date, title).holiday


def declare_holiday(actor: Any, date: dt.date, title: str) -> HolidayChange:
    """`do_declare_holiday`, telling also how many open cases moved."""
    title = (title or "").strip()
    with transaction.atomic():
        existing = Holiday.objects.select_for_update().filter(date=date).first()
        if existing is not None:
            return _retitle(existing, title)
        holiday = Holiday(date=date, title=title)
        holiday.full_clean(validate_unique=False)
        try:
            with transaction.atomic():  # a savepoint: a simultaneous declaration may win
                holiday.save(force_insert=True)
        except IntegrityError:
            # Declared at the same moment by someone else, whose transaction moved the
            # cases; only the title is ours to set.
            return _retitle(Holiday.objects.select_for_update().get(date=date), title)
        moved = move_open_cases(date, DECLARED, title=title, actor_id=_pk(actor))
    return HolidayChange(holiday, created=True, moved=moved)


def withdraw_holiday(actor: Any, holiday: Holiday) -> HolidayChange:
    """Delete a holiday whose day has not come yet and move the open cases' due times
    back, so each again keeps the working time it had left. A holiday of today or of a
    past day stays: that closure has happened."""
    with transaction.atomic():
        locked = Holiday.objects.select_for_update().filter(pk=holiday.pk).first()
        if locked is None:
            return HolidayChange(holiday)  # withdrawn already
        if not can_withdraw(locked):
            raise WorkflowError("تعطیلی که روزش رسیده یا گذشته است حذف نمی‌شود.")
        locked.delete()
        moved = move_open_cases(holiday.date, WITHDRAWN, title=holiday.title, actor_id=_pk(actor))
    return HolidayChange(holiday, moved=moved)


def can_withdraw(holiday: Holiday) -> bool:
    return holiday.date > timezone.localtime(clock.now()).date()


def _retitle(holiday: Holiday, title: str) -> HolidayChange:
    if not title or holiday.title == title:
        return HolidayChange(holiday)
    holiday.title = title
    holiday.full_clean(validate_unique=False)
    holiday.save(update_fields=["title"])
    return HolidayChange(holiday, retitled=True)


def _pk(actor: Any) -> int | None:
    return getattr(actor, "pk", None)


# --- moving the open cases ----------------------------------------------------------------


def move_open_cases(day: dt.date, change: str, *, title: str, actor_id: int | None) -> int:
    """Move the due times of the open cases for `day` becoming a holiday (DECLARED) or a
    working day again (WITHDRAWN); returns how many cases moved. Runs inside the caller's
    transaction, after the Holiday row was written or deleted."""
    window = configured_calendar().window(day)
    if window is None:
        return 0  # a weekend day: no working time is gained or lost
    now = clock.now()
    moved = 0
    for chunk in _chunks(_candidate_ids(window[0], now), BATCH_SIZE):
        moved += _move_chunk(chunk, day, change, title=title, actor_id=actor_id, now=now)
    return moved


def _candidate_ids(day_start: dt.datetime, now: dt.datetime) -> list[int]:
    """Open cases with a due time after the start of the day's working hours and after
    the moment their clock reads: now, or the pause for a paused case."""
    later = max(day_start, now)
    running = Q(due_at__gt=later) | Q(overall_due_at__gt=later)
    paused = Q(sla_paused_at__isnull=False) & (
        Q(due_at__gt=day_start) | Q(overall_due_at__gt=day_start)
    )
    rows = Case.objects.filter(OPEN).filter(running | paused).order_by("pk")
    return list(rows.values_list("pk", flat=True))


def _chunks(ids: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


@dataclass(frozen=True)
class _Move:
    case: Case
    changes: dict[str, dt.datetime]


def _move_chunk(
    ids: list[int],
    day: dt.date,
    change: str,
    *,
    title: str,
    actor_id: int | None,
    now: dt.datetime,
) -> int:
    # Lock the rows: a user acting on one of them now waits for this transaction and then
    # loses its compare-and-swap (the version moved); one that acted first is read fresh.
    cases = list(
        Case.objects.select_for_update()
        .filter(OPEN, pk__in=ids)
        .only("pk", "version", "state", *CLOCK_FIELDS, "sla_paused_at")
        .order_by("pk")
    )
    moves = _moves(cases, day, change, now)
    if not moves:
        return 0
    _swap(moves)
    write_events([_event(move, day, change, title, actor_id, now) for move in moves])
    return len(moves)


def _moves(cases: list[Case], day: dt.date, change: str, now: dt.datetime) -> list[_Move]:
    if not cases:
        return []
    anchors = {case.pk: _anchor(case, now) for case in cases}
    first = min(timezone.localtime(a).date() for a in anchors.values())
    last = max(
        timezone.localtime(due).date()
        for case in cases
        for due in (case.due_at, case.overall_due_at)
        if due is not None
    )
    span = 60
    while True:  # the holidays from the earliest anchor to past the latest new due time
        until = last + dt.timedelta(days=span)
        before, after = _calendars(day, change, calendar_for(first, until))
        moves = []
        for case in cases:
            changes: dict[str, dt.datetime] = {}
            for name in CLOCK_FIELDS:
                old = getattr(case, name)
                if old is None:
                    continue
                new = _moved(old, anchors[case.pk], day, before, after)
                if new != old:
                    changes[name] = new
            if changes:
                moves.append(_Move(case, changes))
        latest = max((d for m in moves for d in m.changes.values()), default=None)
        if latest is None or timezone.localtime(latest).date() <= until:
            return moves
        span *= 2  # holidays beyond the loaded range might matter: load a wider one


def _anchor(case: Case, now: dt.datetime) -> dt.datetime:
    """Where the case's clock stands: now, or the moment it was paused."""
    return case.sla_paused_at if case.sla_paused_at is not None else now


def _calendars(
    day: dt.date, change: str, loaded: WorkingCalendar
) -> tuple[WorkingCalendar, WorkingCalendar]:
    """The calendars before and after the change, whether or not the loaded holidays
    already reflect it."""
    others = loaded.holidays - {day}
    working = replace(loaded, holidays=others)
    closed = replace(loaded, holidays=others | {day})
    return (working, closed) if change == DECLARED else (closed, working)


def _moved(
    old: dt.datetime,
    anchor: dt.datetime,
    day: dt.date,
    before: WorkingCalendar,
    after: WorkingCalendar,
) -> dt.datetime:
    """The due time keeping the working time left from `anchor` (see the module
    docstring); unchanged unless the day's working hours fall between the two."""
    if old <= anchor:
        return old
    window = before.window(day) or after.window(day)
    if window is None or min(old, window[1]) <= max(anchor, window[0]):
        return old
    return after.add(anchor, before.between(anchor, old))


def _swap(moves: Sequence[_Move]) -> None:
    """One UPDATE for the chunk: each case to its next version and new due times, but
    only where the version is still the one read (compare-and-swap)."""
    read_version = models.Case(
        *[models.When(pk=m.case.pk, then=models.Value(m.case.version)) for m in moves],
        output_field=models.PositiveIntegerField(),
    )
    moment: models.DateTimeField[Any, Any] = models.DateTimeField()
    values: dict[str, Any] = {}
    for name in CLOCK_FIELDS:
        whens = [
            models.When(pk=m.case.pk, then=models.Value(m.changes[name], output_field=moment))
            for m in moves
            if name in m.changes
        ]
        if whens:
            values[name] = models.Case(*whens, default=F(name), output_field=moment)
    updated = Case.objects.filter(pk__in=[m.case.pk for m in moves], version=read_version).update(
        version=F("version") + 1, **values
    )
    if updated != len(moves):  # cannot happen under the row locks; never half a change
        raise ConcurrentActionError()


def _event(
    move: _Move, day: dt.date, change: str, title: str, actor_id: int | None, now: dt.datetime
) -> NewEvent:
    case = move.case
    payload: dict[str, Any] = {"holiday": day.isoformat(), "title": title, "change": change}
    for name, new in move.changes.items():
        old = getattr(case, name)
        payload[name] = {"old": _iso(old), "new": _iso(new)}
    return NewEvent(
        case_id=case.pk,
        seq=case.version + 1,
        action=EventType.CALENDAR_CHANGED,
        actor_id=actor_id,
        actor_role=SYSTEM,
        from_state=case.state,
        to_state=case.state,
        payload=payload,
        created_at=now,
    )


def _iso(value: dt.datetime) -> str:
    return timezone.localtime(value).isoformat()


# --- the holidays file --------------------------------------------------------------------

HOLIDAYS_FILE = Path(__file__).resolve().parent / "data" / "holidays.json"


def load_holidays(path: Path = HOLIDAYS_FILE) -> int:
    """Upsert the holidays of a JSON file (Jalali dates); returns rows created or changed.

    The file in the repository holds only the fixed solar holidays; lunar holidays move
    every year and are entered each year (in this file or the admin). `load_workflows`
    runs after every deployment, when cases are open: a day new to the table is declared
    like one added in the admin, so open cases due after it keep their working time left
    (for a day far ahead, as usual, none is)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    written = 0
    for row in data["holidays"]:
        day, title = parse_jalali_date(row["date"]), str(row["title"])
        change = declare_holiday(None, day, title)
        written += int(change.created or change.retitled)
    return written
