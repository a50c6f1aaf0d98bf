"""A confirmed payment moves the case on as the system actor, once."""

from __future__ import annotations

import pytest

from pishkhan.billing.models import Bill
from pishkhan.cases.actions import do_perform_action
from pishkhan.cases.models import SYSTEM, CaseEvent
from pishkhan.core import clock
from pishkhan.outbox.delivery import deliver_due
from pishkhan.payments.actions import do_record_card_payment
from pishkhan.payments.tests.conftest import callback, pay_at_bank, start
from pishkhan.payments.tests.paid_service import paid_case
from pishkhan.payments.workflow_link import advance_after_payment
from pishkhan.testing.personas import City


@pytest.mark.usefixtures("rules")
def test_the_last_bill_paid_moves_the_case_on_once(city: City, now: clock.FrozenClock) -> None:
    case = paid_case(city)
    case = do_perform_action(city.alice, case.pk, "request_payment", case.version)
    bills = list(Bill.objects.filter(case=case).order_by("pk"))
    assert len(bills) >= 2
    first, *rest = bills
    payment = start(city, first)
    pay_at_bank(payment.token or "")
    assert callback(payment) == "captured"
    deliver_due()
    case.refresh_from_db()
    assert case.state == "awaiting_payment"  # another bill is still unpaid
    for n, bill in enumerate(rest):
        do_record_card_payment(
            city.alice, bill.pk, terminal_reference=f"55500{n}", masked_card="603799******1234"
        )
    deliver_due()
    case.refresh_from_db()
    assert case.state == "paid"
    moves = CaseEvent.objects.filter(case=case, action="confirm_payment")
    assert moves.count() == 1
    assert moves.get().actor_role == SYSTEM
    assert moves.get().actor_id is None
    # every message again (a redelivery): nothing moves twice
    for bill in bills:
        assert advance_after_payment(case.pk, bill.pk) is None
    assert deliver_due() == 0
    case.refresh_from_db()
    assert case.state == "paid"
    assert CaseEvent.objects.filter(case=case, action="confirm_payment").count() == 1
