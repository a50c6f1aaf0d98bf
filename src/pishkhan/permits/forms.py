"""The about-to-expire list's query: it only parses (the page reads nothing else)."""

from __future__ import annotations

from typing import Any

from django import forms

from pishkhan.core.digits import to_ascii_digits
from pishkhan.core.forms import PersianFormMixin

DEFAULT_DAYS = 60
SORT_LABELS = {
    "valid_until": "روزهای مانده",
    "number": "شماره پروانه",
    "issued_on": "تاریخ صدور",
}
DEFAULT_SORT = "valid_until"


class ExpiringFilterForm(PersianFormMixin, forms.Form):
    q = forms.CharField(label="جستجو (شماره پروانه، پلاک یا نشانی)", required=False, max_length=80)
    days = forms.IntegerField(label="تا چند روز آینده", required=False, min_value=1, max_value=365)
    sort = forms.ChoiceField(
        required=False,
        choices=[(k, k) for key in SORT_LABELS for k in (key, f"-{key}")],
        widget=forms.HiddenInput,
    )
    page = forms.CharField(required=False, max_length=8, widget=forms.HiddenInput)

    def clean_q(self) -> str:
        return to_ascii_digits(self.cleaned_data.get("q") or "").strip()


def expiring_query(data: Any) -> dict[str, Any]:
    """The cleaned query; a bad value is dropped (the page shows the default), never an
    error page."""
    form = ExpiringFilterForm(data)
    form.is_valid()
    clean = getattr(form, "cleaned_data", {})
    return {
        "form": form,
        "q": clean.get("q", "") if "q" not in form.errors else "",
        "days": clean.get("days") or DEFAULT_DAYS,
        "sort": clean.get("sort") or DEFAULT_SORT,
        "page": clean.get("page") or "1",
    }


class RevokeForm(PersianFormMixin, forms.Form):
    reason = forms.CharField(
        label="علت ابطال", max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    confirmed = forms.BooleanField(label="مطمئنم: این پروانه ابطال شود.")
