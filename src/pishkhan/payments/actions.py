"""Every write of the payment side: ``do_<verb>_<noun>``, each checking role, scope and
input itself, moving a payment only by compare-and-swap on its version, with a
``PaymentEvent`` for every change. A bill becomes paid only through billing's
``do_record_bill_payment``, in the transaction that moves the payment to captured.

Online (docs/billing.md, "Payments"): ``do_start_online_payment`` (initiated, then
redirected with the bank's token) → the bank's callback, ``do_handle_gateway_callback``:
untrusted, so nothing happens until the server-side verify confirms the token, the
reference and the amount → verified (committed on its own: the bank holds money for
us) → captured with the bill paid, in one transaction → settled. A verify that refuses,
an amount that differs, a bill that no longer takes the payment, or a commit that fails
→ reversed at the bank. ``do_reconcile_payments`` resolves whatever is left pending past
the gateway's window. No bank call is ever made inside one of our transactions.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import logging
import re
import secrets
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from pishkhan.accounts.access import Principal
from pishkhan.billing.access import access_bill_by_id, counter_office
from pishkhan.billing.actions import do_record_bill_payment
from pishkhan.billing.errors import (
    AmountMismatch,
    BillingError,
    BillNotIssuable,
    BillNotPayable,
    ReferenceReused,
)
from pishkhan.billing.models import Bill, BillStatus
from pishkhan.cases.access import principal_of
from pishkhan.cases.models import SYSTEM
from pishkhan.core import clock
from pishkhan.core.digits import to_ascii_digits
from pishkhan.offices.roles import Role
from pishkhan.payments.errors import (
    GatewayDown,
    InvalidPaymentInput,
    PaymentConflict,
    PaymentRefused,
)
from pishkhan.payments.events import write_payment_event
from pishkhan.payments.gateways import BankAnswer, Gateway, GatewayUnavailable, gateway
from pishkhan.payments.models import (
    Channel,
    LineOutcome,
    Payment,
    PaymentStatus,
    SettlementImport,
    SettlementLine,
)

logger = logging.getLogger("pishkhan.payments")

INITIATED_WINDOW = dt.timedelta(minutes=5)  # a start that never got its token
VERIFIED_GRACE = dt.timedelta(minutes=1)  # a verified payment whose capture never ran
TOKEN_MAX = 80
REFERENCE_MAX = 30
SETTLEMENT_MAX_BYTES = 5 * 1024 * 1024
SETTLEMENT_MAX_LINES = 100_000
SETTLEMENT_PROVIDER = "bank"


# --- moving a payment --------------------------------------------------------------


def move(
    payment: Payment,
    to: str,
    kind: str,
    *,
    actor_id: int | None = None,
    role: str = SYSTEM,
    detail: dict[str, Any] | None = None,
    **fields: Any,
) -> Payment:
    """Compare-and-swap `payment` from the status and version it was read with to `to`,
    with its event (inside the caller's transaction); PaymentConflict when it moved."""
    before = payment.status
    moved = Payment.objects.filter(pk=payment.pk, status=before, version=payment.version).update(
        status=to, version=F("version") + 1, **fields
    )
    if moved != 1:
        raise PaymentConflict()
    write_payment_event(
        payment, kind, before=before, after=to, actor_id=actor_id, actor_role=role,
        at=clock.now(), detail=detail,
    )  # fmt: skip
    payment.refresh_from_db()
    return payment


def ledger_reference(payment: Payment) -> str:
    """The reference billing books the capture under: unique per channel and provider."""
    return f"{payment.channel}:{payment.provider}:{payment.reference}"


def new_order_id() -> str:
    return f"P{secrets.token_hex(8).upper()}"


def payable(bill: Bill) -> None:
    if bill.status == BillStatus.PAID:
        raise PaymentRefused("این فیش پیش‌تر پرداخت شده است.")
    if bill.status != BillStatus.ISSUED:
        raise PaymentRefused("این فیش ابطال شده است و پرداخت نمی‌شود.")


# --- online: start -----------------------------------------------------------------


def do_start_online_payment(
    user: Any, bill_id: Any, *, callback_url: str, principal: Principal | None = None
) -> tuple[Payment, str]:
    """Start paying a bill online: the payment (initiated, stored before anyone leaves
    for the bank), then the bank's token (redirected). Anyone who sees the bill may pay
    it (the payer, the applicant of its case, the office's staff); the address to send
    the payer to is returned."""
    principal = principal_of(user, principal)
    if principal is None:
        raise PaymentRefused()
    seen = access_bill_by_id(user, bill_id, principal)
    bank = gateway()
    with transaction.atomic():
        bill = Bill.objects.select_for_update().get(pk=seen.pk)
        payable(bill)
        payment = Payment.objects.create(
            bill=bill,
            amount=bill.total,
            channel=Channel.ONLINE,
            provider=bank.name,
            order_id=new_order_id(),
            office_id=bill.office_id,
            started_by=user,
            created_at=clock.now(),
        )
        write_payment_event(
            payment, "start", after=payment.status, actor_id=user.pk,
            actor_role=principal.primary_role or "citizen", at=payment.created_at,
        )  # fmt: skip
    try:
        started = bank.start(
            amount=payment.amount, order_id=payment.order_id, callback_url=callback_url
        )
    except GatewayUnavailable as error:
        with transaction.atomic():
            move(
                payment, PaymentStatus.FAILED, "start_failed",
                finished_at=clock.now(), failure=f"درگاه پاسخ نداد: {error}"[:300],
            )  # fmt: skip
        raise GatewayDown() from None
    with transaction.atomic():
        move(payment, PaymentStatus.REDIRECTED, "redirect", token=started.token)
    return payment, started.redirect_url


# --- online: the callback, verify, capture, settle, reverse ---------------------------


@dataclass(frozen=True)
class Outcome:
    """What a callback (or the reconciliation) did: `result` is captured, failed,
    reversed, pending, duplicate or refused; `message` is for the payer, in Persian."""

    payment: Payment | None
    result: str
    message: str


MESSAGES = {
    "captured": "پرداخت با موفقیت انجام و فیش پرداخت‌شده ثبت شد.",
    "failed": "پرداخت انجام نشد. اگر مبلغی از حساب شما کم شده باشد، بانک آن را برمی‌گرداند.",
    "reversed": "پرداخت تأیید نشد و مبلغ به حساب شما برگشت داده شد.",
    "pending": "نتیجه پرداخت هنوز از بانک نرسیده است؛ تا ساعتی دیگر تعیین تکلیف می‌شود. "
    "دوباره پرداخت نکنید.",
    "refused": "این پاسخ بانک معتبر نیست و چیزی ثبت نشد.",
}
STATUS_RESULT = {
    PaymentStatus.CAPTURED: "captured",
    PaymentStatus.FAILED: "failed",
    PaymentStatus.REVERSED: "reversed",
}


def outcome(payment: Payment | None, result: str) -> Outcome:
    return Outcome(payment, result, MESSAGES[result])


def current(payment: Payment) -> Outcome:
    """A callback for a payment already decided (or being decided): its result as it is,
    nothing changed."""
    payment.refresh_from_db()
    result = STATUS_RESULT.get(payment.status, "pending")  # type: ignore[call-overload]
    return Outcome(payment, "duplicate", MESSAGES[result])


def clean_text(value: Any, limit: int) -> str:
    if not isinstance(value, str):
        return ""
    text = value.strip()
    if len(text) > limit or "\x00" in text or not text.isprintable():
        return ""
    return text


def do_handle_gateway_callback(*, token: Any, status: Any, reference: Any) -> Outcome:
    """The bank posted the payer back. Nothing in it is trusted: an unknown token is
    refused; a payment already decided answers as it stands; a success is worth only
    what the server-side verify confirms."""
    token, status = clean_text(token, TOKEN_MAX), clean_text(status, 20).upper()
    reference = to_ascii_digits(clean_text(reference, REFERENCE_MAX))
    payment = Payment.objects.filter(token=token, channel=Channel.ONLINE).first() if token else None
    if payment is None:
        logger.warning("payment callback with an unknown token refused")
        return outcome(None, "refused")
    if payment.status != PaymentStatus.REDIRECTED:
        return current(payment)
    bank = gateway()
    if status != "OK":
        return give_up(bank, payment, "callback_failed", f"بانک: {status or 'بدون وضعیت'}")
    if not reference:
        logger.warning("payment %s: a success callback without a reference", payment.pk)
        return outcome(payment, "refused")
    try:
        answer = bank.verify(token=token, reference=reference)
    except GatewayUnavailable as error:
        logger.warning("payment %s: verify failed (%s); reversing", payment.pk, error)
        return reverse_verified(bank, payment, f"تأیید بانک پاسخ نداد: {error}", from_bank=True)
    if not answer.confirmed:
        if answer.code == "unknown":
            # a forged callback (a reference that is not this token's): nothing changes
            logger.warning("payment %s: callback the bank does not know, refused", payment.pk)
            return outcome(payment, "refused")
        return give_up(bank, payment, "verify_refused", f"بانک تأیید نکرد: {answer.code}")
    return apply_verified(bank, payment, answer)


def give_up(bank: Gateway, payment: Payment, kind: str, why: str) -> Outcome:
    """A payment the bank did not take (cancelled, timed out, not paid): failed. The
    bank is asked to reverse whatever it may hold (it would after its window anyway)."""
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if locked.status != PaymentStatus.REDIRECTED:
            return current(locked)
        move(
            locked, PaymentStatus.FAILED, kind,
            callback_at=clock.now(), finished_at=clock.now(), failure=why[:300],
        )  # fmt: skip
    try:
        if locked.token:
            bank.reverse(token=locked.token, reference=locked.reference)
    except GatewayUnavailable:
        logger.warning("payment %s: reverse after failure did not answer", payment.pk)
    return outcome(locked, "failed")


def apply_verified(bank: Gateway, payment: Payment, answer: BankAnswer) -> Outcome:
    """The bank confirmed: record that (verified) in a transaction of its own, then
    capture; a different amount or reference, or a refused capture, is reversed."""
    detail = {"amount": answer.amount, "reference": answer.reference}
    try:
        with transaction.atomic():
            locked = Payment.objects.select_for_update().get(pk=payment.pk)
            if locked.status != PaymentStatus.REDIRECTED:
                return current(locked)
            locked = move(
                locked, PaymentStatus.VERIFIED, "verify", detail=detail,
                reference=answer.reference, masked_card=answer.masked_card[:19],
                callback_at=locked.callback_at or clock.now(), verified_at=clock.now(),
            )  # fmt: skip
    except IntegrityError:
        # the reference already paid another payment: a replayed reference
        logger.warning("payment %s: replayed bank reference refused", payment.pk)
        return outcome(payment, "refused")
    if answer.amount != locked.amount:
        return reverse_verified(bank, locked, "مبلغ تأییدشده بانک با مبلغ فیش برابر نیست.")
    return capture(bank, locked)


def capture(bank: Gateway, payment: Payment) -> Outcome:
    """Verified → captured with the bill paid, in one transaction; then settle. If that
    transaction fails for any reason, the money goes back."""
    try:
        with transaction.atomic():
            locked = Payment.objects.select_for_update().get(pk=payment.pk)
            if locked.status != PaymentStatus.VERIFIED:
                return current(locked)
            now = clock.now()
            do_record_bill_payment(
                locked.bill_id,
                amount=locked.amount,
                reference=ledger_reference(locked),
                channel=locked.channel,
                paid_at=now,
            )
            locked = move(locked, PaymentStatus.CAPTURED, "capture", captured_at=now)
    except (BillingError, DatabaseError) as error:
        why = getattr(error, "message", "") or "ثبت پرداخت در سامانه انجام نشد."
        logger.warning("payment %s: capture failed (%s); reversing", payment.pk, error)
        return reverse_verified(bank, payment, why)
    settle(bank, locked)
    return outcome(locked, "captured")


def reverse_verified(
    bank: Gateway, payment: Payment, why: str, *, from_bank: bool = False
) -> Outcome:
    """Give the payer's money back and mark the payment reversed once the bank says so;
    if the bank does not answer, the payment stays pending for the reconciliation."""
    try:
        answer = bank.reverse(token=payment.token or "", reference=payment.reference)
    except GatewayUnavailable:
        logger.error("payment %s: reverse did not answer; left to reconcile", payment.pk)
        return outcome(payment, "pending")
    if answer.code != "ok":
        logger.error("payment %s: the bank refused to reverse (%s)", payment.pk, answer.code)
        return outcome(payment, "pending")
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if locked.status not in (PaymentStatus.REDIRECTED, PaymentStatus.VERIFIED):
            return current(locked)
        move(
            locked, PaymentStatus.REVERSED, "reverse", detail={"from_bank": from_bank},
            callback_at=locked.callback_at or clock.now(), finished_at=clock.now(),
            failure=why[:300],
        )  # fmt: skip
    return outcome(locked, "reversed")


def settle(bank: Gateway, payment: Payment) -> bool:
    """Ask the bank to settle a captured payment (left to the reconciliation if it does
    not answer; the bank settles by itself after its window anyway)."""
    try:
        answer = bank.settle(token=payment.token or "", reference=payment.reference)
    except GatewayUnavailable:
        logger.warning("payment %s: settle did not answer; left to reconcile", payment.pk)
        return False
    if answer.code != "ok":
        return False
    with transaction.atomic():
        done = Payment.objects.filter(
            pk=payment.pk, status=PaymentStatus.CAPTURED, settled_at__isnull=True
        ).update(settled_at=clock.now(), version=F("version") + 1)
        if done:
            write_payment_event(
                payment, "settle", before=PaymentStatus.CAPTURED,
                after=PaymentStatus.CAPTURED, actor_id=None, actor_role=SYSTEM, at=clock.now(),
            )  # fmt: skip
    return bool(done)


# --- the reconciliation -------------------------------------------------------------


def reconcile_one(bank: Gateway, payment: Payment) -> str:
    if payment.status == PaymentStatus.INITIATED:
        with transaction.atomic():
            locked = Payment.objects.select_for_update().get(pk=payment.pk)
            if locked.status != PaymentStatus.INITIATED:
                return "moved"
            move(
                locked, PaymentStatus.FAILED, "reconcile", finished_at=clock.now(),
                failure="درگاه بانک برای این پرداخت توکن نداد.",
            )  # fmt: skip
        return "failed"
    if payment.status == PaymentStatus.VERIFIED:
        return capture(bank, payment).result
    if payment.status == PaymentStatus.CAPTURED:
        return "settled" if settle(bank, payment) else "unsettled"
    answer = bank.inquire(token=payment.token or "")
    if answer.state in ("authorised", "verified", "settled") and answer.reference:
        verified = bank.verify(token=payment.token or "", reference=answer.reference)
        if verified.confirmed:
            return apply_verified(bank, payment, verified).result
    return give_up(bank, payment, "reconcile", "پرداخت در مهلت درگاه کامل نشد.").result


def pending_past_window(bank: Gateway, now: dt.datetime) -> list[Payment]:
    rows = Payment.objects.filter(channel=Channel.ONLINE, provider=bank.name)
    due = (
        list(rows.filter(status=PaymentStatus.INITIATED, created_at__lt=now - INITIATED_WINDOW))
        + list(rows.filter(status=PaymentStatus.REDIRECTED, created_at__lt=now - bank.pay_window))
        + list(rows.filter(status=PaymentStatus.VERIFIED, verified_at__lt=now - VERIFIED_GRACE))
        + list(rows.filter(status=PaymentStatus.CAPTURED, settled_at__isnull=True))
    )
    return sorted(due, key=lambda p: p.pk)


def do_reconcile_payments(now: dt.datetime | None = None) -> Counter[str]:
    """Settle or reverse every online payment left pending past the gateway's window:
    a start without a token fails; a payment the bank holds is verified and captured
    (or reversed when the bill no longer takes it); one the bank does not hold fails; a
    captured payment not yet settled is settled. Run by ``manage.py reconcile_payments``
    and the periodic job ``payments.reconcile``; safe to run twice at once (every step
    is a compare-and-swap)."""
    bank = gateway()
    tally: Counter[str] = Counter()
    for payment in pending_past_window(bank, now or clock.now()):
        try:
            tally[reconcile_one(bank, payment)] += 1
        except (GatewayUnavailable, PaymentConflict) as error:
            logger.warning("reconcile: payment %s left pending (%s)", payment.pk, error)
            tally["left_pending"] += 1
    return tally


# --- the card reader at the counter ------------------------------------------------

MASKED_CARD = re.compile(r"^(\d{6})[*xX]{6}(\d{4})$")
TERMINAL_REFERENCE = re.compile(r"^\d{6,20}$")


def clean_masked_card(raw: Any) -> str:
    text = to_ascii_digits(raw if isinstance(raw, str) else "").replace("-", "").replace(" ", "")
    match = MASKED_CARD.match(text)
    if match is None:
        raise InvalidPaymentInput(
            "شماره کارت را به شکل پوشیده‌ای که کارت‌خوان چاپ کرده بنویسید: "
            "شش رقم اول، شش ستاره و چهار رقم آخر (مثل ۶۰۳۷۹۹******۱۲۳۴)."
        )
    return f"{match[1]}******{match[2]}"


def clean_terminal_reference(raw: Any) -> str:
    text = to_ascii_digits(raw if isinstance(raw, str) else "").strip()
    if not TERMINAL_REFERENCE.match(text):
        raise InvalidPaymentInput("شماره مرجع رسید کارت‌خوان باید ۶ تا ۲۰ رقم باشد.")
    return text


def do_record_card_payment(
    user: Any,
    bill_id: Any,
    *,
    terminal_reference: Any,
    masked_card: Any,
    office_id: Any = None,
    principal: Principal | None = None,
) -> Payment:
    """The counter's card reader took the bill's total: the office's technical manager
    or manager (the cashier) records the terminal's reference and the masked card. The
    bill must be one they see; the terminal is their office's (the one named, or their
    only one); a reference is recorded once per office."""
    principal = principal_of(user, principal)
    if principal is None or principal.is_citizen:
        raise PaymentRefused("ثبت پرداخت کارت‌خوان با مسئول فنی یا مدیر دفتر است.")
    seen = access_bill_by_id(user, bill_id, principal)
    try:
        office = counter_office(principal, office_id)
    except BillNotIssuable:
        raise PaymentRefused("ثبت پرداخت کارت‌خوان با مسئول فنی یا مدیر دفتر است.") from None
    reference = clean_terminal_reference(terminal_reference)
    card = clean_masked_card(masked_card)
    role = (
        Role.TECHNICAL_MANAGER
        if office in principal.office_ids(Role.TECHNICAL_MANAGER)
        else Role.OFFICE_MANAGER
    )
    now = clock.now()
    try:
        with transaction.atomic():
            bill = Bill.objects.select_for_update().get(pk=seen.pk)
            payable(bill)
            payment = Payment.objects.create(
                bill=bill, amount=bill.total, channel=Channel.CARD_READER,
                provider=f"office-{office}", order_id=new_order_id(), reference=reference,
                masked_card=card, office_id=office, started_by=user, created_at=now,
                status=PaymentStatus.CAPTURED, captured_at=now, settled_at=now,
            )  # fmt: skip
            do_record_bill_payment(
                bill.pk,
                amount=bill.total,
                reference=ledger_reference(payment),
                channel=Channel.CARD_READER,
                paid_at=now,
            )
            write_payment_event(
                payment, "capture", after=payment.status, actor_id=user.pk,
                actor_role=role, at=now, detail={"reference": reference, "masked_card": card},
            )  # fmt: skip
    except IntegrityError:
        raise InvalidPaymentInput(
            "این شماره مرجع کارت‌خوان پیش‌تر در این دفتر ثبت شده است."
        ) from None
    return payment


# --- the bank's settlement file ----------------------------------------------------


@dataclass(frozen=True)
class SettlementResult:
    settlement: SettlementImport
    fresh: bool  # False: this very file was imported before; nothing changed

    @property
    def mismatches(self) -> list[SettlementLine]:
        return list(self.settlement.rows.exclude(outcome__in=["applied", "already"]))


def settlement_rows(content: bytes) -> list[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidPaymentInput("فایل تسویه باید متن UTF-8 (CSV) باشد.") from None
    if "\x00" in text:
        raise InvalidPaymentInput("فایل تسویه نویسه نامعتبر دارد.")
    rows = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
    if rows and not to_ascii_digits(rows[0][0].strip()).isdigit():
        rows = rows[1:]  # a header line
    if not rows:
        raise InvalidPaymentInput("فایل تسویه ردیفی ندارد.")
    if len(rows) > SETTLEMENT_MAX_LINES:
        raise InvalidPaymentInput("فایل تسویه بیش از ۱۰۰٬۰۰۰ ردیف دارد.")
    return rows


def do_import_settlement(
    user: Any, *, name: str, content: bytes, principal: Principal | None = None
) -> SettlementResult:
    """Import a bank's daily settlement file (CSV: bill id, payment id, amount,
    reference, date). Each line is matched to a bill by bill id + payment id + amount
    and recorded through ``do_record_bill_payment``, or reported (unknown bill,
    different amount, paid by another reference, cancelled, invalid) and never applied.
    The same file again changes nothing; a line already recorded (same reference) in an
    earlier file is reported as such. The city's administrator imports (a person), or
    the operator through ``manage.py import_settlement`` (`user` None)."""
    if user is not None:
        principal = principal_of(user, principal)
        if principal is None or not principal.has_role(Role.ADMINISTRATOR):
            raise PaymentRefused("ورود فایل تسویه با مدیر سامانه است.")
    if len(content) > SETTLEMENT_MAX_BYTES:
        raise InvalidPaymentInput("فایل تسویه بزرگ‌تر از ۵ مگابایت است.")
    digest = hashlib.sha256(content).hexdigest()
    known = SettlementImport.objects.filter(sha256=digest).first()
    if known is not None:
        return SettlementResult(known, fresh=False)
    rows = settlement_rows(content)
    try:
        with transaction.atomic():
            settlement = SettlementImport.objects.create(
                sha256=digest, name=(name or "settlement.csv")[:200], imported_at=clock.now(),
                imported_by=user, lines=len(rows),
            )  # fmt: skip
            tally: Counter[str] = Counter()
            for number, row in enumerate(rows, start=1):
                tally[import_line(settlement, number, row, user)] += 1
            settlement.applied = tally[LineOutcome.APPLIED]
            settlement.already = tally[LineOutcome.ALREADY]
            settlement.mismatched = sum(tally.values()) - settlement.applied - settlement.already
            settlement.save(update_fields=["applied", "already", "mismatched"])
    except IntegrityError:  # the same file imported at this moment by someone else
        return SettlementResult(SettlementImport.objects.get(sha256=digest), fresh=False)
    return SettlementResult(settlement, fresh=True)


def digits_of(value: str) -> str:
    return to_ascii_digits(value.strip()).replace(" ", "")


JALALI_OR_ISO = re.compile(r"^(1[34]\d\d|20\d\d)[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])$")


def import_line(settlement: SettlementImport, number: int, row: list[str], user: Any) -> str:
    cells = [cell.strip() for cell in row] + [""] * 5
    bill_id, payment_id, amount_text, reference, paid_on = (
        digits_of(cells[0]), digits_of(cells[1]), digits_of(cells[2]),
        to_ascii_digits(cells[3]), digits_of(cells[4]),
    )  # fmt: skip
    line = SettlementLine(
        settlement=settlement, number=number, bill_id=bill_id[:40], pay_id=payment_id[:40],
        amount=amount_text[:40], reference=reference[:64], paid_on=paid_on[:20],
    )  # fmt: skip

    def report(outcome: str, message: str = "") -> str:
        line.outcome = outcome
        line.message = (message or LineOutcome(outcome).label)[:300]
        line.save(force_insert=True)
        return outcome

    if len(row) < 5 or not (bill_id.isdigit() and payment_id.isdigit() and amount_text.isdigit()):
        return report(LineOutcome.INVALID, "ردیف باید پنج ستون عددی داشته باشد.")
    if not reference or len(reference) > REFERENCE_MAX or not reference.isprintable():
        return report(LineOutcome.INVALID, "شماره مرجع ردیف معتبر نیست.")
    if not JALALI_OR_ISO.match(paid_on):
        return report(LineOutcome.INVALID, "تاریخ ردیف معتبر نیست.")
    amount = int(amount_text)
    bill = Bill.objects.filter(bill_id=bill_id.lstrip("0")).first()
    if bill is None or bill.payment_id.lstrip("0") != payment_id.lstrip("0"):
        return report(LineOutcome.UNKNOWN_BILL)
    earlier = Payment.objects.filter(
        channel=Channel.SETTLEMENT, provider=SETTLEMENT_PROVIDER, reference=reference
    ).first()
    if earlier is not None:
        line.payment = earlier
        if earlier.bill_id == bill.pk:
            return report(LineOutcome.ALREADY)
        return report(LineOutcome.REFERENCE_REUSED)
    if bill.status == BillStatus.PAID:
        mine = Payment.objects.filter(
            bill=bill, status=PaymentStatus.CAPTURED, reference=reference
        ).first()
        if mine is not None:  # the same payment, recorded through the gateway or a reader
            line.payment = mine
            return report(LineOutcome.ALREADY)
        return report(LineOutcome.PAID_OTHERWISE)
    if amount != bill.total:
        return report(LineOutcome.AMOUNT_MISMATCH)
    if bill.status != BillStatus.ISSUED:
        return report(LineOutcome.NOT_PAYABLE, "فیش ابطال شده است.")
    now = clock.now()
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                bill=bill, amount=amount, channel=Channel.SETTLEMENT,
                provider=SETTLEMENT_PROVIDER, order_id=new_order_id(), reference=reference,
                office_id=bill.office_id, started_by=user, created_at=now,
                status=PaymentStatus.CAPTURED, captured_at=now, settled_at=now,
            )  # fmt: skip
            do_record_bill_payment(
                bill.pk, amount=amount, reference=ledger_reference(payment),
                channel=Channel.SETTLEMENT, paid_at=now,
            )  # fmt: skip
            write_payment_event(
                payment, "settlement", after=payment.status,
                actor_id=user.pk if user is not None else None,
                actor_role=Role.ADMINISTRATOR if user is not None else SYSTEM,
                at=now, detail={"settlement": settlement.pk, "line": number},
            )  # fmt: skip
    except AmountMismatch:
        return report(LineOutcome.AMOUNT_MISMATCH)
    except ReferenceReused:
        return report(LineOutcome.REFERENCE_REUSED)
    except BillNotPayable as refused:
        return report(LineOutcome.NOT_PAYABLE, refused.message)
    except IntegrityError:
        return report(LineOutcome.REFERENCE_REUSED)
    line.payment = payment
    return report(LineOutcome.APPLIED)


def business_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()
