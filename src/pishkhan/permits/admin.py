"""Admin for building permits, in Persian, read-only: a permit changes only through the
permits' actions and effects (each with its event), never by editing a row."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from pishkhan.core.admin_helpers import (
    PersianSearchMixin,
    ReadOnlyAdmin,
    jalali_date,
    jalali_datetime,
)
from pishkhan.permits.models import BuildingPermit, PermitEvent


class PermitEventInline(admin.TabularInline):
    model = PermitEvent
    fk_name = "permit"
    extra = 0
    can_delete = False
    fields = ("kind", "at", "from_status", "to_status", "valid_until_after", "case", "note")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(BuildingPermit)
class BuildingPermitAdmin(PersianSearchMixin, ReadOnlyAdmin):
    list_display = (
        "number",
        "kind",
        "status",
        "district",
        jalali_date("issued_on", "تاریخ صدور"),
        jalali_date("valid_until", "معتبر تا"),
        "extensions",
    )
    list_filter = ("kind", "status", "district")
    search_fields = ("number", "parcel__renewal_code", "parcel__address")
    list_select_related = ("district",)
    raw_id_fields = ("parcel", "owner", "case", "parent", "issued_by")
    inlines = [PermitEventInline]


@admin.register(PermitEvent)
class PermitEventAdmin(ReadOnlyAdmin):
    list_display = ("permit", "kind", jalali_datetime("at", "زمان"), "to_status")
    list_filter = ("kind",)
    search_fields = ("permit__number",)
    list_select_related = ("permit",)
