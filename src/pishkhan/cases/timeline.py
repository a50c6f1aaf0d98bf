"""What the case page shows: the case's facts, its timeline, who held it how long, and
the actions the viewer may take now.

Everything is read in a fixed number of queries, however many events the case has: the
case with its relations, the states and actions of its pinned definition, the events
with their actors, the visit reports with their inspectors, the case's scans and photos
with their files, the parcel's open conditions and the holidays of the case's lifetime
(one calendar for every stint).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q
from django.utils import timezone

from pishkhan.accounts.access import Principal
from pishkhan.cases.calendar import calendar_for
from pishkhan.cases.checklists import (
    AnswerRow,
    ChecklistSpec,
    answer_rows,
    definition_checklist,
)
from pishkhan.cases.corrections import correction_lines
from pishkhan.cases.events import INTERNAL, NOT_PROGRESS, EventType
from pishkhan.cases.fields import DisplayRow, declared_fields, display_rows
from pishkhan.cases.guards import CASE_VISITS, PARCEL_HAS_OPEN_CONDITIONS, PARCEL_LATEST_VISIT
from pishkhan.cases.holidays import WITHDRAWN
from pishkhan.cases.models import (
    APPLICANT,
    SYSTEM,
    Case,
    CaseAttachment,
    CaseEvent,
    InquiryResponse,
    PlanReview,
    VisitReport,
    WorkflowAction,
    WorkflowState,
)
from pishkhan.cases.permissions import (
    ActionOption,
    CasePermissions,
    Visibility,
    attachment_visible,
    case_permissions,
)
from pishkhan.cases.responses import (
    CASE_PLAN_REVIEWS,
    RESPONSE_DRAFTED,
    AnswerView,
    answer_view,
    certificate_rule,
    plan_mismatches,
)
from pishkhan.core import clock
from pishkhan.core.digits import to_persian_digits
from pishkhan.core.jalali import format_jalali_date, format_jalali_datetime
from pishkhan.geo.models import ParcelCondition
from pishkhan.offices.roles import Role

# Events the engine writes itself, with no action in the definition to name them.
ENGINE_EVENT_LABELS: dict[str, str] = {str(v): str(label) for v, label in EventType.choices}
WITHDRAWN_HOLIDAY_LABEL = "لغو تعطیل: مهلت‌ها جابه‌جا شد"
# Events that record no one holding the case: a note about it, a change of the calendar.
NOT_HOLDING = NOT_PROGRESS
DUE_LABELS: dict[str, str] = {"due_at": "مهلت این مرحله", "overall_due_at": "مهلت کل"}
EXTRA_ROLE_LABELS: dict[str, str] = {APPLICANT: "متقاضی", SYSTEM: "سامانه"}
CASE_RELATIONS = (
    "definition",
    "service_type",
    "office",
    "district",
    "parcel",
    "applicant",
    "assignee",
    "prepared_by",
    "approved_by",
    "returned_by",
)


def role_label(code: str) -> str:
    if code in EXTRA_ROLE_LABELS:
        return EXTRA_ROLE_LABELS[code]
    try:
        return str(Role(code).label)
    except ValueError:
        return code


def person_name(user: Any) -> str:
    if user is None:
        return "سامانه"
    return str(user.get_full_name() or user.get_username())


def persian_duration(amount: dt.timedelta, *, working: bool = False) -> str:
    """'۲ روز و ۳ ساعت' or, for working time, '۵ ساعت و ۲۰ دقیقه'."""
    minutes = max(int(amount.total_seconds() // 60), 0)
    days, rest = divmod(minutes, 24 * 60)
    if working:
        days, rest = 0, minutes
    hours, mins = divmod(rest, 60)
    parts = [
        f"{days} روز" if days else "",
        f"{hours} ساعت" if hours else "",
        f"{mins} دقیقه" if mins and not days else "",
    ]
    text = " و ".join(p for p in parts if p) or "کمتر از یک دقیقه"
    return to_persian_digits(text)


@dataclass(frozen=True)
class TimelineEntry:
    event: CaseEvent
    actor_name: str
    role_label: str
    action_label: str
    from_label: str
    to_label: str
    public_reason: bool = True
    details: tuple[str, ...] = ()

    @property
    def reason(self) -> str:
        return self.event.reason if self.public_reason else ""

    @property
    def moved(self) -> bool:
        return self.event.from_state != self.event.to_state


def reason_is_public(event: CaseEvent, states: dict[str, WorkflowState]) -> bool:
    """The reasons an applicant reads: what they are asked for (a step waiting on them)
    and the final decision; not the staff's send-backs or a rejection not yet confirmed."""
    state = states.get(event.to_state)
    return state is not None and (state.is_terminal or state.acting_role == APPLICANT)


@dataclass
class Stint:
    """A stretch of time the case spent in one state."""

    state_label: str
    role_label: str
    entered_at: dt.datetime
    left_at: dt.datetime | None
    holders: list[str] = field(default_factory=list)
    working_time: str = ""
    calendar_time: str = ""

    @property
    def current(self) -> bool:
        return self.left_at is None


@dataclass(frozen=True)
class ReturnedNotice:
    """Why, by whom and when a case was sent back (until someone works on it)."""

    reason: str
    by_name: str
    role_label: str
    at: dt.datetime
    action_label: str
    from_label: str


@dataclass(frozen=True)
class DocumentRow:
    code: str
    title: str
    required: bool
    checked: bool
    scans: tuple[CaseAttachment, ...] = ()


@dataclass(frozen=True)
class VisitRow:
    """A visit report with its answers read by its checklist (the case's version)."""

    report: VisitReport
    answers: tuple[AnswerRow, ...] = ()
    photos: tuple[CaseAttachment, ...] = ()
    photo_items: tuple[tuple[str, str], ...] = ()  # (code, label) a photo may be added to


def visit_row(report: VisitReport, definition: Any, photos: tuple[CaseAttachment, ...]) -> VisitRow:
    checklist = definition_checklist(definition, report.checklist)
    counts: dict[str, int] = {}
    for photo in photos:
        counts[photo.checklist_item] = counts.get(photo.checklist_item, 0) + 1
    return VisitRow(
        report,
        tuple(answer_rows(checklist, report.answers, counts)),
        photos,
        tuple((i.code, i.label) for i in checklist.photo_items) if checklist else (),
    )


@dataclass
class CasePage:
    case: Case
    state_label: str
    acting_role_label: str
    show_full_national_id: bool
    documents: list[DocumentRow]
    conditions: list[ParcelCondition]
    visit_reports: list[VisitRow]
    entries: list[TimelineEntry]
    stints: list[Stint]
    permissions: CasePermissions
    now: dt.datetime
    application: list[DisplayRow] = field(default_factory=list)
    returned: ReturnedNotice | None = None
    plan_reviews: list[PlanReview] = field(default_factory=list)
    mismatches: list[str] = field(default_factory=list)
    response: InquiryResponse | None = None
    answer: AnswerView | None = None  # the draft for staff, the issued answer for all
    checklist: ChecklistSpec | None = None  # what a visit in the current step answers

    @property
    def actions(self) -> list[ActionOption]:
        """The actions the viewer may take now, then those blocked (with the reason)."""
        return [*self.permissions.allowed_actions, *self.permissions.blocked_actions]

    @property
    def forward_actions(self) -> list[ActionOption]:
        """The actions that carry the work on (the page shows them first)."""
        return [o for o in self.actions if not o.action.is_destructive]

    @property
    def destructive_actions(self) -> list[ActionOption]:
        """Cancellations, rejections and send-backs: shown apart, each confirmed."""
        return [o for o in self.actions if o.action.is_destructive]

    @property
    def held_by_colleague(self) -> bool:
        return self.permissions.held_by_colleague

    @property
    def can_claim(self) -> bool:
        return self.permissions.can_claim

    @property
    def can_release(self) -> bool:
        return self.permissions.can_release

    @property
    def can_assign(self) -> bool:
        return self.permissions.can_assign

    @property
    def can_record_visit(self) -> bool:
        return self.permissions.can_record_visit

    @property
    def can_correct(self) -> bool:
        return self.permissions.can_correct

    @property
    def can_change_service(self) -> bool:
        return self.permissions.can_change_service

    @property
    def can_attach_scan(self) -> bool:
        return self.permissions.can_attach_scan

    @property
    def can_attach_photo(self) -> bool:
        return self.permissions.can_attach_photo

    @property
    def certificate_declaration(self) -> str:
        """What the owner declares for an answer on the parcel's last certificate."""
        return certificate_rule(self.case).declaration

    @property
    def can_record_plan_review(self) -> bool:
        return self.permissions.can_record_plan_review

    @property
    def can_draft_response(self) -> bool:
        return self.permissions.can_draft_response

    @property
    def sees(self) -> Visibility:
        return self.permissions.sees

    @property
    def overdue(self) -> bool:
        due = self.case.due_at
        return due is not None and self.case.is_open and not self.paused and due < self.now

    @property
    def overall_overdue(self) -> bool:
        due = self.case.overall_due_at
        return due is not None and self.case.is_open and not self.paused and due < self.now

    @property
    def paused(self) -> bool:
        return self.case.sla_paused_at is not None


def load_case(case: Case) -> Case:
    """The (already authorised) case again, with everything the page shows joined."""
    conditions = ParcelCondition.objects.filter(resolved_at__isnull=True).order_by("recorded_on")
    return (
        Case.objects.select_related(*CASE_RELATIONS, "response")
        .prefetch_related(
            Prefetch("parcel__conditions", queryset=conditions, to_attr="open_condition_list")
        )
        .get(pk=case.pk)
    )


def case_page(case: Case, principal: Principal, user_id: int) -> CasePage:
    case = load_case(case)
    states = {s.code: s for s in WorkflowState.objects.filter(definition_id=case.definition_id)}
    actions = list(
        WorkflowAction.objects.filter(definition_id=case.definition_id).select_related(
            "from_state", "to_state"
        )
    )
    events = list(case.events.select_related("actor").order_by("seq"))
    # one query for the case's own reports and the parcel's latest visit (instant answers)
    visits = Q(case_id=case.pk) | (Q(parcel_id=case.parcel_id) if case.parcel_id else Q(pk__in=[]))
    seen = list(
        VisitReport.objects.filter(visits)
        .select_related("inspector")
        .order_by("-visited_at", "-pk")
    )
    reports = [r for r in seen if r.case_id == case.pk]
    parcel_visits = [r for r in seen if case.parcel_id and r.parcel_id == case.parcel_id]
    now = clock.now()  # the engine's clock, so due flags agree with the engine
    conditions = list(getattr(case.parcel, "open_condition_list", []))
    latest = parcel_visits[0] if parcel_visits else None
    reviews = list(
        PlanReview.objects.filter(case_id=case.pk)
        .select_related("reviewer")
        .order_by("-recorded_at", "-pk")
    )
    response = getattr(case, "response", None)
    files = list(
        CaseAttachment.objects.filter(case_id=case.pk)
        .select_related("file")
        .order_by("attached_at", "pk")
    )
    facts: dict[str, Any] = {
        CASE_VISITS: [(r.visited_at, r.recorded_at) for r in reports],
        PARCEL_HAS_OPEN_CONDITIONS: bool(conditions),
        PARCEL_LATEST_VISIT: latest
        and {"visited_at": latest.visited_at, "answers": latest.answers},
        CASE_PLAN_REVIEWS: [r.recorded_at for r in reviews],
        RESPONSE_DRAFTED: response is not None and not response.is_issued,
    }
    allowed = case_permissions(
        principal, case, actions=actions, now=now, facts=facts, state=states.get(case.state)
    )
    if not allowed.sees.internal_events:
        events = [e for e in events if e.action not in INTERNAL]
    state = states.get(case.state)
    sees = allowed.sees
    scans = [a for a in files if attachment_visible(sees, a.kind) and a.document_code]
    photos = [a for a in files if attachment_visible(sees, a.kind) and a.visit_report_id]
    return CasePage(
        case=case,
        state_label=state.label if state else case.state,
        acting_role_label=role_label(case.acting_role) if case.acting_role else "",
        show_full_national_id=allowed.sees.full_personal_data,
        documents=document_rows(case, states, scans),
        conditions=conditions,
        visit_reports=[
            visit_row(r, case.definition, tuple(p for p in photos if p.visit_report_id == r.pk))
            for r in reports
        ]
        if allowed.sees.staff_names
        else [],
        entries=timeline_entries(
            events,
            states,
            actions,
            names=allowed.sees.staff_names,
            documents=case.definition.documents,
        ),
        stints=stints_of(events, states, now, names=allowed.sees.staff_names),
        permissions=allowed,
        now=now,
        # the fields of the case's own (pinned) version, not the active one
        application=display_rows(declared_fields(case.definition), case.data),
        returned=returned_notice(case, events, states, actions)
        if allowed.sees.staff_names
        else None,
        plan_reviews=reviews if allowed.sees.staff_names else [],
        mismatches=plan_mismatches(
            reviews[0] if reviews else None, case, reports[0] if reports else None, conditions
        )
        if allowed.sees.staff_names
        else [],
        response=response,
        answer=answer_view(response)
        if response is not None and (response.is_issued or allowed.sees.staff_names)
        else None,
        checklist=definition_checklist(case.definition, state.checklist if state else "")
        if allowed.can_record_visit
        else None,
    )


def returned_notice(
    case: Case,
    events: list[CaseEvent],
    states: dict[str, WorkflowState],
    actions: list[WorkflowAction],
) -> ReturnedNotice | None:
    """The send-back a case still carries, read from its row and its last send-back
    event (the page has both already)."""
    if case.returned_at is None:
        return None
    send_backs = {a.code: a.label for a in actions if a.send_back}
    event = next((e for e in reversed(events) if e.action in send_backs), None)
    source = states.get(event.from_state) if event else None
    return ReturnedNotice(
        reason=case.returned_reason,
        by_name=person_name(case.returned_by),
        role_label=role_label(event.actor_role) if event else "",
        at=case.returned_at,
        action_label=send_backs[event.action] if event else "",
        from_label=source.label if source else "",
    )


def document_rows(
    case: Case, states: dict[str, WorkflowState], scans: list[CaseAttachment] | None = None
) -> list[DocumentRow]:
    required = {code for s in states.values() if s.is_initial for code in s.documents_required}
    checked = set(case.documents_checked)
    return [
        DocumentRow(
            code,
            title,
            code in required,
            code in checked,
            tuple(a for a in scans or () if a.document_code == code),
        )
        for code, title in case.definition.documents.items()
    ]


def timeline_entries(
    events: list[CaseEvent],
    states: dict[str, WorkflowState],
    actions: list[WorkflowAction],
    *,
    names: bool = True,
    documents: dict[str, str] | None = None,
) -> list[TimelineEntry]:
    """The events as a person reads them; without `names` (the applicant's view) each
    actor is named by their role only."""
    labels = {**{a.code: a.label for a in actions}, **ENGINE_EVENT_LABELS}

    def state_label(code: str) -> str:
        return states[code].label if code in states else code

    return [
        TimelineEntry(
            event=event,
            actor_name=person_name(event.actor) if names else role_label(event.actor_role),
            role_label=role_label(event.actor_role),
            action_label=event_label(event, labels),
            from_label=state_label(event.from_state) if event.from_state else "",
            to_label=state_label(event.to_state),
            public_reason=names or reason_is_public(event, states),
            details=event_details(event, documents or {}, names=names),
        )
        for event in events
    ]


def duplicate_details(event: CaseEvent) -> tuple[str, ...]:
    """'ثبت با وجود پرونده باز ۰۴…: <the counter's reason>' (staff only)."""
    payload = event.payload if isinstance(event.payload, dict) else {}
    code, reason = payload.get("duplicate_of"), payload.get("duplicate_reason")
    if not reason:
        return ()
    where = f"پرونده باز {to_persian_digits(code)}" if code else "پرونده باز دفتر دیگری"
    return (f"ثبت با وجود {where} از همین خدمت روی این ملک: {reason}",)


def event_details(
    event: CaseEvent, documents: dict[str, str], *, names: bool = True
) -> tuple[str, ...]:
    """The lines under an event: a calendar change's due times, a correction's fields
    (before ← after), the documents a send-back un-ticked, a duplicate's reason (staff)."""
    if event.action == EventType.CALENDAR_CHANGED:
        return calendar_change_details(event)
    if event.action == EventType.OPEN:
        return duplicate_details(event) if names else ()
    if event.action == EventType.ASSIGN:
        name = str(
            (event.payload if isinstance(event.payload, dict) else {}).get("assignee_name") or ""
        )
        return (f"واگذار شد به: {name}",) if name else ()
    if event.action == EventType.CORRECT_CASE:
        return correction_lines(event.payload)
    payload = event.payload if isinstance(event.payload, dict) else {}
    unchecked = payload.get("documents_unchecked")
    if isinstance(unchecked, list) and unchecked:
        titles = "، ".join(documents.get(str(code), str(code)) for code in unchecked)
        return (f"علامت این مدارک برداشته شد و باید دوباره بررسی شود: {titles}",)
    return ()


def event_label(event: CaseEvent, labels: dict[str, str]) -> str:
    payload = event.payload if isinstance(event.payload, dict) else {}
    if event.action == EventType.CALENDAR_CHANGED and payload.get("change") == WITHDRAWN:
        return WITHDRAWN_HOLIDAY_LABEL
    return labels.get(event.action, event.action)


def calendar_change_details(event: CaseEvent) -> tuple[str, ...]:
    """'روز تعطیل: پنجشنبه ۸ آبان ۱۴۰۴ (…)' and each moved due time, old ← new."""
    payload = event.payload if isinstance(event.payload, dict) else {}
    lines: list[str] = []
    try:
        day = dt.date.fromisoformat(str(payload.get("holiday", "")))
    except ValueError:
        day = None
    if day is not None:
        heading = "تعطیل لغوشده" if payload.get("change") == WITHDRAWN else "روز تعطیل"
        title = str(payload.get("title") or "")
        lines.append(
            f"{heading}: {format_jalali_date(day, 'full')}" + (f" ({title})" if title else "")
        )
    for name, label in DUE_LABELS.items():
        moved = payload.get(name)
        if not isinstance(moved, dict):
            continue
        try:
            old, new = (dt.datetime.fromisoformat(str(moved[k])) for k in ("old", "new"))
        except (KeyError, ValueError):
            continue
        lines.append(f"{label}: {format_jalali_datetime(old)} ← {format_jalali_datetime(new)}")
    return tuple(lines)


def stints_of(
    events: list[CaseEvent],
    states: dict[str, WorkflowState],
    now: dt.datetime,
    *,
    names: bool = True,
) -> list[Stint]:
    """One stint per stay in a state: who held the case there and for how long, in
    working hours (weekends and holidays excluded) and in calendar time."""
    stints: list[Stint] = []
    for event in events:
        if stints and event.from_state == event.to_state:
            if event.actor is not None and event.action not in NOT_HOLDING:
                name = person_name(event.actor)
                if name not in stints[-1].holders:
                    stints[-1].holders.append(name)
            continue
        if stints:
            stints[-1].left_at = event.created_at
            name = person_name(event.actor)
            if name not in stints[-1].holders:
                stints[-1].holders.append(name)
        state = states.get(event.to_state)
        if state is not None and state.is_terminal:
            break
        stints.append(
            Stint(
                state_label=state.label if state else event.to_state,
                role_label=role_label(state.acting_role) if state and state.acting_role else "",
                entered_at=event.created_at,
                left_at=None,
            )
        )
    if not names:
        for stint in stints:
            stint.holders = []
    if stints:
        first = timezone.localtime(stints[0].entered_at).date()
        calendar = calendar_for(first, timezone.localtime(now).date())
        for stint in stints:
            end = stint.left_at or now
            stint.working_time = persian_duration(
                calendar.between(stint.entered_at, end), working=True
            )
            stint.calendar_time = persian_duration(end - stint.entered_at)
    return stints
