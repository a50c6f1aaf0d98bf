"""Admin for districts, parcels and the conditions recorded on them, in Persian."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from pishkhan.core.admin_helpers import (
    PersianSearchMixin,
    count_of,
    demo_flag,
    jalali_date,
    jalali_datetime,
    persian_code,
    persian_number,
    rials,
)
from pishkhan.core.digits import to_persian_digits
from pishkhan.core.forms import JalaliDatesMixin
from pishkhan.geo.models import District, Parcel, ParcelCertificate, ParcelCondition


@admin.register(District)
class DistrictAdmin(JalaliDatesMixin, PersianSearchMixin, admin.ModelAdmin):
    # The offices app (above geo) registers a subclass that adds the offices' count.
    list_display: tuple[Any, ...] = (
        persian_number("number", "شماره منطقه"),
        "name",
        "parcel_count",
        demo_flag,
    )
    list_display_links = ("name",)
    list_filter = ("is_demo",)
    search_fields = ("name", "number__exact")

    def get_queryset(self, request: HttpRequest) -> QuerySet[District]:
        return super().get_queryset(request).annotate(n_parcels=count_of(Parcel, "district"))

    @admin.display(description="املاک", ordering="n_parcels")
    def parcel_count(self, obj: Any) -> str:
        return to_persian_digits(obj.n_parcels)


class OpenResolvedFilter(admin.SimpleListFilter):
    title = "رفع شده"
    parameter_name = "resolved"

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin[Any]
    ) -> list[tuple[str, str]]:
        return [("open", "باز"), ("resolved", "رفع‌شده")]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[ParcelCondition]
    ) -> QuerySet[ParcelCondition]:
        if self.value() == "open":
            return queryset.filter(resolved_at__isnull=True)
        if self.value() == "resolved":
            return queryset.filter(resolved_at__isnull=False)
        return queryset


class ParcelConditionInline(JalaliDatesMixin, admin.TabularInline):
    model = ParcelCondition
    extra = 0
    fields = ("kind", "title", "amount", "widening_m", "recorded_on", "resolved_at")


class ParcelCertificateInline(JalaliDatesMixin, admin.TabularInline):
    model = ParcelCertificate
    extra = 0
    fields = ("kind", "number", "issued_on", "built_area", "floors", "revoked_at")


@admin.register(Parcel)
class ParcelAdmin(JalaliDatesMixin, PersianSearchMixin, admin.ModelAdmin):
    list_display = (
        "plate",
        persian_code("renewal_code", "کد نوسازی"),
        "district",
        "land_use",
        persian_number("land_area", "مساحت عرصه (مترمربع)"),
        rials("zone_price", "قیمت منطقه‌ای هر مترمربع"),
        "open_condition_count",
        demo_flag,
    )
    list_display_links = ("plate",)
    list_select_related = ("district",)
    list_filter = ("district", "land_use", "is_demo")
    search_fields = ("renewal_code", "postal_code", "address", "plate_main__exact", "plan_zone")
    inlines = (ParcelConditionInline, ParcelCertificateInline)
    readonly_fields = ("created_at", "updated_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Parcel]:
        return (
            super()
            .get_queryset(request)
            .annotate(n_open=count_of(ParcelCondition, "parcel", resolved_at__isnull=True))
        )

    @admin.display(description="پلاک ثبتی", ordering="plate_main")
    def plate(self, obj: Parcel) -> str:
        return obj.plate_label

    @admin.display(description="وضعیت‌های باز", ordering="n_open")
    def open_condition_count(self, obj: Any) -> str:
        return to_persian_digits(obj.n_open)


@admin.register(ParcelCondition)
class ParcelConditionAdmin(JalaliDatesMixin, PersianSearchMixin, admin.ModelAdmin):
    list_display = (
        "title",
        "kind",
        "parcel",
        rials("amount", "مبلغ"),
        jalali_date("recorded_on", "تاریخ ثبت"),
        jalali_datetime("resolved_at", "زمان رفع"),
        demo_flag,
    )
    list_select_related = ("parcel__district",)
    list_filter = ("kind", OpenResolvedFilter, "parcel__district", "is_demo")
    search_fields = ("title", "parcel__renewal_code", "parcel__address")
    autocomplete_fields = ("parcel",)
    readonly_fields = ("created_at", "updated_at")


@admin.register(ParcelCertificate)
class ParcelCertificateAdmin(JalaliDatesMixin, PersianSearchMixin, admin.ModelAdmin):
    list_display = (
        "number",
        "kind",
        "parcel",
        jalali_date("issued_on", "تاریخ صدور"),
        jalali_datetime("revoked_at", "زمان ابطال"),
        demo_flag,
    )
    list_select_related = ("parcel__district",)
    list_filter = ("kind", "parcel__district", "is_demo")
    search_fields = ("number", "parcel__renewal_code", "parcel__address")
    autocomplete_fields = ("parcel",)
    readonly_fields = ("created_at", "updated_at")
