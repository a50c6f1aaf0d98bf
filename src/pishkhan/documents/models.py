"""Issued documents: the PDF the city signs, its serial, its verification code, and
what became of it (superseded by a correction, revoked with a reason).

A document is immutable: its file, its hash and its facts are written once, at issue.
Only ``revoked_*`` are set later, by ``do_revoke_document``; a correction is a new row
whose ``supersedes`` names the old one.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from pishkhan.core.digits import to_persian_digits


class DocumentKind(models.TextChoices):
    INQUIRY_RESPONSE = "inquiry_response", "پاسخ استعلام"
    BILL = "bill", "فیش"
    RECEIPT = "receipt", "رسید پرداخت"


# The two digits each kind's serials start with (a serial is "11-1404-000017").
KIND_CODES: dict[str, int] = {
    DocumentKind.INQUIRY_RESPONSE: 11,
    DocumentKind.BILL: 21,
    DocumentKind.RECEIPT: 22,
}


class DocumentSequence(models.Model):
    """The last serial number of one kind in one Jalali year (serials.py bumps it with
    UPDATE … RETURNING, so two issues never share a number)."""

    kind = models.CharField("نوع سند", max_length=30, choices=DocumentKind.choices)
    year = models.PositiveIntegerField("سال شمسی")
    last = models.PositiveIntegerField("آخرین شماره", default=0)

    class Meta:
        verbose_name = "شمارنده سند"
        verbose_name_plural = "شمارنده‌های سند"
        constraints = [
            models.UniqueConstraint(fields=["kind", "year"], name="document_sequence_kind_year")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.year}: {self.last}"


class IssuedDocument(models.Model):
    kind = models.CharField("نوع سند", max_length=30, choices=DocumentKind.choices)
    year = models.PositiveIntegerField("سال شمسی")
    number = models.PositiveIntegerField("شماره در سال")
    serial = models.CharField("شماره سند", max_length=20, unique=True)
    verification_code = models.CharField("رمز تصدیق", max_length=20)
    title = models.CharField("عنوان", max_length=200)
    # What the verification page shows, frozen at issue: never more than the PDF prints.
    facts = models.JSONField("مشخصات", default=dict)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name="پرونده",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
    )
    response = models.ForeignKey(
        "cases.InquiryResponse",
        verbose_name="پاسخ استعلام",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
    )
    bill = models.ForeignKey(
        "billing.Bill",
        verbose_name="فیش",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
    )
    file = models.OneToOneField(
        "files.StoredFile", verbose_name="پرونده PDF", on_delete=models.PROTECT, related_name="+"
    )
    sha256 = models.CharField("چکیده SHA-256", max_length=64)
    signer = models.CharField("امضاکننده (گواهی)", max_length=300)
    demo_signature = models.BooleanField("امضا با گواهی آزمایشی", default=False)
    issued_at = models.DateTimeField("زمان صدور")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="صادرکننده",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    supersedes = models.OneToOneField(
        "self",
        verbose_name="جایگزین سند",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
    )
    revoked_at = models.DateTimeField("زمان ابطال", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="ابطال‌کننده",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    revoke_reason = models.TextField("علت ابطال", blank=True)

    class Meta:
        verbose_name = "سند صادرشده"
        verbose_name_plural = "اسناد صادرشده"
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "year", "number"], name="document_kind_year_number"
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | ~Q(revoke_reason=""),
                name="document_revoked_has_reason",
            ),
            # A bill's own documents (its bill, its receipt) are issued once each, by
            # the worker; a correction supersedes and so is not a second first issue.
            models.UniqueConstraint(
                fields=["bill", "kind"],
                condition=Q(bill__isnull=False, supersedes__isnull=True),
                name="document_bill_kind_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.serial}"

    @property
    def serial_label(self) -> str:
        return to_persian_digits(self.serial)

    @property
    def code_label(self) -> str:
        """The code as printed: groups of four, for reading aloud."""
        code = self.verification_code
        return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


class DocumentEventType(models.TextChoices):
    ISSUE = "issue", "صدور"
    SUPERSEDE = "supersede", "صدور اصلاحیه"
    REVOKE = "revoke", "ابطال"


class DocumentEvent(models.Model):
    """What happened to a document, by whom, when and why (one row per action)."""

    document = models.ForeignKey(
        IssuedDocument, verbose_name="سند", on_delete=models.PROTECT, related_name="events"
    )
    type = models.CharField("رویداد", max_length=20, choices=DocumentEventType.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="انجام‌دهنده",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    role = models.CharField("نقش", max_length=40, blank=True)
    at = models.DateTimeField("زمان")
    reason = models.TextField("علت", blank=True)

    class Meta:
        verbose_name = "رویداد سند"
        verbose_name_plural = "رویدادهای سند"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.document_id} {self.type}"
