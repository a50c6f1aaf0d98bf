"""The demo city's payments (pishkhan.payments): a few of office 1101's unpaid demo
bills paid online through the fake bank (card, one-time code, callback, verify,
settle), one left pending at the bank (the payer never came back; the reconciliation
resolves it after the gateway's window), and one paid at the counter's card reader.
Loaded once: if a payment of a demo bill exists they count as loaded. Online payments
are made only while the fake bank is the chosen gateway."""

from __future__ import annotations

from collections import Counter

from pishkhan.accounts.models import User
from pishkhan.billing.models import Bill, BillStatus
from pishkhan.fakebank import bank
from pishkhan.payments.actions import (
    do_handle_gateway_callback,
    do_record_card_payment,
    do_start_online_payment,
)
from pishkhan.payments.gateways import fake_bank_enabled
from pishkhan.payments.models import Payment

COUNTER = "tm-1101"
HOME_OFFICE = "1101"
CALLBACK = "http://localhost:8000/payments/callback/"
CARD = bank.with_luhn("603799100200300")


def load_demo_payments(tally: Counter[str]) -> None:
    counter = User.objects.filter(username=COUNTER).first()
    bills = list(
        Bill.objects.filter(
            office__code=HOME_OFFICE, status=BillStatus.ISSUED, parcel__is_demo=True
        ).order_by("pk")
    ) + list(
        Bill.objects.filter(
            office__code=HOME_OFFICE, status=BillStatus.ISSUED, vehicle__is_demo=True
        ).order_by("pk")
    )
    if counter is None or len(bills) < 4 or Payment.objects.filter(bill__in=bills).exists():
        return
    if fake_bank_enabled():
        for bill in bills[:2]:
            payment, _ = do_start_online_payment(counter, bill.pk, callback_url=CALLBACK)
            token = payment.token or ""
            reference = bank.confirm_otp(token, bank.enter_card(token, CARD, "123", "12", "08"))
            do_handle_gateway_callback(token=token, status="OK", reference=reference.reference)
            tally["demo payments online"] += 1
        do_start_online_payment(counter, bills[2].pk, callback_url=CALLBACK)
        tally["demo payments pending"] += 1
    do_record_card_payment(
        counter, bills[3].pk, terminal_reference="140500010001", masked_card="603799******4321"
    )
    tally["demo payments card reader"] += 1


def payments_summary() -> list[tuple[str, int]]:
    return [("payments", Payment.objects.count())]
