"""Money safety: ten concurrent callbacks for one payment capture once (real threads,
each on its own connection; PostgreSQL lets them all read at once), and the ledger's
invariant after a Hypothesis sequence of payments, failures and reversals."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pishkhan.billing.ledger import check_ledger
from pishkhan.billing.models import Bill, BillStatus, EntryKind, LedgerEntry
from pishkhan.cases.tests.test_concurrency import file_database, race
from pishkhan.core import clock
from pishkhan.fakebank import bank
from pishkhan.fakebank.models import BankState, Knob
from pishkhan.payments import actions
from pishkhan.payments.actions import do_handle_gateway_callback, do_record_card_payment
from pishkhan.payments.models import Payment, PaymentStatus
from pishkhan.payments.tests.conftest import (
    NOW,
    bank_row,
    callback,
    make_bill,
    pay_at_bank,
    start,
)
from pishkhan.testing.personas import City, build_city


@pytest.fixture
def race_city(transactional_db: None, tmp_path: Path) -> Iterator[City]:
    with clock.frozen(NOW):
        if connection.vendor == "sqlite" and connection.is_in_memory_db():
            with file_database(tmp_path / "race.sqlite3"):
                yield build_city()
        else:
            yield build_city()


def test_ten_concurrent_callbacks_capture_once(race_city: City) -> None:
    bill = make_bill(race_city)
    payment = start(race_city, bill)
    reference = pay_at_bank(payment.token or "")

    def deliver() -> Any:
        return do_handle_gateway_callback(token=payment.token, status="OK", reference=reference)

    results = race(*[deliver for _ in range(10)])
    outcomes = sorted(getattr(r, "result", repr(r)) for r in results)
    assert outcomes.count("captured") == 1, outcomes
    assert set(outcomes) <= {"captured", "duplicate"}, outcomes
    assert LedgerEntry.objects.filter(kind=EntryKind.CAPTURE).count() == 1
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.CAPTURED
    assert Payment.objects.get(pk=payment.pk).events.filter(kind="capture").count() == 1
    assert Bill.objects.get(pk=bill.pk).status == BillStatus.PAID
    assert check_ledger().consistent
    assert bank.net_captured() == bill.total


# --- the ledger's invariant under a random sequence -----------------------------------

STEPS = st.lists(
    st.tuples(
        st.sampled_from(
            ["pay", "cancel", "wrong_amount", "verify_error", "commit_fails", "duplicate",
             "card", "card_then_online", "abandon_then_reconcile", "forged"]
        ),
        st.integers(min_value=0, max_value=3),
    ),
    min_size=1,
    max_size=8,
)  # fmt: skip


def run_step(city: City, bills: list[Bill], step: str, index: int, counter: list[int]) -> None:
    bill = Bill.objects.get(pk=bills[index].pk)
    if bill.status != BillStatus.ISSUED:
        if step == "duplicate":
            for payment in Payment.objects.filter(bill=bill, token__isnull=False):
                callback(payment)
        return
    counter[0] += 1
    if step in ("card", "card_then_online"):
        if step == "card_then_online":
            online = start(city, bill)
            pay_at_bank(online.token or "")
        do_record_card_payment(
            city.alice, bill.pk, terminal_reference=f"{100000 + counter[0]}",
            masked_card="603799******1234",
        )  # fmt: skip
        if step == "card_then_online":
            callback(online)
        return
    payment = start(city, bill)
    if step == "cancel":
        bank.abandon(payment.token or "", BankState.CANCELLED)
        callback(payment, "CANCELLED")
        return
    if step == "forged":
        callback(payment, "OK", "000000000001")
        return
    pay_at_bank(payment.token or "")
    if step == "abandon_then_reconcile":
        actions.do_reconcile_payments(clock.now() + actions.gateway().pay_window * 2)
        return
    knobs = {"wrong_amount": Knob.WRONG_AMOUNT, "verify_error": Knob.ERROR}
    if step in knobs:
        bank.set_knob(payment.token or "", knobs[step])
    if step == "commit_fails":
        real = actions.do_record_bill_payment

        def fails(*args: Any, **kwargs: Any) -> Any:
            real(*args, **kwargs)
            raise DatabaseError("commit failed")

        actions.do_record_bill_payment = fails  # type: ignore[assignment]
        try:
            callback(payment)
        finally:
            actions.do_record_bill_payment = real
        return
    callback(payment)
    if step == "duplicate":
        callback(payment)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=STEPS)
def test_the_ledger_holds_after_any_sequence(
    city: City, now: clock.FrozenClock, steps: Any
) -> None:
    with transaction.atomic():
        bills = [make_bill(city, 1_000_000 * (i + 1)) for i in range(4)]
        counter = [0]
        for step, index in steps:
            run_step(city, bills, step, index, counter)
        report = check_ledger()
        assert report.consistent, report.problems
        online_paid = sum(
            p.amount
            for p in Payment.objects.filter(status=PaymentStatus.CAPTURED, channel="online")
        )
        assert bank.net_captured() == online_paid
        for bill in Bill.objects.filter(pk__in=[b.pk for b in bills]):
            captured = Payment.objects.filter(bill=bill, status=PaymentStatus.CAPTURED).count()
            assert captured == (1 if bill.status == BillStatus.PAID else 0)
        for payment in Payment.objects.filter(bill__in=bills, token__isnull=False):
            state = bank_row(payment).state
            held = state in (BankState.VERIFIED, BankState.SETTLED)
            assert held == (payment.status == PaymentStatus.CAPTURED), (payment.status, state)
        transaction.set_rollback(True)
