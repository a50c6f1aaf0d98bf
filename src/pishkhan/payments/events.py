"""The events of a payment: one writer, appended to the audit chain.

``write_payment_event`` is the only place a ``PaymentEvent`` is created. It runs in the
transaction of the change it records and appends ``payment.<kind>`` (start, verify,
capture, fail, reverse, settle, settlement …) to the audit chain (``pishkhan.audit``) in
that same transaction, so a verify or a reversal is provable years later. The audit row
holds ids, states and the amount only — never the card's masked number, the bank's
reference or a reason.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pishkhan.audit.chain import record
from pishkhan.payments.models import Payment, PaymentEvent


def write_payment_event(
    payment: Payment,
    kind: str,
    *,
    after: str,
    actor_id: int | None,
    actor_role: str,
    at: dt.datetime,
    before: str = "",
    detail: dict[str, Any] | None = None,
) -> PaymentEvent:
    event = PaymentEvent.objects.create(
        payment=payment,
        kind=kind,
        before=before,
        after=after,
        actor_id=actor_id,
        actor_role=actor_role,
        created_at=at,
        detail=detail or {},
    )
    record(
        f"payment.{kind}",
        subject=("payment", payment.pk),
        summary={
            "event_id": event.pk,
            "bill_id": payment.bill_id,
            "amount": payment.amount,
            "channel": payment.channel,
            "before": before,
            "after": after,
            "actor_role": actor_role,
        },
        actor_id=actor_id,
        at=at,
    )
    return event
