"""The one answer to "what may this person do on this case, and what do they see".

Pages (the case page, the cartable rows), the actions themselves and the future API all
ask here, so a page never shows a button the action would refuse: a blocked action is
listed with the stable code and Persian reason of what blocks it (a guard that does not
hold, documents the applicant must bring, a colleague's claim).

- ``actor_role`` — the role in which a person takes an action on a case (or the refusal);
  ``do_perform_action`` calls it too.
- ``correction_role`` — the role in which a person corrects a case's data in its current
  step (or the refusal); ``do_correct_case`` calls it too.
- ``claim_refusal`` / ``release_refusal`` / ``visit_refusal`` / ``note_refusal`` /
  ``assign_refusal`` — None when the person may, else the error the action raises.
- ``scan_role`` — the role in which a person attaches scans to a case's documents (or
  the refusal); ``do_attach_document_scan`` calls it too.
- ``attachment_visible`` — may a person open a scan or a photo of a case they see; the
  download view asks it.
- ``case_permissions`` — everything at once, for a page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from pishkhan.accounts.access import Principal
from pishkhan.cases import engine
from pishkhan.cases.access import CITY_ROLES
from pishkhan.cases.errors import (
    ActionNotAllowed,
    AssignedToAnother,
    RoleNotAllowed,
    WorkflowError,
)
from pishkhan.cases.guards import GuardContext, first_failure
from pishkhan.cases.models import (
    APPLICANT,
    SYSTEM,
    AttachmentKind,
    Case,
    WorkflowAction,
    WorkflowState,
)
from pishkhan.core import clock
from pishkhan.offices.roles import OFFICE_ROLES, Role


@dataclass(frozen=True)
class Block:
    code: str  # stable: a guard's name, "documents_missing", "assigned_to_another"
    message: str


@dataclass(frozen=True)
class ActionOption:
    action: WorkflowAction
    role: str
    missing_documents: tuple[tuple[str, str], ...]  # (code, title) the actor may tick now
    blocks: tuple[Block, ...] = ()
    # (code, title) a send-back may un-tick: the step it returns to checks them again
    uncheckable_documents: tuple[tuple[str, str], ...] = ()

    @property
    def allowed(self) -> bool:
        return not self.blocks


@dataclass(frozen=True)
class Visibility:
    """How much of the case the person sees."""

    full_personal_data: bool  # the applicant's national ID and mobile unmasked
    staff_names: bool  # who of the staff acted (else only their roles)
    internal_events: bool  # follow-up notes, claims and releases
    document_scans: bool = False  # the scans of the case's documents
    visit_photos: bool = False  # the inspectors' photos (and where they were taken)


@dataclass(frozen=True)
class CasePermissions:
    actions: tuple[ActionOption, ...]
    can_claim: bool
    can_release: bool
    can_record_visit: bool
    can_record_plan_review: bool
    can_draft_response: bool
    can_add_note: bool
    can_assign: bool  # the office manager may hand it to a colleague (do_assign_case)
    held_by_colleague: bool
    can_correct: bool
    sees: Visibility
    can_change_service: bool = False  # registered under the wrong service (do_change_service)
    can_attach_scan: bool = False  # do_attach_document_scan
    can_attach_photo: bool = False  # do_attach_visit_photo, photos with a visit report

    @property
    def allowed_actions(self) -> list[ActionOption]:
        return [o for o in self.actions if o.allowed]

    @property
    def blocked_actions(self) -> list[ActionOption]:
        return [o for o in self.actions if not o.allowed]


# --- the single rules ------------------------------------------------------------------


def actor_role(principal: Principal, case: Case, action: WorkflowAction) -> str:
    """The first of the action's roles the person holds where the case is, unless a
    colleague's claim holds the case in that role. Raises the refusal otherwise."""
    if not case.is_open:
        raise ActionNotAllowed()
    role = engine.acting_role_of(principal, case, list(action.roles))
    engine.check_assignment(case, role, principal.user_id)
    return role


def claim_refusal(principal: Principal, case: Case) -> WorkflowError | None:
    """Staff claim a case of their cartable; a step waiting on the applicant or the
    system is nobody's to claim."""
    if case.acting_role in (APPLICANT, SYSTEM):
        return RoleNotAllowed()
    if not case.is_open or not engine.holds_role_for(principal, case, case.acting_role):
        return RoleNotAllowed()
    if case.assignee_id == principal.user_id:
        return ActionNotAllowed("این پرونده هم‌اکنون در دست شماست.")
    if case.assignee_id is not None:
        return AssignedToAnother()
    return None


def release_refusal(principal: Principal, case: Case) -> WorkflowError | None:
    if not case.is_open or case.assignee_id != principal.user_id:
        return ActionNotAllowed("این پرونده در دست شما نیست.")
    return None


def visit_refusal(principal: Principal, case: Case) -> WorkflowError | None:
    if case.acting_role != Role.INSPECTOR or not case.is_open:
        return ActionNotAllowed("این پرونده در انتظار بازدید نیست.")
    if not engine.holds_role_for(principal, case, Role.INSPECTOR):
        return RoleNotAllowed()
    if case.assignee_id not in (None, principal.user_id):
        return AssignedToAnother()
    return None


def record_role(
    principal: Principal,
    case: Case,
    needed_by: str,
    actions: list[WorkflowAction] | None = None,
) -> str:
    """The role in which the person records what an action out of the current state
    needs (the actions guarded by `needed_by`: a plan review, an answer's draft): the
    role of whoever may take that action, when a colleague's claim does not hold the
    case. Raises the refusal otherwise; the recording actions call it too."""
    if not case.is_open:
        raise ActionNotAllowed("این پرونده بسته شده است.")
    if actions is None:
        actions = list(
            WorkflowAction.objects.filter(
                definition_id=case.definition_id, from_state__code=case.state
            ).select_related("from_state")
        )
    needing = [a for a in actions if needed_by in a.guards and a.from_state.code == case.state]
    if not needing:
        raise ActionNotAllowed("در این مرحله ثبت این اطلاعات ممکن نیست.")
    return actor_role(principal, case, needing[0])


def record_refusal(
    principal: Principal,
    case: Case,
    needed_by: str,
    actions: list[WorkflowAction] | None = None,
) -> WorkflowError | None:
    try:
        record_role(principal, case, needed_by, actions)
    except WorkflowError as error:
        return error
    return None


def note_refusal(principal: Principal, case: Case) -> WorkflowError | None:
    if not case.is_open:
        return ActionNotAllowed("این پرونده بسته شده است و پیگیری نمی‌خواهد.")
    if not engine.holds_role_for(principal, case, Role.FOLLOW_UP_OFFICER):
        return RoleNotAllowed()
    return None


ACTORS = (APPLICANT, SYSTEM)  # not staff: they never correct a case


def correction_role(principal: Principal, case: Case, state: WorkflowState | None) -> str:
    """Who corrects a case's data: while its step is marked ``data_editable``, the
    step's acting role (the office's technical manager too, at registration), unless a
    colleague holds the case. Raises the refusal otherwise."""
    if not case.is_open or state is None or state.code != case.state or not state.data_editable:
        raise ActionNotAllowed("اطلاعات پرونده در این مرحله اصلاح‌پذیر نیست.")
    roles = [state.acting_role, *([Role.TECHNICAL_MANAGER] if state.is_initial else [])]
    role = engine.acting_role_of(principal, case, [r for r in roles if r not in ("", *ACTORS)])
    engine.check_assignment(case, role, principal.user_id)
    return role


def correction_refusal(
    principal: Principal, case: Case, state: WorkflowState | None
) -> WorkflowError | None:
    try:
        correction_role(principal, case, state)
    except WorkflowError as error:
        return error
    return None


def service_change_role(principal: Principal, case: Case, state: WorkflowState | None) -> str:
    """Who puts right a case registered under the wrong service: the technical manager
    of its office, while the case is still at its definition's first step and no
    colleague holds it. Raises the refusal otherwise."""
    if not case.is_open or state is None or state.code != case.state or not state.is_initial:
        raise ActionNotAllowed("خدمت پرونده فقط پیش از گذشتن از مرحلهٔ ثبت تغییر می‌کند.")
    if case.office_id not in principal.office_ids(Role.TECHNICAL_MANAGER):
        raise RoleNotAllowed("فقط مسئول فنی دفتر این پرونده خدمت آن را تغییر می‌دهد.")
    engine.check_assignment(case, Role.TECHNICAL_MANAGER, principal.user_id)
    return Role.TECHNICAL_MANAGER


def service_change_refusal(
    principal: Principal, case: Case, state: WorkflowState | None
) -> WorkflowError | None:
    try:
        service_change_role(principal, case, state)
    except WorkflowError as error:
        return error
    return None


def scan_role(principal: Principal, case: Case, state: WorkflowState | None) -> str:
    """Who attaches scans to the documents of an open case: the technical manager of its
    office at any step (the counter scans what the applicant brings), unless a
    colleague's claim holds the case in that role; else whoever may correct the case's
    data in its step. Raises the refusal otherwise; do_attach_document_scan calls it."""
    if not case.is_open:
        raise ActionNotAllowed("این پرونده بسته شده است و مدرک تازه نمی‌پذیرد.")
    if engine.holds_role_for(principal, case, Role.TECHNICAL_MANAGER):
        engine.check_assignment(case, Role.TECHNICAL_MANAGER, principal.user_id)
        return Role.TECHNICAL_MANAGER
    try:
        return correction_role(principal, case, state)
    except ActionNotAllowed:
        raise RoleNotAllowed("پیوست اسکن مدارک این پرونده با شما نیست.") from None


def scan_refusal(
    principal: Principal, case: Case, state: WorkflowState | None
) -> WorkflowError | None:
    try:
        scan_role(principal, case, state)
    except WorkflowError as error:
        return error
    return None


def assign_refusal(principal: Principal, case: Case) -> WorkflowError | None:
    """An office manager hands an open case of their office, at a step of an office
    role, to a colleague holding that role (who that may be is the action's to check:
    it reads the roles in force)."""
    if case.office_id not in principal.office_ids(Role.OFFICE_MANAGER):
        return RoleNotAllowed("فقط مدیر دفتر این پرونده می‌تواند آن را به همکاری واگذار کند.")
    if not case.is_open:
        return ActionNotAllowed("این پرونده بسته شده است و واگذار نمی‌شود.")
    if case.acting_role not in OFFICE_ROLES:
        return ActionNotAllowed(
            "این مرحله در دست کارکنان دفتر نیست؛ پرونده را نمی‌توان به همکار دفتر واگذار کرد."
        )
    return None


def works_on(principal: Principal, case: Case) -> bool:
    """Staff of this case: an office role at its office, district staff of its district,
    or a city role. A staff member who is the applicant of a case elsewhere sees that
    case as any applicant does."""
    return (
        case.office_id in principal.office_ids(*OFFICE_ROLES)
        or case.district_id in principal.district_ids(Role.DISTRICT_STAFF)
        or principal.has_role(*CITY_ROLES)
    )


def visibility(principal: Principal, case: Case) -> Visibility:
    """Staff see the case whole; the applicant sees the office, the steps and the public
    events, not internal notes or which colleague held the case."""
    staff = works_on(principal, case)
    applicant = principal.citizen_id is not None and principal.citizen_id == case.applicant_id
    return Visibility(
        full_personal_data=case.office_id in principal.office_ids(*OFFICE_ROLES) or applicant,
        staff_names=staff,
        internal_events=staff,
        document_scans=staff or applicant,
        visit_photos=staff,
    )


def attachment_visible(sees: Visibility, kind: str) -> bool:
    """May a person who sees a case this much open this attachment of it? The download
    view asks here (an attachment they may not see is a 404)."""
    if kind == AttachmentKind.DOCUMENT_SCAN:
        return sees.document_scans
    if kind == AttachmentKind.VISIT_PHOTO:
        return sees.visit_photos
    return False


# --- the whole answer ------------------------------------------------------------------


def action_options(
    principal: Principal,
    case: Case,
    actions: list[WorkflowAction],
    *,
    now: dt.datetime | None = None,
    facts: dict[str, Any] | None = None,
) -> list[ActionOption]:
    """The actions out of the current state the person may take, each with what blocks
    it now (the guards evaluated as the engine would, sharing `facts`)."""
    moment = now or clock.now()
    shared = facts if facts is not None else {}
    checked = set(case.documents_checked)
    options: list[ActionOption] = []
    for action in actions:
        if action.from_state.code != case.state:
            continue
        try:
            role = actor_role(principal, case, action)
        except AssignedToAnother:
            continue  # a colleague's claim: their case, not a blocked button of yours
        except WorkflowError:
            continue
        missing = tuple(
            (code, case.definition.documents.get(code, code))
            for code in action.to_state.documents_required
            if code not in checked and not action.send_back
        )
        blocks: list[Block] = []
        if missing and role == APPLICANT and not action.send_back:
            titles = "، ".join(title for _, title in missing)
            blocks.append(Block("documents_missing", f"مدارک لازم کامل نیست: {titles}"))
        unchecked = [c for c in action.from_state.documents_required if c not in checked]
        if unchecked and engine.moves_on(action):
            titles = "، ".join(case.definition.documents.get(c, c) for c in unchecked)
            blocks.append(
                Block(
                    "documents_missing",
                    f"مدارک این مرحله کامل نیست: {titles}. "
                    "آن را در «اصلاح اطلاعات پرونده» علامت بزنید.",
                )
            )
        context = GuardContext(
            case=case,
            action=action,
            user_id=principal.user_id,
            role=role,
            now=moment,
            facts=shared,
        )
        failure = first_failure(list(action.guards), context)
        if failure:
            blocks.append(Block(*failure))
        uncheckable = (
            tuple(
                (code, case.definition.documents.get(code, code))
                for code in action.to_state.documents_required
                if code in checked
            )
            if action.send_back and action.to_state.data_editable and role not in ACTORS
            else ()
        )
        options.append(ActionOption(action, role, missing, tuple(blocks), uncheckable))
    return options


def case_permissions(
    principal: Principal,
    case: Case,
    *,
    actions: list[WorkflowAction] | None = None,
    now: dt.datetime | None = None,
    facts: dict[str, Any] | None = None,
    state: WorkflowState | None = None,
) -> CasePermissions:
    """What `principal` may do on `case` and see of it. Without `actions` (a cartable
    row) the action list is left out and nothing is read from the database; without
    the case's current `state`, corrections are not offered."""
    return CasePermissions(
        actions=tuple(action_options(principal, case, actions, now=now, facts=facts))
        if actions is not None
        else (),
        can_claim=claim_refusal(principal, case) is None,
        can_release=release_refusal(principal, case) is None,
        can_record_visit=visit_refusal(principal, case) is None,
        can_record_plan_review=actions is not None
        and record_refusal(principal, case, "plan_review_recorded", actions) is None,
        can_draft_response=actions is not None
        and record_refusal(principal, case, "response_drafted", actions) is None,
        can_add_note=note_refusal(principal, case) is None,
        can_assign=assign_refusal(principal, case) is None,
        held_by_colleague=works_on(principal, case)
        and case.is_open
        and case.assignee_id not in (None, principal.user_id),
        sees=visibility(principal, case),
        can_correct=correction_refusal(principal, case, state) is None,
        can_change_service=service_change_refusal(principal, case, state) is None,
        can_attach_scan=scan_refusal(principal, case, state) is None,
        can_attach_photo=visit_refusal(principal, case) is None,
    )
