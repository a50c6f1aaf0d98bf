"""Districts, parcels (properties) and the conditions later steps read."""

from __future__ import annotations

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from pishkhan.core.digits import to_ascii_digits, to_persian_digits
from pishkhan.core.models import TimeStamped
from pishkhan.core.postal import normalize_postal_code, validate_postal_code

LATITUDE = [MinValueValidator(Decimal("-90")), MaxValueValidator(Decimal("90"))]
LONGITUDE = [MinValueValidator(Decimal("-180")), MaxValueValidator(Decimal("180"))]


class District(models.Model):
    """One of the city's municipal districts (منطقه)."""

    number = models.PositiveSmallIntegerField(
        "شماره منطقه", unique=True, validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    name = models.CharField("نام", max_length=80, unique=True)
    center_lat = models.DecimalField(
        "عرض جغرافیایی مرکز", max_digits=9, decimal_places=6, validators=LATITUDE
    )
    center_lng = models.DecimalField(
        "طول جغرافیایی مرکز", max_digits=9, decimal_places=6, validators=LONGITUDE
    )
    radius_km = models.DecimalField(
        "شعاع تقریبی (کیلومتر)",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.1"))],
    )
    is_demo = models.BooleanField("داده نمایشی", default=False, editable=False)

    class Meta:
        verbose_name = "منطقه"
        verbose_name_plural = "مناطق"
        ordering = ["number"]

    def __str__(self) -> str:
        return self.name


class LandUse(models.TextChoices):
    RESIDENTIAL = "residential", "مسکونی"
    COMMERCIAL = "commercial", "تجاری"
    ADMINISTRATIVE = "administrative", "اداری"
    MIXED = "mixed", "مختلط"
    EDUCATIONAL = "educational", "آموزشی"
    HEALTHCARE = "healthcare", "درمانی"
    RELIGIOUS = "religious", "مذهبی"
    INDUSTRIAL = "industrial", "صنعتی"
    GREEN_SPACE = "green_space", "فضای سبز"
    VACANT = "vacant", "بایر"


RENEWAL_CODE = re.compile(r"^\d{1,2}-\d{1,4}-\d{1,4}-\d{1,3}-\d{1,3}$")


def validate_renewal_code(value: str) -> None:
    if not RENEWAL_CODE.match(value):
        raise ValidationError(
            "کد نوسازی باید به شکل منطقه-بلوک-ملک-ساختمان-واحد باشد (مثلاً ۳-۱۲-۴۵-۰-۰).",
            code="invalid_renewal_code",
        )


class Parcel(TimeStamped):
    """A property: its registration plate, codes, location, areas and plan data."""

    registration_section = models.PositiveSmallIntegerField(
        "بخش ثبتی", validators=[MinValueValidator(1)]
    )
    plate_main = models.PositiveIntegerField("پلاک اصلی", validators=[MinValueValidator(1)])
    plate_sub = models.PositiveIntegerField("پلاک فرعی", default=0)
    postal_code = models.CharField(
        "کد پستی",
        max_length=10,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_postal_code],
    )
    renewal_code = models.CharField(
        "کد نوسازی", max_length=24, unique=True, validators=[validate_renewal_code]
    )
    district = models.ForeignKey(
        District, verbose_name="منطقه", on_delete=models.PROTECT, related_name="parcels"
    )
    address = models.CharField("نشانی", max_length=300)
    lat = models.DecimalField("عرض جغرافیایی", max_digits=9, decimal_places=6, validators=LATITUDE)
    lng = models.DecimalField("طول جغرافیایی", max_digits=9, decimal_places=6, validators=LONGITUDE)
    land_area = models.DecimalField(
        "مساحت عرصه (مترمربع)",
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("1"))],
    )
    building_area = models.DecimalField(
        "مساحت اعیان (مترمربع)",
        max_digits=10,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    land_use = models.CharField("کاربری", max_length=20, choices=LandUse.choices)
    plan_zone = models.CharField("پهنه طرح تفصیلی", max_length=20, help_text="مثلاً R112")
    zone_price = models.PositiveBigIntegerField("قیمت منطقه‌ای هر مترمربع (ریال)")
    is_demo = models.BooleanField("داده نمایشی", default=False, editable=False)

    class Meta:
        verbose_name = "ملک"
        verbose_name_plural = "املاک"
        ordering = ["district__number", "plate_main", "plate_sub"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration_section", "plate_main", "plate_sub"],
                name="parcel_unique_plate",
            ),
        ]
        indexes = [
            models.Index(fields=["district", "plate_main"], name="parcel_district_plate"),
            # the case search finds a plate in any district (cases/search.py)
            models.Index(fields=["plate_main", "plate_sub"], name="parcel_plate"),
            # the map's parcels of a view and the lookup around a point (a range on both)
            models.Index(fields=["lat", "lng"], name="parcel_position"),
        ]

    def __str__(self) -> str:
        return f"پلاک {self.plate_label} — {self.district}"

    def clean(self) -> None:
        # Digits typed in Persian pass `\d`; store one spelling so uniqueness holds.
        self.renewal_code = to_ascii_digits(self.renewal_code or "")
        if self.postal_code:
            self.postal_code = normalize_postal_code(self.postal_code)
        else:
            self.postal_code = None

    @property
    def plate_label(self) -> str:
        return to_persian_digits(f"{self.plate_main}/{self.plate_sub}")

    def open_conditions(self) -> models.QuerySet[ParcelCondition]:
        return self.conditions.filter(resolved_at__isnull=True)


class ConditionKind(models.TextChoices):
    DEBT = "debt", "بدهی"
    VIOLATION = "violation", "تخلف ساختمانی"
    PLAN_RESTRICTION = "plan_restriction", "محدودیت طرح"


class ParcelCondition(TimeStamped):
    """A fact about a parcel that an inquiry must answer for: a debt, a violation, a plan
    restriction such as street widening. Open until resolved."""

    parcel = models.ForeignKey(
        Parcel, verbose_name="ملک", on_delete=models.CASCADE, related_name="conditions"
    )
    kind = models.CharField("نوع", max_length=20, choices=ConditionKind.choices)
    title = models.CharField("عنوان", max_length=160)
    description = models.TextField("شرح", blank=True)
    amount = models.PositiveBigIntegerField("مبلغ (ریال)", null=True, blank=True)
    widening_m = models.DecimalField(
        "عقب‌نشینی (متر)",
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    recorded_on = models.DateField("تاریخ ثبت")
    resolved_at = models.DateTimeField("زمان رفع", null=True, blank=True)
    is_demo = models.BooleanField("داده نمایشی", default=False, editable=False)

    class Meta:
        verbose_name = "وضعیت ملک"
        verbose_name_plural = "وضعیت‌های ملک (بدهی، تخلف، محدودیت)"
        ordering = ["-recorded_on"]
        indexes = [
            models.Index(
                fields=["parcel"],
                condition=Q(resolved_at__isnull=True),
                name="parcel_condition_open",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="debt") | Q(amount__gt=0), name="condition_debt_has_amount"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"

    def clean(self) -> None:
        if self.kind == ConditionKind.DEBT and not self.amount:
            raise ValidationError({"amount": "برای بدهی، مبلغ را وارد کنید."})
        if self.kind != ConditionKind.DEBT and self.amount:
            raise ValidationError({"amount": "مبلغ فقط برای بدهی ثبت می‌شود."})
        if self.kind != ConditionKind.PLAN_RESTRICTION and self.widening_m:
            raise ValidationError({"widening_m": "عقب‌نشینی فقط برای محدودیت طرح ثبت می‌شود."})


class CertificateKind(models.TextChoices):
    COMPLETION = "completion", "گواهی پایان کار"
    NO_VIOLATION = "no_violation", "گواهی عدم خلاف"
    STRUCTURAL_FRAME = "structural_frame", "گواهی سفت‌کاری"


class ParcelCertificate(TimeStamped):
    """A certificate the city issued for a parcel (from its archive, or later from a case).
    An inquiry may be answered on the last qualifying one when the owner declares that
    nothing has changed since (docs/workflow.md, "Instant answers")."""

    parcel = models.ForeignKey(
        Parcel, verbose_name="ملک", on_delete=models.CASCADE, related_name="certificates"
    )
    kind = models.CharField("نوع گواهی", max_length=20, choices=CertificateKind.choices)
    number = models.CharField("شماره گواهی", max_length=40)
    issued_on = models.DateField("تاریخ صدور")
    built_area = models.DecimalField(
        "مساحت اعیان در گواهی (مترمربع)",
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    floors = models.PositiveSmallIntegerField("تعداد طبقات در گواهی", null=True, blank=True)
    revoked_at = models.DateTimeField("زمان ابطال", null=True, blank=True)
    is_demo = models.BooleanField("داده نمایشی", default=False, editable=False)

    class Meta:
        verbose_name = "گواهی ملک"
        verbose_name_plural = "گواهی‌های ملک (پایان کار، عدم خلاف)"
        ordering = ["-issued_on"]
        indexes = [models.Index(fields=["parcel", "-issued_on"], name="parcel_certificate_recent")]
        constraints = [
            models.UniqueConstraint(fields=["kind", "number"], name="parcel_certificate_number")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {to_persian_digits(self.number)}"
