"""A stored upload: where it is (a random name, never shown) and what it is."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class Kind(models.TextChoices):
    PDF = "pdf", "PDF"
    JPEG = "jpeg", "تصویر JPEG"
    PNG = "png", "تصویر PNG"

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.value]

    @property
    def extension(self) -> str:
        return STORED_EXTENSIONS[self.value]

    @property
    def is_image(self) -> bool:
        return self.value != "pdf"


CONTENT_TYPES = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}
STORED_EXTENSIONS = {"pdf": "pdf", "jpeg": "jpg", "png": "png"}


class StoredFile(models.Model):
    """One upload, checked and written (files/store.py). The file lives in the "uploads"
    storage under `storage_name`, made of `key` alone; the client's name is kept only as
    `display_name` text. Rows are written with their file in one transaction and never
    edited."""

    key = models.UUIDField("شناسه", unique=True, default=uuid.uuid4, editable=False)
    purpose = models.CharField("کاربرد", max_length=40)
    kind = models.CharField("نوع", max_length=10, choices=Kind.choices)
    size = models.PositiveBigIntegerField("حجم (بایت)")
    sha256 = models.CharField("چکیده SHA-256", max_length=64)
    width = models.PositiveIntegerField("عرض (نقطه)", null=True, blank=True)
    height = models.PositiveIntegerField("ارتفاع (نقطه)", null=True, blank=True)
    pages = models.PositiveIntegerField("تعداد صفحه", null=True, blank=True)
    display_name = models.CharField("نام پرونده", max_length=120)
    storage_name = models.CharField("نام در انبار", max_length=200, unique=True)
    thumbnail_name = models.CharField("نام تصویر کوچک در انبار", max_length=200, blank=True)
    # None: written by the system (a document the worker issued, say), not a person
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="بارگذاری‌کننده",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField("زمان بارگذاری")

    class Meta:
        verbose_name = "پرونده بارگذاری‌شده"
        verbose_name_plural = "پرونده‌های بارگذاری‌شده"
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def is_image(self) -> bool:
        return Kind(self.kind).is_image

    @property
    def content_type(self) -> str:
        return Kind(self.kind).content_type

    @property
    def kind_label(self) -> str:
        return str(Kind(self.kind).label)
