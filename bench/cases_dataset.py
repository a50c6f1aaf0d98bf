"""A realistic cases dataset for benchmarks: N cases over services, offices, years, states.

Usage (on a database you can throw away; DATABASE_URL is required):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pishkhan_bench \\
        .venv/bin/python bench/cases_dataset.py --prepare --parcels 20000 --cases 1000000

`--prepare` first migrates and loads the demo city and the workflow definitions (both
idempotent); without it the database must already hold them. From a script, call
`generate_cases(total)` after django.setup(). bench/README.md describes the data and its
shortcuts:

- cases of the services that have an active workflow definition and a scripted walk here
  (notary and bank inquiries; permit extensions from 15 Aban 1402), over the Jalali years
  shaped like the article's curve (docs/domain.md), at the offices open on the day
  (weighted by capacity), for the demo citizens, on demo parcels mostly of the office's
  district;
- every case walks its pinned definition on the working calendar. A case whose walk has
  not ended by `now` is open, with the state, acting role, assignee (claimed or not), due
  times and SLA pause the engine would have left, and its whole event trail and visit
  reports. A closed case keeps two events: `open` and the action that closed it;
- tracking codes from cases/tracking.py, numbered per Jalali year in opening order after
  the year's TrackingSequence, which is moved on so that real opens follow.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import io
import json
import math
import os
import queue
import random
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

from pishkhan.cases.tracking import is_valid_tracking_code, make_tracking_code  # noqa: E402
from pishkhan.core.calendar import WorkingCalendar  # noqa: E402 - after the path fix
from pishkhan.core.jalali import from_jalali  # noqa: E402

T = TypeVar("T")
TEHRAN = ZoneInfo("Asia/Tehran")
UTC = dt.UTC
APPLICANT = "applicant"
INSPECTOR = "inspector"

# --- the shape of the city's demand -----------------------------------------------------

# Inquiries registered per Jalali year: 1395, 1397 and 1402 are the article's figures; the
# years between follow its words (a rise to the 1397 peak, then a gradual fall to 1402);
# 1403 on are assumed flat. Scaled to the requested total; the current year pro rata.
YEAR_CURVE: dict[int, int] = {
    1395: 7_949,
    1396: 47_000,
    1397: 86_820,
    1398: 76_000,
    1399: 64_000,
    1400: 56_000,
    1401: 48_500,
    1402: 41_626,
    1403: 42_000,
    1404: 43_000,
    1405: 43_500,
}
# Responses issued / inquiries registered (the article); other years interpolated. Of the
# rest, this share was rejected and the others cancelled by the applicant (assumed).
RESPONSE_RATE: dict[int, float] = {
    1395: 5_985 / 7_949,
    1397: 77_730 / 86_820,
    1402: 36_123 / 41_626,
}
REJECTED_OF_UNANSWERED = 0.55
PERMIT_EXTENSION_OUTCOMES = {"extended": 0.85, "rejected": 0.10, "withdrawn": 0.05}

# The service mix (assumed); the offices take building-permit work since 15 Aban 1402.
SERVICE_WEIGHTS: dict[str, int] = {"inquiry_notary": 68, "inquiry_bank": 29, "permit_extension": 3}
SERVICE_SINCE: dict[str, tuple[int, int, int]] = {"permit_extension": (1402, 8, 15)}
# The share of cases the applicant registers online (assumed; the portal came later).
ONLINE_SHARE: dict[int, float] = {1399: 0.02, 1400: 0.03, 1401: 0.04, 1402: 0.05, 1403: 0.06,
                                  1404: 0.07, 1405: 0.08}  # fmt: skip
OWN_DISTRICT_SHARE = 0.75  # the parcel lies in the office's own district (assumed)
# A suspended or closed office took its last case this long before its licence ended, so
# none of its cases is open any more.
LAST_INTAKE_BEFORE_LICENCE_END = dt.timedelta(days=180)

# --- how long a case waits in a state, in working time (assumed) ------------------------

DWELL_MEDIAN_OF_SLA = 0.6  # the median wait in a state with an SLA, as a share of it
DWELL_SIGMA = 0.75  # lognormal spread: about a quarter of waits overrun the SLA
DWELL_CAP_OF_SLA = 5.0
NO_SLA_HOURS = 14.0  # the median wait in a staff state without an SLA
APPLICANT_HOURS = 21.0  # an applicant brings missing documents in about three days
APPLICANT_SIGMA = 0.9
STALL_STAFF = 0.012  # a staff step forgotten for weeks or months (the follow-up view)
STALL_STAFF_OF_SLA = (6.0, 40.0)
STALL_APPLICANT = 0.12  # an applicant who does not come back for months
STALL_APPLICANT_HOURS = (100.0, 800.0)
CLAIM_SHARE = 0.55  # how often someone claims the case in a staff state before acting
# The summary's tabs follow cases/cartable.py: near = less than a quarter of the state's SLA
# left; stalled = no event but follow-up notes for two working days.
NEAR_FRACTION = 0.25
STALLED_WORKING_DAYS = 2
FOLLOW_UP = "follow_up_officer"
FOLLOW_UP_NOTE = "follow_up_note"  # the follow-up officer's note: an event, no move
FOLLOW_UP_SHARE = 0.6  # a stalled case at an office with a follow-up officer has notes
FOLLOW_UP_NOTES = (
    "با مسئول مرحله تماس گرفته شد؛ قرار شد امروز اقدام شود.",
    "پیگیری تلفنی از کارشناس؛ پرونده در نوبت بررسی است.",
    "به متقاضی اطلاع داده شد که پرونده در دست اقدام است.",
)
RECENT_VISITS = dt.timedelta(days=180)  # closed cases keep visit reports this recent

# --- scripted walks through the definitions ---------------------------------------------
# Action codes in order; VISIT is the inspector's visit report (an event, not an action).
# Each walk is compiled against the pinned definition and refused if it no longer fits.

VISIT = "record_visit_report"
INSTANT = "instant_response"  # only for a parcel without open conditions (its guard)

Walks = dict[str, tuple[tuple[int, tuple[str, ...]], ...]]  # outcome → (weight, tokens)

_VISITED = ("refer_to_inspector", VISIT, "submit_visit_report")
_REVIEWED = (*_VISITED, "complete_plan_review")
_RESPOND = ("prepare_response", "approve_response")
INQUIRY_WALKS: Walks = {
    "response_issued": (
        (62, (*_REVIEWED, *_RESPOND)),
        (7, ("request_documents", "supply_documents", *_REVIEWED, *_RESPOND)),
        (4, ("refer_to_inspector", "return_to_registration", *_REVIEWED, *_RESPOND)),
        (6, (*_VISITED, "request_revisit", VISIT, "submit_visit_report",
             "complete_plan_review", *_RESPOND)),
        (4, (*_REVIEWED, "send_back_to_plan_review", "complete_plan_review", *_RESPOND)),
        (6, (*_REVIEWED, "prepare_response", "send_back_for_revision", *_RESPOND)),
        (11, (INSTANT, "approve_response")),
    ),
    "rejected": (
        (60, (*_REVIEWED, "prepare_rejection", "confirm_rejection")),
        (40, (*_REVIEWED, "prepare_response", "prepare_rejection", "confirm_rejection")),
    ),
    "cancelled": (
        (50, ("cancel",)),
        (30, ("request_documents", "cancel")),
        (20, ("refer_to_inspector", "cancel")),
    ),
}  # fmt: skip
_CHECKED = ("send_for_document_check", "confirm_documents", VISIT, "submit_visit_report")
_EXTEND = ("prepare_extension", "approve_extension")
PERMIT_EXTENSION_WALKS: Walks = {
    "extended": (
        (75, (*_CHECKED, *_EXTEND)),
        (15, ("send_for_document_check", "request_more_documents", "supply_more_documents",
              *_CHECKED[1:], *_EXTEND)),
        (10, (*_CHECKED, "request_revisit", VISIT, "submit_visit_report", *_EXTEND)),
    ),
    "rejected": (
        (50, ("send_for_document_check", "prepare_rejection", "confirm_rejection")),
        (50, (*_CHECKED, "prepare_rejection", "confirm_rejection")),
    ),
    "withdrawn": (
        (60, ("withdraw",)),
        (40, ("send_for_document_check", "request_more_documents", "withdraw")),
    ),
}  # fmt: skip
WALKS: dict[str, Walks] = {
    "inquiry_notary": INQUIRY_WALKS,
    "inquiry_bank": INQUIRY_WALKS,
    "permit_extension": PERMIT_EXTENSION_WALKS,
}

REASONS: dict[str, tuple[str, ...]] = {
    "request_documents": ("تصویر سند مالکیت خوانا نیست.", "فیش عوارض نوسازی ارائه نشده است."),
    "request_more_documents": ("گزارش پیشرفت کار مهندس ناظر ناقص است.",),
    "return_to_registration": ("نشانی ملک با سند مطابقت ندارد.", "شماره تماس مالک نادرست است."),
    "request_revisit": ("عکس‌های بازدید ناکافی است.", "متراژ اعیان با سوابق مغایرت دارد."),
    "send_back_to_plan_review": ("عرض معبر در طرح تفصیلی بررسی نشده است.",),
    "send_back_for_revision": ("متن پاسخ باید بدهی عوارض را ذکر کند.",),
    "reject": ("ملک در طرح تعریض معبر است.", "تخلف ساختمانی رسیدگی‌نشده دارد."),
    "cancel": ("متقاضی از معامله منصرف شد.", "استعلام از دفتر دیگری گرفته شد."),
    "withdraw": ("متقاضی از تمدید منصرف شد.",),
}  # fmt: skip
GENERIC_REASONS = ("به درخواست متقاضی.",)
FINDINGS = ("مطابق طرح تفصیلی", "در محدوده تعریض معبر نیست", "رعایت عقب‌نشینی لازم است")
VIOLATIONS = ("اضافه بنای خارج از پروانه", "تغییر کاربری بدون مجوز", "عدم تأمین پارکینگ")


def interpolate(points: dict[int, float], year: int) -> float:
    """Linear between the known years, flat beyond them."""
    known = sorted(points)
    if year <= known[0]:
        return points[known[0]]
    if year >= known[-1]:
        return points[known[-1]]
    right = bisect.bisect_left(known, year)
    a, b = known[right - 1], known[right]
    return points[a] + (points[b] - points[a]) * (year - a) / (b - a)


def outcomes(service: str, year: int) -> dict[str, float]:
    if service == "permit_extension":
        return PERMIT_EXTENSION_OUTCOMES
    issued = interpolate(RESPONSE_RATE, year)
    rejected = (1 - issued) * REJECTED_OF_UNANSWERED
    return {"response_issued": issued, "rejected": rejected, "cancelled": 1 - issued - rejected}


def curve(year: int) -> int:
    known = sorted(YEAR_CURVE)
    return YEAR_CURVE[min(max(year, known[0]), known[-1])]


def online_share(year: int) -> float:
    return 0.0 if year < min(ONLINE_SHARE) else ONLINE_SHARE[min(year, max(ONLINE_SHARE))]


def cumulative(weights: Iterable[float]) -> list[float]:
    total, sums = 0.0, []
    for weight in weights:
        total += weight
        sums.append(total)
    return sums


class Draw:
    """Fast draws from one seeded stream (random.choices is the hot path's slowest part)."""

    def __init__(self, rng: random.Random) -> None:
        self.random = rng.random
        self.gauss = rng.gauss
        self.uniform = rng.uniform

    def one(self, items: Sequence[T]) -> T:
        return items[int(self.random() * len(items))]

    def weighted(self, items: Sequence[T], sums: Sequence[float]) -> T:
        return items[bisect.bisect(sums, self.random() * sums[-1])]


# --- working time as integer seconds ----------------------------------------------------


class WorkClock:
    """Working time on one integer line: W = working-day index × seconds per working day +
    seconds into that day's window. Adding working time is an addition; `due` turns a W
    into the moment core.calendar.WorkingCalendar.add returns (checked by `verify`)."""

    def __init__(self, calendar: WorkingCalendar, first: dt.date, last: dt.date) -> None:
        self.calendar = calendar
        self.day = int(calendar.hours_per_day.total_seconds())
        self.start_seconds = calendar.day_start.hour * 3600 + calendar.day_start.minute * 60
        self.days: list[dt.date] = []
        self.starts: list[dt.datetime] = []  # each working day's opening, aware UTC
        self.first_from: dict[dt.date, int] = {}  # a date → the first working day ≥ it
        waiting: list[dt.date] = []
        day = first
        while day <= last:
            waiting.append(day)
            if calendar.is_working_day(day):
                self.first_from.update(dict.fromkeys(waiting, len(self.days)))
                waiting.clear()
                self.days.append(day)
                opening = dt.datetime.combine(day, calendar.day_start, tzinfo=TEHRAN)
                self.starts.append(opening.astimezone(UTC))
            day += dt.timedelta(days=1)

    def w(self, moment: dt.datetime) -> int:
        local = moment.astimezone(TEHRAN)
        index = self.first_from[local.date()]
        if self.days[index] != local.date():
            return index * self.day
        seconds = local.hour * 3600 + local.minute * 60 + local.second - self.start_seconds
        return index * self.day + min(max(seconds, 0), self.day)

    def moment(self, w: int) -> dt.datetime:
        index, seconds = divmod(w, self.day)
        return self.starts[index] + dt.timedelta(seconds=seconds)

    def due(self, w: int) -> dt.datetime:
        """Like `moment`, but a deadline falling on a window's end is that day's closing
        time rather than the next working day's opening, as WorkingCalendar.add has it."""
        index, seconds = divmod(w, self.day)
        if seconds == 0 and index > 0:
            return self.starts[index - 1] + dt.timedelta(seconds=self.day)
        return self.starts[index] + dt.timedelta(seconds=seconds)

    def verify(self, rng: random.Random, samples: int = 300) -> None:
        """Agree with the project's calendar on random starts (some at night) and SLAs."""
        span = (len(self.days) - 120) * self.day
        for _ in range(samples):
            start = self.moment(rng.randrange(span))
            if rng.random() < 0.3:
                start += dt.timedelta(hours=rng.randrange(24))
            hours = rng.choice((1, 7, 14, 21, 70, 105, 333))
            ours = self.due(self.w(start) + hours * 3600)
            theirs = self.calendar.add(start, dt.timedelta(hours=hours))
            if ours != theirs:
                raise AssertionError(f"working clock: {start} + {hours} h = {theirs}, not {ours}")


# --- what the database holds ------------------------------------------------------------


@dataclass(frozen=True)
class StateInfo:
    code: str
    role: str
    sla: int | None  # working seconds
    terminal: bool
    pauses: bool
    documents: tuple[str, ...]


@dataclass(frozen=True)
class Step:
    """One token of a walk, compiled against a definition."""

    code: str
    source: StateInfo
    target: StateInfo
    roles: tuple[str, ...]
    stamp: str = ""
    reasons: tuple[str, ...] = ()  # empty unless the action requires a reason
    documents: tuple[str, ...] = ()  # checked on the way into `target`
    checked_after: tuple[str, ...] = ()  # the case's documents_checked afterwards
    send_back: bool = False  # the definition marks the action a send-back

    @property
    def is_visit(self) -> bool:
        return self.code == VISIT


@dataclass
class Flow:
    """A service's active definition and the walks compiled against it."""

    code: str
    service_id: int
    definition_id: int
    sla: int | None
    online: bool  # may the applicant register it online?
    opener: str  # the office role that registers it in person
    initial: StateInfo
    documents: tuple[str, ...]
    since: dt.date | None
    walks: dict[str, tuple[list[tuple[Step, ...]], list[float]]]  # outcome → walks, sums
    plain_walks: dict[str, tuple[list[tuple[Step, ...]], list[float]]]  # without INSTANT


@dataclass(frozen=True)
class OfficeInfo:
    id: int
    code: str
    district_id: int
    active: bool
    capacity: int
    opened: dt.date
    last_intake: dt.date | None


@dataclass
class World:
    flows: dict[str, Flow]
    skipped: list[str]  # services with a definition but no walk here
    offices: list[OfficeInfo]
    office_staff: dict[int, dict[str, list[int]]]  # office → role → user ids (in force)
    district_staff: dict[int, dict[str, list[int]]]  # district → role → user ids
    citizens: list[tuple[int, int | None]]  # (citizen id, user id)
    online_citizens: list[tuple[int, int | None]]
    parcels: dict[int, list[int]]  # district → parcel ids
    parcel_facts: dict[int, tuple[str, float, float]]  # land use, land area, built area
    flagged: set[int]  # parcels with an open condition
    violating: set[int]  # parcels with an open building violation
    holidays: frozenset[dt.date]


def compile_walk(
    code: str,
    tokens: Sequence[str],
    states: dict[str, StateInfo],
    actions: dict[tuple[str, str], Any],
    initial: StateInfo,
) -> tuple[Step, ...]:
    """The walk as steps of this definition; ValueError when the definition no longer
    allows it (the generator then names the walk to fix)."""
    current, checked = initial, tuple(sorted(initial.documents))
    steps = []
    for token in tokens:
        if token == VISIT:
            if current.role != INSPECTOR:
                raise ValueError(f"{code}: a visit in «{current.code}», not an inspector's state")
            steps.append(Step(VISIT, current, current, (INSPECTOR,), checked_after=checked))
            continue
        action = actions.get((current.code, token))
        if action is None:
            raise ValueError(f"{code}: no action «{token}» from «{current.code}»")
        target = states[action.to_state.code]
        missing = tuple(d for d in target.documents if d not in checked)
        checked = tuple(sorted({*checked, *missing}))
        reasons = REASONS.get(token, GENERIC_REASONS) if action.reason_required else ()
        steps.append(
            Step(
                token,
                current,
                target,
                tuple(action.roles),
                stamp_of(action),
                reasons,
                missing,
                checked,
                bool(action.send_back),
            )
        )
        current = target
    if not current.terminal:
        raise ValueError(f"{code}: the walk {tokens} ends in «{current.code}», not a terminal")
    return tuple(steps)


def load_flow(definition: Any) -> Flow:
    from pishkhan.cases.models import WorkflowAction

    code = definition.service_type.code
    rows = list(definition.states.all())
    states = {
        s.code: StateInfo(
            s.code,
            s.acting_role,
            s.sla_hours * 3600 if s.sla_hours else None,
            s.is_terminal,
            s.pauses_sla,
            tuple(s.documents_required),
        )
        for s in rows
    }
    initial = next(states[s.code] for s in rows if s.is_initial)
    actions = {
        (a.from_state.code, a.code): a
        for a in WorkflowAction.objects.filter(definition=definition).select_related(
            "from_state", "to_state"
        )
    }
    walks, plain_walks = {}, {}
    for outcome, scripted in WALKS[code].items():
        compiled = [(w, compile_walk(code, t, states, actions, initial)) for w, t in scripted]
        if any(steps[-1].target.code != outcome for _, steps in compiled):
            raise ValueError(f"{code}: a walk for «{outcome}» ends elsewhere")
        plain = [(w, steps) for w, steps in compiled if all(s.code != INSTANT for s in steps)]
        walks[outcome] = ([s for _, s in compiled], cumulative(w for w, _ in compiled))
        plain_walks[outcome] = ([s for _, s in plain], cumulative(w for w, _ in plain))
    since = SERVICE_SINCE.get(code)
    return Flow(
        code=code,
        service_id=definition.service_type_id,
        definition_id=definition.pk,
        sla=definition.sla_hours * 3600 if definition.sla_hours else None,
        online=APPLICANT in definition.open_roles and definition.service_type.online_allowed,
        opener=next((r for r in definition.open_roles if r != APPLICANT), APPLICANT),
        initial=initial,
        documents=tuple(sorted(initial.documents)),
        since=from_jalali(*since) if since else None,
        walks=walks,
        plain_walks=plain_walks,
    )


def load_world(today: dt.date) -> World:
    """Read what the cases are drawn from: definitions, offices, staff in force today,
    citizens, parcels and their open conditions, holidays."""
    from pishkhan.accounts.models import Citizen
    from pishkhan.cases.models import Holiday, WorkflowDefinition
    from pishkhan.geo.models import ConditionKind, Parcel, ParcelCondition
    from pishkhan.offices.models import Office, OfficeStatus, RoleAssignment
    from pishkhan.offices.roles import Role

    flows, skipped = {}, []
    active = WorkflowDefinition.objects.filter(is_active=True).select_related("service_type")
    for definition in active.order_by("service_type__code"):
        if definition.service_type.code in WALKS:
            flows[definition.service_type.code] = load_flow(definition)
        else:
            skipped.append(definition.service_type.code)
    if not flows:
        raise SystemExit("No workflow definition to use: run `manage.py load_workflows` first.")

    office_staff: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    district_staff: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    in_force = (
        RoleAssignment.objects.filter(starts_on__lte=today)
        .exclude(ends_on__lt=today)
        .order_by("pk")
        .values_list("role", "office_id", "district_id", "staff__user_id")
    )
    for role, office_id, district_id, user_id in in_force:
        if office_id is not None:
            office_staff[office_id][role].append(user_id)
        elif district_id is not None:
            district_staff[district_id][role].append(user_id)
    opened: dict[int, dt.date] = {}
    managers = RoleAssignment.objects.filter(role=Role.OFFICE_MANAGER, office__isnull=False)
    for office_id, starts_on in managers.values_list("office_id", "starts_on"):
        opened[office_id] = min(starts_on, opened.get(office_id, starts_on))
    offices = [
        OfficeInfo(
            id=o.pk,
            code=o.code,
            district_id=o.district_id,
            active=o.status == OfficeStatus.ACTIVE,
            capacity=o.capacity,
            opened=opened.get(o.pk, o.cra_licence_valid_from),  # its manager's first day
            last_intake=(
                None
                if o.status == OfficeStatus.ACTIVE
                else o.cra_licence_valid_until - LAST_INTAKE_BEFORE_LICENCE_END
            ),
        )
        for o in Office.objects.order_by("code")
    ]
    demo = Citizen.objects.filter(is_demo=True)
    people = demo if demo.exists() else Citizen.objects.all()
    citizens: list[tuple[int, int | None]] = list(
        people.order_by("pk").values_list("pk", "user_id")
    )
    parcels: dict[int, list[int]] = defaultdict(list)
    facts = {}
    rows = Parcel.objects.order_by("pk").values_list(
        "pk", "district_id", "land_use", "land_area", "building_area"
    )
    for pk, district_id, land_use, land_area, building_area in rows.iterator(chunk_size=5000):
        parcels[district_id].append(pk)
        facts[pk] = (land_use, float(land_area), float(building_area or 0))
    if not offices or not citizens or not parcels:
        raise SystemExit("No offices, citizens or parcels: run `manage.py load_demo_city` first.")
    conditions = ParcelCondition.objects.filter(resolved_at__isnull=True)
    violations = conditions.filter(kind=ConditionKind.VIOLATION)
    return World(
        flows=flows,
        skipped=skipped,
        offices=offices,
        office_staff=office_staff,
        district_staff=district_staff,
        citizens=citizens,
        online_citizens=[c for c in citizens if c[1] is not None],
        parcels=dict(parcels),
        parcel_facts=facts,
        flagged=set(conditions.values_list("parcel_id", flat=True)),
        violating=set(violations.values_list("parcel_id", flat=True)),
        holidays=frozenset(Holiday.objects.values_list("date", flat=True)),
    )


# --- one case ---------------------------------------------------------------------------


@dataclass(slots=True)
class Event:
    action: str
    actor: int | None
    role: str
    source: str
    target: str
    w: int
    reason: str = ""
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Draft:
    """A case as drawn: its row (fields by attname), its events and whether it is open."""

    row: dict[str, Any]
    events: list[Event]  # as stored: the whole trail when open, else open + closing
    visits: list[Event]  # the visit-report events that happened, stored or not
    closed: bool
    state: StateInfo
    due_w: int | None  # the state's deadline in working seconds, when open
    stalled: bool  # open, and nothing but notes for STALLED_WORKING_DAYS working days


def last_holder(events: list[Event], state: StateInfo) -> int | None:
    """Who last held `state`, as engine.last_holder reads it from the events: the
    inspector of the last visit recorded there, else the last person acting there in the
    step's role (notes and releases hold nothing; the generator writes no releases)."""
    held = [e for e in events if e.source == state.code and e.actor is not None]
    visits = [e.actor for e in held if e.action == VISIT]
    if visits:
        return visits[-1]
    acted = [e.actor for e in held if e.action != FOLLOW_UP_NOTE and e.role == state.role]
    return acted[-1] if acted else None


class CaseMaker:
    """Draws one case at a time and walks it until it closes or `now` stops it."""

    def __init__(self, world: World, clock: WorkClock, now: dt.datetime, draw: Draw) -> None:
        from pishkhan.offices.roles import ROLE_SCOPE, Scope

        self.world, self.clock, self.draw = world, clock, draw
        self.now_w = clock.w(now)
        self.log_median = math.log(DWELL_MEDIAN_OF_SLA)
        self.district_roles = {str(r) for r, s in ROLE_SCOPE.items() if s == Scope.DISTRICT}
        self.districts = sorted(world.parcels)
        self.district_sums = cumulative(len(world.parcels[d]) for d in self.districts)
        self.people_cache: dict[tuple[int, int], dict[str, list[int]]] = {}
        self.outcome_cache: dict[tuple[str, int], tuple[list[str], list[float]]] = {}

    def people(self, office: OfficeInfo, district_id: int) -> dict[str, list[int]]:
        """Who holds each role for a case of this office in this district."""
        key = (office.id, district_id)
        if key not in self.people_cache:
            people = {r: list(ids) for r, ids in self.world.office_staff[office.id].items()}
            for role, ids in self.world.district_staff[district_id].items():
                if role in self.district_roles:
                    people[role] = list(ids)
            self.people_cache[key] = people
        return self.people_cache[key]

    def outcome(self, flow: Flow, year: int) -> str:
        key = (flow.code, year)
        if key not in self.outcome_cache:
            shares = outcomes(flow.code, year)
            self.outcome_cache[key] = (list(shares), cumulative(shares.values()))
        return self.draw.weighted(*self.outcome_cache[key])

    def dwell(self, state: StateInfo, stalls: bool) -> int:
        """Working seconds the case waits in `state` before its next action."""
        draw = self.draw
        if state.role == APPLICANT or state.pauses:
            hours = APPLICANT_HOURS * math.exp(APPLICANT_SIGMA * draw.gauss(0.0, 1.0))
            if stalls and draw.random() < STALL_APPLICANT:
                hours += draw.uniform(*STALL_APPLICANT_HOURS)
            return int(hours * 3600)
        sla = state.sla or int(NO_SLA_HOURS * 3600 / DWELL_MEDIAN_OF_SLA)
        share = math.exp(self.log_median + DWELL_SIGMA * draw.gauss(0.0, 1.0))
        share = min(share, DWELL_CAP_OF_SLA)
        if stalls and draw.random() < STALL_STAFF:
            share = draw.uniform(*STALL_STAFF_OF_SLA)
        return max(60, int(sla * share))

    def make(
        self,
        flow: Flow,
        office: OfficeInfo,
        year: int,
        opened_at: dt.datetime,
        w0: int,
        online: bool,
    ) -> Draft:
        """Walk one case, keeping the fields the engine's transition_changes and
        sla_changes would have written, in working seconds."""
        draw, world, now_w = self.draw, self.world, self.now_w
        district_id = office.district_id
        if draw.random() >= OWN_DISTRICT_SHARE or district_id not in world.parcels:
            district_id = draw.weighted(self.districts, self.district_sums)
        parcel_id = draw.one(world.parcels[district_id])
        citizen_id, citizen_user = draw.one(world.online_citizens if online else world.citizens)
        outcome = self.outcome(flow, year)
        walks = flow.plain_walks if parcel_id in world.flagged else flow.walks
        steps = draw.weighted(*walks[outcome])
        people = self.people(office, district_id)
        stalls = office.active  # an inactive office's cases closed long ago

        opener = APPLICANT if online else flow.opener
        openers = people.get(opener)
        opened_by = citizen_user if online else (draw.one(openers) if openers else None)
        channel = "online" if online else "in_person"
        state = flow.initial
        payload = {"channel": channel, "documents_checked": list(flow.documents)}
        opening = Event("open", opened_by, opener, "", state.code, w0, payload=payload)
        events, visits = [opening], []
        due = w0 + state.sla if state.sla else None
        overall = w0 + flow.sla if flow.sla else None
        paused_at: int | None = None
        paused_from = pause_reason = ""
        prepared: int | None = None
        approved: int | None = None
        assignee: int | None = None
        # (when, by whom, why) of the send-back the case still carries, as the engine's
        # transition_changes sets it; the next action or visit report clears it
        returned: tuple[int, int | None, str] | None = None
        checked = flow.documents
        entered, moved, closed, index = w0, False, False, 0

        while not closed:
            # the case entered `state` at `entered`: its wait there, and who claims it
            wait = self.dwell(state, stalls)
            leave = entered + wait
            step = steps[index]
            claimers = people.get(state.role)
            if claimers and prepared is not None and step.stamp == "approved_by":
                claimers = [p for p in claimers if p != prepared] or claimers
            if assignee is None and claimers and draw.random() < CLAIM_SHARE:
                claim_at = entered + int(wait * draw.uniform(0.05, 0.4))
                if claim_at >= now_w:
                    break
                assignee = draw.one(claimers)
                events.append(
                    Event("claim", assignee, state.role, state.code, state.code, claim_at)
                )
            while step.is_visit:
                at = entered + int(wait * draw.uniform(0.5, 0.9))
                if at >= now_w:
                    break
                inspectors = people.get(INSPECTOR)
                inspector = assignee or (draw.one(inspectors) if inspectors else None)
                visit = Event(VISIT, inspector, INSPECTOR, state.code, state.code, at)
                events.append(visit)
                visits.append(visit)
                returned = None
                index += 1
                step = steps[index]
            if step.is_visit or leave >= now_w:
                break
            role, actor = self.actor(step, state, people, assignee, prepared, online, citizen_user)
            target = step.target
            reason = draw.one(step.reasons) if step.reasons else ""
            payload = {"documents_checked": list(step.documents)} if step.documents else {}
            if step.code == "complete_plan_review":
                payload["findings"] = draw.one(FINDINGS)
            events.append(
                Event(step.code, actor, role, state.code, target.code, leave, reason, payload)
            )
            checked = step.checked_after
            returned = (leave, actor, reason) if step.send_back else None
            if step.stamp == "prepared_by":
                prepared, approved = actor, None
            elif step.stamp == "approved_by":
                if actor is not None and actor == prepared:
                    prepared = None  # a district with one staff member: see bench/README.md
                approved = actor
            # a send-back goes to whoever last held the step (engine.route_back)
            assignee = last_holder(events, target) if step.send_back else None
            if target.terminal:
                due, paused_at, paused_from, pause_reason = None, None, "", ""
                closed = True
            elif target.pauses:
                if paused_at is None:
                    paused_at, paused_from, pause_reason = leave, state.code, reason[:500]
            else:
                new_due = leave + target.sla if target.sla else None
                if paused_at is not None:
                    waited = leave - paused_at
                    if overall is not None:
                        overall += waited
                    if target.code == paused_from and due is not None:
                        new_due = due + waited
                    paused_at, paused_from, pause_reason = None, "", ""
                due = new_due
            state, entered, moved = target, leave, True
            index += 1

        stalled = False
        if not closed:
            idle_since = events[-1].w
            stalled = now_w - idle_since > STALLED_WORKING_DAYS * self.clock.day
            officers = people.get(FOLLOW_UP)
            if stalled and officers and draw.random() < FOLLOW_UP_SHARE:
                span = now_w - idle_since
                for at in sorted(idle_since + int(draw.random() * span) for _ in range(2)):
                    officer, note = draw.one(officers), draw.one(FOLLOW_UP_NOTES)
                    code = state.code
                    events.append(Event(FOLLOW_UP_NOTE, officer, FOLLOW_UP, code, code, at, note))

        clock = self.clock
        entered_at = clock.moment(entered) if moved else opened_at
        row = {
            "service_type_id": flow.service_id,
            "definition_id": flow.definition_id,
            "applicant_id": citizen_id,
            "parcel_id": parcel_id,
            "office_id": office.id,
            "district_id": district_id,
            "channel": channel,
            "state": state.code,
            "acting_role": state.role,
            "state_entered_at": entered_at,
            "assignee_id": assignee,
            "due_at": clock.due(due) if due is not None else None,
            "overall_due_at": clock.due(overall) if overall is not None else None,
            "sla_paused_at": clock.moment(paused_at) if paused_at is not None else None,
            "paused_from_state": paused_from,
            "pause_reason": pause_reason,
            "documents_checked": list(checked),
            "version": 2 if closed else len(events),
            "opened_by_id": opened_by,
            "opened_at": opened_at,
            "closed_at": entered_at if closed else None,
            "prepared_by_id": prepared,
            "approved_by_id": approved,
            "returned_at": clock.moment(returned[0]) if returned and not closed else None,
            "returned_by_id": returned[1] if returned and not closed else None,
            "returned_reason": returned[2] if returned and not closed else "",
        }
        if closed:  # the shortcut: a closed case keeps its opening and its closing event
            events = [opening, events[-1]]
        return Draft(row, events, visits, closed, state, None if closed else due, stalled)

    def actor(
        self,
        step: Step,
        state: StateInfo,
        people: dict[str, list[int]],
        assignee: int | None,
        prepared: int | None,
        online: bool,
        citizen_user: int | None,
    ) -> tuple[str, int | None]:
        """Who takes `step`: whoever claimed the case, for its acting role; sometimes the
        applicant (always for an online case); else a holder of the first staff role."""
        if assignee is not None and state.role in step.roles:
            return state.role, assignee
        if APPLICANT in step.roles and citizen_user and (online or self.draw.random() < 0.3):
            return APPLICANT, citizen_user
        staff = [r for r in step.roles if r != APPLICANT]
        for role in staff:
            holders = people.get(role)
            if holders and step.stamp == "approved_by":
                holders = [p for p in holders if p != prepared] or holders
            if holders:
                return role, self.draw.one(holders)
        return (staff or [APPLICANT])[0], None  # nobody holds it today (an inactive office)


# --- the plan: how many cases when, and where -------------------------------------------


@dataclass
class Intake:
    """Which offices take cases on each working day, with cumulative capacity weights."""

    starts: list[int]  # the working-day index where each segment starts
    segments: list[tuple[list[OfficeInfo], list[float]]]

    @classmethod
    def build(cls, offices: Sequence[OfficeInfo], clock: WorkClock) -> Intake:
        def index(day: dt.date) -> int:
            if day <= clock.days[0]:
                return 0
            return clock.first_from.get(day, len(clock.days))

        spans = [
            (o, index(o.opened), index(o.last_intake) if o.last_intake else len(clock.days))
            for o in offices
        ]
        starts = sorted({0, *(s for _, s, _ in spans), *(e for _, _, e in spans)})
        segments = []
        for start in starts:
            here = [o for o, s, e in spans if s <= start < e]
            segments.append((here, cumulative(o.capacity for o in here)))
        return cls(starts, segments)

    def offices_on(self, index: int) -> tuple[list[OfficeInfo], list[float]]:
        return self.segments[bisect.bisect_right(self.starts, index) - 1]


def plan_years(total: int, elapsed: dict[int, float]) -> dict[int, int]:
    """The curve scaled to `total` by largest remainders; `elapsed` is the share of each
    usable year's working days that have passed (the current year counts pro rata)."""
    weights = {y: curve(y) * share for y, share in elapsed.items() if share}
    if not weights:
        raise SystemExit("No working day of the chosen years has an open office.")
    raw = {y: total * w / sum(weights.values()) for y, w in weights.items()}
    counts = {y: int(v) for y, v in raw.items()}
    short = total - sum(counts.values())
    for y in sorted(raw, key=lambda y: raw[y] - counts[y], reverse=True)[:short]:
        counts[y] += 1
    return counts


# --- writing ----------------------------------------------------------------------------

NULL = "\\N"
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_converter(model_field: Any) -> Callable[[Any], str]:
    """How one column is spelled in COPY's text format."""
    from django.db import models

    def text(value: Any) -> str:
        return NULL if value is None else str(value).translate(COPY_ESCAPES)

    if isinstance(model_field, models.JSONField):
        return lambda value: json.dumps(value, ensure_ascii=False).translate(COPY_ESCAPES)
    if isinstance(model_field, models.DateTimeField):
        return lambda value: NULL if value is None else value.isoformat()
    if isinstance(model_field, models.BooleanField):
        return lambda value: NULL if value is None else ("t" if value else "f")
    if isinstance(model_field, models.CharField | models.TextField):
        return text
    return lambda value: NULL if value is None else str(value)


class Writer:
    """Writes rows (dicts keyed by field attname) with COPY on PostgreSQL, bulk_create
    elsewhere; a field the generator does not fill gets its default."""

    def __init__(self, method: str, batch: int) -> None:
        self.method = method
        self.batch = batch
        self.specs: dict[Any, tuple[str, list[tuple[str, Callable[[Any], str], Any]]]] = {}

    def spec(self, model: Any, row: dict[str, Any]) -> tuple[str, list[tuple[str, Any, Any]]]:
        if model not in self.specs:
            from django.db import connection

            columns = []
            for f in model._meta.concrete_fields:
                if f.attname not in row and not f.has_default() and not f.null:
                    raise SystemExit(
                        f"{model.__name__}.{f.name} is required and has no default: "
                        "teach bench/cases_dataset.py to fill it."
                    )
                default = None if f.attname in row else f.get_default()
                columns.append((f.attname, copy_converter(f), default))
            quote = connection.ops.quote_name
            names = ", ".join(quote(f.column) for f in model._meta.concrete_fields)
            sql = f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN"
            self.specs[model] = (sql, columns)
        return self.specs[model]

    def write(self, model: Any, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        sql, columns = self.spec(model, rows[0])
        if self.method == "bulk":
            defaults = {name: default for name, _, default in columns if name not in rows[0]}
            objects = [model(**defaults, **row) for row in rows]
            model.objects.bulk_create(objects, batch_size=self.batch)
            return
        from django.db import connection

        with connection.cursor() as cursor, cursor.copy(sql) as copy:
            for start in range(0, len(rows), 5000):
                lines = [
                    "\t".join([spell(row.get(name, default)) for name, spell, default in columns])
                    for row in rows[start : start + 5000]
                ]
                copy.write("\n".join(lines) + "\n")


def skip_fk_triggers_possible() -> bool:
    """PostgreSQL lets a superuser skip the FK triggers (session_replication_role)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('is_superuser')")
        return cursor.fetchone()[0] == "on"


def check_foreign_keys(first_ids: dict[Any, int]) -> list[str]:
    """Every foreign key of the rows written (ids ≥ first_ids[model]) points at a row:
    one anti-join per key, instead of one trigger call per row and key."""
    from django.db import connection

    quote = connection.ops.quote_name
    problems = []
    with connection.cursor() as cursor:
        for model, first in first_ids.items():
            table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
            for f in model._meta.concrete_fields:
                if not f.is_relation or not f.db_constraint:
                    continue
                other = f.related_model._meta
                column, target = quote(f.column), quote(f.target_field.column)
                cursor.execute(
                    f"SELECT count(*) FROM {table} t WHERE t.{pk} >= %s "  # noqa: S608 - names
                    f"AND t.{column} IS NOT NULL AND NOT EXISTS "
                    f"(SELECT 1 FROM {quote(other.db_table)} r WHERE r.{target} = t.{column})",
                    [first],
                )
                missing = cursor.fetchone()[0]
                if missing:
                    problems.append(f"{model.__name__}.{f.name}: {missing} rows point nowhere")
    return problems


@dataclass
class Batch:
    year: int
    last_number: int
    cases: list[dict[str, Any]]
    events: list[dict[str, Any]]
    visits: list[dict[str, Any]]


class Pipeline:
    """Stores batches on a second thread (with its own connection) while the main thread
    draws the next one: PostgreSQL's work overlaps Python's."""

    def __init__(self, store: Callable[[Batch], None], threaded: bool) -> None:
        self.store = store
        self.threaded = threaded
        self.error: BaseException | None = None
        self.queue: queue.Queue[Batch | None] = queue.Queue(maxsize=2)
        self.thread = threading.Thread(target=self.run, name="cases-writer", daemon=True)
        if threaded:
            self.thread.start()

    def run(self) -> None:
        from django.db import connection

        try:
            while (batch := self.queue.get()) is not None:
                if self.error is None:
                    try:
                        self.store(batch)
                    except BaseException as exc:  # handed to the main thread
                        self.error = exc
        finally:
            connection.close()

    def put(self, batch: Batch) -> None:
        if self.error is not None:
            raise self.error
        if self.threaded:
            self.queue.put(batch)
        else:
            self.store(batch)

    def close(self) -> None:
        if self.threaded:
            self.queue.put(None)
            self.thread.join()
        if self.error is not None:
            raise self.error


# --- the generator ----------------------------------------------------------------------


@dataclass
class Tally:
    cases: int = 0
    events: int = 0
    visits: int = 0
    by_state: Counter[str] = field(default_factory=Counter)
    by_year: Counter[int] = field(default_factory=Counter)
    by_office: Counter[str] = field(default_factory=Counter)
    by_service: Counter[str] = field(default_factory=Counter)
    open_tabs: Counter[str] = field(default_factory=Counter)
    open_by_role: Counter[str] = field(default_factory=Counter)

    def count(self, draft: Draft, service: str, office: str, year: int, now_w: int) -> None:
        row = draft.row
        self.by_state[f"{service}:{row['state']}"] += 1
        self.by_year[year] += 1
        self.by_office[office] += 1
        self.by_service[service] += 1
        if draft.closed:
            return
        self.open_by_role[row["acting_role"]] += 1
        tabs = ["assigned" if row["assignee_id"] else "unassigned"]
        due, sla = draft.due_w, draft.state.sla
        if row["sla_paused_at"] is not None:
            tabs.append("SLA paused (waiting on the applicant)")
        elif due is not None and due < now_w:
            tabs.append("overdue")
        elif due is not None and sla is not None and due < now_w + NEAR_FRACTION * sla:
            tabs.append("near SLA (under a quarter of the state's SLA left)")
        if draft.stalled:
            tabs.append(f"stalled (no progress for {STALLED_WORKING_DAYS} working days)")
        self.open_tabs.update(tabs)


def visit_report(
    world: World,
    clock: WorkClock,
    draw: Draw,
    case_id: int,
    parcel_id: int,
    event: Event,
    service: str = "",
) -> dict[str, Any]:
    """What the inspector saw: mostly the parcel's own facts, violations where it has one,
    as the answers to the checklist of the service's visit step (definitions/*.json)."""
    land_use, land_area, building_area = world.parcel_facts[parcel_id]
    if draw.random() < 0.08:
        land_use = draw.one(("residential", "commercial", "mixed"))
    built = round(building_area * draw.uniform(0.97, 1.12), 2)
    floors = max(1, min(12, round(built / max(land_area * 0.6, 1)))) if built else 0
    seen = draw.random() < (0.8 if parcel_id in world.violating else 0.03)
    recorded = clock.moment(event.w)
    visited_at = recorded - dt.timedelta(minutes=int(draw.uniform(30, 240)))
    # photo references as a migrated report keeps them (the dataset stores no files)
    photos = [f"bench/visits/{case_id}/{k}.jpg" for k in range(1, 2 + int(draw.uniform(1, 5)))]
    if service == "permit_extension":
        checklist, answers = (
            "extension_visit",
            {
                "construction_stage": draw.one(("skeleton", "roofing", "finishing")),
                "works_progress": int(draw.uniform(20, 95)),
                "floors_built": floors,
                "conforms_to_permit": not seen,
                "violations_observed": ["extra_area"] if seen else [],
                "progress_photos": photos,
            },
        )
    else:  # the inquiries' checklist (definitions/_inquiry.json)
        checklist, answers = (
            "site_visit",
            {
                "observed_land_use": land_use,
                "built_area": f"{built:.2f}".rstrip("0").rstrip("."),
                "floors": floors,
                "violations_observed": [draw.one(VIOLATIONS)] if seen else [],
                "photos": photos,
            },
        )
    return {
        "case_id": case_id,
        "parcel_id": parcel_id,
        "inspector_id": event.actor,
        "visited_at": visited_at,
        "checklist": checklist,
        "answers": answers,
        "recorded_at": recorded,
    }


class Loader:
    """Draws each year's cases in opening order and hands them over in batches; each
    batch (cases, events, visit reports and the year's tracking counter) is one
    transaction."""

    def __init__(
        self,
        world: World,
        clock: WorkClock,
        intake: Intake,
        now: dt.datetime,
        batch: int,
        pipeline: Pipeline,
        say: Callable[[str], None],
    ) -> None:
        from django.db.models import Max

        from pishkhan.cases.models import Case, CaseEvent, VisitReport

        self.world, self.clock, self.intake, self.now = world, clock, intake, now
        self.batch, self.pipeline, self.say = batch, pipeline, say
        self.now_w = clock.w(now)
        self.recent_w = clock.w(now - RECENT_VISITS)
        self.first_ids = {
            model: (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
            for model in (Case, CaseEvent, VisitReport)
        }
        self.next_case = self.first_ids[Case]
        self.next_event = self.first_ids[CaseEvent]
        self.next_visit = self.first_ids[VisitReport]
        self.flow_cache: dict[tuple[bool, int], tuple[list[Flow], list[float]]] = {}
        self.tally = Tally()
        self.started = time.perf_counter()

    def openings(
        self, draw: Draw, count: int, days: list[int], online: float
    ) -> list[tuple[dt.datetime, int, bool]]:
        """`count` sorted opening moments (with their working time): in person in office
        hours of a working day, online at any hour of it; never after now."""
        clock = self.clock
        found: list[tuple[dt.datetime, int, bool]] = []
        while len(found) < count:
            day = draw.one(days)
            if draw.random() < online:
                seconds = int(draw.random() * 86_400) - clock.start_seconds
                at = clock.starts[day] + dt.timedelta(seconds=seconds)
                w, is_online = clock.w(at), True
            else:
                w, is_online = day * clock.day + int(draw.random() * (clock.day - 1800)), False
                at = clock.moment(w)
            if at < self.now and w < self.now_w:
                found.append((at, w, is_online))
        found.sort()
        return found

    def flows(self, day: dt.date, online: bool) -> tuple[list[Flow], list[float]]:
        """The services a case opened on `day` may be, with their weights."""
        all_flows = list(self.world.flows.values())
        key = (online, sum(1 for f in all_flows if f.since is not None and day >= f.since))
        if key not in self.flow_cache:
            flows = [f for f in all_flows if f.since is None or day >= f.since]
            if online:
                flows = [f for f in flows if f.online]
            self.flow_cache[key] = (flows, cumulative(SERVICE_WEIGHTS[f.code] for f in flows))
        return self.flow_cache[key]

    def load_year(self, year: int, count: int, days: list[int], seed: int) -> None:
        from pishkhan.cases.models import TrackingSequence

        draw = Draw(random.Random(f"{seed}:cases:{year}"))
        maker = CaseMaker(self.world, self.clock, self.now, draw)
        online = online_share(year) if self.world.online_citizens else 0.0
        openings = self.openings(draw, count, days, online)
        stored = TrackingSequence.objects.filter(year=year).values_list("last", flat=True)
        number = stored.first() or 0
        for start in range(0, len(openings), self.batch):
            chunk = openings[start : start + self.batch]
            number = self.draw_batch(maker, draw, year, number, chunk)
            elapsed = time.perf_counter() - self.started
            self.say(
                f"  {year}: {start + len(chunk):>9,}/{len(openings):,}   all: "
                f"{self.tally.cases:>9,} cases {self.tally.events:>10,} events   "
                f"{elapsed:6.1f} s  {self.tally.cases / elapsed:>7,.0f} cases/s"
            )

    def draw_batch(
        self,
        maker: CaseMaker,
        draw: Draw,
        year: int,
        number: int,
        openings: list[tuple[dt.datetime, int, bool]],
    ) -> int:
        """Draw, number and hand over one batch; returns the year's last number."""
        clock, world = self.clock, self.world
        batch = Batch(year, number, [], [], [])
        for opened_at, w0, online in openings:
            index = w0 // clock.day
            office = draw.weighted(*self.intake.offices_on(index))
            flows, sums = self.flows(clock.days[index], online)
            if not flows:  # no service may be registered online that day
                flows, sums = self.flows(clock.days[index], False)
                online = False
            flow = draw.weighted(flows, sums)
            draft = maker.make(flow, office, year, opened_at, w0, online)
            if not draft.closed and not office.active:
                raise AssertionError(f"an open case at the inactive office {office.code}")
            batch.last_number += 1
            case_id = self.next_case
            self.next_case += 1
            row = draft.row
            row["id"] = case_id
            row["tracking_code"] = make_tracking_code(year, batch.last_number)
            batch.cases.append(row)
            for visit in draft.visits:
                if visit.actor is None or (draft.closed and visit.w < self.recent_w):
                    continue  # an older closed case keeps no report: see bench/README.md
                report = visit_report(
                    world, clock, draw, case_id, row["parcel_id"], visit, flow.code
                )
                report["id"] = self.next_visit
                batch.visits.append(report)
                visit.payload = {
                    "visit_report_id": self.next_visit,
                    "checklist": report["checklist"],
                    "violations": len(report["answers"]["violations_observed"]),
                    "photos": 0,  # references only: the dataset stores no files
                }
                self.next_visit += 1
            for seq, event in enumerate(draft.events, start=1):
                batch.events.append(
                    {
                        "id": self.next_event,
                        "case_id": case_id,
                        "seq": seq,
                        "action": event.action,
                        "actor_id": event.actor,
                        "actor_role": event.role,
                        "from_state": event.source,
                        "to_state": event.target,
                        "reason": event.reason,
                        "payload": event.payload,
                        "created_at": opened_at if seq == 1 else clock.moment(event.w),
                    }
                )
                self.next_event += 1
            self.tally.count(draft, flow.code, office.code, year, self.now_w)
        if not is_valid_tracking_code(batch.cases[-1]["tracking_code"]):
            raise AssertionError(f"invalid tracking code {batch.cases[-1]['tracking_code']}")
        self.pipeline.put(batch)
        self.tally.cases += len(batch.cases)
        self.tally.events += len(batch.events)
        self.tally.visits += len(batch.visits)
        return batch.last_number


def store_batch(writer: Writer, skip_fk_triggers: bool) -> Callable[[Batch], None]:
    def store(batch: Batch) -> None:
        from django.db import connection, transaction

        from pishkhan.cases.models import Case, CaseEvent, TrackingSequence, VisitReport

        with transaction.atomic():
            if skip_fk_triggers:
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL session_replication_role = replica")
            writer.write(Case, batch.cases)
            writer.write(CaseEvent, batch.events)
            writer.write(VisitReport, batch.visits)
            TrackingSequence.objects.update_or_create(
                year=batch.year, defaults={"last": batch.last_number}
            )

    return store


def generate_cases(
    total: int,
    seed: int = 1405,
    years: range = range(1395, 1406),
    batch: int = 20_000,
    *,
    now: dt.datetime | None = None,
    method: str = "auto",
    skip_fk_triggers: bool = True,
    analyze: bool = True,
    progress: Callable[[str], None] | None = print,
) -> dict[str, Any]:
    """Add `total` cases, with their events and visit reports, to the database.

    `method`: "copy" (PostgreSQL), "bulk" (bulk_create) or "auto" (copy on PostgreSQL).
    `skip_fk_triggers`: on PostgreSQL as a superuser, load without the per-row FK trigger
    checks and check every foreign key of the new rows afterwards with one query each.
    `now`: where the dataset ends (default: the current time); the same seed, database
    and `now` give the same cases. Returns a summary: counts by state, year, service and
    office, the open cases' tabs, the timings."""
    from django.core.management.color import no_style
    from django.db import connection

    from pishkhan.cases.models import Case, CaseEvent, VisitReport
    from pishkhan.core.calendar import configured_calendar

    say = progress or (lambda _: None)
    started = time.perf_counter()
    now = (now or dt.datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    vendor = connection.vendor
    method = ("copy" if vendor == "postgresql" else "bulk") if method == "auto" else method
    if method == "copy" and vendor != "postgresql":
        raise SystemExit("COPY needs PostgreSQL; use method='bulk'.")
    skip_fk_triggers = skip_fk_triggers and method == "copy" and skip_fk_triggers_possible()

    today = now.astimezone(TEHRAN).date()
    world = load_world(today)
    clock = WorkClock(
        configured_calendar(world.holidays),
        from_jalali(min(years), 1, 1),
        today + dt.timedelta(days=3 * 365),
    )
    clock.verify(random.Random(f"{seed}:clock"))
    intake = Intake.build(world.offices, clock)
    last_day = clock.first_from[today] - (clock.days[clock.first_from[today]] != today)
    eligible: dict[int, list[int]] = {}
    elapsed: dict[int, float] = {}
    for year in years:
        if from_jalali(year, 1, 1) > today:
            continue
        first = clock.first_from[from_jalali(year, 1, 1)]
        days = range(first, clock.first_from[from_jalali(year + 1, 1, 1)])
        eligible[year] = [i for i in days if i <= last_day and intake.offices_on(i)[0]]
        elapsed[year] = sum(1 for i in days if i <= last_day) / len(days) if eligible[year] else 0
    counts = plan_years(total, elapsed)
    say(
        f"{total:,} cases ({method}"
        + (", FK triggers skipped and checked after" if skip_fk_triggers else "")
        + f"): {', '.join(f'{y}: {n:,}' for y, n in counts.items())}; services: "
        + ", ".join(world.flows)
        + (f" (no walk here for {', '.join(world.skipped)})" if world.skipped else "")
    )

    writer = Writer(method, batch)
    pipeline = Pipeline(store_batch(writer, skip_fk_triggers), threaded=method == "copy")
    loader = Loader(world, clock, intake, now, batch, pipeline, say)
    try:
        for year in sorted(counts):
            loader.load_year(year, counts[year], eligible[year], seed)
    finally:
        pipeline.close()
    with connection.cursor() as cursor:  # move the id sequences past the explicit ids
        for sql in connection.ops.sequence_reset_sql(no_style(), [Case, CaseEvent, VisitReport]):
            cursor.execute(sql)
    loaded = time.perf_counter() - started
    if skip_fk_triggers:
        say("checking foreign keys …")
        problems = check_foreign_keys(loader.first_ids)
        if problems:
            raise AssertionError("broken foreign keys: " + "; ".join(problems))
    checked = time.perf_counter() - started
    if analyze:
        say("VACUUM ANALYZE …" if vendor == "postgresql" else "ANALYZE …")
        analyze_tables()
    seconds = time.perf_counter() - started
    tally = loader.tally
    rows = tally.cases + tally.events + tally.visits
    return {
        "database": vendor,
        "method": method,
        "fk_triggers_skipped": skip_fk_triggers,
        "now": now.isoformat(),
        "seed": seed,
        "cases": tally.cases,
        "events": tally.events,
        "visit_reports": tally.visits,
        "open": sum(tally.open_by_role.values()),
        "open_tabs": dict(tally.open_tabs.most_common()),
        "open_by_role": dict(tally.open_by_role.most_common()),
        "by_state": dict(tally.by_state.most_common()),
        "by_year": dict(sorted(tally.by_year.items())),
        "by_service": dict(tally.by_service.most_common()),
        "by_office": dict(sorted(tally.by_office.items())),
        "load_seconds": round(loaded, 1),
        "fk_check_seconds": round(checked - loaded, 1),
        "analyze_seconds": round(seconds - checked, 1),
        "seconds": round(seconds, 1),
        "rows_per_second": round(rows / loaded),
        "cases_per_second": round(tally.cases / loaded),
    }


def analyze_tables() -> None:
    """Fresh planner statistics and, on PostgreSQL, the visibility map index-only scans
    need: what a production database that autovacuum looks after would have."""
    from django.db import connection

    from pishkhan.cases.models import Case, CaseEvent, VisitReport

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            quote = connection.ops.quote_name
            tables = ", ".join(quote(m._meta.db_table) for m in (Case, CaseEvent, VisitReport))
            cursor.execute(f"VACUUM (ANALYZE) {tables}")
        else:
            cursor.execute("ANALYZE")


# --- the command line -------------------------------------------------------------------


def configure() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pishkhan.settings_test")
    if not os.environ.get("DATABASE_URL"):
        raise SystemExit(
            "Set DATABASE_URL to a database you can throw away, e.g.\n"
            "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/pishkhan_bench\n"
            "  DATABASE_URL=sqlite:////tmp/pishkhan-bench.sqlite3"
        )
    import django

    django.setup()


def print_summary(summary: dict[str, Any]) -> None:
    def table(title: str, counts: dict[Any, int]) -> None:
        print(f"\n{title}")
        for key, count in counts.items():
            print(f"  {key!s:<48}{count:>10,}")

    table("by state (service:state)", summary["by_state"])
    table("by Jalali year", summary["by_year"])
    table("by service", summary["by_service"])
    table("by office", summary["by_office"])
    table(f"open cases: {summary['open']:,}", summary["open_tabs"])
    table("open cases by acting role", summary["open_by_role"])
    rows = summary["cases"] + summary["events"] + summary["visit_reports"]
    print(
        f"\n{summary['cases']:,} cases, {summary['events']:,} events, "
        f"{summary['visit_reports']:,} visit reports ({rows:,} rows) into "
        f"{summary['database']} by {summary['method']} in {summary['load_seconds']} s: "
        f"{summary['rows_per_second']:,} rows/s, {summary['cases_per_second']:,} cases/s. "
        f"FK check {summary['fk_check_seconds']} s, analyze {summary['analyze_seconds']} s, "
        f"total {summary['seconds']} s. Dataset ends at {summary['now']}."
    )


def years_argument(raw: str) -> range:
    first, _, last = raw.partition("-")
    return range(int(first), int(last or first) + 1)


STAMP_EFFECTS = {"stamp_preparer": "prepared_by", "stamp_approver": "approved_by"}


def stamp_of(action: Any) -> str:
    """The maker-checker stamp an action's effects make ("" when none)."""
    return next((STAMP_EFFECTS[e] for e in action.effects if e in STAMP_EFFECTS), "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, required=True, help="how many cases to add")
    parser.add_argument("--seed", type=int, default=1405)
    parser.add_argument(
        "--years", type=years_argument, default=range(1395, 1406), help="e.g. 1395-1405"
    )
    parser.add_argument("--batch", type=int, default=20_000, help="cases per transaction")
    parser.add_argument("--method", choices=("auto", "copy", "bulk"), default="auto")
    parser.add_argument(
        "--keep-fk-triggers",
        action="store_true",
        help="let PostgreSQL check every foreign key per row (slower)",
    )
    parser.add_argument(
        "--now",
        type=dt.datetime.fromisoformat,
        help="where the dataset ends, ISO with an offset (default: now)",
    )
    parser.add_argument(
        "--append", action="store_true", help="add to a database that already has cases"
    )
    parser.add_argument(
        "--prepare",
        action="store_true",
        help="first migrate, load_demo_city --parcels N and load_workflows",
    )
    parser.add_argument("--parcels", type=int, default=20_000, help="for --prepare")
    parser.add_argument("--no-analyze", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the summary to this file")
    args = parser.parse_args()
    if args.now is not None and args.now.tzinfo is None:
        raise SystemExit("--now needs an offset, e.g. 2026-11-28T12:00:00+03:30")
    configure()

    from django.core.management import call_command

    from pishkhan.cases.models import Case

    if args.prepare:
        began = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        call_command("load_demo_city", parcels=args.parcels, cases=0, verbosity=0)
        call_command("load_workflows", verbosity=0, stdout=io.StringIO())
        print(f"prepared (migrate, demo city, workflows) in {time.perf_counter() - began:.1f} s")
    if Case.objects.exists() and not args.append:
        raise SystemExit("The database already has cases; pass --append to add more.")
    summary = generate_cases(
        args.cases,
        seed=args.seed,
        years=args.years,
        batch=args.batch,
        now=args.now,
        method=args.method,
        skip_fk_triggers=not args.keep_fk_triggers,
        analyze=not args.no_analyze,
    )
    print_summary(summary)
    if args.json:
        args.json.write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
