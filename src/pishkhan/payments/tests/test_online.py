"""The online payment through the fake bank, on every path of the Shaparak flow:
success, cancel, timeout, wrong amount, verify failure, duplicate, forged and replayed
callbacks, a commit that fails after verify, and the reconciliation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError

from pishkhan.billing.ledger import check_ledger
from pishkhan.billing.models import Bill, BillStatus, EntryKind, LedgerEntry
from pishkhan.core import clock
from pishkhan.fakebank import bank
from pishkhan.fakebank.models import BankState, Knob
from pishkhan.payments import actions
from pishkhan.payments.actions import (
    do_handle_gateway_callback,
    do_reconcile_payments,
    do_record_card_payment,
)
from pishkhan.payments.models import Payment, PaymentEvent, PaymentStatus
from pishkhan.payments.tests.conftest import (
    bank_row,
    callback,
    make_bill,
    pay_at_bank,
    start,
)
from pishkhan.testing.personas import City


def status_of(payment: Payment) -> str:
    payment.refresh_from_db()
    return payment.status


def bill_status(bill: Bill) -> str:
    bill.refresh_from_db()
    return bill.status


def captures() -> int:
    return LedgerEntry.objects.filter(kind=EntryKind.CAPTURE).count()


def assert_consistent(paid_online: int) -> None:
    report = check_ledger()
    assert report.consistent, report.problems
    assert bank.net_captured() == paid_online


def test_success_pays_the_bill_only_after_verify_and_settles(city: City, bill: Bill) -> None:
    payment = start(city, bill)
    assert payment.status == PaymentStatus.REDIRECTED
    reference = pay_at_bank(payment.token or "")
    assert bill_status(bill) == BillStatus.ISSUED  # the bank took it; we have not verified
    assert callback(payment) == "captured"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CAPTURED
    assert payment.reference == reference
    assert payment.masked_card.startswith("603799******")
    assert payment.settled_at is not None
    assert bank_row(payment).state == BankState.SETTLED
    bill.refresh_from_db()
    assert bill.status == BillStatus.PAID
    assert bill.paid_reference == f"online:fake:{reference}"
    kinds = list(payment.events.values_list("kind", flat=True))
    assert kinds == ["start", "redirect", "verify", "capture", "settle"]
    assert_consistent(bill.total)


def test_cancel_at_the_bank_fails_and_pays_nothing(city: City, bill: Bill) -> None:
    payment = start(city, bill)
    bank.abandon(payment.token or "", BankState.CANCELLED)
    assert callback(payment, "CANCELLED") == "failed"
    assert status_of(payment) == PaymentStatus.FAILED
    assert bill_status(bill) == BillStatus.ISSUED
    assert_consistent(0)


def test_the_pages_timeout_fails_and_a_verify_timeout_is_reversed(city: City, bill: Bill) -> None:
    payment = start(city, bill)
    bank.abandon(payment.token or "", BankState.TIMED_OUT)
    assert callback(payment, "TIMEOUT") == "failed"
    second = start(city, bill)
    pay_at_bank(second.token or "")
    bank.set_knob(second.token or "", Knob.TIMEOUT)
    assert callback(second) == "reversed"
    assert status_of(second) == PaymentStatus.REVERSED
    assert bank_row(second).state == BankState.REVERSED
    assert bill_status(bill) == BillStatus.ISSUED
    assert_consistent(0)


def test_a_verify_for_another_amount_is_reversed(city: City, bill: Bill) -> None:
    payment = start(city, bill)
    pay_at_bank(payment.token or "")
    bank.set_knob(payment.token or "", Knob.WRONG_AMOUNT)
    assert callback(payment) == "reversed"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REVERSED
    assert "مبلغ" in payment.failure
    assert bank_row(payment).state == BankState.REVERSED
    assert bill_status(bill) == BillStatus.ISSUED
    assert captures() == 0
    assert_consistent(0)


def test_a_duplicate_callback_changes_nothing(city: City, bill: Bill) -> None:
    payment = start(city, bill)
    pay_at_bank(payment.token or "")
    assert callback(payment) == "captured"
    events = PaymentEvent.objects.count()
    assert callback(payment) == "duplicate"
    assert callback(payment, "CANCELLED") == "duplicate"
    assert PaymentEvent.objects.count() == events
    assert captures() == 1
    assert status_of(payment) == PaymentStatus.CAPTURED
    assert_consistent(bill.total)


def test_forged_callbacks_change_nothing(city: City, bill: Bill) -> None:
    payment = start(city, bill)
    # an unknown token
    forged = do_handle_gateway_callback(token="f" * 32, status="OK", reference="123456789012")
    assert forged.result == "refused"
    assert forged.payment is None
    # a success the payer never made: the bank does not know the reference
    assert callback(payment, "OK", "999999999999") == "refused"
    # a success without a reference, and nonsense
    assert callback(payment, "OK", "") == "refused"
    assert do_handle_gateway_callback(token=None, status=None, reference=None).result == "refused"
    assert status_of(payment) == PaymentStatus.REDIRECTED
    assert list(payment.events.values_list("kind", flat=True)) == ["start", "redirect"]
    # the payer then pays for real and the true callback still works
    pay_at_bank(payment.token or "")
    assert callback(payment) == "captured"
    assert_consistent(bill.total)


def test_a_tampered_success_for_a_payment_not_made_pays_nothing(city: City, bill: Bill) -> None:
    payment = start(city, bill)
    bank.abandon(payment.token or "", BankState.CANCELLED)
    # the payer cancelled; the callback is rewritten to say OK with a made-up reference
    assert callback(payment, "OK", "123123123123") == "refused"
    assert bill_status(bill) == BillStatus.ISSUED
    assert captures() == 0
    assert_consistent(0)


def test_a_replayed_reference_is_refused(city: City, bill: Bill) -> None:
    first = start(city, bill)
    pay_at_bank(first.token or "")
    assert callback(first) == "captured"
    other = make_bill(city, 2_000_000)
    second = start(city, other)
    reference = pay_at_bank(second.token or "")
    assert callback(second, "OK", first.reference) == "refused"  # the first one's reference
    assert status_of(second) == PaymentStatus.REDIRECTED
    assert bill_status(other) == BillStatus.ISSUED
    assert callback(second, "OK", reference) == "captured"
    assert_consistent(bill.total + other.total)


def test_a_commit_that_fails_after_verify_is_reversed(
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
    assert status_of(payment) == PaymentStatus.REVERSED
    assert bank_row(payment).state == BankState.REVERSED
    assert bill_status(bill) == BillStatus.ISSUED
    assert captures() == 0
    assert_consistent(0)


def test_a_bill_paid_at_the_counter_meanwhile_reverses_the_online_payment(
    city: City, bill: Bill
) -> None:
    payment = start(city, bill)
    pay_at_bank(payment.token or "")
    do_record_card_payment(
        city.alice, bill.pk, terminal_reference="445566", masked_card="603799******1234"
    )
    assert callback(payment) == "reversed"
    assert "پرداخت شده" in Payment.objects.get(pk=payment.pk).failure
    assert_consistent(0)  # the card reader's money is not the fake bank's
    assert captures() == 1


def test_reconcile_settles_or_reverses_what_is_left_pending(
    city: City, bill: Bill, now: clock.FrozenClock
) -> None:
    paid_no_callback = start(city, bill)
    pay_at_bank(paid_no_callback.token or "")
    other = make_bill(city, 3_000_000)
    abandoned = start(city, other)
    third = make_bill(city, 4_000_000)
    unsettled = start(city, third)
    pay_at_bank(unsettled.token or "")
    bank.set_knob(unsettled.token or "", Knob.SETTLE_ERROR)
    assert callback(unsettled) == "captured"
    assert Payment.objects.get(pk=unsettled.pk).settled_at is None
    bank.set_knob(unsettled.token or "", Knob.NORMAL)
    assert do_reconcile_payments() == {"settled": 1}  # the others are not yet past the window
    now.now += dt.timedelta(minutes=12)
    assert do_reconcile_payments() == {"captured": 1, "failed": 1}
    assert status_of(paid_no_callback) == PaymentStatus.CAPTURED
    assert status_of(abandoned) == PaymentStatus.FAILED
    assert bill_status(bill) == BillStatus.PAID
    assert bill_status(other) == BillStatus.ISSUED
    assert do_reconcile_payments() == {}
    assert_consistent(bill.total + third.total)


def test_reconcile_resolves_a_payment_verified_but_never_captured(
    city: City, bill: Bill, now: clock.FrozenClock
) -> None:
    payment = start(city, bill)
    reference = pay_at_bank(payment.token or "")
    answer = actions.gateway().verify(token=payment.token or "", reference=reference)
    with actions.transaction.atomic():  # the worker died right after recording the verify
        actions.move(
            payment, PaymentStatus.VERIFIED, "verify", reference=reference, verified_at=now.now
        )
    assert answer.confirmed
    now.now += dt.timedelta(minutes=2)
    assert do_reconcile_payments() == {"captured": 1}
    assert bill_status(bill) == BillStatus.PAID
    assert_consistent(bill.total)


def test_a_cancelled_or_paid_bill_cannot_be_started(city: City, bill: Bill) -> None:
    payment = start(city, bill)
    pay_at_bank(payment.token or "")
    callback(payment)
    with pytest.raises(actions.PaymentRefused, match="پیش‌تر پرداخت"):
        start(city, bill)
