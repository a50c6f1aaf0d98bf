"""The revenue page (/payments/revenue/) and its exports: parse the period and filters,
read the report within the caller's scope (payments/revenue.py), show it or hand it to
the exporter. Nobody outside REVENUE_ROLES gets the page (404)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from pishkhan.accounts.access import principal_for
from pishkhan.catalog.models import ServiceType
from pishkhan.core import clock
from pishkhan.core.digits import to_persian_digits
from pishkhan.core.exports import EXPORTERS, Cell, Table
from pishkhan.core.forms import JalaliDateField, PersianFormMixin
from pishkhan.core.jalali import (
    JALALI_YEARS,
    MONTHS,
    format_jalali_date,
    format_jalali_datetime,
    from_jalali,
    jalali_year,
)
from pishkhan.payments.revenue import (
    MAX_MONTHS,
    Figures,
    Filters,
    Revenue,
    month_days,
    months_between,
    revenue_report,
    revenue_scope,
    scope_districts,
    scope_offices,
)

CHOICE_ERROR = "گزینه انتخاب‌شده معتبر نیست."


class RevenueForm(PersianFormMixin, forms.Form):
    """A Jalali year (and optionally a month of it), or a from/to range of days, and
    the filters. Empty: this Jalali year up to today."""

    year = forms.TypedChoiceField(label="سال", required=False, coerce=int, empty_value=None)
    month = forms.TypedChoiceField(
        label="ماه", required=False, coerce=int, empty_value=None,
        choices=[("", "همه ماه‌ها"), *((i, name) for i, name in enumerate(MONTHS, start=1))],
    )  # fmt: skip
    date_from = JalaliDateField(label="از تاریخ", required=False)
    date_to = JalaliDateField(label="تا تاریخ", required=False)
    district = forms.TypedChoiceField(label="منطقه", required=False, coerce=int, empty_value=None)
    office = forms.TypedChoiceField(label="دفتر", required=False, coerce=int, empty_value=None)
    service = forms.TypedChoiceField(label="خدمت", required=False, coerce=int, empty_value=None)

    def __init__(
        self,
        data: Any,
        *,
        today: dt.date,
        districts: list[tuple[int, str]],
        offices: list[tuple[int, str]],
        services: list[tuple[int, str]],
    ) -> None:
        super().__init__(data)
        self.today = today
        self.labels: dict[str, dict[Any, str]] = {}
        this_year = jalali_year(today)
        years = range(this_year, max(JALALI_YEARS[0], this_year - 10) - 1, -1)
        self.choose("year", [("", f"امسال ({to_persian_digits(this_year)})")]
                    + [(y, to_persian_digits(y)) for y in years])  # fmt: skip
        self.choose("district", [("", "همه مناطق"), *districts])
        self.choose("office", [("", "همه دفترها"), *offices])
        self.choose("service", [("", "همه خدمات"), *services])
        self.fields["month"].error_messages["invalid_choice"] = CHOICE_ERROR
        if len(districts) <= 1:
            del self.fields["district"]

    def choose(self, name: str, choices: list[Any]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = choices
        self.labels[name] = {key: str(label) for key, label in choices}
        field.error_messages["invalid_choice"] = CHOICE_ERROR

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        first, last = self.period_of(data)
        if last < first:
            self.add_error("date_to", "«تا تاریخ» نباید پیش از «از تاریخ» باشد.")
        elif len(months_between(first, last)) > MAX_MONTHS:
            self.add_error(None, f"دوره گزارش حداکثر {to_persian_digits(MAX_MONTHS)} ماه است.")
        data["first"], data["last"] = first, last
        return data

    def period_of(self, data: dict[str, Any]) -> tuple[dt.date, dt.date]:
        start, end = data.get("date_from"), data.get("date_to")
        if start or end:
            last = end or self.today
            return start or from_jalali(jalali_year(last), 1, 1), last
        year = data.get("year") or jalali_year(self.today)
        month = data.get("month")
        if month:
            return month_days(year, month)
        return from_jalali(year, 1, 1), from_jalali(year + 1, 1, 1) - dt.timedelta(days=1)

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(data.get("district"), data.get("office"), data.get("service"))


def choice_label(form: RevenueForm, name: str) -> str:
    value = form.cleaned_data.get(name)
    return "همه" if value is None else form.labels.get(name, {}).get(value, "همه")


def notes(form: RevenueForm, report: Revenue) -> list[str]:
    return [
        f"دوره: {format_jalali_date(report.first)} تا {format_jalali_date(report.last)}",
        f"منطقه: {choice_label(form, 'district')} — دفتر: {choice_label(form, 'office')}"
        f" — خدمت: {choice_label(form, 'service')}",
        f"تهیه‌شده در {format_jalali_datetime(clock.now())}؛ مبالغ به ریال، بر پایه دفتر مالی",
    ]


def money(f: Figures) -> list[Cell]:
    return [f.captured_count, f.captured, f.reversed_count, f.reversed, f.net]


MONEY_HEADERS = ["تعداد دریافت", "دریافت (ریال)", "تعداد برگشت", "برگشت (ریال)", "خالص (ریال)"]


def detail_table(form: RevenueForm, report: Revenue) -> Table:
    rows: list[list[Cell]] = []
    for block in report.offices:
        for line in block.lines:
            for month, figures in line.months:
                rows.append([block.district, block.name, line.service, month.label,
                             *money(figures)])  # fmt: skip
            rows.append([block.district, block.name, line.service, "جمع دوره", *money(line.total)])
        rows.append([block.district, block.name, "همه خدمات", "جمع دوره", *money(block.total)])
    for month, figures in report.by_month:
        rows.append(["همه", "همه دفترها", "همه خدمات", month.label, *money(figures)])
    rows.append(["همه", "همه دفترها", "همه خدمات", "جمع دوره", *money(report.total)])
    return Table(
        title="درآمد به تفکیک دفتر، خدمت و ماه",
        notes=notes(form, report),
        headers=["منطقه", "دفتر", "خدمت", "ماه", *MONEY_HEADERS],
        rows=rows,
        filename=f"revenue-{report.first.isoformat()}-{report.last.isoformat()}",
    )


def kinds_table(form: RevenueForm, report: Revenue) -> Table:
    rows: list[list[Cell]] = [
        [label, f.captured, f.reversed, f.net] for label, f in report.by_line_kind
    ]
    rows.append(["جمع", report.total.captured, report.total.reversed, report.total.net])
    return Table(
        title="درآمد به تفکیک نوع ردیف فیش",
        notes=notes(form, report),
        headers=["نوع ردیف", "دریافت (ریال)", "برگشت (ریال)", "خالص (ریال)"],
        rows=rows,
        filename=f"revenue-kinds-{report.first.isoformat()}-{report.last.isoformat()}",
    )


TABLES = {"detail": detail_table, "kinds": kinds_table}


@require_http_methods(["GET", "HEAD"])
@login_required
def revenue(request: HttpRequest) -> HttpResponse:
    principal = principal_for(request)
    scope = revenue_scope(principal)
    if scope is None:
        raise Http404("صفحه پیدا نشد.")
    export = request.GET.get("export", "")
    table = request.GET.get("table", "detail")
    if (export and export not in EXPORTERS) or table not in TABLES:
        raise Http404("صفحه پیدا نشد.")
    form = RevenueForm(
        request.GET,
        today=timezone.localtime(clock.now()).date(),
        districts=list(scope_districts(principal).order_by("number").values_list("pk", "name")),
        offices=list(scope_offices(principal).order_by("name").values_list("pk", "name")),
        services=list(ServiceType.objects.order_by("name").values_list("pk", "name")),
    )
    if not form.is_valid():
        return render(request, "payments/revenue.html", {"form": form, "report": None},
                      status=400)  # fmt: skip
    report = revenue_report(scope, form.cleaned_data["first"], form.cleaned_data["last"],
                            form.filters())  # fmt: skip
    if export:
        return EXPORTERS[export](TABLES[table](form, report))
    query = request.GET.copy()
    query.pop("export", None)
    query.pop("table", None)
    context = {
        "form": form,
        "report": report,
        "period": f"{format_jalali_date(report.first)} تا {format_jalali_date(report.last)}",
        "query": query.urlencode(),
    }
    return render(request, "payments/revenue.html", context)
