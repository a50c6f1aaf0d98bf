"""Admin for sign-in accounts and citizens, in Persian."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from pishkhan.accounts.models import Citizen, User
from pishkhan.core.admin_helpers import (
    PersianSearchMixin,
    demo_flag,
    jalali_date,
    jalali_datetime,
    masked_mobile,
    masked_national_id,
)
from pishkhan.core.forms import JalaliDatesMixin


@admin.register(User)
class UserAdmin(JalaliDatesMixin, PersianSearchMixin, DjangoUserAdmin):
    list_display = (
        "username",
        "first_name",
        "last_name",
        "email",
        "is_staff",
        "is_superuser",
        "is_active",
        jalali_datetime("last_login", "آخرین ورود"),
        jalali_date("date_joined", "تاریخ عضویت"),
    )
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("username", "first_name", "last_name", "email")
    ordering = ("username",)


class HasAccountFilter(admin.SimpleListFilter):
    title = "حساب کاربری"
    parameter_name = "has_account"

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin[Any]
    ) -> list[tuple[str, str]]:
        return [("yes", "دارد"), ("no", "ندارد")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Citizen]) -> QuerySet[Citizen]:
        if self.value() in ("yes", "no"):
            return queryset.filter(user__isnull=self.value() == "no")
        return queryset


@admin.register(Citizen)
class CitizenAdmin(JalaliDatesMixin, PersianSearchMixin, admin.ModelAdmin):
    list_display = (
        "last_name",
        "first_name",
        masked_national_id(),
        masked_mobile(),
        "user",
        jalali_date("created_at", "تاریخ ثبت"),
        demo_flag,
    )
    list_display_links = ("last_name", "first_name")
    list_select_related = ("user",)
    list_filter = (HasAccountFilter, "is_demo")
    search_fields = ("national_id", "last_name", "first_name", "mobile")
    autocomplete_fields = ("user",)
    readonly_fields = ("created_at", "updated_at")
