"""Form fields every Persian screen shares: a date typed and shown as a Jalali date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, ClassVar

from django import forms
from django.db import models
from django.db.models import Field
from django.forms.utils import ErrorList

from pishkhan.core.digits import to_persian_digits
from pishkhan.core.jalali import format_jalali_date, parse_jalali_date

JALALI_PLACEHOLDER = "۱۴۰۵/۰۱/۱۵"
# What marks a text input as a Jalali date: pishkhan/datepicker.js puts a month grid
# beside every such input on a page that loads it (templates/pishkhan/_datepicker.html).
DATEPICKER_ATTRS = {"data-datepicker": ""}


class JalaliDateInput(forms.TextInput):
    """A text box showing the date as ۱۴۰۵/۰۱/۱۵ (no Gregorian calendar pop-up; the
    page's Jalali picker enhances it where the page loads one)."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        defaults = {
            **DATEPICKER_ATTRS,
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


class PersianErrorList(ErrorList):
    """Form errors with Persian digits, Django's own messages included (its fa
    translation formats the limits with ASCII digits: «حداکثر 20»)."""

    def __getitem__(self, i: Any) -> Any:
        error = super().__getitem__(i)
        return to_persian_digits(error) if isinstance(error, str) else error


class PersianFormMixin:
    """For a screen's form: errors in Persian digits. (Django marks an invalid field
    ``aria-invalid`` and points its ``aria-describedby`` at ``<id>_helptext`` and
    ``<id>_error``: templates give the help and the error those ids, and
    pishkhan/forms.js focuses the first invalid field.)"""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("error_class", PersianErrorList)
        super().__init__(*args, **kwargs)
