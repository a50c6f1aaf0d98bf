"""Small pieces every admin in the project shares: Jalali dates, Persian digits, masked
personal data, the demo flag and a search box that accepts Persian digits and letters."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest

from pishkhan.core.digits import normalize_persian_text, to_ascii_digits, to_persian_digits
from pishkhan.core.jalali import format_jalali_date, format_jalali_datetime
from pishkhan.core.money import format_rials, group_digits
from pishkhan.core.national_id import mask_national_id
from pishkhan.core.phone import mask_mobile

Column = Callable[[Any], Any]

DEMO_LABEL = "نمایشی"


def _named(function: Column, name: str) -> Column:
    # The changelist names a column's CSS class after the function; keep them distinct.
    function.__name__ = name
    return function


def jalali_date(field: str, description: str, style: str = "short") -> Column:
    """A sortable list column showing a date field as a Jalali date in Persian digits."""

    @admin.display(description=description, ordering=field)
    def show(obj: models.Model) -> str | None:
        return format_jalali_date(getattr(obj, field), style) or None

    return _named(show, f"{field}_jalali")


def jalali_datetime(field: str, description: str) -> Column:
    """A sortable list column showing an aware datetime in Tehran time, Jalali."""

    @admin.display(description=description, ordering=field)
    def show(obj: models.Model) -> str | None:
        return format_jalali_datetime(getattr(obj, field)) or None

    return _named(show, f"{field}_jalali")


def persian_number(field: str, description: str) -> Column:
    """A sortable list column showing a number (or code) in Persian digits."""

    @admin.display(description=description, ordering=field)
    def show(obj: models.Model) -> str | None:
        value = getattr(obj, field)
        if value is None:
            return None
        return group_digits(value) if isinstance(value, int) else to_persian_digits(value)

    return _named(show, f"{field}_fa")


def persian_code(field: str, description: str) -> Column:
    """A code (office code, renewal code) in Persian digits, never grouped; `field` may
    follow relations (``parcel__renewal_code``)."""

    @admin.display(description=description, ordering=field)
    def show(obj: models.Model) -> str | None:
        value: object = obj
        for part in field.split("__"):
            value = getattr(value, part, None)
            if value is None:
                return None
        return to_persian_digits(value) if value != "" else None

    return _named(show, f"{field}_fa")


def rials(field: str, description: str) -> Column:
    """A sortable list column showing an integer amount as rials."""

    @admin.display(description=description, ordering=field)
    def show(obj: models.Model) -> str | None:
        return format_rials(getattr(obj, field)) or None

    return _named(show, f"{field}_rials")


def masked_national_id(field: str = "national_id", description: str = "کد ملی") -> Column:
    """A national ID showing only its last four digits, so lists never expose it whole."""

    @admin.display(description=description)
    def show(obj: models.Model) -> str | None:
        value = getattr(obj, field)
        return to_persian_digits(mask_national_id(value)) if value else None

    return _named(show, f"{field}_masked")


def masked_mobile(field: str = "mobile", description: str = "شماره همراه") -> Column:
    @admin.display(description=description)
    def show(obj: models.Model) -> str | None:
        value = getattr(obj, field)
        return to_persian_digits(mask_mobile(value)) if value else None

    return _named(show, f"{field}_masked")


@admin.display(description=DEMO_LABEL, ordering="is_demo", empty_value="")
def demo_flag(obj: models.Model) -> str:
    """'نمایشی' on rows the demo-city loader wrote, empty on real rows."""
    return DEMO_LABEL if getattr(obj, "is_demo", False) else ""


def count_of(model: type[models.Model], fk: str, **filters: Any) -> Coalesce:
    """A correlated COUNT(*) of `model` rows pointing at the outer row through `fk`.

    A subquery rather than Count() over a join, so two counts on one list never multiply.
    """
    rows = (
        model._default_manager.filter(**{fk: OuterRef("pk")}, **filters)
        .order_by()
        .values(fk)
        .annotate(n=models.Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=models.IntegerField()), 0)


class PersianSearchMixin:
    """Search with Persian or Arabic-Indic digits and Arabic ي/ك as well as ASCII.

    Codes and IDs are stored with ASCII digits while names and addresses may hold Persian
    ones, so both spellings of the term are searched.
    """

    def get_search_results(
        self, request: HttpRequest, queryset: models.QuerySet[Any], search_term: str
    ) -> tuple[models.QuerySet[Any], bool]:
        term = normalize_persian_text(search_term)
        found, duplicates = super().get_search_results(  # type: ignore[misc]
            request, queryset, term
        )
        ascii_term = to_ascii_digits(term)
        if ascii_term != term:
            more, more_duplicates = super().get_search_results(  # type: ignore[misc]
                request, queryset, ascii_term
            )
            found, duplicates = found | more, duplicates or more_duplicates
        return found, duplicates


def model_field_values(instance: models.Model) -> dict[str, Any]:
    """The editable concrete field values of an unsaved instance, by attname: what a
    create action takes as keyword arguments when an admin form built the instance."""
    return {
        f.attname: f.value_from_object(instance)
        for f in instance._meta.concrete_fields
        if f.editable and not f.primary_key
    }


def adopt(target: models.Model, saved: models.Model) -> None:
    """Make the admin's unsaved instance the row an action saved, so the admin's log
    entry and redirect point at it."""
    target.__dict__.update(saved.__dict__)


def acting_user(request: HttpRequest) -> AbstractUser | None:
    """The signed-in account an admin action is recorded against (the project's user
    model is an AbstractUser; core names no app's model)."""
    return request.user if isinstance(request.user, AbstractUser) else None


def persian_display_for_field(
    value: Any, field: models.Field[Any, Any], empty_value_display: str, avoid_link: bool = False
) -> Any:
    """Django admin's `display_for_field`, with dates in Jalali and numbers in Persian
    digits: what read-only fields and plain list columns show."""
    from django.contrib.admin.utils import display_for_field

    if getattr(field, "flatchoices", None) or value in (None, ""):
        return display_for_field(value, field, empty_value_display, avoid_link)
    if isinstance(field, models.DateTimeField):
        return format_jalali_datetime(value)
    if isinstance(field, models.DateField):
        return format_jalali_date(value)
    shown = display_for_field(value, field, empty_value_display, avoid_link)
    if isinstance(field, (models.IntegerField, models.DecimalField, models.FloatField)):
        return to_persian_digits(str(shown))
    return shown


def install_persian_admin_display() -> None:
    """Route the admin's read-only fields and list cells through the Persian display.

    The admin imports `display_for_field` by name into these two modules, and offers no
    hook for it, so the names are rebound once at start-up (CoreConfig.ready)."""
    from django.contrib.admin import helpers
    from django.contrib.admin.templatetags import admin_list

    helpers.display_for_field = persian_display_for_field  # type: ignore[attr-defined]
    admin_list.display_for_field = persian_display_for_field  # type: ignore[attr-defined]


class ReadOnlyAdmin(admin.ModelAdmin):
    """The admin of records that change only through actions (each with its event):
    shown, never added, edited or deleted here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
