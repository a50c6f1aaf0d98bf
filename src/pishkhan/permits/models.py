"""Building permits: typed records a case issues and that outlive it, with an event row
per change of status or validity, and the yearly counter of their numbers."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q, QuerySet

from pishkhan.cases.models import YearlyCounter
from pishkhan.geo.models import LandUse


class PermitKind(models.TextChoices):
    """The permit groups of the catalog (children of the service permit_building)."""

    NEW = "new", "احداث بنای جدید"
    DEMOLITION_REBUILD = "demolition_rebuild", "تخریب و نوسازی"
    EXTENSION = "extension", "تمدید"
    REPLACEMENT = "replacement", "تعویض"
    EXPANSION = "expansion", "توسعه بنا"
    REPAIRS = "repairs", "تعمیرات"
    LEGACY = "legacy", "صادرشده پیش از سامانه"


class PermitStatus(models.TextChoices):
    VALID = "valid", "معتبر"
    EXTENDED = "extended", "تمدیدشده"
    REPLACED = "replaced", "تعویض‌شده"
    EXPIRED = "expired", "منقضی"
    REVOKED = "revoked", "ابطال‌شده"


# A permit in one of these may still be built on (until its valid_until).
LIVE_STATUSES = (PermitStatus.VALID, PermitStatus.EXTENDED)


class PermitEventKind(models.TextChoices):
    ISSUED = "issued", "صدور"
    EXTENDED = "extended", "تمدید"
    REPLACED = "replaced", "تعویض با پروانه جدید"
    EXPANDED = "expanded", "صدور پروانه توسعه"
    REPAIRS = "repairs", "صدور پروانه تعمیرات"
    EXPIRED = "expired", "انقضا"
    REVOKED = "revoked", "ابطال"


class PermitQuerySet(models.QuerySet["BuildingPermit"]):
    def in_force(self, on: dt.date) -> QuerySet[BuildingPermit]:
        """Permits that may be built on, on the day `on` (one meaning everywhere)."""
        return self.filter(status__in=LIVE_STATUSES, valid_from__lte=on, valid_until__gte=on)

    def lapsed(self, on: dt.date) -> QuerySet[BuildingPermit]:
        """Live by status but past their validity on `on`: what the expiry job closes."""
        return self.filter(status__in=LIVE_STATUSES, valid_until__lt=on)

    def expiring(self, on: dt.date, within_days: int) -> QuerySet[BuildingPermit]:
        return self.in_force(on).filter(valid_until__lte=on + dt.timedelta(days=within_days))


class BuildingPermit(models.Model):
    """One building permit (پروانه ساختمانی). Its facts (what may be built) never change
    after issue; its status and validity change only through the permits' actions and
    effects, each with a `PermitEvent`."""

    number = models.CharField("شماره پروانه", max_length=12, unique=True)
    kind = models.CharField("گروه پروانه", max_length=20, choices=PermitKind.choices)
    status = models.CharField(
        "وضعیت", max_length=12, choices=PermitStatus.choices, default=PermitStatus.VALID
    )
    parcel = models.ForeignKey(
        "geo.Parcel", verbose_name="ملک", on_delete=models.PROTECT, related_name="permits"
    )
    # denormalised from the parcel: the district's staff see its permits (scope)
    district = models.ForeignKey(
        "geo.District", verbose_name="منطقه", on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(
        "accounts.Citizen",
        verbose_name="مالک",
        on_delete=models.PROTECT,
        related_name="permits",
        null=True,
        blank=True,
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name="پرونده صادرکننده",
        on_delete=models.PROTECT,
        related_name="issued_permits",
        null=True,
        blank=True,
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="پروانه پایه",
        on_delete=models.PROTECT,
        related_name="children",
        null=True,
        blank=True,
    )
    land_use = models.CharField("کاربری", max_length=20, choices=LandUse.choices)
    floors = models.PositiveSmallIntegerField("تعداد طبقات", validators=[MinValueValidator(1)])
    units = models.PositiveSmallIntegerField("تعداد واحد", default=1)
    land_area = models.DecimalField("مساحت عرصه (مترمربع)", max_digits=10, decimal_places=2)
    built_area = models.DecimalField("زیربنای کل (مترمربع)", max_digits=10, decimal_places=2)
    description = models.CharField("شرح", max_length=500, blank=True)
    issued_on = models.DateField("تاریخ صدور")
    valid_from = models.DateField("معتبر از")
    valid_until = models.DateField("معتبر تا")
    extensions = models.PositiveSmallIntegerField("دفعات تمدید", default=0)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="تأییدکننده صدور",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField("زمان ثبت", auto_now_add=True)

    objects = PermitQuerySet.as_manager()

    class Meta:
        verbose_name = "پروانه ساختمانی"
        verbose_name_plural = "پروانه‌های ساختمانی"
        ordering = ["-issued_on", "-pk"]
        indexes = [
            # the expiry job and the about-to-expire page: live permits by end of validity
            models.Index(fields=["status", "valid_until"], name="permit_status_until"),
            models.Index(
                fields=["district", "status", "valid_until"], name="permit_district_until"
            ),
            models.Index(fields=["parcel", "-issued_on"], name="permit_parcel_issued"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("valid_from")), name="permit_valid_range"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES


class PermitEvent(models.Model):
    """An append-only row per change of a permit: what happened, by whom, in which case,
    and the validity before and after."""

    permit = models.ForeignKey(
        BuildingPermit, verbose_name="پروانه", on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField("رویداد", max_length=12, choices=PermitEventKind.choices)
    at = models.DateTimeField("زمان")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="انجام‌دهنده",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name="پرونده",
        on_delete=models.PROTECT,
        related_name="permit_events",
        null=True,
        blank=True,
    )
    from_status = models.CharField("وضعیت پیشین", max_length=12, blank=True)
    to_status = models.CharField("وضعیت جدید", max_length=12)
    valid_until_before = models.DateField("اعتبار پیشین تا", null=True, blank=True)
    valid_until_after = models.DateField("اعتبار جدید تا", null=True, blank=True)
    related = models.ForeignKey(
        BuildingPermit,
        verbose_name="پروانه مرتبط",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    note = models.CharField("توضیح", max_length=500, blank=True)

    class Meta:
        verbose_name = "رویداد پروانه"
        verbose_name_plural = "رویدادهای پروانه"
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["permit", "at"], name="permit_event_permit_at")]

    def __str__(self) -> str:
        return f"{self.permit_id}: {self.get_kind_display()}"


class PermitSequence(YearlyCounter):
    """The last permit number handed out in a Jalali year (see cases.tracking)."""

    class Meta:
        verbose_name = "شمارنده شماره پروانه"
        verbose_name_plural = "شمارنده‌های شماره پروانه"
