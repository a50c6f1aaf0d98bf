"""The services offices deliver, their document checklists and their tariffs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from pishkhan.core.jalali import format_jalali_date
from pishkhan.core.models import TimeStamped
from pishkhan.core.validity import InForce, InForceQuerySet

SERVICE_CODE = RegexValidator(
    r"^[a-z][a-z0-9_]{2,49}$", "کد خدمت فقط حروف کوچک لاتین، رقم و _ است."
)


class ServiceCategory(models.TextChoices):
    INQUIRY = "inquiry", "استعلام"
    CERTIFICATE = "certificate", "گواهی"
    PERMIT = "permit", "پروانه ساختمانی"
    BILL = "bill", "فیش و عوارض"


class ServiceType(TimeStamped):
    """A service delivered through the offices; permit groups hang off their parent permit."""

    code = models.CharField("کد", max_length=50, unique=True, validators=[SERVICE_CODE])
    name = models.CharField("نام خدمت", max_length=120, unique=True)
    category = models.CharField("دسته", max_length=12, choices=ServiceCategory.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="خدمت مادر",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="groups",
    )
    description = models.TextField("شرح", blank=True)
    requires_parcel = models.BooleanField("مربوط به ملک است", default=True)
    requires_visit = models.BooleanField("بازدید لازم دارد", default=False)
    online_allowed = models.BooleanField("ثبت غیرحضوری مجاز است", default=True)
    is_active = models.BooleanField("فعال", default=True)
    sort_order = models.PositiveSmallIntegerField("ترتیب نمایش", default=0)

    class Meta:
        verbose_name = "نوع خدمت"
        verbose_name_plural = "انواع خدمات"
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.parent_id:
            if self.parent_id == self.pk:
                raise ValidationError({"parent": "خدمت نمی‌تواند مادر خودش باشد."})
            if self.parent and self.parent.parent_id:
                raise ValidationError({"parent": "گروه‌های خدمت فقط یک سطح دارند."})

    def tariff_on(self, on: dt.date | None = None) -> Tariff | None:
        """The tariff in force on a day (today by default), or None when there is none."""
        on = on or timezone.localdate()
        return self.tariffs.in_force(on).order_by("-valid_from").first()


class DocumentRequirement(models.Model):
    """One line of a service's document checklist."""

    service_type = models.ForeignKey(
        ServiceType, verbose_name="نوع خدمت", on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField("مدرک", max_length=160)
    is_mandatory = models.BooleanField("الزامی", default=True)
    note = models.CharField("توضیح", max_length=300, blank=True)
    sort_order = models.PositiveSmallIntegerField("ترتیب", default=0)

    class Meta:
        verbose_name = "مدرک لازم"
        verbose_name_plural = "مدارک لازم"
        ordering = ["service_type", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["service_type", "title"], name="document_requirement_unique"
            )
        ]

    def __str__(self) -> str:
        return self.title


class TariffQuerySet(InForceQuerySet["Tariff"]):
    validity_fields = ("valid_from", "valid_until")


class Tariff(InForce, TimeStamped):
    """An approved fee schedule for a service over a period.

    A tariff in force is never edited: a new tariff closes the old one from its start day,
    and every bill copies the amounts it used, so a new tariff never rewrites an old bill.
    """

    service_type = models.ForeignKey(
        ServiceType, verbose_name="نوع خدمت", on_delete=models.PROTECT, related_name="tariffs"
    )
    base_amount = models.PositiveBigIntegerField("مبلغ پایه (ریال)")
    per_square_metre = models.PositiveBigIntegerField(
        "مبلغ هر مترمربع (ریال)",
        default=0,
        help_text="به ازای هر مترمربع مساحت عرصه؛ صفر یعنی ندارد",
    )
    valid_from = models.DateField("معتبر از")
    valid_until = models.DateField("معتبر تا", null=True, blank=True)
    resolution = models.CharField("شماره مصوبه", max_length=60)
    approved_on = models.DateField("تاریخ تصویب")

    validity_fields = ("valid_from", "valid_until")
    objects = TariffQuerySet.as_manager()

    class Meta:
        verbose_name = "تعرفه"
        verbose_name_plural = "تعرفه‌ها"
        ordering = ["service_type", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["service_type", "valid_from"], name="tariff_unique_start"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="tariff_period",
            ),
        ]

    def __str__(self) -> str:
        return f"تعرفه {self.service_type} از {format_jalali_date(self.valid_from)}"

    def fee_for(self, land_area: Decimal | None = None) -> int:
        """The fee in rials; the per-m² part rounds half up to a whole rial."""
        area = land_area or Decimal("0")
        variable = (Decimal(self.per_square_metre) * area).quantize(
            Decimal("1"), rounding="ROUND_HALF_UP"
        )
        return int(self.base_amount + variable)

    def clean(self) -> None:
        if self.valid_until and self.valid_from and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": "پایان اعتبار نمی‌تواند پیش از آغاز آن باشد."})
        if self.service_type_id and self.valid_from:
            overlapping = Tariff.objects.filter(service_type_id=self.service_type_id).exclude(
                pk=self.pk
            )
            overlapping = overlapping.filter(
                Q(valid_until__isnull=True) | Q(valid_until__gte=self.valid_from)
            )
            if self.valid_until:
                overlapping = overlapping.filter(valid_from__lte=self.valid_until)
            # An open-ended earlier tariff is closed by publish_tariff, not an overlap.
            overlapping = overlapping.exclude(
                valid_from__lt=self.valid_from, valid_until__isnull=True
            )
            if overlapping.exists():
                raise ValidationError("دوره این تعرفه با تعرفه دیگری از همین خدمت هم‌پوشانی دارد.")
        if self.pk:
            stored = (
                Tariff.objects.filter(pk=self.pk)
                .values("base_amount", "per_square_metre", "valid_from")
                .first()
            )
            if stored and stored["valid_from"] <= timezone.localdate():
                changed = (
                    stored["base_amount"] != self.base_amount
                    or stored["per_square_metre"] != self.per_square_metre
                    or stored["valid_from"] != self.valid_from
                )
                if changed:
                    raise ValidationError(
                        "تعرفه‌ای که اجرا شده است تغییر نمی‌کند؛ "
                        "تعرفه جدیدی با تاریخ آغاز تازه ثبت کنید."
                    )


class ResponseCondition(TimeStamped):
    """A condition the city writes into inquiry answers, kept as a list the district
    staff pick from (they may also write one of their own)."""

    code = models.CharField("کد", max_length=50, unique=True, validators=[SERVICE_CODE])
    text = models.CharField("متن شرط", max_length=500)
    services = models.ManyToManyField(
        ServiceType,
        verbose_name="خدمات",
        blank=True,
        related_name="response_conditions",
        help_text="خالی یعنی برای همه استعلام‌ها.",
    )
    is_active = models.BooleanField("فعال", default=True)
    sort_order = models.PositiveSmallIntegerField("ترتیب نمایش", default=0)

    class Meta:
        verbose_name = "شرط پاسخ استعلام"
        verbose_name_plural = "فهرست شرط‌های پاسخ استعلام"
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.text
