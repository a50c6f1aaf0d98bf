"""The transactional outbox: what must leave the database after a commit (SMS, webhooks,
e-mail, search indexing) is a row written in the same transaction as the change, and a
worker delivers it at least once, keeping a log of every attempt."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

PENDING = Q(delivered_at__isnull=True, failed_at__isnull=True)


class OutboxMessage(models.Model):
    """One message for one receiver. (receiver, key) is unique, so publishing the same
    fact twice queues it once; the receiver gets the key to be idempotent by."""

    receiver = models.CharField("گیرنده", max_length=100)
    topic = models.CharField("موضوع", max_length=100)
    key = models.CharField("کلید یکتایی", max_length=200)
    payload = models.JSONField("محتوا", default=dict, blank=True)
    created_at = models.DateTimeField("زمان ثبت", default=timezone.now)
    available_at = models.DateTimeField("زمان تلاش بعدی", default=timezone.now)
    claimed_until = models.DateTimeField("در دست کارگزار تا", null=True, blank=True)
    attempts = models.PositiveIntegerField("تعداد تلاش", default=0)
    delivered_at = models.DateTimeField("زمان تحویل", null=True, blank=True)
    failed_at = models.DateTimeField("زمان کنار گذاشتن", null=True, blank=True)
    last_error = models.TextField("آخرین خطا", blank=True)

    class Meta:
        verbose_name = "پیام صف ارسال"
        verbose_name_plural = "پیام‌های صف ارسال"
        ordering = ["available_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["receiver", "key"], name="outbox_receiver_key")
        ]
        indexes = [models.Index(fields=["available_at"], condition=PENDING, name="outbox_due")]

    def __str__(self) -> str:
        return f"{self.receiver} {self.key}"

    @property
    def status_label(self) -> str:
        if self.delivered_at:
            return "تحویل شد"
        if self.failed_at:
            return "کنار گذاشته شد"
        return "در انتظار"


class Outcome(models.TextChoices):
    RUNNING = "running", "در حال ارسال (اگر بماند: کارگزار متوقف شد)"
    DELIVERED = "delivered", "تحویل شد"
    FAILED = "failed", "خطا"


class DeliveryAttempt(models.Model):
    """The delivery log: one row per attempt, written before the receiver runs, so an
    attempt cut short by a crash stays visible as running."""

    message = models.ForeignKey(
        OutboxMessage, verbose_name="پیام", on_delete=models.CASCADE, related_name="attempt_log"
    )
    number = models.PositiveIntegerField("شماره تلاش")
    worker = models.CharField("کارگزار", max_length=64, blank=True)
    started_at = models.DateTimeField("آغاز")
    finished_at = models.DateTimeField("پایان", null=True, blank=True)
    outcome = models.CharField(
        "نتیجه", max_length=10, choices=Outcome.choices, default=Outcome.RUNNING
    )
    error = models.TextField("خطا", blank=True)

    class Meta:
        verbose_name = "تلاش ارسال"
        verbose_name_plural = "گزارش تلاش‌های ارسال"
        ordering = ["message", "number"]

    def __str__(self) -> str:
        return f"{self.message_id}#{self.number}"


class ScheduledJob(models.Model):
    """When a periodic job (outbox/schedule.py) is due next; one row per job."""

    name = models.CharField("کار", max_length=100, unique=True)
    next_due_at = models.DateTimeField("نوبت بعدی")
    last_enqueued_at = models.DateTimeField("آخرین نوبت", null=True, blank=True)

    class Meta:
        verbose_name = "کار زمان‌بندی‌شده"
        verbose_name_plural = "کارهای زمان‌بندی‌شده"

    def __str__(self) -> str:
        return self.name
