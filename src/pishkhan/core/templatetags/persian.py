"""Template filters: every date Jalali, every number in Persian digits.

Loaded as a builtin (settings.TEMPLATES), so templates use them without {% load %}:
    {{ case.created_at|jdatetime }}  {{ office.licence_until|jdate:"long" }}
    {{ count|fa }}  {{ bill.amount|rials }}  {{ citizen.national_id|mask_nid }}
"""

from __future__ import annotations

import datetime as dt

from django import template

from pishkhan.core import jalali, money
from pishkhan.core.digits import to_persian_digits
from pishkhan.core.national_id import mask_national_id

register = template.Library()


@register.filter
def jdate(value: dt.date | dt.datetime | None, style: str = "short") -> str:
    return jalali.format_jalali_date(value, style) if value else ""


@register.filter
def jdatetime(value: dt.datetime | None) -> str:
    return jalali.format_jalali_datetime(value) if value else ""


@register.filter(name="fa")
def fa_digits(value: object) -> str:
    """Persian digits; integers also get thousands separators."""
    if value is None or value == "":
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return money.group_digits(value)
    return to_persian_digits(value)


@register.filter
def rials(value: int | None) -> str:
    return money.format_rials(value)


@register.filter
def tomans(value: int | None) -> str:
    return money.format_tomans(value)


@register.filter
def mask_nid(value: str | None) -> str:
    return to_persian_digits(mask_national_id(value)) if value else ""


@register.simple_tag
def now_jalali(style: str = "full") -> str:
    """Today in Tehran, e.g. 'شنبه ۷ آذر ۱۴۰۵'."""
    from django.utils import timezone

    return jalali.format_jalali_date(timezone.localdate(), style)


@register.filter
def has_datepicker(form: object) -> bool:
    """Whether a form has a Jalali date input (``{% if form|has_datepicker %}``), so a
    page loads the date picker only when it shows one."""
    fields = getattr(form, "fields", None) or {}
    return any("data-datepicker" in getattr(f.widget, "attrs", {}) for f in fields.values())
