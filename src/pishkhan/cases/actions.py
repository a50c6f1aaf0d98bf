"""Every write to a case: ``do_<verb>_<noun>``, each one transaction that checks scope,
role and guards, compare-and-swaps the case version and appends a CaseEvent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from pishkhan.accounts.access import Principal
from pishkhan.accounts.models import Citizen
from pishkhan.cases import engine
from pishkhan.cases.access import access_case_by_id, principal_of
from pishkhan.cases.calendar import add_working_hours
from pishkhan.cases.errors import (
    ActionNotAllowed,
    ConcurrentActionError,
    NoActiveDefinition,
    OpenNotAllowed,
    ReasonRequired,
    RoleNotAllowed,
    WorkflowError,
)
from pishkhan.cases.models import (
    APPLICANT,
    SYSTEM,
    Case,
    CaseEvent,
    Channel,
    VisitReport,
    WorkflowDefinition,
)
from pishkhan.cases.tracking import allocate_tracking_code
from pishkhan.catalog.models import ServiceType
from pishkhan.core import clock
from pishkhan.core.jalali import jalali_year
from pishkhan.geo.models import LandUse, Parcel
from pishkhan.offices.models import Office, OfficeStatus
from pishkhan.offices.roles import Role

# --- opening a case -------------------------------------------------------------------


def active_definition(service_type: ServiceType) -> WorkflowDefinition:
    definition = WorkflowDefinition.objects.filter(
        service_type=service_type, is_active=True
    ).first()
    if definition is None:
        raise NoActiveDefinition()
    return definition


def opening_role(
    principal: Principal, definition: WorkflowDefinition, applicant: Citizen, office: Office
) -> str:
    """Office staff open cases at their own office; an applicant opens their own case."""
    for role in definition.open_roles:
        if role == APPLICANT and principal.citizen_id == applicant.pk:
            return role
        if role != APPLICANT and office.pk in principal.office_ids(role):
            return role
    raise OpenNotAllowed()


def check_opening(
    service_type: ServiceType, parcel: Parcel | None, office: Office, channel: str, role: str
) -> None:
    if not service_type.is_active:
        raise WorkflowError("این خدمت فعال نیست.")
    if service_type.requires_parcel and parcel is None:
        raise WorkflowError("برای این خدمت، ملک را مشخص کنید.")
    if office.status != OfficeStatus.ACTIVE:
        raise WorkflowError("این دفتر فعال نیست و پرونده نمی‌پذیرد.")
    expected = Channel.ONLINE if role == APPLICANT else Channel.IN_PERSON
    if channel != expected:
        raise WorkflowError(
            "متقاضی درخواست را غیرحضوری ثبت می‌کند و دفتر حضوری."
            if channel in Channel.values
            else "شیوه ثبت شناخته نیست."
        )
    if channel == Channel.ONLINE and not service_type.online_allowed:
        raise WorkflowError("این خدمت فقط حضوری ثبت می‌شود.")


def do_open_case(
    user: Any,
    service_type: ServiceType,
    applicant: Citizen,
    parcel: Parcel | None,
    office: Office,
    channel: str,
    documents_checked: list[str],
) -> Case:
    """Register a case on the active version of the service's workflow, after its
    document checklist; the case starts in the definition's initial state."""
    principal = principal_of(user)
    if principal is None:
        raise OpenNotAllowed()
    definition = active_definition(service_type)
    role = opening_role(principal, definition, applicant, office)
    check_opening(service_type, parcel, office, channel, role)
    first = engine.initial_state(definition)
    engine.require_documents(definition, first, documents_checked)
    now = clock.now()
    with transaction.atomic():
        case = Case.objects.create(
            tracking_code=allocate_tracking_code(jalali_year(now)),
            service_type=service_type,
            definition=definition,
            applicant=applicant,
            parcel=parcel,
            office=office,
            district_id=parcel.district_id if parcel else office.district_id,
            channel=channel,
            state=first.code,
            acting_role=first.acting_role,
            state_entered_at=now,
            due_at=engine.due_for(first, now),
            overall_due_at=(
                add_working_hours(now, definition.sla_hours) if definition.sla_hours else None
            ),
            documents_checked=sorted(set(documents_checked)),
            version=1,
            opened_by_id=user.pk,
            opened_at=now,
        )
        event = CaseEvent.objects.create(
            case=case,
            seq=1,
            action="open",
            actor_id=user.pk,
            actor_role=role,
            from_state="",
            to_state=first.code,
            payload={"channel": channel, "documents_checked": case.documents_checked},
            created_at=now,
        )
        engine.announce(case.pk, event)
    return case


# --- moving a case --------------------------------------------------------------------


def do_perform_action(
    user: Any,
    case_id: Any,
    action_code: str,
    expected_version: int,
    reason: str | None = None,
    payload: dict[str, Any] | None = None,
) -> Case:
    """Take `action_code` on a case the user can see, as a role the user holds where
    the case is. A stale `expected_version` loses with ConcurrentActionError."""
    principal = principal_of(user)
    with transaction.atomic():
        case = access_case_by_id(user, case_id, principal)
        assert principal is not None  # access_case_by_id found a case in its scope
        if case.version != expected_version:
            raise ConcurrentActionError()
        action = engine.find_action(case, action_code)
        role = engine.acting_role_of(principal, case, list(action.roles))
        engine.check_assignment(case, role, user.pk)
        engine.apply_action(
            case,
            action,
            expected_version,
            actor_id=user.pk,
            role=role,
            reason=(reason or "").strip(),
            payload=dict(payload or {}),
        )
    case.refresh_from_db()
    return case


def do_perform_system_action(
    case_id: int,
    action_code: str,
    expected_version: int,
    reason: str | None = None,
    payload: dict[str, Any] | None = None,
) -> Case:
    """An action the system takes (a timer, an integration), allowed only where the
    definition gives it to the "system" role. Never reachable from a request."""
    with transaction.atomic():
        case = Case.objects.select_related("definition").get(pk=case_id)
        if case.version != expected_version:
            raise ConcurrentActionError()
        action = engine.find_action(case, action_code)
        if SYSTEM not in action.roles:
            raise RoleNotAllowed()
        engine.apply_action(
            case,
            action,
            expected_version,
            actor_id=None,
            role=SYSTEM,
            reason=(reason or "").strip(),
            payload=dict(payload or {}),
        )
    case.refresh_from_db()
    return case


# --- claiming -------------------------------------------------------------------------


def do_claim_case(user: Any, case_id: Any, expected_version: int) -> Case:
    """Take an unassigned case of your cartable so colleagues see it is in hand."""
    principal = principal_of(user)
    with transaction.atomic():
        case = access_case_by_id(user, case_id, principal)
        assert principal is not None
        if case.version != expected_version:
            raise ConcurrentActionError()
        if case.closed_at is not None or not engine.holds_role_for(
            principal, case, case.acting_role
        ):
            raise RoleNotAllowed()
        if case.assignee_id == user.pk:
            raise ActionNotAllowed("این پرونده هم‌اکنون در دست شماست.")
        engine.check_assignment(case, case.acting_role, user.pk)
        _reassign(case, expected_version, "claim", user.pk, assignee_id=user.pk)
    case.refresh_from_db()
    return case


def do_release_case(user: Any, case_id: Any, expected_version: int) -> Case:
    """Give a claimed case back to the pool of its acting role."""
    principal = principal_of(user)
    with transaction.atomic():
        case = access_case_by_id(user, case_id, principal)
        if case.version != expected_version:
            raise ConcurrentActionError()
        if case.assignee_id != user.pk:
            raise ActionNotAllowed("این پرونده در دست شما نیست.")
        _reassign(case, expected_version, "release", user.pk, assignee_id=None)
    case.refresh_from_db()
    return case


def _reassign(
    case: Case, expected_version: int, action: str, actor_id: int, assignee_id: int | None
) -> None:
    engine.record_change(
        case,
        expected_version,
        action=action,
        actor_id=actor_id,
        actor_role=case.acting_role,
        to_state=case.state,
        changes={"assignee_id": assignee_id},
    )


# --- visit reports --------------------------------------------------------------------


def visit_report_errors(
    visited_at: dt.datetime,
    observed_land_use: str,
    built_area: Decimal,
    floors: int,
    violations_observed: list[str],
    photo_refs: list[str],
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if visited_at.tzinfo is None or visited_at > clock.now():
        errors["visited_at"] = "زمان بازدید باید گذشته باشد."
    if observed_land_use not in LandUse.values:
        errors["observed_land_use"] = "کاربری مشاهده‌شده را از فهرست انتخاب کنید."
    if built_area < 0:
        errors["built_area"] = "مساحت ساخته‌شده نمی‌تواند منفی باشد."
    if floors < 0 or floors > 200:
        errors["floors"] = "تعداد طبقات معتبر نیست."
    if not all(isinstance(v, str) and v.strip() for v in violations_observed):
        errors["violations_observed"] = "هر تخلف مشاهده‌شده باید یک شرح متنی باشد."
    if not all(isinstance(p, str) and p.strip() for p in photo_refs):
        errors["photo_refs"] = "مرجع هر عکس باید یک متن باشد."
    return errors


def do_record_visit_report(
    user: Any,
    case_id: Any,
    expected_version: int,
    *,
    visited_at: dt.datetime,
    observed_land_use: str,
    built_area: Decimal,
    floors: int,
    violations_observed: list[str],
    photo_refs: list[str],
    notes: str = "",
) -> VisitReport:
    """The inspector holding a case that waits for a visit records what they saw."""
    principal = principal_of(user)
    errors = visit_report_errors(
        visited_at, observed_land_use, Decimal(built_area), floors, violations_observed, photo_refs
    )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        case = access_case_by_id(user, case_id, principal)
        assert principal is not None
        if case.version != expected_version:
            raise ConcurrentActionError()
        if case.acting_role != Role.INSPECTOR or case.closed_at is not None:
            raise ActionNotAllowed("این پرونده در انتظار بازدید نیست.")
        if not engine.holds_role_for(principal, case, Role.INSPECTOR):
            raise RoleNotAllowed()
        engine.check_assignment(case, Role.INSPECTOR, user.pk)
        report = VisitReport.objects.create(
            case=case,
            parcel_id=case.parcel_id,
            inspector=user,
            visited_at=visited_at,
            observed_land_use=observed_land_use,
            built_area=Decimal(built_area),
            floors=floors,
            violations_observed=[v.strip() for v in violations_observed],
            photo_refs=[p.strip() for p in photo_refs],
            notes=notes.strip(),
            recorded_at=clock.now(),
        )
        engine.record_change(
            case,
            expected_version,
            action="record_visit_report",
            actor_id=user.pk,
            actor_role=Role.INSPECTOR,
            to_state=case.state,
            changes={},
            payload={
                "visit_report_id": report.pk,
                "violations": len(report.violations_observed),
                "photos": report.photos_count,
            },
        )
    return report


# --- follow-up notes ------------------------------------------------------------------

FOLLOW_UP_NOTE = "follow_up_note"
FOLLOW_UP_NOTE_MAX_LENGTH = 1000


def do_add_follow_up_note(user: Any, case_id: Any, text: str) -> CaseEvent:
    """A follow-up officer of the case's office writes down how they chased it.

    The note is an event (action ``follow_up_note``, no change of state or assignee). It
    bumps the case version like every event, so ``version`` still equals the number of
    events; the note needs no expected version from the caller, it applies to whatever
    version the case has now."""
    text = (text or "").strip()
    if not text:
        raise ReasonRequired("متن یادداشت پیگیری را بنویسید.")
    if len(text) > FOLLOW_UP_NOTE_MAX_LENGTH:
        raise WorkflowError("یادداشت پیگیری حداکثر ۱۰۰۰ نویسه است.")
    principal = principal_of(user)
    with transaction.atomic():
        case = access_case_by_id(user, case_id, principal)
        assert principal is not None
        if case.closed_at is not None:
            raise ActionNotAllowed("این پرونده بسته شده است و پیگیری نمی‌خواهد.")
        if not engine.holds_role_for(principal, case, Role.FOLLOW_UP_OFFICER):
            raise RoleNotAllowed()
        return engine.record_change(
            case,
            case.version,
            action=FOLLOW_UP_NOTE,
            actor_id=user.pk,
            actor_role=Role.FOLLOW_UP_OFFICER,
            to_state=case.state,
            changes={},
            reason=text,
        )
