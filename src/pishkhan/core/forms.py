"""Form fields every Persian screen shares: a date typed and shown as a Jalali date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

from django import forms
from django.db import models
from django.db.models import Field
from django.forms.renderers import BaseRenderer, DjangoTemplates
from django.forms.utils import ErrorList
from django.utils.functional import Promise, cached_property
from django.utils.html import conditional_escape, escape

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


# --- rendering widgets without the template engine ------------------------------------
# Django renders every widget through its form templates: a <select> of twenty options is
# twenty-one template renders (about 4 ms on the 2-core machine of docs/performance.md;
# a cartable's filter form spent 10 ms of each request there). The renderer below writes
# the same markup in Python for Django's own input, select and textarea templates and
# hands anything else (another template, a value it does not know how to spell) to the
# template engine. test_forms.py holds its output to Django's, byte for byte.

_INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in ("text", "search", "number", "email", "url", "tel", "password", "hidden")
)
_SELECT = "django/forms/widgets/select.html"
_OPTION = "django/forms/widgets/select_option.html"
_TEXTAREA = "django/forms/widgets/textarea.html"
_PLAIN = (str, Promise, int)
DJANGO_FORM_TEMPLATES = Path(forms.__file__).resolve().parent / "templates"


def _attrs(attrs: dict[str, Any]) -> str:
    """django/forms/widgets/attrs.html."""
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


def _spellable(*values: Any) -> bool:
    """Values the fast path spells exactly as the templates do: ``stringformat:'s'`` is
    str(); localize leaves strings alone."""
    return all(value is None or isinstance(value, _PLAIN) for value in values)


def _input(widget: dict[str, Any]) -> str | None:
    value = widget["value"]
    if not _spellable(value, *widget["attrs"].values()):
        return None
    shown = "" if value is None else f' value="{escape(str(value))}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{shown}{_attrs(widget["attrs"])}>'
    )


def _select(widget: dict[str, Any]) -> str | None:
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _ in widget["optgroups"]:
        if group_name:
            if not isinstance(group_name, (str, Promise)):
                return None
            parts.append(f'\n  <optgroup label="{conditional_escape(str(group_name))}">')
        for option in options:
            label = option["label"]
            if option["template_name"] != _OPTION or not isinstance(label, (str, Promise)):
                return None
            if not _spellable(option["value"], *option["attrs"].values()):
                return None
            parts.append(
                f'\n  <option value="{escape(str(option["value"]))}"'
                f"{_attrs(option['attrs'])}>{conditional_escape(str(label))}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _textarea(widget: dict[str, Any]) -> str | None:
    value = widget["value"]
    if not isinstance(value, (str, type(None))) or not _spellable(*widget["attrs"].values()):
        return None
    text = conditional_escape(value) if value else ""
    return (
        f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>\n'
        f"{text}</textarea>"
    )


class WidgetRenderer(DjangoTemplates):
    """Django's template form renderer, with its own input, select and textarea templates
    written in Python (the same markup, stripped as BaseRenderer.render strips it). A
    template an app overrides goes to the engine, as does every other template."""

    @cached_property
    def _fast(self) -> dict[str, Any]:
        def djangos(name: str) -> bool:
            origin = Path(self.get_template(name).origin.name).resolve()
            return origin.is_relative_to(DJANGO_FORM_TEMPLATES)

        spells: dict[str, Any] = {
            _SELECT: _select,
            _TEXTAREA: _textarea,
            **dict.fromkeys(_INPUT_TEMPLATES, _input),
        }
        if not djangos(_OPTION):
            del spells[_SELECT]
        return {name: spell for name, spell in spells.items() if djangos(name)}

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        spell = self._fast.get(template_name)
        widget = context.get("widget") if spell is not None else None
        if isinstance(widget, dict):
            html = spell(widget)  # type: ignore[misc]
            if html is not None:
                return html
        return super().render(template_name, context, request)


WIDGET_RENDERER = WidgetRenderer()


class PersianFormMixin:
    """For a screen's form: errors in Persian digits. (Django marks an invalid field
    ``aria-invalid`` and points its ``aria-describedby`` at ``<id>_helptext`` and
    ``<id>_error``: templates give the help and the error those ids, and
    pishkhan/forms.js focuses the first invalid field.) Widgets are written by
    WidgetRenderer, the same markup as Django's templates without the engine."""

    default_renderer: BaseRenderer | type[BaseRenderer] | None = WIDGET_RENDERER

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("error_class", PersianErrorList)
        super().__init__(*args, **kwargs)
