"""The events of an issued document: one writer, appended to the audit chain.

``write_document_event`` is the only place a ``DocumentEvent`` is created. It runs in
the transaction of the issue, correction or revocation it records and appends
``document.issue`` / ``document.supersede`` / ``document.revoke`` to the audit chain
(``pishkhan.audit``) in that transaction. The audit row holds the ids, the kind, the
serial and the file's SHA-256 — never the reason or the document's personal data — so
years later it proves which file was issued, when and by whom.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pishkhan.audit.chain import record
from pishkhan.documents.models import DocumentEvent, IssuedDocument


def write_document_event(
    document: IssuedDocument,
    type: str,
    *,
    actor: Any,
    role: str,
    at: dt.datetime,
    reason: str = "",
) -> DocumentEvent:
    event = DocumentEvent.objects.create(
        document=document, type=type, actor=actor, role=role, at=at, reason=reason
    )
    record(
        f"document.{type}",
        subject=("document", document.pk),
        summary={
            "event_id": event.pk,
            "kind": document.kind,
            "serial": document.serial,
            "sha256": document.sha256,
            "case_id": document.case_id,
            "supersedes_id": document.supersedes_id,
            "actor_role": role,
        },
        actor_id=getattr(actor, "pk", None),
        at=at,
    )
    return event
