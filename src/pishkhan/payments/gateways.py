"""The gateway adapter: what the payment side asks of an Iranian IPG, whatever the bank.

``start`` → token and the address to send the payer to; ``verify(token, reference)`` →
the amount, reference and masked card the bank confirms (server to server; the
callback is never trusted); ``settle``; ``reverse``; ``inquire`` (the reconciliation's
question: what became of this token?). ``gateway()`` returns the adapter the setting
``PISHKHAN_PAYMENT_GATEWAY`` names (``fake``: the built-in fake bank,
pishkhan.fakebank). A real bank is one more class with these methods and its window.

Every call is made outside a database transaction of ours: a bank that hangs must not
hold a row lock (payments/actions.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.urls import reverse

from pishkhan.fakebank import bank


class GatewayUnavailable(Exception):
    """The bank did not answer (error, timeout): the outcome is unknown."""


@dataclass(frozen=True)
class Started:
    token: str
    redirect_url: str


@dataclass(frozen=True)
class BankAnswer:
    """The bank's word on a payment. `code`: ok (verified now or before), not_paid,
    reversed, unknown; `state` (inquire): authorised, verified, settled, reversed, or
    what the bank calls an unfinished payment."""

    code: str
    state: str = ""
    amount: int = 0
    reference: str = ""
    masked_card: str = ""

    @property
    def confirmed(self) -> bool:
        return self.code == "ok"


class Gateway(Protocol):
    name: str
    # how long a payment may stay at the bank (the payer's pages) before the
    # reconciliation asks what became of it
    pay_window: dt.timedelta

    def start(self, *, amount: int, order_id: str, callback_url: str) -> Started: ...
    def verify(self, *, token: str, reference: str) -> BankAnswer: ...
    def settle(self, *, token: str, reference: str) -> BankAnswer: ...
    def reverse(self, *, token: str, reference: str) -> BankAnswer: ...
    def inquire(self, *, token: str) -> BankAnswer: ...


class FakeBankGateway:
    """The built-in fake bank, called in-process as a real adapter calls its bank."""

    name = "fake"
    pay_window = bank.PAGE_WINDOW + dt.timedelta(minutes=1)

    def __init__(self) -> None:
        self.terminal = bank.terminal_id()

    def start(self, *, amount: int, order_id: str, callback_url: str) -> Started:
        try:
            token = bank.request_payment(
                terminal=self.terminal, amount=amount, order_id=order_id, callback_url=callback_url
            )
        except bank.BankError as error:
            raise GatewayUnavailable(error.message) from None
        return Started(token, reverse("fakebank:pay", args=[token]))

    @staticmethod
    def translate(answer: bank.Answer) -> BankAnswer:
        code = "ok" if answer.code in ("ok", "already_verified") else answer.code
        return BankAnswer(code, answer.state, answer.amount, answer.reference, answer.masked_card)

    def verify(self, *, token: str, reference: str) -> BankAnswer:
        try:
            answer = bank.verify(terminal=self.terminal, token=token, reference=reference)
        except bank.BankUnavailable as error:
            raise GatewayUnavailable(str(error)) from None
        return self.translate(answer)

    def settle(self, *, token: str, reference: str) -> BankAnswer:
        try:
            answer = bank.settle(terminal=self.terminal, token=token)
        except bank.BankUnavailable as error:
            raise GatewayUnavailable(str(error)) from None
        return BankAnswer("ok" if answer.code in ("ok", "settled") else answer.code, answer.state)

    def reverse(self, *, token: str, reference: str) -> BankAnswer:
        answer = bank.reverse(terminal=self.terminal, token=token)
        code = "ok" if answer.code in ("ok", "reversed", "nothing") else answer.code
        return BankAnswer(code, answer.state, answer.amount)

    def inquire(self, *, token: str) -> BankAnswer:
        answer = bank.inquire(terminal=self.terminal, token=token)
        return BankAnswer(
            answer.code, answer.state, answer.amount, answer.reference, answer.masked_card
        )


GATEWAYS: dict[str, type] = {"fake": FakeBankGateway}


def gateway() -> Gateway:
    name = getattr(settings, "PISHKHAN_PAYMENT_GATEWAY", "fake")
    try:
        return GATEWAYS[name]()
    except KeyError:
        raise GatewayUnavailable(f"unknown payment gateway {name!r}") from None


def fake_bank_enabled() -> bool:
    return getattr(settings, "PISHKHAN_PAYMENT_GATEWAY", "fake") == "fake"
