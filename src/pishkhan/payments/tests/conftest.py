"""Payments' tests: the personas' city at billing's fixed moment, bills written through
billing's own writer, and the payer's side of the fake bank."""

from __future__ import annotations

import datetime as dt

import pytest

from pishkhan.billing.actions import BillPlan, write_bill
from pishkhan.billing.dues import Line
from pishkhan.billing.models import Bill, BillKind, LineKind
from pishkhan.billing.tests.conftest import NOW_DAY, now, rules, tehran  # noqa: F401 (fixtures)
from pishkhan.core import clock
from pishkhan.fakebank import bank
from pishkhan.fakebank.models import BankTransaction
from pishkhan.payments.actions import do_handle_gateway_callback, do_start_online_payment
from pishkhan.payments.models import Payment
from pishkhan.testing.personas import City

CALLBACK = "http://testserver/payments/callback/"
NOW = tehran(NOW_DAY)
CARD = bank.with_luhn("603799123456789")


def make_bill(city: City, amount: int = 1_250_000, case: object = None) -> Bill:
    """A service bill of office A (on its parcel, or on `case`)."""
    plan = BillPlan(
        kind=BillKind.SERVICE,
        lines=[Line(LineKind.SERVICE_FEE, "هزینه خدمت", amount)],
        due_on=clock.now().date() + dt.timedelta(days=30),
        parcel=None if case is not None else city.a.parcel,
        case=case,  # type: ignore[arg-type]
        payer_id=city.citizen.pk,
        office_id=city.a.office.pk,
        district_id=city.a.district.pk,
    )
    return write_bill(plan, actor_id=city.alice.pk, role="technical_manager", now=clock.now())


@pytest.fixture
def bill(city: City, now: clock.FrozenClock) -> Bill:  # noqa: F811
    return make_bill(city)


def start(city: City, bill: Bill) -> Payment:
    payment, url = do_start_online_payment(city.zahra, bill.pk, callback_url=CALLBACK)
    assert url == f"/fake-bank/pay/{payment.token}/"
    return payment


def pay_at_bank(token: str) -> str:
    """The payer fills in the card form and the one-time code: the bank's reference."""
    otp = bank.enter_card(token, CARD, "123", "12", "08")
    return bank.confirm_otp(token, otp).reference or ""


def bank_row(payment: Payment) -> BankTransaction:
    return BankTransaction.objects.get(token=payment.token)


def callback(payment: Payment, status: str = "OK", reference: str | None = None) -> str:
    ref = bank_row(payment).reference if reference is None else reference
    return do_handle_gateway_callback(token=payment.token, status=status, reference=ref).result
