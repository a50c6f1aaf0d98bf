"""Every change of a payment is a row of the audit chain in the same transaction: the
verify, the capture and a reversal are provable later, and no card number or bank
reference is kept there."""

from __future__ import annotations

import pytest
from django.db import DatabaseError

from pishkhan.audit.chain import verify
from pishkhan.audit.models import AuditRecord
from pishkhan.billing.models import Bill
from pishkhan.payments import actions
from pishkhan.payments.models import Payment
from pishkhan.payments.tests.conftest import callback, pay_at_bank, start
from pishkhan.testing.personas import City


def payment_rows(payment: Payment) -> list[AuditRecord]:
    return list(
        AuditRecord.objects.filter(subject_type="payment", subject_id=str(payment.pk)).order_by(
            "seq"
        )
    )


def test_an_online_payment_leaves_one_audit_row_per_event(city: City, bill: Bill) -> None:
    payment = start(city, bill)
    reference = pay_at_bank(payment.token or "")
    assert callback(payment) == "captured"
    rows = payment_rows(payment)
    events = list(payment.events.order_by("created_at", "pk"))
    assert [r.kind for r in rows] == [f"payment.{e.kind}" for e in events]
    assert [r.summary["event_id"] for r in rows] == [e.pk for e in events]
    assert {r.summary["amount"] for r in rows} == {bill.total}
    assert rows[0].actor_id == city.zahra.pk  # the citizen who started it
    verify_row = next(r for r in rows if r.kind == "payment.verify")
    assert verify_row.actor_id is None  # the bank's confirmation: the system
    payment.refresh_from_db()
    kept = "".join(str(r.summary) for r in rows)
    assert reference not in kept
    assert payment.masked_card not in kept
    assert verify().intact


def test_a_reversal_after_a_failed_commit_is_audited_and_the_capture_is_not(
    city: City, bill: Bill, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = actions.do_record_bill_payment

    def paid_then_the_commit_fails(*args: object, **kwargs: object) -> object:
        real(*args, **kwargs)  # type: ignore[arg-type]
        raise DatabaseError("could not commit")

    monkeypatch.setattr(actions, "do_record_bill_payment", paid_then_the_commit_fails)
    payment = start(city, bill)
    pay_at_bank(payment.token or "")
    assert callback(payment) == "reversed"
    kinds = [r.kind for r in payment_rows(payment)]
    assert "payment.reverse" in kinds
    assert "payment.capture" not in kinds  # rolled back with the capture it recorded
    assert not AuditRecord.objects.filter(kind="bill.pay").exists()
    assert verify().intact
