"""Dues as rules, the vehicle registry, bills with their lines and events, and the ledger.

Money is an integer number of rials everywhere (docs/billing.md has the rounding rules).
A rule is data with validity dates that the finance unit publishes in the admin; a bill
copies every amount it used into its lines, so a later rule never rewrites it. A bill is
immutable once issued: only its status moves (issued → paid by the payment side,
issued → cancelled), by compare-and-swap on ``version`` in the billing actions, never by
``save()``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Mod
from django.db.models.lookups import Exact
from django.utils import timezone

from pishkhan.billing.vehicle_ids import PLATE_LETTERS, Plate, validate_plate_parts, validate_vin
from pishkhan.core.jalali import JALALI_YEARS, format_jalali_date
from pishkhan.core.models import TimeStamped
from pishkhan.core.validity import InForce, InForceQuerySet

BASIS_POINTS = 10_000  # a rate in basis points: 50 is 0.5% (five per thousand)
RATE = [MinValueValidator(0), MaxValueValidator(BASIS_POINTS)]
YEAR = [MinValueValidator(JALALI_YEARS[0]), MaxValueValidator(JALALI_YEARS[1])]
AMOUNT_MAX = 10**14  # rials; far above any bill (a payment id holds < 10^11)
AMOUNT = [MaxValueValidator(AMOUNT_MAX)]


# --- rules ---------------------------------------------------------------------------


class RuleQuerySet(InForceQuerySet[Any]):
    validity_fields = ("valid_from", "valid_until")


class DuesRule(InForce, TimeStamped):
    """A rule in force from `valid_from` to `valid_until` (open: until a new one). Once
    in force it is never edited, only ended: a new rule closes the old one the day
    before it starts (``do_publish_rule``)."""

    valid_from = models.DateField("معتبر از")
    valid_until = models.DateField("معتبر تا", null=True, blank=True)
    resolution = models.CharField("شماره مصوبه", max_length=60)
    approved_on = models.DateField("تاریخ تصویب")
    is_demo = models.BooleanField("داده نمایشی", default=False, editable=False)

    validity_fields = ("valid_from", "valid_until")
    # what a rule in force keeps (everything but its end); each rule names its own
    frozen_fields: tuple[str, ...] = ("valid_from",)
    # the fields that say which rules compete for the same day (one in force at a time)
    key_fields: tuple[str, ...] = ()

    objects = RuleQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-valid_from"]

    def competitors(self) -> models.QuerySet[Any]:
        rows = type(self)._default_manager.filter(**{f: getattr(self, f) for f in self.key_fields})
        return rows.exclude(pk=self.pk) if self.pk else rows

    def clean(self) -> None:
        if self.valid_until and self.valid_from and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": "پایان اعتبار نمی‌تواند پیش از آغاز آن باشد."})
        if self.valid_from:
            overlapping = self.competitors().filter(
                Q(valid_until__isnull=True) | Q(valid_until__gte=self.valid_from)
            )
            if self.valid_until:
                overlapping = overlapping.filter(valid_from__lte=self.valid_until)
            # an open-ended earlier rule is closed by publishing, not an overlap
            overlapping = overlapping.exclude(
                valid_from__lt=self.valid_from, valid_until__isnull=True
            )
            if overlapping.exists():
                raise ValidationError("دوره این قاعده با قاعده دیگری از همین نوع هم‌پوشانی دارد.")
        if self.pk:
            stored = type(self)._default_manager.filter(pk=self.pk).values(*self.frozen_fields)
            row = stored.first()
            if (
                row is not None
                and row["valid_from"] <= timezone.localdate()
                and any(row[f] != getattr(self, f) for f in self.frozen_fields)
            ):
                raise ValidationError(
                    "قاعده‌ای که اجرا شده است تغییر نمی‌کند؛ قاعده جدیدی با تاریخ آغاز تازه ثبت کنید."
                )

    def period_label(self) -> str:
        end = format_jalali_date(self.valid_until) if self.valid_until else "اکنون"
        return f"{format_jalali_date(self.valid_from)} تا {end}"


class ValueBasis(models.TextChoices):
    LAND = "land", "قیمت منطقه‌ای × مساحت عرصه"
    LAND_AND_BUILDING = "land_and_building", "قیمت منطقه‌ای × (مساحت عرصه + مساحت اعیان)"


class RenewalDuesRule(DuesRule):
    """Renewal dues (عوارض نوسازی) of one year: a yearly rate (the law's is five per
    thousand: 50 basis points) of the parcel's assessed value, which is a percentage of
    the zone price (قیمت منطقه‌ای) times the area the basis names. The year's rule is the
    one in force on the year's first day (1 Farvardin). A bill issued in the first
    months of a year may get an early-payment discount on that year's dues."""

    rate_bp = models.PositiveIntegerField(
        "نرخ سالانه (واحد در ده‌هزار)", default=50, validators=RATE, help_text="۵۰ یعنی پنج در هزار"
    )
    value_basis = models.CharField(
        "مبنای ارزش", max_length=20, choices=ValueBasis.choices, default=ValueBasis.LAND
    )
    valuation_percent = models.PositiveSmallIntegerField(
        "درصد قیمت منطقه‌ای در ارزش ملک",
        default=100,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
    )
    early_discount_bp = models.PositiveIntegerField(
        "تخفیف پرداخت زودهنگام (واحد در ده‌هزار)", default=0, validators=RATE
    )
    early_discount_until_month = models.PositiveSmallIntegerField(
        "تخفیف تا پایان ماه",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text="ماه شمسی (۱ تا ۱۲)؛ خالی یعنی تخفیف ندارد",
    )

    frozen_fields = (
        "valid_from", "rate_bp", "value_basis", "valuation_percent", "early_discount_bp",
        "early_discount_until_month",
    )  # fmt: skip

    class Meta(DuesRule.Meta):
        verbose_name = "قاعده عوارض نوسازی"
        verbose_name_plural = "قاعده‌های عوارض نوسازی"
        constraints = [
            models.UniqueConstraint(fields=["valid_from"], name="renewal_rule_unique_start"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="renewal_rule_period",
            ),
        ]

    def __str__(self) -> str:
        return f"عوارض نوسازی از {format_jalali_date(self.valid_from)}"

    def clean(self) -> None:
        super().clean()
        if self.early_discount_bp and not self.early_discount_until_month:
            raise ValidationError(
                {"early_discount_until_month": "برای تخفیف، ماه پایان آن را بنویسید."}
            )


class TransferBasis(models.TextChoices):
    LAND = "land", "درصدی از قیمت منطقه‌ای × مساحت عرصه"
    BUILDING = "building", "درصدی از قیمت منطقه‌ای × مساحت اعیان"
    LAND_AND_BUILDING = "land_and_building", "درصدی از قیمت منطقه‌ای × (عرصه + اعیان)"
    FIXED = "fixed", "مبلغ ثابت"


class TransferDuesRule(DuesRule):
    """Transfer dues (عوارض نقل و انتقال) of an inquiry: a rate of zone price × an area
    the basis names, or a fixed amount, never below a minimum. The formula is this
    choice and these numbers, not text that is evaluated."""

    service_type = models.ForeignKey(
        "catalog.ServiceType",
        verbose_name="خدمت",
        on_delete=models.PROTECT,
        related_name="transfer_rules",
    )
    basis = models.CharField("مبنا", max_length=20, choices=TransferBasis.choices)
    rate_bp = models.PositiveIntegerField(
        "نرخ (واحد در ده‌هزار)", default=200, validators=RATE, help_text="۲۰۰ یعنی دو درصد"
    )
    fixed_amount = models.PositiveBigIntegerField("مبلغ ثابت (ریال)", default=0, validators=AMOUNT)
    minimum_amount = models.PositiveBigIntegerField("حداقل (ریال)", default=0, validators=AMOUNT)

    frozen_fields = ("valid_from", "basis", "rate_bp", "fixed_amount", "minimum_amount")
    key_fields = ("service_type_id",)

    class Meta(DuesRule.Meta):
        verbose_name = "قاعده عوارض نقل و انتقال"
        verbose_name_plural = "قاعده‌های عوارض نقل و انتقال"
        constraints = [
            models.UniqueConstraint(
                fields=["service_type", "valid_from"], name="transfer_rule_unique_start"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="transfer_rule_period",
            ),
        ]

    def __str__(self) -> str:
        return f"عوارض نقل و انتقال {self.service_type} از {format_jalali_date(self.valid_from)}"

    def clean(self) -> None:
        super().clean()
        if self.basis == TransferBasis.FIXED and not self.fixed_amount:
            raise ValidationError({"fixed_amount": "برای مبنای مبلغ ثابت، مبلغ را بنویسید."})
        if self.basis and self.basis != TransferBasis.FIXED and not self.rate_bp:
            raise ValidationError({"rate_bp": "نرخ را بنویسید."})


class VehicleClass(models.TextChoices):
    PASSENGER = "passenger", "سواری"
    TAXI = "taxi", "تاکسی"
    PICKUP = "pickup", "وانت"
    MOTORCYCLE = "motorcycle", "موتورسیکلت"
    MINIBUS = "minibus", "مینی‌بوس"
    BUS = "bus", "اتوبوس"
    TRUCK = "truck", "کامیون"


class VehicleTollRule(DuesRule):
    """The annual vehicle toll (عوارض سالیانه خودرو) of a class and a band of model
    years, with a late fee per year of delay for the tolls of past years. The year's rule
    is the one in force on the year's first day."""

    vehicle_class = models.CharField("رده خودرو", max_length=12, choices=VehicleClass.choices)
    model_year_from = models.PositiveSmallIntegerField("سال ساخت از", validators=YEAR)
    model_year_to = models.PositiveSmallIntegerField(
        "سال ساخت تا", null=True, blank=True, validators=YEAR, help_text="خالی یعنی تا امروز"
    )
    amount = models.PositiveBigIntegerField("عوارض سالانه (ریال)", validators=AMOUNT)
    late_fee_bp = models.PositiveIntegerField(
        "جریمه دیرکرد هر سال (واحد در ده‌هزار)", default=1000, validators=RATE
    )

    frozen_fields = ("valid_from", "amount", "late_fee_bp", "model_year_from", "model_year_to")
    key_fields = ("vehicle_class",)

    class Meta(DuesRule.Meta):
        verbose_name = "قاعده عوارض سالیانه خودرو"
        verbose_name_plural = "قاعده‌های عوارض سالیانه خودرو"
        constraints = [
            models.UniqueConstraint(
                fields=["vehicle_class", "model_year_from", "valid_from"],
                name="toll_rule_unique_start",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="toll_rule_period",
            ),
            models.CheckConstraint(
                condition=Q(model_year_to__isnull=True)
                | Q(model_year_to__gte=F("model_year_from")),
                name="toll_rule_years",
            ),
        ]

    def __str__(self) -> str:
        return f"عوارض {self.get_vehicle_class_display()} از {format_jalali_date(self.valid_from)}"

    def competitors(self) -> models.QuerySet[Any]:
        """Rules of the class whose model-year band overlaps this one."""
        rows = super().competitors()
        if self.model_year_to is not None:
            rows = rows.filter(model_year_from__lte=self.model_year_to)
        return rows.filter(
            Q(model_year_to__isnull=True) | Q(model_year_to__gte=self.model_year_from or 0)
        )

    def clean(self) -> None:
        if (
            self.model_year_to
            and self.model_year_from
            and self.model_year_to < self.model_year_from
        ):
            raise ValidationError({"model_year_to": "سال پایان پیش از سال آغاز است."})
        super().clean()


# --- the subjects of bills: vehicles and the parcels' dues accounts ------------------


class Vehicle(TimeStamped):
    """A vehicle of the city's registry: its plate, VIN, class, model year and owner, and
    the last year whose toll was settled before (or outside) this system."""

    plate_two = models.PositiveSmallIntegerField("پلاک: دو رقم")
    plate_letter = models.CharField(
        "پلاک: حرف", max_length=3, choices=[(x, x) for x in PLATE_LETTERS]
    )
    plate_three = models.PositiveSmallIntegerField("پلاک: سه رقم")
    plate_iran = models.PositiveSmallIntegerField("پلاک: کد ایران")
    vin = models.CharField(
        "شماره شناسایی (VIN)", max_length=17, unique=True, validators=[validate_vin]
    )
    vehicle_class = models.CharField("رده", max_length=12, choices=VehicleClass.choices)
    model_year = models.PositiveSmallIntegerField("سال ساخت (شمسی)", validators=YEAR)
    owner = models.ForeignKey(
        "accounts.Citizen", verbose_name="مالک", on_delete=models.PROTECT, related_name="vehicles"
    )
    toll_paid_through = models.PositiveSmallIntegerField(
        "عوارض پرداخت‌شده تا سال", validators=YEAR, help_text="آخرین سالی که عوارض آن تسویه شده است"
    )
    is_demo = models.BooleanField("داده نمایشی", default=False, editable=False)

    class Meta:
        verbose_name = "خودرو"
        verbose_name_plural = "خودروها"
        ordering = ["plate_iran", "plate_two", "plate_letter", "plate_three"]
        constraints = [
            models.UniqueConstraint(
                fields=["plate_two", "plate_letter", "plate_three", "plate_iran"],
                name="vehicle_unique_plate",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_vehicle_class_display()} {self.plate}"

    @property
    def plate(self) -> Plate:
        return Plate(self.plate_two, self.plate_letter, self.plate_three, self.plate_iran)

    def clean(self) -> None:
        try:
            validate_plate_parts(
                self.plate_two or 0, self.plate_letter, self.plate_three or 0, self.plate_iran or 0
            )
        except ValidationError as error:
            raise ValidationError(error.messages) from None
        if (
            self.model_year
            and self.toll_paid_through
            and self.toll_paid_through < self.model_year - 1
        ):
            raise ValidationError(
                {"toll_paid_through": "سال تسویه عوارض پیش از سال ساخت خودرو است."}
            )


class RenewalDuesAccount(TimeStamped):
    """The last year whose renewal dues a parcel settled before (or outside) this
    system. A parcel without one owes only the current year."""

    parcel = models.OneToOneField(
        "geo.Parcel", verbose_name="ملک", on_delete=models.CASCADE, related_name="dues_account"
    )
    paid_through_year = models.PositiveSmallIntegerField("عوارض پرداخت‌شده تا سال", validators=YEAR)
    is_demo = models.BooleanField("داده نمایشی", default=False, editable=False)

    class Meta:
        verbose_name = "سابقه عوارض نوسازی ملک"
        verbose_name_plural = "سابقه عوارض نوسازی املاک"

    def __str__(self) -> str:
        return f"{self.parcel}"


# --- bills -------------------------------------------------------------------------


class BillKind(models.TextChoices):
    RENEWAL = "renewal", "عوارض نوسازی"
    TRANSFER = "transfer", "عوارض نقل و انتقال"
    SERVICE = "service", "هزینه خدمت"
    TOLL = "toll", "عوارض سالیانه خودرو"


class BillStatus(models.TextChoices):
    ISSUED = "issued", "صادرشده (پرداخت‌نشده)"
    PAID = "paid", "پرداخت‌شده"
    CANCELLED = "cancelled", "ابطال‌شده"


LIVE = (BillStatus.ISSUED, BillStatus.PAID)


class BillSerial(models.Model):
    """The one counter bills take their file codes from (row 1), under a row lock."""

    last = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = "شمارنده فیش"
        verbose_name_plural = "شمارنده فیش"

    def __str__(self) -> str:
        return str(self.last)


class BillQuerySet(models.QuerySet["Bill"]):
    def unpaid(self) -> BillQuerySet:
        return self.filter(status=BillStatus.ISSUED)

    def live(self) -> BillQuerySet:
        return self.filter(status__in=LIVE)


class Immutable(models.Model):
    """Written once by the billing actions; ``save()`` of a stored row and ``delete()``
    are refused (status moves are compare-and-swap updates in the actions)."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValidationError("فیش صادرشده تغییر نمی‌کند؛ آن را ابطال و دوباره صادر کنید.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValidationError("فیش و سوابق آن حذف نمی‌شود.")


class Bill(Immutable):
    """A payable slip (فیش): its lines in integer rials, the bill id / payment id pair,
    the subject (a parcel, a case, a vehicle) and its status."""

    file_code = models.PositiveIntegerField("کد فایل", unique=True)
    bill_id = models.CharField("شناسه قبض", max_length=13, unique=True)
    payment_id = models.CharField("شناسه پرداخت", max_length=13)
    kind = models.CharField("نوع", max_length=10, choices=BillKind.choices)
    status = models.CharField(
        "وضعیت", max_length=10, choices=BillStatus.choices, default=BillStatus.ISSUED
    )
    version = models.PositiveIntegerField("نسخه", default=1)
    parcel = models.ForeignKey(
        "geo.Parcel",
        verbose_name="ملک",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bills",
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name="پرونده",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bills",
    )
    vehicle = models.ForeignKey(
        Vehicle,
        verbose_name="خودرو",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bills",
    )
    payer = models.ForeignKey(
        "accounts.Citizen",
        verbose_name="پرداخت‌کننده",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bills",
    )
    office = models.ForeignKey(
        "offices.Office",
        verbose_name="دفتر صادرکننده",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bills",
    )
    district = models.ForeignKey(
        "geo.District",
        verbose_name="منطقه",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bills",
    )
    total = models.PositiveBigIntegerField("مبلغ کل (ریال)")
    due_on = models.DateField("مهلت پرداخت")
    issued_at = models.DateTimeField("زمان صدور")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="صادرکننده",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    issued_role = models.CharField("نقش صادرکننده", max_length=30)
    replaces = models.OneToOneField(
        "self",
        verbose_name="جایگزین فیش",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
    )
    cancelled_at = models.DateTimeField("زمان ابطال", null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="ابطال‌کننده",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    cancel_reason = models.CharField("علت ابطال", max_length=500, blank=True)
    paid_at = models.DateTimeField("زمان پرداخت", null=True, blank=True)
    paid_channel = models.CharField("شیوه پرداخت", max_length=20, blank=True)
    paid_reference = models.CharField("شماره مرجع پرداخت", max_length=64, blank=True)

    objects = BillQuerySet.as_manager()

    class Meta:
        verbose_name = "فیش"
        verbose_name_plural = "فیش‌ها"
        ordering = ["-issued_at", "-pk"]
        indexes = [
            models.Index(fields=["parcel", "status"], name="bill_parcel_status"),
            models.Index(fields=["case", "status"], name="bill_case_status"),
            models.Index(fields=["vehicle", "status"], name="bill_vehicle_status"),
            models.Index(fields=["office", "-issued_at"], name="bill_office_issued"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(total__gt=0), name="bill_total_positive"),
            models.CheckConstraint(
                condition=Exact(Mod(F("total"), 1000), 0), name="bill_total_thousands"
            ),
            models.CheckConstraint(
                condition=(
                    Q(vehicle__isnull=False, parcel__isnull=True, case__isnull=True)
                    | Q(vehicle__isnull=True) & (Q(parcel__isnull=False) | Q(case__isnull=False))
                ),
                name="bill_one_subject",
            ),
            models.CheckConstraint(
                condition=(
                    Q(status="issued", paid_at__isnull=True, cancelled_at__isnull=True)
                    | Q(status="paid", paid_at__isnull=False, cancelled_at__isnull=True)
                    & ~Q(paid_reference="")
                    | Q(status="cancelled", cancelled_at__isnull=False, paid_at__isnull=True)
                ),
                name="bill_status_facts",
            ),
        ]

    def __str__(self) -> str:
        return f"فیش {self.get_kind_display()} {self.bill_id}"

    @property
    def is_unpaid(self) -> bool:
        return self.status == BillStatus.ISSUED


class LineKind(models.TextChoices):
    RENEWAL_YEAR = "renewal_year", "عوارض نوسازی سال"
    TRANSFER = "transfer", "عوارض نقل و انتقال"
    SERVICE_FEE = "service_fee", "هزینه خدمت"
    TOLL_YEAR = "toll_year", "عوارض سالیانه خودرو"
    LATE_FEE = "late_fee", "جریمه دیرکرد"


class BillLine(Immutable):
    """One line of a bill, in whole thousands of rials, with how it was computed."""

    bill = models.ForeignKey(
        Bill, verbose_name="فیش", on_delete=models.PROTECT, related_name="lines"
    )
    position = models.PositiveSmallIntegerField("ردیف")
    kind = models.CharField("نوع", max_length=15, choices=LineKind.choices)
    title = models.CharField("شرح", max_length=200)
    year = models.PositiveSmallIntegerField("سال", null=True, blank=True)
    amount = models.PositiveBigIntegerField("مبلغ (ریال)")
    basis = models.JSONField("مبنای محاسبه", default=dict)

    class Meta:
        verbose_name = "ردیف فیش"
        verbose_name_plural = "ردیف‌های فیش"
        ordering = ["bill", "position"]
        constraints = [
            models.UniqueConstraint(fields=["bill", "position"], name="bill_line_position"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="bill_line_positive"),
            models.CheckConstraint(
                condition=Exact(Mod(F("amount"), 1000), 0), name="bill_line_thousands"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class BillEventKind(models.TextChoices):
    ISSUE = "issue", "صدور"
    CANCEL = "cancel", "ابطال"
    PAY = "pay", "پرداخت"


class BillEvent(models.Model):
    """Every change of a bill, append-only: who, when, what, before and after."""

    bill = models.ForeignKey(
        Bill, verbose_name="فیش", on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField("رویداد", max_length=10, choices=BillEventKind.choices)
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
    before = models.JSONField("پیش از", default=dict)
    after = models.JSONField("پس از", default=dict)
    reason = models.CharField("علت", max_length=500, blank=True)

    class Meta:
        verbose_name = "رویداد فیش"
        verbose_name_plural = "رویدادهای فیش"
        ordering = ["bill", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.bill_id}"


# --- the ledger ----------------------------------------------------------------------


class EntryKind(models.TextChoices):
    CHARGE = "charge", "بدهی (صدور فیش)"
    CANCEL = "cancel", "ابطال بدهی"
    CAPTURE = "capture", "دریافت"
    REVERSAL = "reversal", "برگشت دریافت"


class LedgerEntry(models.Model):
    """One movement of money or of what is owed, append-only. `day` is the business day
    (Tehran) it belongs to; a reversal names the capture it reverses and counts against
    that capture's day. docs/billing.md has the invariants ``check_ledger`` proves."""

    bill = models.ForeignKey(
        Bill, verbose_name="فیش", on_delete=models.PROTECT, related_name="entries"
    )
    kind = models.CharField("نوع", max_length=10, choices=EntryKind.choices)
    amount = models.PositiveBigIntegerField("مبلغ (ریال)")
    day = models.DateField("روز")
    created_at = models.DateTimeField("زمان")
    reference = models.CharField("مرجع یکتا", max_length=80, unique=True)
    reverses = models.OneToOneField(
        "self",
        verbose_name="برگشتِ",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
    )

    class Meta:
        verbose_name = "ردیف دفتر"
        verbose_name_plural = "دفتر مالی"
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["day", "kind"], name="ledger_day_kind"),
            # the revenue report: the captures and reversals of a range of days
            models.Index(fields=["kind", "day"], name="ledger_kind_day"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="ledger_amount_positive"),
            models.CheckConstraint(
                condition=Q(kind="reversal", reverses__isnull=False)
                | ~Q(kind="reversal") & Q(reverses__isnull=True),
                name="ledger_reversal_names_capture",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValidationError("ردیف دفتر مالی تغییر نمی‌کند.")
        super().save(*args, **kwargs)


def business_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()
