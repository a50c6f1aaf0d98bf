"""Revenue by office, service and Jalali month, read from the ledger (docs/billing.md,
"Revenue").

What "revenue of a month" means here, so that it reconciles with ``check_ledger``:

- it is the ledger's ``capture`` and ``reversal`` entries, nothing else (a payment the
  bank gave back before it was captured — a *reversed* payment of the cashier's day —
  never reached the ledger and is not revenue);
- an entry belongs to the month of its ledger ``day``: the business day in Tehran of the
  capture. A reversal carries the day of the capture it reverses, so it counts against
  that capture's month even when it was booked later (the report as of today; a closed
  cashier day keeps its frozen figures). The per-day invariant of the ledger, summed
  over a month, is the month's net of this report;
- the office is the bill's issuing office (a bill the district issued has none and is
  shown under its district), the service is the service of the bill's case (a parcel's
  renewal dues or a vehicle's toll has no case, and is shown by the bill's kind);
- a capture pays its bill whole (the payments side refuses any other amount), so its
  amount splits exactly into the bill's lines: the split by line kind is exact.

Who sees what (``revenue_scope``): the city roles (supervisor, administrator) the whole
city, district staff the bills of their districts, an office manager the bills their
offices issued. Nobody else: the page is a 404 for them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Sum, Value, When

from pishkhan.accounts.access import Principal
from pishkhan.billing.models import BillKind, EntryKind, LedgerEntry, LineKind
from pishkhan.cases.access import CITY_ROLES
from pishkhan.catalog.models import ServiceType
from pishkhan.core.digits import to_persian_digits
from pishkhan.core.jalali import MONTHS, from_jalali, to_jalali
from pishkhan.geo.models import District
from pishkhan.offices.models import Office
from pishkhan.offices.roles import Role

REVENUE_ROLES = (*CITY_ROLES, Role.DISTRICT_STAFF, Role.OFFICE_MANAGER)
MAX_MONTHS = 36  # a longer period is refused: one CASE branch per month
MONEY_KINDS = (EntryKind.CAPTURE, EntryKind.REVERSAL)


def revenue_scope(principal: Principal) -> Q | None:
    """The ledger entries `principal` may count, as a Q on LedgerEntry; None: no revenue
    for this person at all."""
    if principal.has_role(*CITY_ROLES):
        return Q()
    districts = sorted(principal.district_ids(Role.DISTRICT_STAFF))
    offices = sorted(principal.office_ids(Role.OFFICE_MANAGER))
    if not districts and not offices:
        return None
    condition = Q(pk__in=[])
    if districts:
        condition |= Q(bill__district_id__in=districts)
    if offices:
        condition |= Q(bill__office_id__in=offices)
    return condition


def scope_offices(principal: Principal) -> QuerySet[Office]:
    """The offices the filter offers: those whose revenue the person may see."""
    if principal.has_role(*CITY_ROLES):
        return Office.objects.all()
    return Office.objects.filter(
        Q(district_id__in=principal.district_ids(Role.DISTRICT_STAFF))
        | Q(pk__in=principal.office_ids(Role.OFFICE_MANAGER))
    )


def scope_districts(principal: Principal) -> QuerySet[District]:
    if principal.has_role(*CITY_ROLES):
        return District.objects.all()
    return District.objects.filter(pk__in=principal.district_ids(Role.DISTRICT_STAFF))


# --- the period: Jalali months ----------------------------------------------------------


@dataclass(frozen=True)
class Month:
    year: int
    month: int
    start: dt.date  # first day in the period
    end: dt.date  # the day after the last day in the period

    @property
    def label(self) -> str:
        return f"{MONTHS[self.month - 1]} {to_persian_digits(self.year)}"

    @property
    def key(self) -> str:
        return f"{self.year}-{self.month:02d}"


def months_between(first: dt.date, last: dt.date) -> list[Month]:
    """The Jalali months from `first` to `last` (inclusive), the outer ones clipped."""
    months: list[Month] = []
    j = to_jalali(first)
    year, month = int(j.year), int(j.month)
    start = first
    while start <= last:
        next_year, next_month = (year + 1, 1) if month == 12 else (year, month + 1)
        end = min(from_jalali(next_year, next_month, 1), last + dt.timedelta(days=1))
        months.append(Month(year, month, start, end))
        year, month, start = next_year, next_month, end
    return months


def month_days(year: int, month: int) -> tuple[dt.date, dt.date]:
    """The first and last day of a Jalali month."""
    following = from_jalali(year + 1, 1, 1) if month == 12 else from_jalali(year, month + 1, 1)
    return from_jalali(year, month, 1), following - dt.timedelta(days=1)


# --- the report -------------------------------------------------------------------------


@dataclass
class Figures:
    captured_count: int = 0
    captured: int = 0
    reversed_count: int = 0
    reversed: int = 0

    @property
    def net(self) -> int:
        return self.captured - self.reversed

    def add(self, kind: str, count: int, amount: int) -> None:
        if kind == EntryKind.CAPTURE:
            self.captured_count += count
            self.captured += amount
        else:
            self.reversed_count += count
            self.reversed += amount

    def __iadd__(self, other: Figures) -> Figures:
        self.captured_count += other.captured_count
        self.captured += other.captured
        self.reversed_count += other.reversed_count
        self.reversed += other.reversed
        return self


@dataclass
class Line:
    """One office × service: its months and its total."""

    service: str
    months: list[tuple[Month, Figures]]
    total: Figures


@dataclass
class OfficeBlock:
    name: str
    district: str
    lines: list[Line]
    total: Figures


@dataclass
class Filters:
    district_id: int | None = None
    office_id: int | None = None
    service_id: int | None = None


@dataclass
class Revenue:
    first: dt.date
    last: dt.date
    months: list[Month]
    offices: list[OfficeBlock] = field(default_factory=list)
    by_month: list[tuple[Month, Figures]] = field(default_factory=list)
    by_line_kind: list[tuple[str, Figures]] = field(default_factory=list)
    total: Figures = field(default_factory=Figures)


def month_index(months: list[Month]) -> Case:
    return Case(
        *(When(day__lt=m.end, then=Value(i)) for i, m in enumerate(months)),
        default=Value(len(months) - 1),
        output_field=IntegerField(),
    )


def entries(scope: Q, first: dt.date, last: dt.date, filters: Filters) -> QuerySet[LedgerEntry]:
    rows = LedgerEntry.objects.filter(scope, kind__in=MONEY_KINDS, day__gte=first, day__lte=last)
    if filters.district_id is not None:
        rows = rows.filter(bill__district_id=filters.district_id)
    if filters.office_id is not None:
        rows = rows.filter(bill__office_id=filters.office_id)
    if filters.service_id is not None:
        rows = rows.filter(bill__case__service_type_id=filters.service_id)
    return rows


def names(model: type[Office] | type[District] | type[ServiceType], ids: Iterable[int]) -> dict:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(model._default_manager.filter(pk__in=wanted).values_list("pk", "name"))


def revenue_report(scope: Q, first: dt.date, last: dt.date, filters: Filters) -> Revenue:
    """The figures of `first`..`last` (Tehran business days, inclusive) within `scope`;
    five queries whatever the data: two aggregates and three name look-ups."""
    months = months_between(first, last)
    report = Revenue(first=first, last=last, months=months)
    base = entries(scope, first, last, filters)
    grouped = (
        base.annotate(m=month_index(months)).values(
            "m", "kind", "bill__district_id", "bill__office_id", "bill__kind",
            "bill__case__service_type_id",
        )
        .annotate(n=Count("pk"), s=Sum("amount"))
        .order_by()
    )  # fmt: skip
    cells: dict[tuple[int | None, int | None], dict[tuple[str, object], dict[int, Figures]]]
    cells = defaultdict(lambda: defaultdict(lambda: defaultdict(Figures)))
    facts = list(grouped)
    for r in facts:
        office_key = (r["bill__district_id"], r["bill__office_id"])
        service_key = (
            ("service", r["bill__case__service_type_id"])
            if r["bill__case__service_type_id"] is not None
            else ("kind", r["bill__kind"])
        )
        cells[office_key][service_key][r["m"]].add(r["kind"], r["n"], int(r["s"] or 0))
    office_names = names(Office, (r["bill__office_id"] for r in facts))
    district_names = names(District, (r["bill__district_id"] for r in facts))
    service_names = names(ServiceType, (r["bill__case__service_type_id"] for r in facts))
    kind_labels = dict(BillKind.choices)
    per_month = [Figures() for _ in months]
    blocks: list[OfficeBlock] = []
    for (district_id, office_id), services in cells.items():
        district = district_names.get(district_id, "")
        name = office_names.get(office_id) or f"{district or 'بدون منطقه'} — بدون دفتر"
        lines: list[Line] = []
        office_total = Figures()
        for (what, key), by_month in services.items():
            label = (
                service_names.get(key, "")
                if what == "service"
                else f"{kind_labels.get(str(key), str(key))} (بدون پرونده)"
            )
            line_total = Figures()
            shown: list[tuple[Month, Figures]] = []
            for i, month in enumerate(months):
                if i in by_month:
                    figures = by_month[i]
                    shown.append((month, figures))
                    line_total += figures
                    per_month[i] += figures
            lines.append(Line(service=label, months=shown, total=line_total))
            office_total += line_total
        lines.sort(key=lambda line: line.service)
        blocks.append(OfficeBlock(name=name, district=district, lines=lines, total=office_total))
        report.total += office_total
    blocks.sort(key=lambda block: (block.district, block.name))
    report.offices = blocks
    report.by_month = [(m, f) for m, f in zip(months, per_month, strict=True)]
    report.by_line_kind = line_kinds(base)
    return report


def line_kinds(rows: QuerySet[LedgerEntry]) -> list[tuple[str, Figures]]:
    """The period's money split by the kind of the bills' lines (exact: a capture pays
    its bill whole)."""
    split: dict[str, Figures] = defaultdict(Figures)
    for r in (
        rows.values("kind", "bill__lines__kind")
        .annotate(n=Count("pk"), s=Sum("bill__lines__amount"))
        .order_by()
    ):
        split[r["bill__lines__kind"]].add(r["kind"], r["n"], int(r["s"] or 0))
    return [(str(label), split[value]) for value, label in LineKind.choices if value in split]
