"""The events of a bill: one writer, append-only, published to the outbox.

``write_bill_event`` is the only place a ``BillEvent`` is created. It publishes the
event (topic ``bill.event``, key ``bill_event:<id>``) in the same transaction, so a
receiver (the case moving on after a payment, an SMS with the receipt) never misses one
and a topic nobody receives costs nothing. The event is appended to the audit chain
(``pishkhan.audit``: issue, cancellation, payment) in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pishkhan.audit.chain import record
from pishkhan.billing.models import Bill, BillEvent
from pishkhan.outbox.delivery import Publication, publish_many

BILL_EVENT_TOPIC = "bill.event"


def write_bill_event(
    bill: Bill,
    kind: str,
    *,
    actor_id: int | None,
    actor_role: str,
    at: dt.datetime,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> BillEvent:
    event = BillEvent.objects.create(
        bill=bill,
        kind=kind,
        actor_id=actor_id,
        actor_role=actor_role,
        created_at=at,
        before=before or {},
        after=after or {},
        reason=reason,
    )
    publish_many(
        [
            Publication(
                topic=BILL_EVENT_TOPIC,
                key=f"bill_event:{event.pk}",
                payload={
                    "bill_id": bill.pk,
                    "event_id": event.pk,
                    "kind": kind,
                    "case_id": bill.case_id,
                    "status": (after or {}).get("status", ""),
                },
            )
        ]
    )
    record(
        f"bill.{kind}",
        subject=("bill", bill.pk),
        summary={
            "event_id": event.pk,
            "case_id": bill.case_id,
            "status": (after or {}).get("status", ""),
            "total": bill.total,
            "actor_role": actor_role,
        },
        actor_id=actor_id,
        at=at,
    )
    return event


def snapshot(bill: Bill) -> dict[str, Any]:
    """What an event records of a bill's state."""
    return {"status": bill.status, "version": bill.version, "total": bill.total}
