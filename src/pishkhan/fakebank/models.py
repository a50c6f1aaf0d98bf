"""The fake bank's own books: one row per payment a merchant asked it to take.

It stands in for a Shaparak gateway (docs/billing.md, "Payments"): the merchant asks for
a token, the payer fills in the bank's pages, the bank posts the result back to the
merchant's callback, and the merchant verifies, settles or reverses server to server.
Nothing of the merchant (Pishkhan) is imported here: the bank knows terminals, amounts,
order ids and callback addresses, nothing else.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class BankState(models.TextChoices):
    PENDING = "pending", "در انتظار ورود کارت"
    CARD_ENTERED = "card_entered", "در انتظار رمز پویا"
    AUTHORISED = "authorised", "پرداخت‌شده، تأییدنشده"
    CANCELLED = "cancelled", "انصراف پرداخت‌کننده"
    TIMED_OUT = "timed_out", "پایان مهلت"
    VERIFIED = "verified", "تأییدشده"
    SETTLED = "settled", "تسویه‌شده"
    REVERSED = "reversed", "برگشت‌خورده"


class Knob(models.TextChoices):
    """How the bank's server answers the merchant's verify (tests and the demo)."""

    NORMAL = "", "عادی"
    WRONG_AMOUNT = "wrong_amount", "مبلغ دیگر در تأیید"
    ERROR = "error", "خطای سرور بانک در تأیید"
    TIMEOUT = "timeout", "پایان مهلت پاسخ تأیید"
    SETTLE_ERROR = "settle_error", "خطا در تسویه"


class BankTransaction(models.Model):
    token = models.CharField("توکن", max_length=40, unique=True)
    terminal = models.CharField("پایانه", max_length=20)
    order_id = models.CharField("شماره سفارش پذیرنده", max_length=40)
    amount = models.PositiveBigIntegerField("مبلغ (ریال)")
    callback_url = models.CharField("نشانی بازگشت", max_length=300)
    state = models.CharField(
        "وضعیت", max_length=15, choices=BankState.choices, default=BankState.PENDING
    )
    reference = models.CharField("شماره مرجع", max_length=20, null=True, blank=True, unique=True)
    masked_card = models.CharField("کارت", max_length=19, blank=True)
    otp = models.CharField("رمز پویا", max_length=6, blank=True)
    knob = models.CharField("رفتار تأیید", max_length=15, choices=Knob.choices, blank=True)
    created_at = models.DateTimeField("زمان درخواست")
    authorised_at = models.DateTimeField("زمان پرداخت", null=True, blank=True)
    verified_at = models.DateTimeField("زمان تأیید", null=True, blank=True)
    settled_at = models.DateTimeField("زمان تسویه", null=True, blank=True)
    reversed_at = models.DateTimeField("زمان برگشت", null=True, blank=True)

    class Meta:
        verbose_name = "تراکنش بانک آزمایشی"
        verbose_name_plural = "تراکنش‌های بانک آزمایشی"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["terminal", "order_id"], name="fakebank_one_order"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="fakebank_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.token} {self.get_state_display()}"
