"""The document actions: issue the inquiry response's document (from the approval's
effect), correct a document (a new one that supersedes it) and revoke one with a reason.

Who may correct or revoke: the district staff of the parcel's district (the case's
district when it names no parcel) and the city's supervisors. Every action writes a
``DocumentEvent`` in its own transaction; the files it stores go with a rollback.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from pishkhan.accounts.access import Principal
from pishkhan.cases.access import principal_of
from pishkhan.cases.models import Case, InquiryResponse
from pishkhan.core import clock
from pishkhan.documents.errors import (
    DocumentNotAllowed,
    DocumentNotCurrent,
    DocumentReasonInvalid,
)
from pishkhan.documents.events import write_document_event
from pishkhan.documents.inquiry import response_draft
from pishkhan.documents.issue import issue_document
from pishkhan.documents.models import (
    DocumentEventType,
    DocumentKind,
    IssuedDocument,
)
from pishkhan.files.store import atomic_with_files
from pishkhan.offices.roles import Role

REASON_MAX_LENGTH = 1000


def issue_response_document(
    response: InquiryResponse, *, actor_id: int | None, role: str, now: dt.datetime
) -> IssuedDocument:
    """The document of an answer just issued (called by the approval's effect, inside
    its transaction): rendered once, signed, stored."""
    if actor_id is None:
        raise DocumentNotAllowed("سند پاسخ را یک نفر از کارکنان صادر می‌کند، نه سامانه.")
    actor = get_user_model().objects.get(pk=actor_id)
    with atomic_with_files():
        return issue_document(response_draft(response), actor=actor, role=role, now=now)


def district_of(document: IssuedDocument) -> int | None:
    case: Case | None = document.case
    if case is None:
        return None
    if case.parcel_id is not None and case.parcel is not None:
        return case.parcel.district_id
    return case.district_id


def acting_role(principal: Principal | None, document: IssuedDocument) -> str:
    """The role the person corrects or revokes this document in, or a refusal."""
    if principal is None:
        raise DocumentNotAllowed()
    if principal.has_role(Role.SUPERVISOR):
        return str(Role.SUPERVISOR)
    district = district_of(document)
    if district is not None and district in principal.district_ids(Role.DISTRICT_STAFF):
        return str(Role.DISTRICT_STAFF)
    raise DocumentNotAllowed()


def clean_reason(reason: Any) -> str:
    text = str(reason or "").strip()
    if not text or len(text) > REASON_MAX_LENGTH or "\x00" in text:
        raise DocumentReasonInvalid()
    return text


def current_for_update(document_id: int) -> IssuedDocument:
    document = (
        IssuedDocument.objects.select_for_update(of=("self",))
        .select_related("case", "case__parcel")
        .get(pk=document_id)
    )
    if (
        document.revoked_at is not None
        or IssuedDocument.objects.filter(supersedes_id=document.pk).exists()
    ):
        raise DocumentNotCurrent()
    return document


def do_revoke_document(
    user: Any, document: IssuedDocument, reason: Any, *, principal: Principal | None = None
) -> IssuedDocument:
    """Revoke a current document: the verification page says so, with the reason."""
    principal = principal_of(user, principal)
    text = clean_reason(reason)
    with transaction.atomic():
        locked = current_for_update(document.pk)
        role = acting_role(principal, locked)
        return revoke_locked(locked, actor=user, role=role, reason=text, now=clock.now())


def revoke_locked(
    locked: IssuedDocument, *, actor: Any, role: str, reason: str, now: Any
) -> IssuedDocument:
    """Revoke a current document its caller holds locked, with its event (in the
    caller's transaction): a person's revocation or the system's of a cancelled bill."""
    IssuedDocument.objects.filter(pk=locked.pk).update(
        revoked_at=now, revoked_by=actor, revoke_reason=reason
    )
    locked.refresh_from_db()
    write_document_event(
        locked, DocumentEventType.REVOKE, actor=actor, role=role, at=now, reason=reason
    )
    return locked


def do_correct_document(
    user: Any, document: IssuedDocument, reason: Any, *, principal: Principal | None = None
) -> IssuedDocument:
    """Issue the document again from its record (a corrected template or signatory, say)
    under a new serial and code; the old one is then «superseded by» the new one."""
    principal = principal_of(user, principal)
    text = clean_reason(reason)
    with atomic_with_files():
        locked = current_for_update(document.pk)
        role = acting_role(principal, locked)
        if locked.kind != DocumentKind.INQUIRY_RESPONSE or locked.response is None:
            raise DocumentNotAllowed("این نوع سند از این راه اصلاح نمی‌شود.")
        return issue_document(
            response_draft(locked.response),
            actor=user,
            role=role,
            now=clock.now(),
            supersedes=locked,
            reason=text,
        )
