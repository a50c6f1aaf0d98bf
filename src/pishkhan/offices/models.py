"""Counter offices, their licences and contracts, and the people who work in them."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from pishkhan.core.digits import to_ascii_digits
from pishkhan.core.models import TimeStamped
from pishkhan.core.national_id import normalize_national_id, validate_national_id
from pishkhan.core.phone import normalize_mobile, validate_mobile, validate_phone
from pishkhan.core.validity import InForce, InForceQuerySet, dates_in_force, in_force_q
from pishkhan.geo.models import LATITUDE, LONGITUDE, District
from pishkhan.offices.roles import (
    ROLE_SCOPE,
    DegreeLevel,
    Field,
    Role,
    Scope,
    qualification_error,
)

OFFICE_CODE = RegexValidator(r"^\d{4,8}$", "کد دفتر باید ۴ تا ۸ رقم باشد.")


class OfficeStatus(models.TextChoices):
    ACTIVE = "active", "فعال"
    SUSPENDED = "suspended", "تعلیق"
    CLOSED = "closed", "بسته"


class OfficeQuerySet(models.QuerySet["Office"]):
    def licence_in_force(self, on: dt.date | None = None) -> OfficeQuerySet:
        return self.filter(
            in_force_q(
                on or timezone.localdate(), "cra_licence_valid_from", "cra_licence_valid_until"
            )
        )

    def accepting_cases(self, on: dt.date | None = None) -> OfficeQuerySet:
        """Active offices whose licence is in force: the ones that may take a case."""
        return self.licence_in_force(on).filter(status=OfficeStatus.ACTIVE)


class Office(TimeStamped):
    """A government counter office (دفتر پیشخوان دولت) under contract with the city."""

    code = models.CharField("کد دفتر", max_length=8, unique=True, validators=[OFFICE_CODE])
    name = models.CharField("نام دفتر", max_length=120)

    objects = OfficeQuerySet.as_manager()
    district = models.ForeignKey(
        District, verbose_name="منطقه", on_delete=models.PROTECT, related_name="offices"
    )
    address = models.CharField("نشانی", max_length=300)
    lat = models.DecimalField("عرض جغرافیایی", max_digits=9, decimal_places=6, validators=LATITUDE)
    lng = models.DecimalField("طول جغرافیایی", max_digits=9, decimal_places=6, validators=LONGITUDE)
    phone = models.CharField("تلفن", max_length=11, validators=[validate_phone])
    manager = models.ForeignKey(
        "StaffMember",
        verbose_name="مدیر دفتر",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="managed_offices",
    )
    cra_licence_number = models.CharField(
        "شماره پروانه سازمان تنظیم مقررات", max_length=30, unique=True
    )
    cra_licence_valid_from = models.DateField("اعتبار پروانه از")
    cra_licence_valid_until = models.DateField("اعتبار پروانه تا")
    status = models.CharField(
        "وضعیت", max_length=12, choices=OfficeStatus.choices, default=OfficeStatus.ACTIVE
    )
    capacity = models.PositiveSmallIntegerField(
        "ظرفیت روزانه (پرونده)",
        validators=[MinValueValidator(1)],
        help_text="پرونده در هر روز کاری",
    )
    is_demo = models.BooleanField("داده نمایشی", default=False, editable=False)

    class Meta:
        verbose_name = "دفتر پیشخوان"
        verbose_name_plural = "دفاتر پیشخوان"
        ordering = ["district__number", "code"]
        indexes = [models.Index(fields=["district", "status"], name="office_district_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(cra_licence_valid_until__gt=models.F("cra_licence_valid_from")),
                name="office_licence_period",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # Digits typed in Persian pass `\d`; store one spelling so uniqueness holds.
        self.code = to_ascii_digits(self.code or "")
        self.phone = normalize_mobile(self.phone or "")
        if (
            self.cra_licence_valid_from
            and self.cra_licence_valid_until
            and self.cra_licence_valid_until <= self.cra_licence_valid_from
        ):
            raise ValidationError(
                {"cra_licence_valid_until": "پایان اعتبار پروانه باید بعد از آغاز آن باشد."}
            )

    def licence_is_valid(self, on: dt.date | None = None) -> bool:
        """The CRA licence is in force on `on` (today by default)."""
        on = on or timezone.localdate()
        return dates_in_force(on, self.cra_licence_valid_from, self.cra_licence_valid_until)


class OfficeChange(models.Model):
    """History of an office's status, district and address: one row per changed field."""

    TRACKED_FIELDS = ("status", "district", "address")

    office = models.ForeignKey(
        Office, verbose_name="دفتر", on_delete=models.CASCADE, related_name="changes"
    )
    field = models.CharField("ویژگی", max_length=20)
    old_value = models.CharField("مقدار قبلی", max_length=300, blank=True)
    new_value = models.CharField("مقدار جدید", max_length=300)
    reason = models.CharField("علت", max_length=300, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="تغییر دهنده",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    changed_at = models.DateTimeField("زمان تغییر", default=timezone.now)

    class Meta:
        verbose_name = "تغییر دفتر"
        verbose_name_plural = "تاریخچه تغییرات دفاتر"
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["office", "-changed_at"], name="officechange_office_time")]

    def __str__(self) -> str:
        return f"{self.office}: {self.field}"


class ContractStatus(models.TextChoices):
    DRAFT = "draft", "پیش‌نویس"
    ACTIVE = "active", "فعال"
    SUSPENDED = "suspended", "تعلیق"
    TERMINATED = "terminated", "فسخ‌شده"
    EXPIRED = "expired", "پایان‌یافته"


class PeriodMixin(InForce):
    starts_on = models.DateField("از تاریخ")
    ends_on = models.DateField("تا تاریخ", null=True, blank=True)

    objects = InForceQuerySet.as_manager()

    class Meta:
        abstract = True

    def clean_period(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "تاریخ پایان نمی‌تواند پیش از تاریخ آغاز باشد."})

    def covers(self, on: dt.date) -> bool:
        return self.is_in_force(on)


class OfficeContract(PeriodMixin, TimeStamped):
    """The contract between the municipality and an office, with its scope of services."""

    office = models.ForeignKey(
        Office, verbose_name="دفتر", on_delete=models.PROTECT, related_name="contracts"
    )
    number = models.CharField("شماره قرارداد", max_length=40, unique=True)
    signed_on = models.DateField("تاریخ امضا")
    services = models.ManyToManyField(
        "catalog.ServiceType", verbose_name="خدمات موضوع قرارداد", related_name="office_contracts"
    )
    status = models.CharField(
        "وضعیت", max_length=12, choices=ContractStatus.choices, default=ContractStatus.DRAFT
    )
    notes = models.TextField("توضیحات", blank=True)
    is_demo = models.BooleanField("داده نمایشی", default=False, editable=False)

    class Meta:
        verbose_name = "قرارداد شهرداری با دفتر"
        verbose_name_plural = "قراردادهای شهرداری با دفاتر"
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="office_contract_period",
            )
        ]

    def __str__(self) -> str:
        return f"قرارداد {self.number} — {self.office}"

    def clean(self) -> None:
        self.clean_period()


class StaffMember(TimeStamped):
    """A person who works in the system on the city's side or in an office."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="حساب کاربری",
        on_delete=models.PROTECT,
        related_name="staff_profile",
    )
    national_id = models.CharField(
        "کد ملی", max_length=10, unique=True, validators=[validate_national_id]
    )
    mobile = models.CharField("شماره همراه", max_length=11, validators=[validate_mobile])
    degree_level = models.PositiveSmallIntegerField("مقطع تحصیلی", choices=DegreeLevel.choices)
    field = models.CharField("رشته تحصیلی", max_length=20, choices=Field.choices)
    is_demo = models.BooleanField("داده نمایشی", default=False, editable=False)

    class Meta:
        verbose_name = "کارمند"
        verbose_name_plural = "کارکنان"
        ordering = ["user__last_name", "user__first_name"]

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()

    def clean(self) -> None:
        # One spelling, as for citizens, so uniqueness holds for Persian-typed digits too.
        self.national_id = normalize_national_id(self.national_id or "")
        self.mobile = normalize_mobile(self.mobile or "")

    def active_roles(self, on: dt.date | None = None) -> models.QuerySet[RoleAssignment]:
        return self.roles.filter(in_force_q(on or timezone.localdate()))


def staff_of(row: EmploymentContract | RoleAssignment) -> StaffMember | None:
    """The row's staff member, also while it is still unsaved: the admin validates a role
    typed on a new staff member's page before that staff member has an id."""
    try:
        return row.staff
    except StaffMember.DoesNotExist:
        return None


class EmploymentContract(PeriodMixin, TimeStamped):
    """The contract between an office's manager and a member of its staff."""

    office = models.ForeignKey(
        Office, verbose_name="دفتر", on_delete=models.PROTECT, related_name="employment_contracts"
    )
    staff = models.ForeignKey(
        StaffMember,
        verbose_name="کارمند",
        on_delete=models.PROTECT,
        related_name="employment_contracts",
    )
    role = models.CharField("سمت", max_length=20, choices=Role.choices)
    number = models.CharField("شماره قرارداد", max_length=40, unique=True)
    status = models.CharField(
        "وضعیت", max_length=12, choices=ContractStatus.choices, default=ContractStatus.ACTIVE
    )
    is_demo = models.BooleanField("داده نمایشی", default=False, editable=False)

    class Meta:
        verbose_name = "قرارداد کارکنان با مدیر دفتر"
        verbose_name_plural = "قراردادهای کارکنان با مدیران دفاتر"
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="employment_contract_period",
            )
        ]

    def __str__(self) -> str:
        return f"{self.staff} — {self.get_role_display()} — {self.office}"

    def clean(self) -> None:
        self.clean_period()
        if self.role and ROLE_SCOPE.get(self.role) != Scope.OFFICE:
            raise ValidationError({"role": "قرارداد کار با مدیر دفتر فقط برای سمت‌های دفتر است."})
        if self.role == Role.OFFICE_MANAGER:
            raise ValidationError({"role": "مدیر دفتر با شهرداری قرارداد دارد، نه با خودش."})
        staff = staff_of(self)
        if self.role and staff is not None:
            error = qualification_error(self.role, staff.degree_level, staff.field)
            if error:
                raise ValidationError({"role": error})


class RoleAssignment(PeriodMixin, TimeStamped):
    """A role held by a staff member in a scope (an office, a district or the city)."""

    staff = models.ForeignKey(
        StaffMember, verbose_name="کارمند", on_delete=models.CASCADE, related_name="roles"
    )
    role = models.CharField("نقش", max_length=20, choices=Role.choices)
    office = models.ForeignKey(
        Office,
        verbose_name="دفتر",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="role_assignments",
    )
    district = models.ForeignKey(
        District,
        verbose_name="منطقه",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="role_assignments",
    )

    class Meta:
        verbose_name = "نقش کارمند"
        verbose_name_plural = "نقش‌های کارکنان"
        ordering = ["role"]
        indexes = [
            models.Index(fields=["office", "role"], name="role_office_role"),
            models.Index(fields=["district", "role"], name="role_district_role"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="role_assignment_period",
            ),
            models.CheckConstraint(
                condition=Q(office__isnull=True) | Q(district__isnull=True),
                name="role_assignment_one_scope",
            ),
        ]

    def __str__(self) -> str:
        where = self.office or self.district or "کل شهر"
        return f"{self.get_role_display()} — {where}"

    def clean(self) -> None:
        self.clean_period()
        scope = ROLE_SCOPE.get(self.role)
        if scope == Scope.OFFICE and (not self.office_id or self.district_id):
            raise ValidationError(
                {"office": "این نقش در یک دفتر تعریف می‌شود؛ دفتر را انتخاب کنید."}
            )
        if scope == Scope.DISTRICT and (not self.district_id or self.office_id):
            raise ValidationError(
                {"district": "این نقش در یک منطقه تعریف می‌شود؛ منطقه را انتخاب کنید."}
            )
        if scope == Scope.CITY and (self.office_id or self.district_id):
            raise ValidationError("این نقش برای کل شهر است؛ دفتر و منطقه را خالی بگذارید.")
        staff = staff_of(self)
        if self.role and staff is not None:
            error = qualification_error(self.role, staff.degree_level, staff.field)
            if error:
                raise ValidationError({"role": error})
