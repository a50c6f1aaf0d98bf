"""Excavation permits (مجوز حفاری), the restoration rates their deposits come from, and
what happened to each permit (issued, restoration overdue, restored)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from pishkhan.cases.models import YearlyCounter
from pishkhan.core.digits import to_persian_digits
from pishkhan.core.jalali import format_jalali_date
from pishkhan.core.models import TimeStamped
from pishkhan.core.validity import InForce, InForceQuerySet


class StreetType(models.TextChoices):
    """The street's kind decides the restoration rate (the definition's choice field
    ``street_type`` uses these codes)."""

    ALLEY = "alley", "کوچه و معبر محلی"
    LOCAL = "local", "خیابان فرعی"
    ARTERIAL = "arterial", "خیابان اصلی"
    HIGHWAY = "highway", "بزرگراه"
    SIDEWALK = "sidewalk", "پیاده‌رو"


class RestorationRateQuerySet(InForceQuerySet["RestorationRate"]):
    validity_fields = ("valid_from", "valid_until")


class RestorationRate(InForce, TimeStamped):
    """The restoration deposit per square metre of excavated strip on one street type
    over a period. A new rate closes the one before it; a permit copies the rate it used,
    so a new rate never rewrites an issued deposit."""

    street_type = models.CharField("نوع معبر", max_length=20, choices=StreetType.choices)
    per_square_metre = models.PositiveBigIntegerField(
        "سپرده ترمیم هر مترمربع (ریال)", validators=[MinValueValidator(1)]
    )
    valid_from = models.DateField("معتبر از")
    valid_until = models.DateField("معتبر تا", null=True, blank=True)
    resolution = models.CharField("شماره مصوبه", max_length=60)
    approved_on = models.DateField("تاریخ تصویب")

    validity_fields = ("valid_from", "valid_until")
    objects = RestorationRateQuerySet.as_manager()

    class Meta:
        verbose_name = "نرخ سپرده ترمیم"
        verbose_name_plural = "نرخ‌های سپرده ترمیم"
        ordering = ["street_type", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["street_type", "valid_from"], name="restoration_rate_unique_start"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="restoration_rate_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_street_type_display()} از {format_jalali_date(self.valid_from)}"


class PermitSequence(YearlyCounter):
    """The last excavation permit number handed out in a Jalali year."""

    class Meta:
        verbose_name = "شمارنده مجوز حفاری"
        verbose_name_plural = "شمارنده‌های مجوز حفاری"


class PermitStatus(models.TextChoices):
    ACTIVE = "active", "معتبر؛ در انتظار ترمیم"
    OVERDUE = "overdue", "ترمیم از موعد گذشته"
    RESTORED = "restored", "ترمیم بازدید شد"


class ExcavationPermit(models.Model):
    """The permit the district issues when it approves an excavation case: what may be
    dug where and when, and the restoration deposit, frozen as it was computed."""

    case = models.OneToOneField(
        "cases.Case",
        verbose_name="پرونده",
        on_delete=models.PROTECT,
        related_name="excavation_permit",
    )
    number = models.CharField("شماره مجوز", max_length=20, unique=True)
    status = models.CharField(
        "وضعیت", max_length=10, choices=PermitStatus.choices, default=PermitStatus.ACTIVE
    )
    valid_from = models.DateField("آغاز اعتبار (شروع کار)")
    valid_until = models.DateField("پایان اعتبار (پایان کار و ترمیم)")
    street_type = models.CharField("نوع معبر", max_length=20, choices=StreetType.choices)
    length_m = models.DecimalField("طول (متر)", max_digits=10, decimal_places=2)
    width_m = models.DecimalField("عرض (متر)", max_digits=6, decimal_places=2)
    area_m2 = models.DecimalField("مساحت (مترمربع)", max_digits=12, decimal_places=2)
    route = models.JSONField("مسیر (GeoJSON LineString)")
    route_length_m = models.DecimalField("طول مسیر روی نقشه (متر)", max_digits=10, decimal_places=1)
    rate = models.ForeignKey(
        RestorationRate, verbose_name="نرخ به‌کاررفته", on_delete=models.PROTECT, related_name="+"
    )
    rate_per_square_metre = models.PositiveBigIntegerField("نرخ هر مترمربع (ریال)")
    deposit = models.PositiveBigIntegerField("سپرده ترمیم (ریال)")
    issued_at = models.DateTimeField("زمان صدور")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="صادرکننده",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    overdue_since = models.DateTimeField("ترمیم از موعد گذشته از", null=True, blank=True)
    restored_at = models.DateTimeField("زمان بازدید پس از ترمیم", null=True, blank=True)

    class Meta:
        verbose_name = "مجوز حفاری"
        verbose_name_plural = "مجوزهای حفاری"
        ordering = ["-issued_at", "-pk"]
        indexes = [
            # the overdue job: active permits whose end has passed
            models.Index(fields=["status", "valid_until"], name="excavation_permit_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("valid_from")), name="excavation_validity"
            ),
        ]

    def __str__(self) -> str:
        return f"مجوز حفاری {to_persian_digits(self.number)}"


class PermitEventKind(models.TextChoices):
    ISSUED = "issued", "صدور مجوز"
    OVERDUE = "overdue", "گذشتن موعد ترمیم"
    RESTORED = "restored", "بازدید پس از ترمیم"


class PermitEvent(models.Model):
    """One thing that happened to a permit, written with the change it records."""

    permit = models.ForeignKey(
        ExcavationPermit, verbose_name="مجوز", on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField("رویداد", max_length=10, choices=PermitEventKind.choices)
    at = models.DateTimeField("زمان")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="انجام‌دهنده",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField("توضیح", max_length=300, blank=True)

    class Meta:
        verbose_name = "رویداد مجوز حفاری"
        verbose_name_plural = "رویدادهای مجوز حفاری"
        ordering = ["at", "pk"]
        constraints = [
            # the job marks a permit overdue once, however often it runs
            models.UniqueConstraint(
                fields=["permit", "kind"],
                condition=Q(kind="overdue"),
                name="excavation_overdue_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.permit}: {self.get_kind_display()}"
