"""Refusals of the billing actions: WorkflowError subclasses (a Persian `message`, a
stable `code`), so pages and the case workflow treat them like any refusal."""

from __future__ import annotations

from pishkhan.cases.errors import WorkflowError


class BillingError(WorkflowError):
    code = "billing_error"
    default_message = "این کار روی فیش انجام نشد."


class NoRule(BillingError):
    code = "no_rule"
    default_message = "قاعده محاسبه‌ای برای این عوارض در این تاریخ ثبت نشده است."


class NothingToBill(BillingError):
    code = "nothing_to_bill"
    default_message = "بدهی‌ای برای صدور فیش نمانده است."


class BillNotIssuable(BillingError):
    code = "bill_not_issuable"
    default_message = "شما اجازه صدور این فیش را ندارید."


class BillNotCancellable(BillingError):
    code = "bill_not_cancellable"
    default_message = "فقط فیش پرداخت‌نشده ابطال می‌شود."


class BillConflict(BillingError):
    code = "conflict"  # HTTP 409, like the cases' conflict
    default_message = "این فیش هم‌زمان تغییر کرد؛ صفحه را دوباره باز کنید."


class BillNotPayable(BillingError):
    """The payment side must reverse a payment this refuses."""

    code = "bill_not_payable"
    default_message = "این فیش قابل پرداخت نیست."


class AmountMismatch(BillNotPayable):
    code = "amount_mismatch"
    default_message = "مبلغ پرداخت با مبلغ فیش برابر نیست."


class ReferenceReused(BillNotPayable):
    code = "reference_reused"
    default_message = "این شماره مرجع پرداخت پیش‌تر برای پرداخت دیگری ثبت شده است."


class InvalidBillInput(BillingError):
    code = "invalid_input"
    default_message = "ورودی معتبر نیست."
