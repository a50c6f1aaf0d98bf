"""Admin for offices, their history and contracts, staff and roles, in Persian.

An office is created and changed through its actions, so every change of status,
district or address lands in the office's history with who made it and why.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from pishkhan.core.admin_helpers import (
    PersianSearchMixin,
    acting_user,
    adopt,
    count_of,
    demo_flag,
    jalali_date,
    jalali_datetime,
    masked_mobile,
    masked_national_id,
    model_field_values,
    persian_code,
    persian_number,
)
from pishkhan.core.digits import to_persian_digits
from pishkhan.core.forms import JalaliDatesMixin
from pishkhan.geo import admin as geo_admin
from pishkhan.geo.models import District
from pishkhan.offices.actions import do_create_office, do_update_office
from pishkhan.offices.models import (
    EmploymentContract,
    Office,
    OfficeChange,
    OfficeContract,
    RoleAssignment,
    StaffMember,
)

REASON_HELP = "برای تغییر وضعیت، منطقه یا نشانی لازم است و در تاریخچه دفتر ثبت می‌شود."
OFFICE_FIELDSETS: list[tuple[str, dict[str, Any]]] = [
    ("دفتر", {"fields": ("code", "name", "district", "address", ("lat", "lng"), "phone")}),
    ("مدیریت و ظرفیت", {"fields": ("manager", "status", "capacity")}),
    (
        "پروانه سازمان تنظیم مقررات",
        {"fields": ("cra_licence_number", "cra_licence_valid_from", "cra_licence_valid_until")},
    ),
]
OFFICE_FIELD_NAMES = frozenset(f.name for f in Office._meta.concrete_fields)


class OfficeAdminForm(forms.ModelForm):
    reason = forms.CharField(
        label="علت تغییر", max_length=300, required=False, help_text=REASON_HELP
    )

    class Meta:
        model = Office
        fields = (
            "code", "name", "district", "address", "lat", "lng", "phone", "manager",
            "status", "capacity", "cra_licence_number", "cra_licence_valid_from",
            "cra_licence_valid_until",
        )  # fmt: skip

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        tracked_change = set(self.changed_data) & set(OfficeChange.TRACKED_FIELDS)
        if self.instance.pk and tracked_change and not cleaned.get("reason", "").strip():
            self.add_error("reason", "علت این تغییر را بنویسید؛ در تاریخچه دفتر ثبت می‌شود.")
        return cleaned


@admin.display(description="ویژگی")
def changed_field_label(obj: OfficeChange) -> str:
    try:
        return str(getattr(Office._meta.get_field(obj.field), "verbose_name", obj.field))
    except FieldDoesNotExist:  # a field renamed since the row was written
        return obj.field


class OfficeChangeInline(JalaliDatesMixin, admin.TabularInline):
    model = OfficeChange
    extra = 0
    can_delete = False
    # Django takes callables in `fields` when they are also read-only; the stubs do not.
    fields = readonly_fields = (  # type: ignore[assignment]
        changed_field_label,
        "old_value",
        "new_value",
        "reason",
        "changed_by",
        jalali_datetime("changed_at", "زمان تغییر"),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[OfficeChange]:
        return super().get_queryset(request).select_related("changed_by")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class DistrictAdmin(geo_admin.DistrictAdmin):
    """The districts' admin of geo, with the number of offices in each (geo, below the
    offices app, knows nothing of offices: this app adds the column)."""

    list_display = (
        *geo_admin.DistrictAdmin.list_display[:2],
        "office_count",
        *geo_admin.DistrictAdmin.list_display[2:],
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[District]:
        return super().get_queryset(request).annotate(n_offices=count_of(Office, "district"))

    @admin.display(description="دفاتر", ordering="n_offices")
    def office_count(self, obj: Any) -> str:
        return to_persian_digits(obj.n_offices)


admin.site.unregister(District)
admin.site.register(District, DistrictAdmin)


@admin.register(Office)
class OfficeAdmin(JalaliDatesMixin, PersianSearchMixin, admin.ModelAdmin):
    form = OfficeAdminForm
    list_display = (
        persian_code("code", "کد دفتر"),
        "name",
        "district",
        "status",
        "manager",
        jalali_date("cra_licence_valid_until", "اعتبار پروانه تا"),
        "licence_valid",
        persian_number("capacity", "ظرفیت روزانه"),
        demo_flag,
    )
    list_display_links = ("name",)
    list_select_related = ("district", "manager__user")
    list_filter = ("status", "district", "is_demo")
    search_fields = ("code", "name", "address", "cra_licence_number")
    autocomplete_fields = ("manager",)
    readonly_fields = ("created_at", "updated_at")

    def get_fieldsets(self, request: HttpRequest, obj: Office | None = None) -> Any:
        if obj is None:
            return OFFICE_FIELDSETS
        return [*OFFICE_FIELDSETS, ("علت تغییر", {"fields": ("reason",)})]

    def get_inlines(self, request: HttpRequest, obj: Office | None) -> Any:
        return [OfficeChangeInline] if obj is not None else []

    @admin.display(description="پروانه معتبر", boolean=True)
    def licence_valid(self, obj: Office) -> bool:
        return obj.licence_is_valid()

    def save_model(self, request: HttpRequest, obj: Office, form: Any, change: bool) -> None:
        actor = acting_user(request)
        if not change:
            adopt(obj, do_create_office(actor, **model_field_values(obj)))
            return
        changes = {
            name: form.cleaned_data[name]
            for name in form.changed_data
            if name in OFFICE_FIELD_NAMES
        }
        do_update_office(obj, actor, form.cleaned_data.get("reason", ""), **changes)


@admin.register(OfficeChange)
class OfficeChangeAdmin(JalaliDatesMixin, PersianSearchMixin, admin.ModelAdmin):
    """History is written by the office actions only; here it is read."""

    list_display = (
        "office",
        changed_field_label,
        "old_value",
        "new_value",
        "reason",
        "changed_by",
        jalali_datetime("changed_at", "زمان تغییر"),
    )
    list_select_related = ("office", "changed_by")
    list_filter = ("field", "office__district")
    search_fields = ("office__name", "office__code", "reason", "old_value", "new_value")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(OfficeContract)
class OfficeContractAdmin(JalaliDatesMixin, PersianSearchMixin, admin.ModelAdmin):
    list_display = (
        persian_code("number", "شماره قرارداد"),
        "office",
        "status",
        jalali_date("signed_on", "تاریخ امضا"),
        jalali_date("starts_on", "از تاریخ"),
        jalali_date("ends_on", "تا تاریخ"),
        demo_flag,
    )
    list_select_related = ("office",)
    list_filter = ("status", "office__district", "is_demo")
    search_fields = ("number", "office__name", "office__code")
    autocomplete_fields = ("office",)
    filter_horizontal = ("services",)
    readonly_fields = ("created_at", "updated_at")


class RoleAssignmentInline(JalaliDatesMixin, admin.TabularInline):
    model = RoleAssignment
    extra = 0
    fields = ("role", "office", "district", "starts_on", "ends_on")
    autocomplete_fields = ("office", "district")

    def get_queryset(self, request: HttpRequest) -> QuerySet[RoleAssignment]:
        return super().get_queryset(request).select_related("office", "district")


class EmploymentContractInline(JalaliDatesMixin, admin.TabularInline):
    model = EmploymentContract
    extra = 0
    fields = ("number", "office", "role", "status", "starts_on", "ends_on")
    autocomplete_fields = ("office",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[EmploymentContract]:
        return super().get_queryset(request).select_related("office")


@admin.register(StaffMember)
class StaffMemberAdmin(JalaliDatesMixin, PersianSearchMixin, admin.ModelAdmin):
    list_display = (
        "__str__",
        masked_national_id(),
        masked_mobile(),
        "degree_level",
        "field",
        "roles_today",
        demo_flag,
    )
    list_select_related = ("user",)
    list_filter = ("roles__role", "degree_level", "field", "roles__office__district", "is_demo")
    search_fields = (
        "user__first_name",
        "user__last_name",
        "user__username",
        "national_id",
        "mobile",
    )
    autocomplete_fields = ("user",)
    readonly_fields = ("created_at", "updated_at")
    inlines = (RoleAssignmentInline, EmploymentContractInline)

    def get_queryset(self, request: HttpRequest) -> QuerySet[StaffMember]:
        today = timezone.localdate()
        in_force = RoleAssignment.objects.in_force(today).select_related("office", "district")
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("roles", queryset=in_force, to_attr="roles_in_force"))
        )

    @admin.display(description="نقش‌های امروز")
    def roles_today(self, obj: Any) -> str:
        return "، ".join(str(role) for role in obj.roles_in_force)


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(JalaliDatesMixin, PersianSearchMixin, admin.ModelAdmin):
    list_display = (
        "staff",
        "role",
        "office",
        "district",
        jalali_date("starts_on", "از تاریخ"),
        jalali_date("ends_on", "تا تاریخ"),
    )
    list_select_related = ("staff__user", "office", "district")
    list_filter = ("role", "office__district", "district")
    search_fields = (
        "staff__user__first_name",
        "staff__user__last_name",
        "staff__national_id",
        "office__name",
        "office__code",
    )
    autocomplete_fields = ("staff", "office", "district")
    readonly_fields = ("created_at", "updated_at")


@admin.register(EmploymentContract)
class EmploymentContractAdmin(JalaliDatesMixin, PersianSearchMixin, admin.ModelAdmin):
    list_display = (
        persian_code("number", "شماره قرارداد"),
        "staff",
        "role",
        "office",
        "status",
        jalali_date("starts_on", "از تاریخ"),
        jalali_date("ends_on", "تا تاریخ"),
        demo_flag,
    )
    list_select_related = ("staff__user", "office")
    list_filter = ("role", "status", "office__district", "is_demo")
    search_fields = (
        "number",
        "staff__user__first_name",
        "staff__user__last_name",
        "staff__national_id",
        "office__name",
    )
    autocomplete_fields = ("staff", "office")
    readonly_fields = ("created_at", "updated_at")
