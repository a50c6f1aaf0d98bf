"""Payments of bills: online through a gateway, by card reader at the counter, or from a
bank's settlement file; their events; the settlement imports; the cashier's closed days.

A payment's status moves only by compare-and-swap on ``version`` in payments/actions.py;
the bill becomes paid through billing's ``do_record_bill_payment`` in the transaction
that moves the payment to ``captured`` (docs/billing.md, "Payments").
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Channel(models.TextChoices):
    ONLINE = "online", "درگاه اینترنتی"
    CARD_READER = "card_reader", "کارت‌خوان دفتر"
    SETTLEMENT = "settlement", "فایل تسویه بانک"


class PaymentStatus(models.TextChoices):
    INITIATED = "initiated", "آغازشده"
    REDIRECTED = "redirected", "در درگاه بانک"
    VERIFIED = "verified", "تأییدشده در بانک"
    CAPTURED = "captured", "پرداخت‌شده"
    FAILED = "failed", "ناموفق"
    REVERSED = "reversed", "برگشت‌خورده به پرداخت‌کننده"


PENDING = (PaymentStatus.INITIATED, PaymentStatus.REDIRECTED, PaymentStatus.VERIFIED)
FINAL = (PaymentStatus.CAPTURED, PaymentStatus.FAILED, PaymentStatus.REVERSED)


class Payment(models.Model):
    bill = models.ForeignKey(
        "billing.Bill", verbose_name="فیش", on_delete=models.PROTECT, related_name="payments"
    )
    amount = models.PositiveBigIntegerField("مبلغ (ریال)")
    channel = models.CharField("شیوه", max_length=15, choices=Channel.choices)
    status = models.CharField(
        "وضعیت", max_length=12, choices=PaymentStatus.choices, default=PaymentStatus.INITIATED
    )
    version = models.PositiveIntegerField("نسخه", default=1)
    provider = models.CharField("درگاه یا پایانه", max_length=40)
    order_id = models.CharField("شماره سفارش", max_length=40, unique=True)
    token = models.CharField("توکن درگاه", max_length=80, null=True, blank=True, unique=True)
    reference = models.CharField("شماره مرجع", max_length=64, blank=True)
    masked_card = models.CharField("کارت", max_length=19, blank=True)
    office = models.ForeignKey(
        "offices.Office",
        verbose_name="دفتر",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="آغازکننده",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("زمان آغاز")
    callback_at = models.DateTimeField("زمان بازگشت از بانک", null=True, blank=True)
    verified_at = models.DateTimeField("زمان تأیید", null=True, blank=True)
    captured_at = models.DateTimeField("زمان ثبت پرداخت", null=True, blank=True)
    settled_at = models.DateTimeField("زمان تسویه", null=True, blank=True)
    finished_at = models.DateTimeField("زمان پایان ناموفق", null=True, blank=True)
    failure = models.CharField("علت", max_length=300, blank=True)

    class Meta:
        verbose_name = "پرداخت"
        verbose_name_plural = "پرداخت‌ها"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="payment_status_created"),
            models.Index(fields=["office", "created_at"], name="payment_office_created"),
            # the cashier's day report: an office's captures and endings of one day
            models.Index(fields=["office", "captured_at"], name="payment_office_captured"),
            models.Index(fields=["office", "finished_at"], name="payment_office_finished"),
        ]
        constraints = [
            # a bank reference pays one payment of its provider (a replayed one is refused)
            models.UniqueConstraint(
                fields=["channel", "provider", "reference"],
                condition=~Q(reference=""),
                name="payment_reference_once",
            ),
            models.UniqueConstraint(
                fields=["bill"], condition=Q(status="captured"), name="payment_one_capture"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=~Q(status="captured") | Q(captured_at__isnull=False) & ~Q(reference=""),
                name="payment_captured_facts",
            ),
        ]

    def __str__(self) -> str:
        return f"پرداخت {self.order_id} ({self.get_status_display()})"

    @property
    def is_pending(self) -> bool:
        return self.status in PENDING


class PaymentEvent(models.Model):
    """Every change of a payment, append-only."""

    payment = models.ForeignKey(
        Payment, verbose_name="پرداخت", on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField("رویداد", max_length=20)
    before = models.CharField("وضعیت پیشین", max_length=12, blank=True)
    after = models.CharField("وضعیت پسین", max_length=12)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="انجام‌دهنده",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_role = models.CharField("نقش", max_length=30)
    created_at = models.DateTimeField("زمان")
    detail = models.JSONField("جزئیات", default=dict)

    class Meta:
        verbose_name = "رویداد پرداخت"
        verbose_name_plural = "رویدادهای پرداخت"
        ordering = ["payment", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.payment_id}"


class SettlementImport(models.Model):
    """One settlement file, once: a file imported again (same bytes) changes nothing."""

    sha256 = models.CharField("چکیده فایل", max_length=64, unique=True)
    name = models.CharField("نام فایل", max_length=200)
    imported_at = models.DateTimeField("زمان ورود")
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="واردکننده",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    lines = models.PositiveIntegerField("ردیف‌ها", default=0)
    applied = models.PositiveIntegerField("ثبت‌شده", default=0)
    already = models.PositiveIntegerField("پیش‌تر ثبت‌شده", default=0)
    mismatched = models.PositiveIntegerField("مغایرت", default=0)

    class Meta:
        verbose_name = "فایل تسویه"
        verbose_name_plural = "فایل‌های تسویه"
        ordering = ["-imported_at", "-pk"]

    def __str__(self) -> str:
        return self.name


class LineOutcome(models.TextChoices):
    APPLIED = "applied", "ثبت شد"
    ALREADY = "already", "پیش‌تر با همین مرجع ثبت شده بود"
    UNKNOWN_BILL = "unknown_bill", "فیش پیدا نشد"
    AMOUNT_MISMATCH = "amount_mismatch", "مبلغ با فیش برابر نیست"
    PAID_OTHERWISE = "paid_otherwise", "فیش با مرجع دیگری پرداخت شده است"
    NOT_PAYABLE = "not_payable", "فیش قابل پرداخت نیست"
    REFERENCE_REUSED = "reference_reused", "مرجع برای فیش دیگری ثبت شده است"
    INVALID = "invalid", "ردیف نامعتبر"


MISMATCHES = tuple(o for o in LineOutcome.values if o not in ("applied", "already"))


class SettlementLine(models.Model):
    settlement = models.ForeignKey(
        SettlementImport, verbose_name="فایل", on_delete=models.PROTECT, related_name="rows"
    )
    number = models.PositiveIntegerField("ردیف")
    bill_id = models.CharField("شناسه قبض", max_length=40, blank=True)
    pay_id = models.CharField("شناسه پرداخت", max_length=40, blank=True)
    amount = models.CharField("مبلغ", max_length=40, blank=True)
    reference = models.CharField("مرجع", max_length=64, blank=True)
    paid_on = models.CharField("تاریخ", max_length=20, blank=True)
    outcome = models.CharField("نتیجه", max_length=20, choices=LineOutcome.choices)
    message = models.CharField("توضیح", max_length=300, blank=True)
    payment = models.ForeignKey(
        Payment,
        verbose_name="پرداخت",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "ردیف فایل تسویه"
        verbose_name_plural = "ردیف‌های فایل تسویه"
        ordering = ["settlement", "number"]
        constraints = [
            models.UniqueConstraint(fields=["settlement", "number"], name="settlement_line_once")
        ]

    def __str__(self) -> str:
        return f"{self.settlement_id}:{self.number}"


class CashierDay(models.Model):
    """A closed day of an office's counter: its report frozen as it stood at closing."""

    office = models.ForeignKey(
        "offices.Office", verbose_name="دفتر", on_delete=models.PROTECT, related_name="+"
    )
    day = models.DateField("روز")
    closed_at = models.DateTimeField("زمان بستن")
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="بسته‌شده توسط", on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    report = models.JSONField("گزارش")

    class Meta:
        verbose_name = "روز بسته‌شده صندوق"
        verbose_name_plural = "روزهای بسته‌شده صندوق"
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["office", "day"], name="cashier_day_once")]

    def __str__(self) -> str:
        return f"{self.office_id} {self.day}"
