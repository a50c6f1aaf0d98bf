"""The fake bank's server: what a merchant calls (request, verify, settle, reverse,
inquire) and what its payment pages do (card, OTP, cancel, timeout).

It behaves like the Shaparak gateways (../shared/docs/reference/reliability-security.md
§5): a payment the payer authorised but the merchant did not verify within
``VERIFY_WINDOW`` is reversed by the bank itself; a verified payment not settled is
settled by the bank after ``SETTLE_WINDOW``; a verify repeated answers
``already_verified`` with the same facts (Zarinpal's code 101). ``Knob`` makes the verify
answer a different amount, fail, or time out, so the merchant's side can be tested on
every path. ``net_captured`` is the bank's own ledger: what it holds for the merchant.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum

from pishkhan.core import clock
from pishkhan.core.digits import to_ascii_digits
from pishkhan.fakebank.models import BankState, BankTransaction, Knob

PAGE_WINDOW = dt.timedelta(minutes=10)  # the payer's time on the card and OTP pages
VERIFY_WINDOW = dt.timedelta(minutes=20)  # Behpardakht's: verify within 20 minutes
SETTLE_WINDOW = dt.timedelta(hours=3)  # an unsettled verified payment settles by itself
HELD = (BankState.VERIFIED, BankState.SETTLED)


class BankError(Exception):
    """A refusal of the bank; `message` is what its pages show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BankUnavailable(Exception):
    """The bank's server did not answer (an error or a timeout)."""


@dataclass(frozen=True)
class Answer:
    """The bank's answer to verify, inquire and reverse."""

    code: str  # ok, already_verified, not_paid, unknown, reversed, settled, nothing
    state: str = ""
    amount: int = 0
    reference: str = ""
    masked_card: str = ""


def luhn_ok(number: str) -> bool:
    total = 0
    for i, char in enumerate(reversed(number)):
        digit = int(char)
        if i % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def with_luhn(body: str) -> str:
    """`body` with the check digit that makes it pass Luhn (test and demo card numbers)."""
    return next(body + d for d in "0123456789" if luhn_ok(body + d))


def mask(number: str) -> str:
    return f"{number[:6]}{'*' * (len(number) - 10)}{number[-4:]}"


def terminal_id() -> str:
    return str(getattr(settings, "PISHKHAN_FAKE_BANK_TERMINAL", "98765432"))


# --- the merchant's calls --------------------------------------------------------


def request_payment(*, terminal: str, amount: int, order_id: str, callback_url: str) -> str:
    """A token for a new payment (the same order asked twice gets its first token)."""
    if amount <= 0:
        raise BankError("مبلغ نامعتبر است.")
    existing = BankTransaction.objects.filter(terminal=terminal, order_id=order_id).first()
    if existing is not None:
        if existing.amount != amount:
            raise BankError("شماره سفارش تکراری است.")
        return existing.token
    try:
        with transaction.atomic():
            row = BankTransaction.objects.create(
                token=secrets.token_hex(16),
                terminal=terminal,
                order_id=order_id,
                amount=amount,
                callback_url=callback_url,
                created_at=clock.now(),
            )
    except IntegrityError:
        return request_payment(
            terminal=terminal, amount=amount, order_id=order_id, callback_url=callback_url
        )
    return row.token


def expire(row: BankTransaction, now: dt.datetime) -> None:
    """What the bank does by itself with time (on a locked row)."""
    if row.state in (BankState.PENDING, BankState.CARD_ENTERED) and now > row.created_at + (
        PAGE_WINDOW
    ):
        row.state = BankState.TIMED_OUT
        row.save(update_fields=["state"])
    elif (
        row.state == BankState.AUTHORISED
        and row.authorised_at
        and now > (row.authorised_at + VERIFY_WINDOW)
    ):
        row.state, row.reversed_at = BankState.REVERSED, now
        row.save(update_fields=["state", "reversed_at"])
    elif (
        row.state == BankState.VERIFIED
        and row.verified_at
        and now > (row.verified_at + SETTLE_WINDOW)
    ):
        row.state, row.settled_at = BankState.SETTLED, now
        row.save(update_fields=["state", "settled_at"])


def locked(terminal: str, token: str) -> BankTransaction | None:
    row = BankTransaction.objects.select_for_update().filter(token=token, terminal=terminal).first()
    if row is not None:
        expire(row, clock.now())
    return row


def answer(row: BankTransaction, code: str, amount: int | None = None) -> Answer:
    return Answer(
        code=code,
        state=row.state,
        amount=row.amount if amount is None else amount,
        reference=row.reference or "",
        masked_card=row.masked_card,
    )


def verify(*, terminal: str, token: str, reference: str) -> Answer:
    """Confirm an authorised payment: `ok` (now verified) or `already_verified` with its
    amount, reference and masked card; otherwise `unknown`, `not_paid` or `reversed`."""
    with transaction.atomic():
        row = locked(terminal, token)
        if row is None or (row.reference or "") != reference:
            return Answer(code="unknown")
        if row.knob in (Knob.ERROR, Knob.TIMEOUT):
            raise BankUnavailable(f"verify: {row.knob}")
        amount = row.amount + 1_000 if row.knob == Knob.WRONG_AMOUNT else None
        if row.state in HELD:
            return answer(row, "already_verified", amount)
        if row.state == BankState.REVERSED:
            return answer(row, "reversed")
        if row.state != BankState.AUTHORISED:
            return answer(row, "not_paid")
        row.state, row.verified_at = BankState.VERIFIED, clock.now()
        row.save(update_fields=["state", "verified_at"])
        return answer(row, "ok", amount)


def settle(*, terminal: str, token: str) -> Answer:
    with transaction.atomic():
        row = locked(terminal, token)
        if row is None:
            return Answer(code="unknown")
        if row.knob == Knob.SETTLE_ERROR:
            raise BankUnavailable("settle")
        if row.state == BankState.VERIFIED:
            row.state, row.settled_at = BankState.SETTLED, clock.now()
            row.save(update_fields=["state", "settled_at"])
            return answer(row, "ok")
        return answer(row, "settled" if row.state == BankState.SETTLED else "not_paid")


def reverse(*, terminal: str, token: str) -> Answer:
    """Give the payer's money back: `ok`, `reversed` (already), `settled` (too late: a
    settled payment is refunded by hand) or `nothing` (no money was taken)."""
    with transaction.atomic():
        row = locked(terminal, token)
        if row is None:
            return Answer(code="unknown")
        if row.state in (BankState.AUTHORISED, BankState.VERIFIED):
            row.state, row.reversed_at = BankState.REVERSED, clock.now()
            row.save(update_fields=["state", "reversed_at"])
            return answer(row, "ok")
        if row.state == BankState.REVERSED:
            return answer(row, "reversed")
        if row.state == BankState.SETTLED:
            return answer(row, "settled")
        if row.state in (BankState.PENDING, BankState.CARD_ENTERED):
            row.state = BankState.CANCELLED
            row.save(update_fields=["state"])
        return answer(row, "nothing")


def inquire(*, terminal: str, token: str) -> Answer:
    with transaction.atomic():
        row = locked(terminal, token)
        if row is None:
            return Answer(code="unknown")
        return answer(row, "ok")


def net_captured(terminal: str | None = None) -> int:
    """What the bank holds for the merchant: verified and settled payments."""
    rows = BankTransaction.objects.filter(state__in=HELD)
    if terminal is not None:
        rows = rows.filter(terminal=terminal)
    return int(rows.aggregate(s=Sum("amount"))["s"] or 0)


def set_knob(token: str, knob: str) -> None:
    BankTransaction.objects.filter(token=token).update(knob=knob)


# --- the payer's pages -----------------------------------------------------------


def payer_row(token: str) -> BankTransaction:
    row = BankTransaction.objects.select_for_update().filter(token=token).first()
    if row is None:
        raise BankError("تراکنش پیدا نشد.")
    expire(row, clock.now())
    return row


def clean_card(pan: str, cvv2: str, month: str, year: str) -> tuple[str, list[str]]:
    number = "".join(to_ascii_digits(pan or "").split()).replace("-", "")
    errors = []
    if not (number.isdigit() and len(number) == 16):
        errors.append("شماره کارت باید ۱۶ رقم باشد.")
    elif not luhn_ok(number):
        errors.append("شماره کارت معتبر نیست.")
    code = to_ascii_digits(cvv2 or "").strip()
    if not (code.isdigit() and len(code) in (3, 4)):
        errors.append("CVV2 باید ۳ یا ۴ رقم باشد.")
    mm, yy = to_ascii_digits(month or "").strip(), to_ascii_digits(year or "").strip()
    if not (mm.isdigit() and 1 <= int(mm) <= 12 and yy.isdigit() and len(yy) == 2):
        errors.append("تاریخ انقضا را به صورت ماه (۱ تا ۱۲) و سال دو رقمی بنویسید.")
    return number, errors


def enter_card(token: str, pan: str, cvv2: str, month: str, year: str) -> str:
    """Check the card; the one-time code the bank "sends" (shown on the fake page)."""
    with transaction.atomic():
        row = payer_row(token)
        if row.state != BankState.PENDING:
            raise BankError("این تراکنش دیگر منتظر کارت نیست.")
        number, errors = clean_card(pan, cvv2, month, year)
        if errors:
            raise BankError(" ".join(errors))
        row.state, row.masked_card = BankState.CARD_ENTERED, mask(number)
        row.otp = f"{secrets.randbelow(10**6):06d}"
        row.save(update_fields=["state", "masked_card", "otp"])
        return row.otp


def confirm_otp(token: str, otp: str) -> BankTransaction:
    with transaction.atomic():
        row = payer_row(token)
        if row.state != BankState.CARD_ENTERED:
            raise BankError("این تراکنش دیگر منتظر رمز پویا نیست.")
        if not secrets.compare_digest(to_ascii_digits(otp or "").strip(), row.otp):
            raise BankError("رمز پویا درست نیست.")
        row.state, row.authorised_at = BankState.AUTHORISED, clock.now()
        row.reference = f"{secrets.randbelow(10**12):012d}"
        row.save(update_fields=["state", "authorised_at", "reference"])
        return row


def abandon(token: str, state: str) -> BankTransaction:
    """The payer cancels, or the page's time runs out."""
    with transaction.atomic():
        row = payer_row(token)
        if row.state in (BankState.PENDING, BankState.CARD_ENTERED):
            row.state = state
            row.save(update_fields=["state"])
        return row
