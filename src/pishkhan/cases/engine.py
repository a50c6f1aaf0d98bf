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
from pishkhan.cases.events import NOT_PROGRESS, EventType, NewEvent, write_event
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
from pishkhan.offices.models import RoleAssignment
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


DOCUMENTS_MAX = 50


def clean_documents(definition: WorkflowDefinition, checked: Any) -> list[str]:
    """The checked document codes, each one the definition declares; anything else
    (an unknown code, a non-string, a huge list) is refused, never stored."""
    if not isinstance(checked, list | tuple) or len(checked) > DOCUMENTS_MAX:
        raise InvalidInput("فهرست مدارک بررسی‌شده معتبر نیست.")
    codes = [c for c in checked if isinstance(c, str)]
    unknown = [c for c in codes if c not in definition.documents] + (
        ["?"] if len(codes) != len(checked) else []
    )
    if unknown:
        raise InvalidInput("مدرکی که در فهرست مدارک این خدمت نیست علامت خورده است.")
    return sorted(set(codes))


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


def unchecked_documents(case: Case, action: WorkflowAction, role: str, raw: Any) -> list[str]:
    """The documents a send-back un-ticks (the letter has no date: the step it returns to
    must check it again): only a send-back into a step whose data may be corrected, only
    by staff, only codes of that step's checklist that are ticked now."""
    if raw in (None, [], ()):
        return []
    if not isinstance(raw, list | tuple) or not all(isinstance(c, str) for c in raw):
        raise InvalidInput("فهرست مدارک برگشتی معتبر نیست.")
    if not action.send_back or not action.to_state.data_editable:
        raise InvalidInput("این اقدام علامت مدرکی را برنمی‌دارد.")
    if role in (APPLICANT, SYSTEM):
        raise InvalidInput("بررسی مدارک با کارکنان است، نه با متقاضی.")
    ticked = set(case.documents_checked) & set(action.to_state.documents_required)
    if any(code not in ticked for code in raw):
        raise InvalidInput("علامت مدرکی برداشته شده که علامت نخورده یا این مرحله آن را نمی‌خواهد.")
    return sorted(set(raw))


def moves_on(action: WorkflowAction) -> bool:
    """An action that takes the case on from its step (not back, not to wait on the
    applicant, not to its end): the step's own checklist must be complete."""
    target = action.to_state
    return not action.send_back and not target.pauses_sla and not target.is_terminal


def require_step_documents(case: Case, action: WorkflowAction, checked: list[str]) -> None:
    """Entering a step needs its checklist (a send-back excepted: the step it returns to
    checks again); moving on from a step needs the step's own (a send-back may have
    un-ticked one, and a correction ticks it again)."""
    have = [*case.documents_checked, *checked]
    if action.to_state.documents_required and not action.send_back:
        require_documents(case.definition, action.to_state, have)
    if action.from_state.documents_required and moves_on(action):
        require_documents(case.definition, action.from_state, have)


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


# --- who holds a step ----------------------------------------------------------------


def last_holder(case: Case, state: WorkflowState) -> int | None:
    """Who last held `state` of this case, read from its events: the inspector of the
    last visit report recorded there, else the last person who acted there or claimed
    it in the step's acting role (notes, the calendar and releases hold nothing)."""
    skip = {*NOT_PROGRESS, EventType.RELEASE}
    rows = (
        CaseEvent.objects.filter(case_id=case.pk, from_state=state.code, actor__isnull=False)
        .exclude(action__in=skip)
        .order_by("-seq")
        .values_list("action", "actor_id", "actor_role")
    )
    held = [(action, actor, role) for action, actor, role in rows]
    visits = [actor for action, actor, _ in held if action == EventType.RECORD_VISIT_REPORT]
    if visits:
        return visits[0]
    return next((actor for _, actor, role in held if role == state.acting_role), None)


def present(user_id: int, role: str, case: Case, on: dt.date) -> bool:
    """The person is active and holds `role` where the case is, in force on `on`."""
    scope = ROLE_SCOPE.get(role)
    if scope == Scope.OFFICE:
        where = {"office_id": case.office_id}
    elif scope == Scope.DISTRICT:
        where = {"district_id": case.district_id}
    else:
        return False
    return (
        RoleAssignment.objects.in_force(on)
        .filter(staff__user_id=user_id, staff__user__is_active=True, role=role, **where)
        .exists()
    )


def returns_to_holder(case: Case, action: WorkflowAction) -> bool:
    """A send-back, or the applicant's answer that takes a case back to the step it
    paused in: the case goes back to whoever held that step."""
    target = action.to_state
    resumes = (
        case.sla_paused_at is not None
        and not target.pauses_sla
        and target.code == case.paused_from_state
    )
    return action.send_back or resumes


def route_back(case: Case, action: WorkflowAction, now: dt.datetime) -> int | None:
    """The assignee of a case returning along `action`: the step's last holder when they
    are still there (active, holding its role where the case is today), else nobody —
    the pool of the step's role. Any other action leaves the case in the pool."""
    target = action.to_state
    if not returns_to_holder(case, action) or target.acting_role in ("", APPLICANT, SYSTEM):
        return None
    holder = last_holder(case, target)
    if holder is None or not present(holder, target.acting_role, case, timezone.localdate(now)):
        return None
    return holder


RETURN_CLEARED: dict[str, Any] = {
    "returned_at": None,
    "returned_by_id": None,
    "returned_reason": "",
}


def settled_return(case: Case) -> dict[str, Any]:
    """The changes that clear a case's "returned" flag once someone works on it."""
    return dict(RETURN_CLEARED) if case.returned_at is not None else {}


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
    assignee_id: int | None = None,
    documents_unchecked: list[str] | None = None,
) -> dict[str, Any]:
    target = action.to_state
    changes: dict[str, Any] = {
        "state": target.code,
        "acting_role": target.acting_role,
        "state_entered_at": now,
        "assignee_id": assignee_id,
        **sla_changes(case, target, now, reason),
    }
    if documents_checked or documents_unchecked:
        documents = set(case.documents_checked) | set(documents_checked)
        changes["documents_checked"] = sorted(documents - set(documents_unchecked or ()))
    if action.send_back:
        changes.update(returned_at=now, returned_by_id=actor_id, returned_reason=reason)
    else:
        changes.update(settled_return(case))
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
    unchecked = unchecked_documents(case, action, role, payload.get("documents_unchecked"))
    if set(checked) & set(unchecked):
        raise InvalidInput("مدرکی هم علامت خورده و هم علامتش برداشته شده است.")
    payload = {
        k: v for k, v in payload.items() if k not in ("documents_checked", "documents_unchecked")
    }
    if checked:
        payload["documents_checked"] = checked
    if unchecked:
        payload["documents_unchecked"] = unchecked
    require_step_documents(case, action, checked)
    check_guards(
        GuardContext(
            case=case, action=action, user_id=actor_id, role=role, now=now, payload=payload
        )
    )
    assignee = route_back(case, action, now)
    if returns_to_holder(case, action):
        payload["assignee"] = assignee  # who the case went back to (None: the pool)
    changes = transition_changes(
        case,
        action,
        actor_id=actor_id,
        reason=reason,
        documents_checked=checked,
        now=now,
        assignee_id=assignee,
        documents_unchecked=unchecked,
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
