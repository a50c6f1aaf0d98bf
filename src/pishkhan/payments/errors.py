"""Refusals of the payment actions: WorkflowError subclasses (a Persian `message`, a
stable `code`), shown by the pages like any refusal."""

from __future__ import annotations

from pishkhan.billing.errors import BillingError


class PaymentError(BillingError):
    code = "payment_error"
    default_message = "این پرداخت انجام نشد."


class PaymentRefused(PaymentError):
    code = "payment_refused"
    default_message = "شما اجازه این کار را ندارید."


class PaymentConflict(PaymentError):
    code = "conflict"
    default_message = "این پرداخت هم‌زمان تغییر کرد؛ صفحه را دوباره باز کنید."


class InvalidPaymentInput(PaymentError):
    code = "invalid_input"
    default_message = "ورودی معتبر نیست."


class GatewayDown(PaymentError):
    code = "gateway_unavailable"
    default_message = "درگاه بانک اکنون در دسترس نیست؛ کمی بعد دوباره بکوشید."
