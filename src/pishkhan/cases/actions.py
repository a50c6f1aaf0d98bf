"""Every write to a case: ``do_<verb>_<noun>``, each one transaction that checks scope,
role and guards, compare-and-swaps the case version and appends a CaseEvent."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from pishkhan.accounts.access import Principal
from pishkhan.accounts.actions import do_find_or_register_citizen
from pishkhan.accounts.models import Citizen
from pishkhan.cases import attachments, engine, permissions, responses
from pishkhan.cases.access import access_case_by_id, principal_of, scope_condition
from pishkhan.cases.checklists import (
    ChecklistSpec,
    clean_answers,
    definition_checklist,
    report_checklist,
    violations_of,
)
from pishkhan.cases.corrections import plan_corrections
from pishkhan.cases.errors import (
    ActionNotAllowed,
    ConcurrentActionError,
    ConfirmationRequired,
    DuplicateOpenCase,
    InvalidFieldValues,
    InvalidInput,
    LicenceExpired,
    NoActiveDefinition,
    NothingChanged,
    OfficeNotActive,
    OpenNotAllowed,
    PlanReviewInvalid,
    ReasonRequired,
    RoleNotAllowed,
    ServiceInactive,
    ServiceNotContracted,
    WorkflowError,
)
from pishkhan.cases.events import EventType, NewEvent, write_event
from pishkhan.cases.field_checks import field_problems
from pishkhan.cases.fields import PHOTO, clean_values, declared_fields
from pishkhan.cases.models import (
    APPLICANT,
    SYSTEM,
    AttachmentKind,
    Case,
    CaseAttachment,
    CaseEvent,
    Channel,
    InquiryResponse,
    PlanReview,
    ResponseBasis,
    VisitReport,
    WorkflowDefinition,
    WorkflowState,
)
from pishkhan.cases.tracking import allocate_tracking_code
from pishkhan.catalog.models import ServiceType
from pishkhan.core import clock
from pishkhan.core.digits import to_persian_digits
from pishkhan.core.jalali import jalali_year
from pishkhan.files.store import atomic_with_files
from pishkhan.geo.models import Parcel
from pishkhan.offices.models import (
    ContractStatus,
    Office,
    OfficeContract,
    OfficeStatus,
    RoleAssignment,
)
from pishkhan.offices.roles import Role

# --- opening a case -------------------------------------------------------------------

DOCUMENTS_MAX = engine.DOCUMENTS_MAX
clean_documents = engine.clean_documents
DUPLICATE_REASON_MAX_LENGTH = 500


def active_definition(service_type: ServiceType) -> WorkflowDefinition:
    definition = WorkflowDefinition.objects.filter(
        service_type=service_type, is_active=True
    ).first()
    if definition is None:
        raise NoActiveDefinition()
    return definition


def opening_role(
    principal: Principal,
    definition: WorkflowDefinition,
    applicant: Citizen | None,
    office: Office,
) -> str:
    """Office staff open cases at their own office; an applicant opens their own case."""
    for role in definition.open_roles:
        if role == APPLICANT and applicant is not None and principal.citizen_id == applicant.pk:
            return role
        if role != APPLICANT and office.pk in principal.office_ids(role):
            return role
    raise OpenNotAllowed()


def contract_covers(office: Office, service_type: ServiceType, on: dt.date) -> bool:
    """An active contract of the office, in force on `on`, names the service."""
    return (
        OfficeContract.objects.in_force(on)
        .filter(office=office, status=ContractStatus.ACTIVE, services=service_type)
        .exists()
    )


def check_office(office: Office, service_type: ServiceType, on: dt.date) -> None:
    """The office may take a case of this service today: active, licensed, contracted."""
    if office.status != OfficeStatus.ACTIVE:
        raise OfficeNotActive()
    if not office.licence_is_valid(on):
        raise LicenceExpired()
    if not contract_covers(office, service_type, on):
        raise ServiceNotContracted()


def check_channel(service_type: ServiceType, channel: str, role: str) -> None:
    expected = Channel.ONLINE if role == APPLICANT else Channel.IN_PERSON
    if channel != expected:
        raise WorkflowError(
            "متقاضی درخواست را غیرحضوری ثبت می‌کند و دفتر حضوری."
            if channel in Channel.values
            else "شیوه ثبت شناخته نیست."
        )
    if channel == Channel.ONLINE and not service_type.online_allowed:
        raise WorkflowError("این خدمت فقط حضوری ثبت می‌شود.")


def clean_application_data(
    definition: WorkflowDefinition, data: Any, on: dt.date
) -> dict[str, Any]:
    """The declared fields' values (cases/fields.py), normalised; InvalidFieldValues
    with a Persian message per field otherwise."""
    try:
        return clean_values(declared_fields(definition), data, today=on)
    except ValidationError as error:
        raise InvalidFieldValues(error.message_dict) from None


def clean_duplicate_reason(reason: Any) -> str:
    if reason is None:
        return ""
    if not isinstance(reason, str):
        raise InvalidInput("علت ثبت پرونده تکراری باید متن باشد.")
    text = " ".join(reason.split())
    engine.check_text(text, DUPLICATE_REASON_MAX_LENGTH, "علت ثبت پرونده تکراری")
    return text


def lock_parcel_and_find_duplicate(opening: Opening) -> int | None:
    """Lock the parcel's row and read the oldest open case of the same service on it,
    in one statement (None when there is none)."""
    assert opening.parcel is not None
    duplicate = (
        Case.objects.open()
        .filter(parcel_id=OuterRef("pk"), service_type_id=opening.service_type.pk)
        .order_by("opened_at", "pk")
        .values("pk")[:1]
    )
    found: int | None = (
        Parcel.objects.select_for_update(of=("self",))
        .filter(pk=opening.parcel.pk)
        .annotate(duplicate_id=Subquery(duplicate))
        .values_list("duplicate_id", flat=True)
        .first()
    )
    return found


def check_duplicate(principal: Principal, opening: Opening) -> dict[str, Any]:
    """Refuse a second open case of one service on one parcel unless the counter says
    why; the open case's tracking code is named only to someone who may see it. Runs
    inside the writing transaction, under a lock of the parcel's row, so two counters
    registering at once cannot both miss each other. Returns what the `open` event
    records of it (nothing when there is no open case)."""
    if opening.parcel is None:
        return {}
    duplicate_id = lock_parcel_and_find_duplicate(opening)
    if duplicate_id is None:
        return {}
    condition = scope_condition(principal)
    visible = Case.objects.filter(pk=duplicate_id)
    code = (visible.filter(condition) if condition is not None else visible).values_list(
        "tracking_code", flat=True
    ).first() or ""
    if not opening.duplicate_reason:
        raise DuplicateOpenCase(code)
    return {"duplicate_of": code, "duplicate_reason": opening.duplicate_reason}


def check_opening(
    service_type: ServiceType,
    definition: WorkflowDefinition,
    parcel: Parcel | None,
    office: Office,
    channel: str,
    role: str,
    on: dt.date,
) -> None:
    """Every rule of registering a case, whoever asks: a page, a command or the API."""
    if not service_type.is_active:
        raise ServiceInactive()
    if service_type.requires_parcel and parcel is None:
        raise WorkflowError("برای این خدمت، ملک را مشخص کنید.")
    check_office(office, service_type, on)
    check_channel(service_type, channel, role)


@dataclass(frozen=True)
class Opening:
    """A registration every rule has allowed, waiting only to be written."""

    service_type: ServiceType
    definition: WorkflowDefinition
    first: WorkflowState
    parcel: Parcel | None
    office: Office
    channel: str
    role: str
    documents: list[str]
    now: dt.datetime
    data: dict[str, Any]
    duplicate_reason: str = ""


def the_definition(
    service_type: ServiceType, initial: WorkflowState | None
) -> tuple[WorkflowDefinition, WorkflowState]:
    """The service's active definition and its initial state. A page that read them in
    this request passes the initial state (its definition joined); it is checked, not
    trusted."""
    if (
        initial is None
        or not initial.is_initial
        or initial.definition.service_type_id != service_type.pk
    ):
        first = (
            WorkflowState.objects.select_related("definition")
            .filter(definition__service_type=service_type, definition__is_active=True)
            .filter(is_initial=True)
            .first()
        )
        if first is None:
            raise NoActiveDefinition()
        return first.definition, first
    if not initial.definition.is_active:
        raise NoActiveDefinition()
    return initial.definition, initial


def plan_opening(
    principal: Principal,
    service_type: ServiceType,
    applicant: Citizen | None,
    parcel: Parcel | None,
    office: Office,
    channel: str,
    documents_checked: Any,
    initial: WorkflowState | None = None,
    data: Any = None,
    duplicate_reason: Any = None,
) -> Opening:
    """Decide whether this registration may happen (no write but the duplicate check,
    which `write_opening` makes under a lock). `applicant` is None for an applicant the
    counter registers in the same action; `data` are the declared fields' values."""
    now = clock.now()
    today = timezone.localtime(now).date()
    definition, first = the_definition(service_type, initial)
    role = opening_role(principal, definition, applicant, office)
    check_opening(service_type, definition, parcel, office, channel, role, today)
    checked = clean_documents(definition, documents_checked)
    engine.require_documents(definition, first, checked)
    values = clean_application_data(definition, data, today)
    refused = field_problems(definition, parcel, values, today)
    if refused:
        raise InvalidFieldValues(refused)
    reason = clean_duplicate_reason(duplicate_reason)
    return Opening(
        service_type, definition, first, parcel, office, channel, role, checked, now, values, reason
    )


def write_opening(
    user: Any,
    opening: Opening,
    applicant: Citizen,
    duplicate: dict[str, Any] | None = None,
    scans: list[attachments.CheckedScan] | None = None,
) -> Case:
    """The case row and its `open` event (inside the caller's transaction, after
    `check_duplicate`, whose answer is `duplicate`), and the checked `scans` of its
    documents (inside atomic_with_files, so a scan that fails takes everything back)."""
    now, first, definition = opening.now, opening.first, opening.definition
    due_at, overall_due_at = engine.opening_deadlines(first, definition, now)
    case = Case.objects.create(
        tracking_code=allocate_tracking_code(jalali_year(now)),
        service_type=opening.service_type,
        definition=definition,
        applicant=applicant,
        parcel=opening.parcel,
        office=opening.office,
        district_id=opening.parcel.district_id if opening.parcel else opening.office.district_id,
        channel=opening.channel,
        state=first.code,
        acting_role=first.acting_role,
        state_entered_at=now,
        due_at=due_at,
        overall_due_at=overall_due_at,
        documents_checked=opening.documents,
        data=opening.data,
        version=1,
        opened_by_id=user.pk,
        opened_at=now,
    )
    write_event(
        NewEvent(
            case_id=case.pk,
            seq=1,
            action=EventType.OPEN,
            actor_id=user.pk,
            actor_role=opening.role,
            from_state="",
            to_state=first.code,
            payload={
                "channel": opening.channel,
                "documents_checked": opening.documents,
                **({"data": opening.data} if opening.data else {}),
                **(duplicate or {}),
                **({"scans": scan_counts(scans)} if scans else {}),
            },
            created_at=now,
        )
    )
    for scan in scans or ():
        attachments.attach(
            user,
            case,
            scan.upload,
            AttachmentKind.DOCUMENT_SCAN,
            document_code=scan.document_code,
        )
    return case


def scan_counts(scans: list[attachments.CheckedScan]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for scan in scans:
        counts[scan.document_code] = counts.get(scan.document_code, 0) + 1
    return counts


def do_open_case(
    user: Any,
    service_type: ServiceType,
    applicant: Citizen,
    parcel: Parcel | None,
    office: Office,
    channel: str,
    documents_checked: list[str],
    *,
    principal: Principal | None = None,
    initial: WorkflowState | None = None,
    data: Any = None,
    duplicate_reason: Any = None,
) -> Case:
    """Register a case on the active version of the service's workflow, after its
    document checklist and with its declared fields' values (`data`); the case starts in
    the definition's initial state. A second open case of the service on the parcel
    needs a `duplicate_reason`."""
    principal = principal_of(user, principal)
    if principal is None:
        raise OpenNotAllowed()
    opening = plan_opening(
        principal,
        service_type,
        applicant,
        parcel,
        office,
        channel,
        documents_checked,
        initial,
        data,
        duplicate_reason,
    )
    with transaction.atomic():
        duplicate = check_duplicate(principal, opening)
        return write_opening(user, opening, applicant, duplicate)


@dataclass(frozen=True)
class NewApplicant:
    """An applicant the counter registers while opening their first case."""

    national_id: str
    first_name: str
    last_name: str
    mobile: str


def do_register_case(
    user: Any,
    *,
    service_type: ServiceType,
    office: Office,
    applicant: Citizen | NewApplicant,
    parcel: Parcel | None,
    documents_checked: list[str],
    channel: str = Channel.IN_PERSON,
    principal: Principal | None = None,
    initial: WorkflowState | None = None,
    data: Any = None,
    duplicate_reason: Any = None,
    scans: Any = None,
) -> Case:
    """The counter's one intent: register the applicant if they are new and open their
    case, with the scans of its documents (`scans`: document code -> uploaded files), in
    one transaction. Every rule is decided before anything is written (the duplicate
    check first thing in the transaction, the scans checked by their content before
    it), so a refused case leaves no new citizen behind and a scan that cannot be
    stored leaves no case and no file; two counters registering the same new applicant
    at once share the one citizen row."""
    principal = principal_of(user, principal)
    if principal is None:
        raise OpenNotAllowed()
    known = applicant if isinstance(applicant, Citizen) else None
    opening = plan_opening(
        principal,
        service_type,
        known,
        parcel,
        office,
        channel,
        documents_checked,
        initial,
        data,
        duplicate_reason,
    )
    checked = attachments.checked_scans(opening.definition.documents, scans)
    with atomic_with_files():
        duplicate = check_duplicate(principal, opening)
        if known is None:
            assert isinstance(applicant, NewApplicant)
            known, _ = do_find_or_register_citizen(
                applicant.national_id,
                applicant.first_name,
                applicant.last_name,
                applicant.mobile,
                look_first=False,
            )
        return write_opening(user, opening, known, duplicate, checked)


def refuse(error: WorkflowError | None) -> None:
    if error is not None:
        raise error


# --- moving a case --------------------------------------------------------------------


@contextmanager
def case_in_hand(
    user: Any, case_id: Any, expected_version: int, principal: Principal | None
) -> Iterator[tuple[Case, Principal]]:
    """One transaction around the case `user` can see (a foreign id is CaseNotFound),
    refusing with ConcurrentActionError unless it is still at the version they saw. It
    is an ``atomic_with_files`` block, so a file an effect stores (an issued document)
    is deleted when the action rolls back."""
    principal = principal_of(user, principal)
    with atomic_with_files():
        case = access_case_by_id(user, case_id, principal)
        assert principal is not None  # access_case_by_id found a case in its scope
        if case.version != expected_version:
            raise ConcurrentActionError()
        yield case, principal


def record_in_place(
    case: Case,
    expected_version: int,
    user: Any,
    action: str,
    role: str,
    payload: dict[str, Any],
) -> None:
    """The event of something recorded on a case that stays at its step (a visit, a plan
    review, an answer's draft); acting on a returned case settles its return."""
    engine.record_change(
        case,
        expected_version,
        action=action,
        actor_id=user.pk,
        actor_role=role,
        to_state=case.state,
        changes=engine.settled_return(case),
        payload=payload,
    )


def do_perform_action(
    user: Any,
    case_id: Any,
    action_code: str,
    expected_version: int,
    reason: str | None = None,
    payload: dict[str, Any] | None = None,
    *,
    principal: Principal | None = None,
    confirmed: bool = True,
) -> Case:
    """Take `action_code` on a case the user can see, as a role the user holds where
    the case is. A stale `expected_version` loses with ConcurrentActionError.

    `confirmed` says the person confirmed a destructive action (a cancellation, a
    rejection, a send-back: ``WorkflowAction.is_destructive``): a page passes its
    confirmation checkbox, and a destructive action without it is refused with
    ConfirmationRequired; a program acting on purpose (the demo, a test) needs none."""
    with case_in_hand(user, case_id, expected_version, principal) as (case, principal):
        action = engine.find_action(case, action_code)
        role = permissions.actor_role(principal, case, action)
        if action.is_destructive and not confirmed:
            raise ConfirmationRequired(
                f"«{action.label}» پرونده را برمی‌گرداند یا به پایان می‌رساند؛ برای انجام آن "
                "کادر «مطمئنم» را علامت بزنید و دوباره بفرستید."
            )
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


def do_claim_case(
    user: Any, case_id: Any, expected_version: int, *, principal: Principal | None = None
) -> Case:
    """Take an unassigned case of your cartable so colleagues see it is in hand."""
    with case_in_hand(user, case_id, expected_version, principal) as (case, principal):
        refuse(permissions.claim_refusal(principal, case))
        _reassign(case, expected_version, EventType.CLAIM, user.pk, assignee_id=user.pk)
    case.refresh_from_db()
    return case


def do_release_case(
    user: Any, case_id: Any, expected_version: int, *, principal: Principal | None = None
) -> Case:
    """Give a claimed case back to the pool of its acting role."""
    with case_in_hand(user, case_id, expected_version, principal) as (case, principal):
        refuse(permissions.release_refusal(principal, case))
        _reassign(case, expected_version, EventType.RELEASE, user.pk, assignee_id=None)
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


def state_checklist(case: Case) -> ChecklistSpec | None:
    """The checklist the case's current step asks the inspector to answer (its pinned
    version's declaration)."""
    state = current_state(case)
    return definition_checklist(case.definition, state.checklist if state else "")


def do_record_visit_report(
    user: Any,
    case_id: Any,
    expected_version: int,
    *,
    visited_at: dt.datetime,
    answers: Mapping[str, Any],
    photos: Mapping[str, Sequence[Any]] | None = None,
    principal: Principal | None = None,
) -> VisitReport:
    """The inspector holding a case that waits for a visit records what they saw: the
    answers to the checklist its step names (checked here against the declaration of the
    case's version, `checklists.clean_answers`) and the photos of each photo item
    (`photos`: item code -> uploaded images; where each was taken is kept from its EXIF
    as data, the file itself keeps no metadata). Bad answers, too few photos or a photo
    that cannot be stored leave no report and no file."""
    principal = principal_of(user, principal)
    if (
        not isinstance(visited_at, dt.datetime)
        or visited_at.tzinfo is None
        or visited_at > clock.now()
    ):
        raise ValidationError({"visited_at": ["زمان بازدید باید گذشته باشد."]})
    ahead = access_case_by_id(user, case_id, principal)  # who may, before reading answers
    assert principal is not None
    if ahead.version != expected_version:
        raise ConcurrentActionError()
    refuse(permissions.visit_refusal(principal, ahead))
    uploads = {str(code): list(files) for code, files in (photos or {}).items()}
    checklist = state_checklist(ahead)
    cleaned = clean_answers(checklist, answers, {c: len(f) for c, f in uploads.items()})
    flat = [(code, photo) for code, files in uploads.items() for photo in files]
    checked: dict[str, list[Any]] = {}
    for (code, _), photo in zip(
        flat, attachments.checked_photos([p for _, p in flat]), strict=True
    ):
        checked.setdefault(code, []).append(photo)
    with atomic_with_files():
        case = access_case_by_id(user, case_id, principal)
        if case.version != expected_version:
            raise ConcurrentActionError()
        refuse(permissions.visit_refusal(principal, case))
        attachments.check_room(case, sum(len(files) for files in checked.values()))
        report = VisitReport.objects.create(
            case=case,
            parcel_id=case.parcel_id,
            inspector=user,
            visited_at=visited_at,
            checklist=checklist.code if checklist else "",
            answers=cleaned,
            recorded_at=clock.now(),
        )
        for code, files in checked.items():
            for photo in files:
                attachments.attach(
                    user,
                    case,
                    photo,
                    AttachmentKind.VISIT_PHOTO,
                    visit_report=report,
                    checklist_item=code,
                )
        record_in_place(
            case,
            expected_version,
            user,
            EventType.RECORD_VISIT_REPORT,
            Role.INSPECTOR,
            payload={
                "visit_report_id": report.pk,
                "checklist": report.checklist,
                "violations": len(violations_of(cleaned)),
                "photos": sum(len(files) for files in checked.values()),
            },
        )
    return report


# --- scans and photos -----------------------------------------------------------------


def current_state(case: Case) -> WorkflowState | None:
    return WorkflowState.objects.filter(definition_id=case.definition_id, code=case.state).first()


def do_attach_document_scan(
    user: Any,
    case_id: Any,
    expected_version: int,
    document_code: Any,
    uploaded_file: Any,
    *,
    principal: Principal | None = None,
) -> CaseAttachment:
    """The counter attaches a scan (PDF, JPEG or PNG, checked by its content) to one
    document of the case's checklist: the office's technical manager at any open step,
    or whoever may correct the case's data in its step (permissions.scan_role). One
    ``attach_document_scan`` event; a scan that cannot be stored leaves nothing."""
    principal = principal_of(user, principal)
    ahead = access_case_by_id(user, case_id, principal)  # who may, before reading the file
    assert principal is not None
    permissions.scan_role(principal, ahead, current_state(ahead))
    code = attachments.document_code_of(ahead, document_code)
    checked = attachments.checked_upload(uploaded_file, attachments.SCAN_KINDS)
    with atomic_with_files():
        case = access_case_by_id(user, case_id, principal)
        if case.version != expected_version:
            raise ConcurrentActionError()
        role = permissions.scan_role(principal, case, current_state(case))
        attachments.check_room(case, 1)
        attachment = attachments.attach(
            user, case, checked, AttachmentKind.DOCUMENT_SCAN, document_code=code
        )
        engine.record_change(
            case,
            expected_version,
            action=EventType.ATTACH_DOCUMENT_SCAN,
            actor_id=user.pk,
            actor_role=role,
            to_state=case.state,
            changes={},
            payload={
                "document_code": code,
                "attachment_id": attachment.pk,
                "kind": attachment.file.kind,
            },
        )
    return attachment


def do_attach_visit_photo(
    user: Any,
    case_id: Any,
    expected_version: int,
    visit_report_id: Any,
    uploaded_file: Any,
    *,
    item: Any = "",
    principal: Principal | None = None,
) -> CaseAttachment:
    """The inspector adds a photo (JPEG or PNG) to a visit report they recorded, while
    the case still waits on the visit; its EXIF position is kept as data. `item` is the
    report checklist's photo item it answers (may be left out when there is one)."""
    principal = principal_of(user, principal)
    ahead = access_case_by_id(user, case_id, principal)
    assert principal is not None
    refuse(permissions.visit_refusal(principal, ahead))
    report = VisitReport.objects.filter(pk=visit_report_id, case_id=ahead.pk).first()
    if report is None or report.inspector_id != user.pk:
        raise ActionNotAllowed("عکس را به گزارش بازدیدی بیفزایید که خودتان ثبت کرده‌اید.")
    code = photo_item_of(report, item)
    checked = attachments.checked_upload(uploaded_file, attachments.PHOTO_KINDS)
    with atomic_with_files():
        case = access_case_by_id(user, case_id, principal)
        if case.version != expected_version:
            raise ConcurrentActionError()
        refuse(permissions.visit_refusal(principal, case))
        attachments.check_room(case, 1)
        check_photo_room(report, code)
        attachment = attachments.attach(
            user,
            case,
            checked,
            AttachmentKind.VISIT_PHOTO,
            visit_report=report,
            checklist_item=code,
        )
        engine.record_change(
            case,
            expected_version,
            action=EventType.ATTACH_VISIT_PHOTO,
            actor_id=user.pk,
            actor_role=Role.INSPECTOR,
            to_state=case.state,
            changes={},
            payload={
                "visit_report_id": report.pk,
                "attachment_id": attachment.pk,
                "item": code,
            },
        )
    return attachment


def photo_item_of(report: VisitReport, item: Any) -> str:
    """The photo item of the report's checklist a photo is added to: the one named, or
    the only one; '' for a report whose checklist has none."""
    checklist = report_checklist(report)
    items = [i.code for i in (checklist.photo_items if checklist else ())]
    if not item and len(items) <= 1:
        return items[0] if items else ""
    if not isinstance(item, str) or item not in items:
        raise ActionNotAllowed("بند عکس این گزارش بازدید را از فهرست انتخاب کنید.")
    return item


def check_photo_room(report: VisitReport, code: str) -> None:
    """A photo item takes at most its declared ``max`` photos."""
    checklist = report_checklist(report)
    spec = checklist.item(code) if checklist and code else None
    if spec is None or spec.type != PHOTO or spec.max is None:
        return
    held = report.photos.filter(checklist_item=code).count()
    if held >= spec.max:
        raise ActionNotAllowed(f"«{spec.label}» حداکثر {to_persian_digits(spec.max)} عکس دارد.")


# --- follow-up notes ------------------------------------------------------------------

FOLLOW_UP_NOTE = EventType.FOLLOW_UP_NOTE
FOLLOW_UP_NOTE_MAX_LENGTH = 1000


def do_add_follow_up_note(
    user: Any, case_id: Any, text: str, *, principal: Principal | None = None
) -> CaseEvent:
    """A follow-up officer of the case's office writes down how they chased it.

    The note is an event (action ``follow_up_note``, no change of state or assignee). It
    bumps the case version like every event, so ``version`` still equals the number of
    events; the note needs no expected version from the caller, it applies to whatever
    version the case has now."""
    text = (text or "").strip()
    if not text:
        raise ReasonRequired("متن یادداشت پیگیری را بنویسید.")
    engine.check_text(text, FOLLOW_UP_NOTE_MAX_LENGTH, "یادداشت پیگیری")
    principal = principal_of(user, principal)
    with transaction.atomic():
        case = access_case_by_id(user, case_id, principal)
        assert principal is not None
        refuse(permissions.note_refusal(principal, case))
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


# --- corrections ----------------------------------------------------------------------


def do_correct_case(
    user: Any,
    case_id: Any,
    expected_version: int,
    *,
    reason: str,
    changes: Mapping[str, Any],
    principal: Principal | None = None,
) -> Case:
    """Put the case's data right while its step allows it (``data_editable``): the
    step's acting role (and the office's technical manager at registration), with a
    reason. `changes` maps correctable fields (cases/corrections.py: ``parcel``,
    ``documents_checked``, …) to their new values; each is checked by its field, and
    those that change are one ``correct_case`` event with before and after per field.
    A correction that changes nothing is refused."""
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired("علت اصلاح را بنویسید.")
    engine.check_text(reason, engine.REASON_MAX_LENGTH, "متن علت")
    with case_in_hand(user, case_id, expected_version, principal) as (case, principal):
        state = WorkflowState.objects.filter(
            definition_id=case.definition_id, code=case.state
        ).first()
        role = permissions.correction_role(principal, case, state)
        planned = plan_corrections(case, changes)
        if not planned.payload:
            raise NothingChanged()
        engine.record_change(
            case,
            expected_version,
            action=EventType.CORRECT_CASE,
            actor_id=user.pk,
            actor_role=role,
            to_state=case.state,
            changes={**planned.columns, **engine.settled_return(case)},
            reason=reason,
            payload={"changes": planned.payload},
        )
    case.refresh_from_db()
    return case


# --- a case registered under the wrong service ----------------------------------------

SERVICE_CHANGE_REASON_MAX_LENGTH = 500


def do_change_service(
    user: Any,
    case_id: Any,
    expected_version: int,
    service_type: ServiceType,
    reason: str,
    *,
    documents_checked: Any,
    data: Any = None,
    duplicate_reason: Any = None,
    principal: Principal | None = None,
) -> Case:
    """Put right a case registered under the wrong service, keeping its tracking code:
    while it is at its first step, its office's technical manager moves it to the
    active definition of `service_type`, with a reason. Every rule of registering that
    service applies as if it were registered now (the office's contract, the checklist
    and the declared fields of the new definition, the duplicate guard); the deadlines
    are counted again from when the case was opened. One ``change_service`` event
    records what it was and what it became."""
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired("علت تغییر خدمت را بنویسید.")
    engine.check_text(reason, SERVICE_CHANGE_REASON_MAX_LENGTH, "علت تغییر خدمت")
    with case_in_hand(user, case_id, expected_version, principal) as (case, principal):
        state = WorkflowState.objects.filter(
            definition_id=case.definition_id, code=case.state
        ).first()
        role = permissions.service_change_role(principal, case, state)
        if service_type.pk == case.service_type_id:
            raise NothingChanged("پرونده هم‌اکنون با همین خدمت ثبت شده است.")
        opening = plan_opening(
            principal,
            service_type,
            case.applicant,
            case.parcel,
            case.office,
            case.channel,
            documents_checked,
            None,
            data,
            duplicate_reason,
        )
        duplicate = check_duplicate(principal, opening)
        first, definition = opening.first, opening.definition
        due_at, overall_due_at = engine.opening_deadlines(first, definition, case.opened_at)
        before = {
            "service": case.service_type.code,
            "definition_id": case.definition_id,
            "state": case.state,
            "documents_checked": case.documents_checked,
            "data": case.data,
        }
        engine.record_change(
            case,
            expected_version,
            action=EventType.CHANGE_SERVICE,
            actor_id=user.pk,
            actor_role=role,
            to_state=first.code,
            changes={
                "service_type_id": service_type.pk,
                "definition_id": definition.pk,
                "state": first.code,
                "acting_role": first.acting_role,
                "assignee_id": case.assignee_id if first.acting_role == case.acting_role else None,
                "due_at": due_at,
                "overall_due_at": overall_due_at,
                "sla_paused_at": None,
                "documents_checked": opening.documents,
                "data": opening.data,
                **engine.settled_return(case),
            },
            reason=reason,
            payload={
                "before": before,
                "after": {
                    "service": service_type.code,
                    "definition_id": definition.pk,
                    "state": first.code,
                    "documents_checked": opening.documents,
                    "data": opening.data,
                },
                **duplicate,
            },
        )
    case.refresh_from_db()
    return case


# --- the office manager hands a case to a colleague -----------------------------------

ASSIGN_REASON_MAX_LENGTH = 500


def do_assign_case(
    user: Any,
    case_id: Any,
    expected_version: int,
    assignee: Any,
    reason: str,
    *,
    principal: Principal | None = None,
) -> Case:
    """The office manager gives an open case of their office to a named colleague who
    holds the case's acting role in that office today, saying why; the case leaves
    whoever held it. `assignee` is the colleague's user (or user id)."""
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired("علت واگذاری را بنویسید.")
    engine.check_text(reason, ASSIGN_REASON_MAX_LENGTH, "علت واگذاری")
    assignee_id = getattr(assignee, "pk", assignee)
    if not isinstance(assignee_id, int):
        raise InvalidInput("همکاری برای واگذاری انتخاب نشده است.")
    with case_in_hand(user, case_id, expected_version, principal) as (case, principal):
        refuse(permissions.assign_refusal(principal, case))
        colleague = colleague_in_role(case, assignee_id)
        if colleague is None:
            label = Role(case.acting_role).label
            raise RoleNotAllowed(f"همکار انتخاب‌شده امروز نقش «{label}» را در این دفتر ندارد.")
        if case.assignee_id == assignee_id:
            raise ActionNotAllowed("این پرونده هم‌اکنون در دست همین همکار است.")
        engine.record_change(
            case,
            expected_version,
            action=EventType.ASSIGN,
            actor_id=user.pk,
            actor_role=Role.OFFICE_MANAGER,
            to_state=case.state,
            changes={"assignee_id": assignee_id},
            reason=reason,
            payload={
                "assignee_id": assignee_id,
                "assignee_name": colleague.get_full_name() or colleague.get_username(),
                "previous_assignee_id": case.assignee_id,
            },
        )
    case.refresh_from_db()
    return case


def colleague_in_role(case: Case, user_id: int) -> Any:
    """The active user holding the case's acting role in its office today, or None."""
    held = (
        RoleAssignment.objects.in_force(timezone.localdate(clock.now()))
        .filter(
            role=case.acting_role,
            office_id=case.office_id,
            staff__user_id=user_id,
            staff__user__is_active=True,
        )
        .select_related("staff__user")
        .first()
    )
    return held.staff.user if held is not None else None


# --- the plan review and the answer ---------------------------------------------------


def do_record_plan_review(
    user: Any,
    case_id: Any,
    expected_version: int,
    findings: dict[str, Any],
    *,
    principal: Principal | None = None,
) -> PlanReview:
    """The plan reviewer holding the case records what the detailed plan says of its
    parcel (zone, permitted uses, widening and setbacks, restrictions) and their opinion.
    A later record of the same step replaces the earlier as the one the answer reads."""
    clean, errors = responses.clean_plan_findings(findings)
    if errors:
        raise PlanReviewInvalid(errors)
    with case_in_hand(user, case_id, expected_version, principal) as (case, principal):
        role = permissions.record_role(principal, case, "plan_review_recorded")
        review = PlanReview.objects.create(
            case=case,
            reviewer=user,
            zone=clean.zone,
            sub_zone=clean.sub_zone,
            permitted_uses=clean.permitted_uses,
            widening_m=clean.widening_m,
            setback_m=clean.setback_m,
            restrictions=clean.restrictions,
            opinion=clean.opinion,
            recorded_at=clock.now(),
        )
        record_in_place(
            case,
            expected_version,
            user,
            EventType.RECORD_PLAN_REVIEW,
            role,
            payload={"plan_review_id": review.pk, "zone": review.zone},
        )
    return review


def do_save_response_draft(
    user: Any,
    case_id: Any,
    expected_version: int,
    draft: responses.AnswerDraft,
    *,
    principal: Principal | None = None,
) -> InquiryResponse:
    """District staff write (or rewrite) the inquiry's answer where the next step needs a
    draft; the parcel's debts are read now and kept with it. An issued answer never
    changes."""
    with case_in_hand(user, case_id, expected_version, principal) as (case, principal):
        role = permissions.record_role(principal, case, "response_drafted")
        debts = responses.parcel_debts(case.parcel_id)
        answer = responses.clean_answer(case, draft, debts, responses.latest_case_visit(case))
        response = responses.write_draft(
            case,
            answer,
            debts,
            basis=ResponseBasis.REVIEW,
            drafted_by=user.pk,
            now=clock.now(),
        )
        record_in_place(
            case,
            expected_version,
            user,
            EventType.SAVE_RESPONSE_DRAFT,
            role,
            payload={"revision": response.revision, "result": response.result},
        )
    return response
