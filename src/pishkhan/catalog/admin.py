"""Admin for the service catalogue, document checklists and tariffs, in Persian.

A tariff is published through `do_publish_tariff`, which closes the one before it. Once a
tariff has taken effect only its last day may change; a new amount is a new tariff.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from django.utils import timezone

from pishkhan.catalog.actions import do_end_tariff, do_publish_tariff, publish_tariff_error
from pishkhan.catalog.models import DocumentRequirement, ResponseCondition, ServiceType, Tariff
from pishkhan.core.admin_helpers import (
    PersianSearchMixin,
    adopt,
    count_of,
    jalali_date,
    rials,
)
from pishkhan.core.digits import to_persian_digits
from pishkhan.core.forms import JalaliDatesMixin
from pishkhan.core.money import format_rials

TARIFF_FIELDS = (
    "service_type", "base_amount", "per_square_metre", "valid_from", "valid_until",
    "resolution", "approved_on",
)  # fmt: skip
TARIFF_ADD_FIELDS = tuple(f for f in TARIFF_FIELDS if f != "valid_until")
TARIFF_AMOUNT_FIELDS = ("base_amount", "per_square_metre", "resolution", "approved_on")


def has_taken_effect(tariff: Tariff) -> bool:
    """A tariff that has started may have been billed, so its amounts are frozen."""
    return tariff.valid_from <= timezone.localdate()


def tariffs_in_force(on: Any) -> QuerySet[Tariff]:
    return Tariff.objects.in_force(on)


TARIFF_COLUMNS = (
    rials("base_amount", "مبلغ پایه"),
    rials("per_square_metre", "هر مترمربع"),
    jalali_date("valid_from", "معتبر از"),
    jalali_date("valid_until", "معتبر تا"),
    "resolution",
    jalali_date("approved_on", "تاریخ تصویب"),
)


class DocumentRequirementInline(JalaliDatesMixin, admin.TabularInline):
    model = DocumentRequirement
    extra = 0
    fields = ("title", "is_mandatory", "note", "sort_order")


class TariffInline(JalaliDatesMixin, admin.TabularInline):
    """The service's tariffs, read only: new ones are published on the tariff page."""

    model = Tariff
    extra = 0
    can_delete = False
    show_change_link = True
    # Django takes callables in `fields` when they are also read-only; the stubs do not.
    fields = readonly_fields = TARIFF_COLUMNS  # type: ignore[assignment]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ServiceType)
class ServiceTypeAdmin(JalaliDatesMixin, PersianSearchMixin, admin.ModelAdmin):
    list_display = (
        "name",
        "code",
        "category",
        "parent",
        "current_fee",
        "document_count",
        "requires_visit",
        "online_allowed",
        "is_active",
    )
    list_select_related = ("parent",)
    list_filter = ("category", "is_active", "requires_visit", "online_allowed", "requires_parcel")
    search_fields = ("name", "code")
    autocomplete_fields = ("parent",)
    readonly_fields = ("created_at", "updated_at")
    inlines = (DocumentRequirementInline, TariffInline)

    def get_queryset(self, request: HttpRequest) -> QuerySet[ServiceType]:
        current = tariffs_in_force(timezone.localdate()).filter(service_type=OuterRef("pk"))
        return (
            super()
            .get_queryset(request)
            .annotate(
                fee_today=Subquery(current.order_by("-valid_from").values("base_amount")[:1]),
                n_documents=count_of(DocumentRequirement, "service_type"),
            )
        )

    @admin.display(description="مبلغ پایه تعرفه امروز", ordering="fee_today")
    def current_fee(self, obj: Any) -> str | None:
        return format_rials(obj.fee_today) or None

    @admin.display(description="مدارک لازم", ordering="n_documents")
    def document_count(self, obj: Any) -> str:
        return to_persian_digits(obj.n_documents)


@admin.register(DocumentRequirement)
class DocumentRequirementAdmin(JalaliDatesMixin, PersianSearchMixin, admin.ModelAdmin):
    list_display = ("title", "service_type", "is_mandatory", "sort_order")
    list_select_related = ("service_type",)
    list_filter = ("service_type__category", "is_mandatory", "service_type")
    search_fields = ("title", "service_type__name")
    autocomplete_fields = ("service_type",)


class TariffPeriodFilter(admin.SimpleListFilter):
    title = "دوره اجرا"
    parameter_name = "period"

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin[Any]
    ) -> list[tuple[str, str]]:
        return [("current", "در حال اجرا"), ("future", "آینده"), ("past", "پایان‌یافته")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Tariff]) -> QuerySet[Tariff]:
        today = timezone.localdate()
        if self.value() == "current":
            return queryset.filter(pk__in=tariffs_in_force(today).values("pk"))
        if self.value() == "future":
            return queryset.filter(valid_from__gt=today)
        if self.value() == "past":
            return queryset.filter(valid_until__lt=today)
        return queryset


class TariffAdminForm(forms.ModelForm):
    class Meta:
        model = Tariff
        fields = TARIFF_FIELDS

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        service_type, valid_from = cleaned.get("service_type"), cleaned.get("valid_from")
        if self.instance.pk is None and service_type and valid_from:
            error = publish_tariff_error(service_type, valid_from)
            if error:
                self.add_error("valid_from", error)
        return cleaned


@admin.register(Tariff)
class TariffAdmin(JalaliDatesMixin, PersianSearchMixin, admin.ModelAdmin):
    form = TariffAdminForm
    list_display = ("service_type", *TARIFF_COLUMNS, "in_force_today")
    list_select_related = ("service_type",)
    list_filter = (TariffPeriodFilter, "service_type__category", "service_type")
    search_fields = ("service_type__name", "service_type__code", "resolution")
    autocomplete_fields = ("service_type",)

    @admin.display(description="در حال اجرا", boolean=True)
    def in_force_today(self, obj: Tariff) -> bool:
        today = timezone.localdate()
        return obj.valid_from <= today and (obj.valid_until is None or today <= obj.valid_until)

    def get_fields(self, request: HttpRequest, obj: Tariff | None = None) -> Any:
        return TARIFF_ADD_FIELDS if obj is None else TARIFF_FIELDS

    def get_readonly_fields(self, request: HttpRequest, obj: Tariff | None = None) -> Any:
        if obj is None:
            return ()
        if has_taken_effect(obj):
            return ("service_type", "valid_from", *TARIFF_AMOUNT_FIELDS)
        return ("service_type", "valid_from")

    def has_delete_permission(self, request: HttpRequest, obj: Tariff | None = None) -> bool:
        # Only a tariff that has not started yet may be withdrawn, one at a time.
        return (
            obj is not None
            and not has_taken_effect(obj)
            and super().has_delete_permission(request, obj)
        )

    def save_model(self, request: HttpRequest, obj: Tariff, form: Any, change: bool) -> None:
        if not change:
            adopt(
                obj,
                do_publish_tariff(
                    obj.service_type,
                    obj.base_amount,
                    obj.per_square_metre,
                    obj.valid_from,
                    obj.resolution,
                    obj.approved_on,
                ),
            )
        elif has_taken_effect(obj):
            do_end_tariff(obj, obj.valid_until)
        else:
            super().save_model(request, obj, form, change)


@admin.register(ResponseCondition)
class ResponseConditionAdmin(PersianSearchMixin, admin.ModelAdmin):
    list_display = ("text", "code", "is_active", "sort_order")
    list_filter = ("is_active", "services")
    search_fields = ("text", "code")
    filter_horizontal = ("services",)
    readonly_fields = ("created_at", "updated_at")
