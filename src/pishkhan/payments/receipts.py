"""The receipt (رسید پرداخت) as an issued document: a signed PDF of a paid bill with the
payment that paid it — channel, time, the bank's or terminal's reference and the card's
masked number — and its verification code. Issued by the worker when billing publishes
the bill's ``pay`` event, once per bill (documents.bills.issue_once).
"""

from __future__ import annotations

from django.utils import timezone

from pishkhan.billing.events import BILL_EVENT_TOPIC
from pishkhan.billing.models import Bill, BillEventKind, BillStatus
from pishkhan.core.jalali import format_jalali_datetime
from pishkhan.core.money import format_rials
from pishkhan.documents.bills import bill_context, bill_facts, issue_once, load_bill
from pishkhan.documents.issue import DocumentDraft
from pishkhan.documents.models import DocumentKind, IssuedDocument
from pishkhan.outbox.models import OutboxMessage
from pishkhan.outbox.receivers import outbox_receiver
from pishkhan.payments.models import Payment, PaymentStatus

TEMPLATE = "documents/receipt.html"


def issue_receipt_document(bill_id: int) -> IssuedDocument | None:
    """The receipt of a paid bill, unless it has one."""
    bill = load_bill(bill_id)
    draft = receipt_draft(bill) if bill is not None else None
    return issue_once(draft) if draft is not None else None


def receipt_draft(bill: Bill) -> DocumentDraft | None:
    """The receipt of `bill` from the payment that paid it; None if it is not paid by
    a payment of ours."""
    if bill.status != BillStatus.PAID:
        return None
    payment = (
        Payment.objects.filter(bill=bill, status=PaymentStatus.CAPTURED)
        .order_by("captured_at", "pk")
        .first()
    )
    if payment is None or payment.captured_at is None:
        return None
    paid_on = format_jalali_datetime(timezone.localtime(payment.captured_at))
    facts = {
        **bill_facts(bill),
        "total": format_rials(payment.amount),
        "paid_on_label": paid_on,
        "channel_label": payment.get_channel_display(),
    }
    facts.pop("due_on_label", None)  # a receipt is not due
    return DocumentDraft(
        kind=DocumentKind.RECEIPT,
        title="رسید پرداخت",
        template=TEMPLATE,
        context={**bill_context(bill), "payment": payment, "paid_on_label": paid_on},
        facts=facts,
        case_id=bill.case_id,
        bill_id=bill.pk,
    )


@outbox_receiver("payments.receipt_document", topic=BILL_EVENT_TOPIC)
def receipt_document(message: OutboxMessage) -> None:
    payload = message.payload or {}
    if payload.get("kind") == BillEventKind.PAY and payload.get("bill_id"):
        issue_receipt_document(int(payload["bill_id"]))
