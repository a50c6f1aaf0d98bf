"""The restoration rate table in the admin: a new rate is published through the action
(closing the one before it); a rate an issued permit used is read-only, so no edit can
seem to change a deposit (each permit keeps its own copy anyway)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest

from pishkhan.audit.admin import ReadOnly
from pishkhan.excavation.actions import do_publish_restoration_rate
from pishkhan.excavation.models import ExcavationPermit, PermitEvent, RestorationRate


@admin.register(RestorationRate)
class RestorationRateAdmin(admin.ModelAdmin):
    list_display = ("street_type", "per_square_metre", "valid_from", "valid_until", "resolution")
    list_filter = ("street_type",)
    fields = (
        "street_type",
        "per_square_metre",
        "valid_from",
        "valid_until",
        "resolution",
        "approved_on",
    )

    # A published rate is never edited or deleted (as a tariff): a correction is a new
    # rate, published through do_publish_restoration_rate, which closes the old one, so
    # the rates of a street type never overlap or leave a gap.
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: RestorationRate, form: Any, change: bool
    ) -> None:
        if change:
            raise PermissionDenied("نرخ منتشرشده تغییر نمی‌کند؛ نرخ تازه‌ای منتشر کنید.")
        try:
            published = do_publish_restoration_rate(
                obj.street_type,
                obj.per_square_metre,
                obj.valid_from,
                obj.resolution,
                obj.approved_on,
            )
        except ValidationError as error:
            raise ValidationError(error.messages) from None
        obj.pk = published.pk


class PermitEventInline(admin.TabularInline):
    model = PermitEvent
    extra = 0
    can_delete = False
    readonly_fields = ("kind", "at", "actor", "note")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ExcavationPermit)
class ExcavationPermitAdmin(ReadOnly):
    """Permits are issued by the workflow and changed by it only: read-only here."""

    list_display = ("number", "status", "valid_from", "valid_until", "deposit")
    list_filter = ("status", "street_type")
    search_fields = ("number", "case__tracking_code")
    inlines = [PermitEventInline]
