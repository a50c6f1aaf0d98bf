"""Billing on the spine's seams (docs/seams.md): billing imports cases and registers
into its registries; cases never imports billing.

- effect ``issue_case_bills``: on the action that declares it, the case's bills are
  issued in the action's transaction (service fee from the tariff, transfer dues from
  the service's rule, the parcel's renewal arrears), each once while a live bill of its
  kind stands; they roll back with the action.
- guard ``bills_unpaid``: holds when the case has no unpaid bill; otherwise its reason
  is what the case page shows on the blocked button.
- debt source ``bill``: the parcel's unpaid bills, which the inquiry's answer states as
  the parcel's debts at the moment it is drafted and issued.
"""

from __future__ import annotations

from pishkhan.billing.actions import issue_case_bills
from pishkhan.billing.models import Bill, BillStatus
from pishkhan.cases.effects import EffectContext, effect
from pishkhan.cases.guards import GuardContext, guard
from pishkhan.cases.responses import Debt, debt_source
from pishkhan.core.digits import to_persian_digits
from pishkhan.core.jalali import format_jalali_date

UNPAID_BILLS_REASON = "فیش‌های این پرونده پرداخت نشده است."
CASE_UNPAID_BILLS = "case_unpaid_bills"  # GuardContext fact: how many unpaid bills


@effect("issue_case_bills")
def issue_bills_on_entering(context: EffectContext) -> None:
    issue_case_bills(context.case, actor_id=context.actor_id, role=context.role, now=context.now)


@guard("bills_unpaid")
def bills_paid(context: GuardContext) -> str | None:
    """The stable code is the guard's name, ``bills_unpaid``: what blocks the step."""
    unpaid = context.fact(
        CASE_UNPAID_BILLS,
        lambda: Bill.objects.filter(case_id=context.case.pk, status=BillStatus.ISSUED).count(),
    )
    if unpaid:
        return f"{UNPAID_BILLS_REASON} ({to_persian_digits(unpaid)} فیش)"
    return None


@debt_source("bill")
def unpaid_parcel_bills(parcel_id: int) -> list[Debt]:
    rows = Bill.objects.filter(parcel_id=parcel_id, status=BillStatus.ISSUED).order_by(
        "issued_at", "pk"
    )
    return [
        Debt(
            "bill",
            f"فیش {bill.get_kind_display()} شناسه {to_persian_digits(bill.bill_id)} "
            f"(مهلت {format_jalali_date(bill.due_on)})",
            int(bill.total),
        )
        for bill in rows.only("kind", "bill_id", "due_on", "total")
    ]
