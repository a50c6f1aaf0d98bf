"""The filters and paging shared by the cartable, the follow-up list and later lists."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F, OrderBy, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from pishkhan.catalog.models import ServiceType
from pishkhan.core.digits import to_ascii_digits
from pishkhan.core.forms import DATEPICKER_ATTRS, PersianFormMixin
from pishkhan.core.jalali import parse_jalali_date
from pishkhan.core.national_id import national_id_error, normalize_national_id
from pishkhan.geo.models import District

PAGE_SIZE = 25


DATE_HINT = "به شکل سال/ماه/روز، مانند ۱۴۰۵/۰۹/۱۱"


class CaseFilterForm(PersianFormMixin, forms.Form):
    """The filters shared by the cartable and the follow-up list.

    They arrive in the query string, except the applicant's national ID: the form posts,
    and a national ID is read from a POST only, so it never enters a URL (or an access
    log). See views_cartable."""

    LINK_FIELDS = ("service", "district", "date_from", "date_to", "tracking_code")

    service = forms.TypedChoiceField(label="نوع خدمت", required=False, coerce=int, empty_value=None)
    district = forms.TypedChoiceField(label="منطقه", required=False, coerce=int, empty_value=None)
    date_from = forms.CharField(
        label="از تاریخ", required=False, max_length=20, help_text=DATE_HINT
    )
    date_to = forms.CharField(label="تا تاریخ", required=False, max_length=20, help_text=DATE_HINT)
    tracking_code = forms.CharField(label="کد رهگیری", required=False, max_length=30)
    national_id = forms.CharField(label="کد ملی متقاضی", required=False, max_length=20)

    error_messages = {"invalid_choice": "گزینه انتخاب‌شده معتبر نیست."}

    def __init__(
        self, data: Any, services: list[tuple[int, str]], districts: list[tuple[int, str]]
    ) -> None:
        super().__init__(data)
        service = self.fields["service"]
        district = self.fields["district"]
        assert isinstance(service, forms.TypedChoiceField)
        assert isinstance(district, forms.TypedChoiceField)
        service.choices = [("", "همه خدمات"), *services]
        district.choices = [("", "همه مناطق"), *districts]
        for name in ("service", "district"):
            self.fields[name].error_messages["invalid_choice"] = "گزینه انتخاب‌شده معتبر نیست."
        for name in ("date_from", "date_to"):
            self.fields[name].widget.attrs.update(
                placeholder="۱۴۰۵/۰۹/۱۱", inputmode="numeric", autocomplete="off", dir="ltr"
            )
            self.fields[name].widget.attrs.update(DATEPICKER_ATTRS)
        self.fields["tracking_code"].widget.attrs.update(inputmode="numeric", autocomplete="off")
        self.fields["national_id"].widget.attrs.update(inputmode="numeric", autocomplete="off")

    def _jalali(self, name: str) -> dt.date | None:
        raw = (self.cleaned_data.get(name) or "").strip()
        return parse_jalali_date(raw) if raw else None

    def clean_date_from(self) -> dt.date | None:
        return self._jalali("date_from")

    def clean_date_to(self) -> dt.date | None:
        return self._jalali("date_to")

    def clean_tracking_code(self) -> str:
        raw = to_ascii_digits(self.cleaned_data.get("tracking_code") or "")
        code = raw.replace("-", "").replace(" ", "").strip()
        if code and not code.isdigit():
            raise ValidationError("کد رهگیری فقط از رقم تشکیل شده است.")
        return code

    def clean_national_id(self) -> str:
        raw = self.cleaned_data.get("national_id") or ""
        if not raw.strip():
            return ""
        error = national_id_error(raw)
        if error:
            raise ValidationError(error)
        return normalize_national_id(raw)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "«تا تاریخ» نباید پیش از «از تاریخ» باشد.")
        return data

    @property
    def invalid(self) -> bool:
        """Filters were given and one is wrong: the page shows the error, no list."""
        return self.is_bound and bool(self.errors)

    def condition(self) -> Q:
        """The filters that passed validation; an invalid field filters nothing."""
        data = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        condition = Q()
        if data.get("service"):
            condition &= Q(service_type_id=data["service"])
        if data.get("district"):
            condition &= Q(district_id=data["district"])
        tz = timezone.get_default_timezone()
        if data.get("date_from"):
            condition &= Q(
                opened_at__gte=dt.datetime.combine(data["date_from"], dt.time.min, tzinfo=tz)
            )
        if data.get("date_to"):
            next_day = data["date_to"] + dt.timedelta(days=1)
            condition &= Q(opened_at__lt=dt.datetime.combine(next_day, dt.time.min, tzinfo=tz))
        if data.get("tracking_code"):
            condition &= Q(tracking_code__startswith=data["tracking_code"])
        if data.get("national_id"):
            condition &= Q(applicant__national_id=data["national_id"])
        return condition

    def link_params(self) -> dict[str, str]:
        """The filters to carry into generated links (paging, return after a claim) —
        never the national ID, which stays out of every URL we generate."""
        return self.params_of(self.data) if self.is_bound else {}

    def posted_params(self) -> dict[str, str]:
        """Every filter given, the national ID included: for forms that post them on."""
        if not self.is_bound:
            return {}
        national_id = str(self.data.get("national_id", "")).strip()
        return {
            **self.params_of(self.data),
            **({"national_id": national_id} if national_id else {}),
        }

    @classmethod
    def params_of(cls, data: Any) -> dict[str, str]:
        """The link filters of raw request data (a URL may carry these)."""
        return {
            name: str(data.get(name, "")).strip()
            for name in cls.LINK_FIELDS
            if str(data.get(name, "")).strip()
        }

    @staticmethod
    def searches_national_id(data: Any) -> bool:
        return bool(str(data.get("national_id", "")).strip())


def filter_form(data: Any) -> CaseFilterForm:
    """The filter form with its choices (two queries), validated."""
    services = list(
        ServiceType.objects.filter(is_active=True).order_by("name").values_list("id", "name")
    )
    districts = list(District.objects.order_by("number").values_list("id", "name"))
    form = CaseFilterForm(data, services, districts)
    form.is_valid()
    return form


# --- sorting --------------------------------------------------------------------------
# Whitelisted keys; anything else is the default (the deadline), which the partial
# indexes on open cases serve (case_open_assignee: assignee, due_at).

DEFAULT_SORT = "due"
SORT_LABELS: dict[str, str] = {
    "due": "مهلت",
    "opened": "زمان ثبت",
    "code": "کد رهگیری",
    "state": "وضعیت",
}
_DUE = F("due_at").asc(nulls_last=True)
SORTS: dict[str, tuple[str | OrderBy, ...]] = {
    "due": (_DUE, "opened_at", "pk"),
    "-due": (F("due_at").desc(nulls_last=True), "-opened_at", "-pk"),
    "opened": ("opened_at", "pk"),
    "-opened": ("-opened_at", "-pk"),
    "code": ("tracking_code",),
    "-code": ("-tracking_code",),
    "state": ("state", _DUE, "pk"),
    "-state": ("-state", _DUE, "pk"),
}


def sort_key(raw: Any) -> str:
    """The posted or linked sort if it is one of ours, else the default (no error)."""
    return raw if isinstance(raw, str) and raw in SORTS else DEFAULT_SORT


def sort_order(key: str) -> tuple[str | OrderBy, ...]:
    return SORTS[sort_key(key)]


@dataclass(frozen=True)
class SortColumn:
    key: str  # what a click on the column asks for
    label: str
    aria_sort: str  # "ascending", "descending" or "none"


def sort_columns(current: str, labels: dict[str, str] | None = None) -> dict[str, SortColumn]:
    """Each sortable column (of the cartable, or of `labels`): a click sorts by it
    ascending, a second click descending."""
    columns = {}
    for name, label in (SORT_LABELS if labels is None else labels).items():
        if current == name:
            columns[name] = SortColumn(f"-{name}", label, "ascending")
        elif current == f"-{name}":
            columns[name] = SortColumn(name, label, "descending")
        else:
            columns[name] = SortColumn(name, label, "none")
    return columns


# --- paging ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Paging:
    number: int
    count: int
    total: int
    size: int = PAGE_SIZE

    @classmethod
    def of(cls, raw: Any, total: int, size: int = PAGE_SIZE) -> Paging:
        """A page number out of range is the nearest page; garbage is the first."""
        count = max(1, math.ceil(total / size))
        try:
            number = int(to_ascii_digits(str(raw or "1")))
        except ValueError:
            number = 1
        return cls(number=min(max(number, 1), count), count=count, total=total, size=size)

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.count

    @property
    def first_index(self) -> int:
        return self.offset + 1 if self.total else 0

    @property
    def last_index(self) -> int:
        return min(self.offset + self.size, self.total)


def detail_url_maker() -> Any:
    """reverse('cases:detail') when the case page exists, else a function giving ''."""
    try:
        return url_maker("cases:detail")
    except NoReverseMatch:
        return lambda pk: ""


_MARKER = 987654321


def url_maker(name: str) -> Callable[[int], str]:
    """reverse(name, args=[pk]) for a route taking one integer, for many pks at the cost
    of one reverse (a list page links every row; reverse costs about 100 µs a call on the
    shared machine of docs/performance.md)."""
    url = reverse(name, args=[_MARKER])
    head, found, tail = url.partition(str(_MARKER))
    if not found or str(_MARKER) in tail:
        return lambda pk: reverse(name, args=[pk])
    return lambda pk: f"{head}{int(pk)}{tail}"
