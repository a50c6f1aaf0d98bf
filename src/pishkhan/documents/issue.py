"""Issuing a document: a serial, a code, the PDF rendered once, signed, stored.

``issue_document`` runs inside the issuing action's transaction (an
``atomic_with_files`` block): the serial's counter, the stored file, the row and its
event commit together or not at all, and a rollback deletes the file it wrote.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from pishkhan.core.digits import to_persian_digits
from pishkhan.core.jalali import format_jalali_date, jalali_year
from pishkhan.documents.events import write_document_event
from pishkhan.documents.models import DocumentEventType, IssuedDocument
from pishkhan.documents.rendering import qr_svg, render_pdf
from pishkhan.documents.serials import make_serial, new_verification_code, next_number
from pishkhan.documents.signing import sign_pdf
from pishkhan.files.checks import CheckedUpload
from pishkhan.files.store import save_checked

PURPOSE = "issued_document"


def verification_path(serial: str, code: str) -> str:
    return reverse("documents:verify_link", args=[serial, code])


def verification_url(serial: str, code: str) -> str:
    return settings.PISHKHAN_PUBLIC_URL + verification_path(serial, code)


@dataclass(frozen=True)
class DocumentDraft:
    """What one kind of document brings: its template and context, and the facts the
    verification page will show (no more than the document prints)."""

    kind: str
    title: str
    template: str
    context: dict[str, Any]
    facts: dict[str, Any]
    case_id: int | None = None
    response_id: int | None = None
    bill_id: int | None = None


def issue_document(
    draft: DocumentDraft,
    *,
    actor: Any,
    role: str,
    now: dt.datetime,
    supersedes: IssuedDocument | None = None,
    reason: str = "",
) -> IssuedDocument:
    year = jalali_year(timezone.localtime(now))
    number = next_number(draft.kind, year)
    serial = make_serial(draft.kind, year, number)
    code = new_verification_code()
    url = verification_url(serial, code)
    code_label = "-".join(code[i : i + 4] for i in range(0, len(code), 4))
    context = {
        **draft.context,
        "title": draft.title,
        "serial_label": to_persian_digits(serial),
        "code_label": code_label,
        "verification_url": url,
        "verification_root": settings.PISHKHAN_PUBLIC_URL + reverse("documents:verify"),
        "qr": qr_svg(url),
        "issued_on_label": format_jalali_date(timezone.localtime(now).date(), "long"),
        "city_name": settings.PISHKHAN_CITY_NAME,
        "supersedes": supersedes,
    }
    rendered = render_pdf(draft.template, context)
    signed = sign_pdf(
        rendered.pdf,
        reason=f"{draft.title} {serial}",
        location=f"Pishkhan, {settings.PISHKHAN_CITY_NAME}",
    )
    stored = save_checked(
        actor,
        CheckedUpload(
            kind="pdf",
            content=signed.pdf,
            display_name=f"{draft.kind}-{serial}.pdf",
            received_size=len(signed.pdf),
            pages=rendered.pages,
        ),
        purpose=PURPOSE,
    )
    document = IssuedDocument.objects.create(
        kind=draft.kind,
        year=year,
        number=number,
        serial=serial,
        verification_code=code,
        title=draft.title,
        facts=draft.facts,
        case_id=draft.case_id,
        response_id=draft.response_id,
        bill_id=draft.bill_id,
        file=stored,
        sha256=stored.sha256,
        signer=signed.signer,
        demo_signature=signed.demo,
        issued_at=now,
        issued_by=actor,
        supersedes=supersedes,
    )
    write_document_event(
        document,
        DocumentEventType.SUPERSEDE if supersedes else DocumentEventType.ISSUE,
        actor=actor,
        role=role,
        at=now,
        reason=reason,
    )
    return document
