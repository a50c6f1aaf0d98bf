"""A confirmed payment moves the case on, as the system actor, once.

The receiver of billing's ``bill.event`` topic: on a ``pay`` event of a case's bill, if
the case's current state has an action the definition gives to the ``system`` role and
guards with ``bills_unpaid``, the action is taken through ``do_perform_system_action``.
While another bill of the case is unpaid the guard refuses and nothing happens (the
last bill's payment moves it). Once: a payment made before the case entered its
current state moves nothing (the case already moved on), the move is a
compare-and-swap on the case's version, and delivery retries a lost race.
"""

from __future__ import annotations

from pishkhan.billing.events import BILL_EVENT_TOPIC
from pishkhan.billing.models import Bill, BillStatus
from pishkhan.cases.actions import do_perform_system_action
from pishkhan.cases.errors import GuardFailed
from pishkhan.cases.models import SYSTEM, Case, WorkflowAction
from pishkhan.outbox.models import OutboxMessage
from pishkhan.outbox.receivers import outbox_receiver

PAID_GUARD = "bills_unpaid"
REASON = "پرداخت فیش‌های پرونده تأیید شد."


def advance_after_payment(case_id: int, bill_pk: int) -> Case | None:
    """Take the case's system action that waits for its bills, if it now may."""
    case = Case.objects.filter(pk=case_id).first()
    bill = Bill.objects.filter(pk=bill_pk, status=BillStatus.PAID).first()
    if case is None or bill is None or case.closed_at is not None or bill.paid_at is None:
        return None
    if bill.paid_at < case.state_entered_at:
        return None  # paid in an earlier state: that state's move was made then
    actions = WorkflowAction.objects.filter(
        definition_id=case.definition_id, from_state__code=case.state
    ).order_by("position", "pk")
    for action in actions:
        if SYSTEM in action.roles and PAID_GUARD in action.guards:
            try:
                reason = REASON if action.reason_required else None
                return do_perform_system_action(case.pk, action.code, case.version, reason=reason)
            except GuardFailed:
                return None  # another bill is still unpaid, or another guard holds it
    return None


@outbox_receiver("payments.case_moves_on", topic=BILL_EVENT_TOPIC)
def case_moves_on(message: OutboxMessage) -> None:
    payload = message.payload or {}
    if payload.get("kind") == "pay" and payload.get("case_id"):
        advance_after_payment(int(payload["case_id"]), int(payload["bill_id"]))
