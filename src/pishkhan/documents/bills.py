"""The bill (فیش) as an issued document: a signed PDF of the bill as it was issued, with
its lines, the bill id / payment id pair any bank channel collects it by, and the
verification code. Issued by the worker when billing publishes the bill's ``issue``
event, once per bill; a cancelled bill's document is revoked, so the verification page
never calls a cancelled bill valid.

Receipts are issued by the payments app, which knows the channels (``payments.receipts``);
both share ``bill_context``.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef

from pishkhan.billing.events import BILL_EVENT_TOPIC
from pishkhan.billing.identifiers import grouped, printed_payment_label
from pishkhan.billing.models import Bill, BillEventKind, BillStatus
from pishkhan.core import clock
from pishkhan.core.digits import to_persian_digits
from pishkhan.core.jalali import format_jalali_date
from pishkhan.core.money import format_rials
from pishkhan.core.national_id import mask_national_id
from pishkhan.documents.actions import revoke_locked
from pishkhan.documents.issue import DocumentDraft, issue_document
from pishkhan.documents.models import DocumentKind, IssuedDocument
from pishkhan.files.store import atomic_with_files
from pishkhan.outbox.models import OutboxMessage
from pishkhan.outbox.receivers import outbox_receiver

SYSTEM_ROLE = "system"
BILL_TEMPLATE = "documents/bill.html"
CANCELLED_REASON = "فیش ابطال شد؛ فیش جایگزین یا صادرکننده آن را ببینید."


def load_bill(bill_id: int) -> Bill | None:
    return (
        Bill.objects.select_related(
            "case", "case__service_type", "parcel", "vehicle", "payer", "office", "district"
        )
        .filter(pk=bill_id)
        .first()
    )


def bill_context(bill: Bill) -> dict[str, Any]:
    """What the bill and its receipt print of the bill."""
    payer = bill.payer
    return {
        "bill": bill,
        "lines": list(bill.lines.order_by("position")),
        "bill_id_label": grouped(bill.bill_id),
        "payment_id_label": printed_payment_label(bill.payment_id),
        "payer_name": f"{payer.first_name} {payer.last_name}".strip() if payer else "",
        "payer_nid": to_persian_digits(mask_national_id(payer.national_id)) if payer else "",
        "signatories": [],
    }


def bill_facts(bill: Bill) -> dict[str, Any]:
    """What the verification page may show: no more than the PDF prints, less of the
    payer (the masked national ID only)."""
    payer = bill.payer
    return {
        "bill_kind": bill.get_kind_display(),
        "bill_id": to_persian_digits(bill.bill_id),
        "payment_id": printed_payment_label(bill.payment_id),
        "total": format_rials(bill.total),
        "due_on_label": format_jalali_date(bill.due_on),
        "tracking_code": to_persian_digits(bill.case.tracking_code) if bill.case else "",
        "payer_nid": to_persian_digits(mask_national_id(payer.national_id)) if payer else "",
    }


def bill_draft(bill: Bill) -> DocumentDraft:
    return DocumentDraft(
        kind=DocumentKind.BILL,
        title=f"فیش {bill.get_kind_display()}",
        template=BILL_TEMPLATE,
        context=bill_context(bill),
        facts=bill_facts(bill),
        case_id=bill.case_id,
        bill_id=bill.pk,
    )


def issue_once(draft: DocumentDraft) -> IssuedDocument | None:
    """Issue `draft` as the system unless its bill already has this kind of document
    (a redelivered event, or two workers at once: the unique constraint decides)."""
    if draft.bill_id is None:
        raise ValueError("issue_once issues a bill's own documents only")
    if IssuedDocument.objects.filter(bill_id=draft.bill_id, kind=draft.kind).exists():
        return None
    try:
        with atomic_with_files():
            # the bill locked: a cancellation waits for this issue (and then revokes
            # it), or this issue sees the bill cancelled and issues nothing
            bill = Bill.objects.select_for_update().filter(pk=draft.bill_id).first()
            if bill is None or bill.status == BillStatus.CANCELLED:
                return None
            return issue_document(draft, actor=None, role=SYSTEM_ROLE, now=clock.now())
    except IntegrityError:
        return None  # the other delivery issued it; its file went with our rollback


def issue_bill_document(bill_id: int) -> IssuedDocument | None:
    bill = load_bill(bill_id)  # a cancelled one is refused by issue_once, under lock
    return issue_once(bill_draft(bill)) if bill is not None else None


def revoke_cancelled_bill_documents(bill_id: int) -> int:
    """Revoke the current bill document of a cancelled bill (as the system)."""
    revoked = 0
    with transaction.atomic():
        # not superseded, as a subquery: PostgreSQL locks no row of an outer join
        successor = IssuedDocument.objects.filter(supersedes_id=OuterRef("pk"))
        current = IssuedDocument.objects.select_for_update().filter(
            ~Exists(successor), bill_id=bill_id, kind=DocumentKind.BILL, revoked_at__isnull=True
        )
        now = clock.now()
        for document in current:
            revoke_locked(document, actor=None, role=SYSTEM_ROLE, reason=CANCELLED_REASON, now=now)
            revoked += 1
    return revoked


@outbox_receiver("documents.bill_documents", topic=BILL_EVENT_TOPIC)
def bill_documents(message: OutboxMessage) -> None:
    payload = message.payload or {}
    kind = payload.get("kind")
    bill_id = payload.get("bill_id")
    if not bill_id:
        return
    if kind == BillEventKind.ISSUE:
        issue_bill_document(int(bill_id))
    elif kind == BillEventKind.CANCEL:
        revoke_cancelled_bill_documents(int(bill_id))
