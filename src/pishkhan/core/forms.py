"""Form fields every Persian screen shares: a date typed and shown as a Jalali date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, ClassVar

from django import forms
from django.db import models
from django.db.models import Field

from pishkhan.core.jalali import format_jalali_date, parse_jalali_date

JALALI_PLACEHOLDER = "۱۴۰۵/۰۱/۱۵"


class JalaliDateInput(forms.TextInput):
    """A plain text box showing the date as ۱۴۰۵/۰۱/۱۵ (no Gregorian calendar pop-up)."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        defaults = {
            "placeholder": JALALI_PLACEHOLDER,
            "dir": "ltr",
            "inputmode": "numeric",
            "autocomplete": "off",
            "size": "12",
            "class": "jalali-date",
        }
        super().__init__({**defaults, **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, dt.date):
            return format_jalali_date(value)
        return super().format_value(value)


class JalaliDateField(forms.DateField):
    """Accepts ۱۴۰۲/۰۸/۱۵, 1402-8-15 or Arabic-Indic digits; cleans to a Gregorian date."""

    widget = JalaliDateInput

    def to_python(self, value: Any) -> dt.date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        return parse_jalali_date(str(value))


class JalaliDatesMixin:
    """For a ModelAdmin or inline: every date field is typed and shown in Jalali."""

    formfield_overrides: ClassVar[Mapping[type[Field[Any, Any]], Mapping[str, Any]]] = {
        models.DateField: {"form_class": JalaliDateField, "widget": JalaliDateInput},
    }
