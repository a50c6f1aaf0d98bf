"""The workflow engine: generic machinery every case action uses.

It knows states, actions, roles, scopes, guards, SLA clocks and versions — nothing about
inquiries or permits. Callers run these helpers inside one transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F
from django.utils import timezone

from pishkhan.accounts.access import Principal
from pishkhan.cases.calendar import (
    add_working_hours,
    add_working_time,
    calendar_for,
    working_time_between,
)
from pishkhan.cases.effects import EffectContext, run_effects
from pishkhan.cases.errors import (
    ActionNotAllowed,
    AssignedToAnother,
    ConcurrentActionError,
    DocumentsMissing,
    GuardFailed,
    InvalidInput,
    ReasonRequired,
    RoleNotAllowed,
)
from pishkhan.cases.events import NewEvent, write_event
from pishkhan.cases.guards import GuardContext, first_failure
from pishkhan.cases.models import (
    APPLICANT,
    SYSTEM,
    Case,
    CaseEvent,
    WorkflowAction,
    WorkflowDefinition,
    WorkflowState,
)
from pishkhan.core import clock
from pishkhan.core.calendar import configured_calendar
from pishkhan.core.digits import to_persian_digits
from pishkhan.offices.roles import ROLE_SCOPE, Scope

# --- who may act ----------------------------------------------------------------------


def holds_role_for(principal: Principal, case: Case, role: str) -> bool:
    """Does the principal hold `role` where this case is (its office, its district), or
    is the principal the case's applicant when `role` is the applicant?"""
    if role == APPLICANT:
        return principal.citizen_id is not None and principal.citizen_id == case.applicant_id
    scope = ROLE_SCOPE.get(role)
    if scope == Scope.OFFICE:
        return case.office_id in principal.office_ids(role)
    if scope == Scope.DISTRICT:
        return case.district_id in principal.district_ids(role)
    return False  # city roles are read-only; "system" is never a person


def acting_role_of(principal: Principal, case: Case, roles: list[str]) -> str:
    """The first of `roles` the principal holds for this case; RoleNotAllowed otherwise."""
    for role in roles:
        if holds_role_for(principal, case, role):
            return role
    raise RoleNotAllowed()


def check_assignment(case: Case, role: str, user_id: int | None) -> None:
    """A case claimed by a colleague is theirs to act on in its acting role; other roles
    (the applicant cancelling, say) are not held up by the claim."""
    if role == case.acting_role and case.assignee_id not in (None, user_id):
        raise AssignedToAnother()


# --- the definition -------------------------------------------------------------------


def find_action(case: Case, code: str) -> WorkflowAction:
    """The action `code` out of the case's current state in its pinned definition."""
    action = (
        WorkflowAction.objects.select_related("from_state", "to_state")
        .filter(definition_id=case.definition_id, from_state__code=case.state, code=code)
        .first()
    )
    if action is None or case.closed_at is not None:
        raise ActionNotAllowed()
    return action


def initial_state(definition: WorkflowDefinition) -> WorkflowState:
    return definition.states.get(is_initial=True)


def missing_documents(state: WorkflowState, checked: list[str]) -> list[str]:
    return [code for code in state.documents_required if code not in set(checked)]


def require_documents(definition: WorkflowDefinition, state: WorkflowState, checked: Any) -> None:
    checked_list = [str(c) for c in checked] if isinstance(checked, list | tuple) else []
    missing = missing_documents(state, checked_list)
    if missing:
        titles = "، ".join(definition.documents.get(code, code) for code in missing)
        raise DocumentsMissing(f"مدارک لازم کامل نیست: {titles}")


REASON_MAX_LENGTH = 2000


def check_text(value: str, max_length: int, what: str) -> None:
    """Free text an action stores: bounded, and without control characters."""
    if len(value) > max_length:
        raise InvalidInput(f"{what} حداکثر {to_persian_digits(max_length)} نویسه است.")
    if "\x00" in value:
        raise InvalidInput(f"{what} نویسه نامعتبر دارد.")


def check_reason(action: WorkflowAction, reason: str) -> None:
    if action.reason_required and not reason:
        raise ReasonRequired()
    if reason and not action.reason_required:
        raise InvalidInput("این اقدام علتی نمی‌گیرد؛ متن علت را خالی بگذارید.")
    check_text(reason, REASON_MAX_LENGTH, "متن علت")


def checked_documents(action: WorkflowAction, role: str, raw: Any) -> list[str]:
    """The documents an action ticks: only codes the target step of the pinned definition
    requires, only by the staff who act (never the applicant)."""
    if raw in (None, [], ()):
        return []
    if not isinstance(raw, list | tuple) or not all(isinstance(c, str) for c in raw):
        raise InvalidInput("فهرست مدارک بررسی‌شده معتبر نیست.")
    if role in (APPLICANT, SYSTEM):
        raise InvalidInput("بررسی مدارک با کارکنان است، نه با متقاضی.")
    allowed = set(action.to_state.documents_required)
    if any(code not in allowed for code in raw):
        raise InvalidInput("مدرکی علامت خورده که این مرحله آن را نمی‌خواهد.")
    return sorted(set(raw))


def check_guards(context: GuardContext) -> None:
    failure = first_failure(list(context.action.guards), context)
    if failure:
        raise GuardFailed(failure[1], guard=failure[0])


# --- SLA ------------------------------------------------------------------------------


def opening_deadlines(
    first: WorkflowState, definition: WorkflowDefinition, now: dt.datetime
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The first state's and the overall deadline of a case opened `now`, on one
    calendar (one read of the holidays)."""
    hours = [h for h in (first.sla_hours, definition.sla_hours) if h]
    if not hours:
        return None, None
    today = timezone.localtime(now).date()
    per_day = configured_calendar().hours_per_day  # the same span add_working_time reads
    span = 60 + 2 * int(dt.timedelta(hours=max(hours)) / per_day)
    calendar = calendar_for(today, today + dt.timedelta(days=span))
    due = calendar.add(now, dt.timedelta(hours=first.sla_hours)) if first.sla_hours else None
    overall = (
        calendar.add(now, dt.timedelta(hours=definition.sla_hours))
        if definition.sla_hours
        else None
    )
    return due, overall


def due_for(state: WorkflowState, start: dt.datetime) -> dt.datetime | None:
    return add_working_hours(start, state.sla_hours) if state.sla_hours else None


def sla_changes(case: Case, target: WorkflowState, now: dt.datetime, reason: str) -> dict[str, Any]:
    """The clock fields after moving `case` into `target`.

    Entering a pausing state stops the clocks; leaving it moves the overall deadline, and
    the state deadline when the case returns to the state it paused in, later by the
    working time spent waiting."""
    resume = {"sla_paused_at": None, "paused_from_state": "", "pause_reason": ""}
    if target.is_terminal:
        return {"due_at": None, **resume}
    if target.pauses_sla:
        if case.sla_paused_at is not None:
            return {}
        return {"sla_paused_at": now, "paused_from_state": case.state, "pause_reason": reason[:500]}
    changes: dict[str, Any] = {"due_at": due_for(target, now)}
    if case.sla_paused_at is not None:
        waited = working_time_between(case.sla_paused_at, now)
        changes.update(resume)
        if case.overall_due_at is not None:
            changes["overall_due_at"] = add_working_time(case.overall_due_at, waited)
        if target.code == case.paused_from_state and case.due_at is not None:
            changes["due_at"] = add_working_time(case.due_at, waited)
    return changes


# --- writing --------------------------------------------------------------------------


def compare_and_swap(case_id: int, expected_version: int, changes: dict[str, Any]) -> bool:
    """Apply `changes` only if nobody changed the case since `expected_version`."""
    updated = Case.objects.filter(pk=case_id, version=expected_version).update(
        version=F("version") + 1, **changes
    )
    return updated == 1


def record_change(
    case: Case,
    expected_version: int,
    *,
    action: str,
    actor_id: int | None,
    actor_role: str,
    to_state: str,
    changes: dict[str, Any],
    reason: str = "",
    payload: dict[str, Any] | None = None,
) -> CaseEvent:
    """Swap the case to its next version and append the matching event; the event's seq
    is the new version, and the outbox hears of it in the same transaction."""
    if not compare_and_swap(case.pk, expected_version, changes):
        raise ConcurrentActionError()
    return write_event(
        NewEvent(
            case_id=case.pk,
            seq=expected_version + 1,
            action=action,
            actor_id=actor_id,
            actor_role=actor_role,
            from_state=case.state,
            to_state=to_state,
            reason=reason,
            payload=payload or {},
            created_at=changes.get("state_entered_at") or clock.now(),
        )
    )


def transition_changes(
    case: Case,
    action: WorkflowAction,
    *,
    actor_id: int | None,
    reason: str,
    documents_checked: list[str],
    now: dt.datetime,
) -> dict[str, Any]:
    target = action.to_state
    changes: dict[str, Any] = {
        "state": target.code,
        "acting_role": target.acting_role,
        "state_entered_at": now,
        "assignee": None,
        **sla_changes(case, target, now, reason),
    }
    if documents_checked:
        changes["documents_checked"] = sorted(set(case.documents_checked) | set(documents_checked))
    if target.is_terminal:
        changes["closed_at"] = now
    return changes


def apply_action(
    case: Case,
    action: WorkflowAction,
    expected_version: int,
    *,
    actor_id: int | None,
    role: str,
    reason: str,
    payload: dict[str, Any],
) -> CaseEvent:
    """Check reason, documents and guards, move the case along `action`, then run the
    action's effects (all in the caller's transaction: a failing effect undoes the move)."""
    now = clock.now()
    check_reason(action, reason)
    checked = checked_documents(action, role, payload.get("documents_checked"))
    payload = {k: v for k, v in payload.items() if k != "documents_checked"}
    if checked:
        payload["documents_checked"] = checked
    if action.to_state.documents_required:
        require_documents(case.definition, action.to_state, [*case.documents_checked, *checked])
    check_guards(
        GuardContext(
            case=case, action=action, user_id=actor_id, role=role, now=now, payload=payload
        )
    )
    changes = transition_changes(
        case, action, actor_id=actor_id, reason=reason, documents_checked=checked, now=now
    )
    event = record_change(
        case,
        expected_version,
        action=action.code,
        actor_id=actor_id,
        actor_role=role,
        to_state=action.to_state.code,
        changes=changes,
        reason=reason,
        payload=payload,
    )
    if action.effects:
        run_effects(
            list(action.effects),
            EffectContext(
                case=case,
                action=action,
                event=event,
                actor_id=actor_id,
                role=role,
                now=now,
                payload=payload,
            ),
        )
    return event
