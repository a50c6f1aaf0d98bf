"""Cartables (a role's work inbox) and the follow-up officer's list: the queries.

Every page here costs a fixed number of queries, whatever the page size or the number of
cases: one for the holidays of the working calendar, one for the states of every
workflow version (labels and SLAs), one aggregate for the tab counts, one for the page's
rows (with service, office, district, parcel, applicant and assignee joined), and one
each for the service and district choices of the filter form.

Rules (see docs/workflow.md, "Cartables"):
- a cartable lists the OPEN cases whose acting role is the chosen role, in the places the
  user holds it (office roles: their offices; district staff: their districts). A
  follow-up officer may also look at the office roles' cartables of their offices,
  read-only (they hold no claim there);
- **near SLA**: a case is near its deadline when less than ``NEAR_FRACTION`` (a quarter)
  of its state's SLA, in working hours, is left; the overall deadline likewise with the
  definition's overall SLA. Past the deadline it is overdue, not near;
- **stalled**: no event other than follow-up notes for ``STALLED_WORKING_DAYS`` working
  days (a note does not make a case move, so it does not un-stall it).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from pishkhan.accounts.access import Principal
from pishkhan.cases import engine
from pishkhan.cases.access import cases_visible_to
from pishkhan.cases.actions import FOLLOW_UP_NOTE, FOLLOW_UP_NOTE_MAX_LENGTH
from pishkhan.cases.calendar import WorkingCalendar, calendar_for
from pishkhan.cases.holidays import CALENDAR_CHANGED
from pishkhan.cases.models import OPEN, Case, CaseEvent, WorkflowState
from pishkhan.catalog.models import ServiceType
from pishkhan.core import clock
from pishkhan.core.digits import to_ascii_digits
from pishkhan.core.jalali import parse_jalali_date
from pishkhan.core.national_id import national_id_error, normalize_national_id
from pishkhan.geo.models import District
from pishkhan.offices.roles import ROLE_SCOPE, Role, Scope

PAGE_SIZE = 25
NEAR_FRACTION = 0.25
STALLED_WORKING_DAYS = 2

# The roles whose cartables exist: those that act in the workflow definitions.
CARTABLE_ROLES: tuple[str, ...] = (
    Role.TECHNICAL_MANAGER,
    Role.INSPECTOR,
    Role.PLAN_REVIEWER,
    Role.DISTRICT_STAFF,
)
# A follow-up officer may look into the office roles' cartables of their offices.
OFFICE_CARTABLE_ROLES = tuple(r for r in CARTABLE_ROLES if ROLE_SCOPE[r] == Scope.OFFICE)
OVERVIEW_ROLES: tuple[str, ...] = (Role.SUPERVISOR, Role.ADMINISTRATOR)

CARTABLE_TABS: dict[str, str] = {
    "all": "همه",
    "mine": "در دست من",
    "pool": "بدون مسئول",
    "near": "نزدیک به مهلت",
    "overdue": "گذشته از مهلت",
}
FOLLOW_UP_TABS: dict[str, str] = {
    "all": "همه پرونده‌های نیازمند پیگیری",
    "stalled": "متوقف",
    "near": "نزدیک به مهلت",
    "overdue": "گذشته از مهلت",
}

ORDERING = (F("due_at").asc(nulls_last=True), "opened_at", "pk")
ROW_RELATIONS = ("service_type", "office", "district", "parcel", "applicant", "assignee")


# --- who sees which cartable ----------------------------------------------------------


def cartable_roles(principal: Principal) -> list[str]:
    """The cartables the principal may open, in the order of `Role`."""
    held = set(principal.roles())
    roles = {r for r in CARTABLE_ROLES if r in held}
    if Role.FOLLOW_UP_OFFICER in held:
        roles.update(OFFICE_CARTABLE_ROLES)
    return [r for r in CARTABLE_ROLES if r in roles]


def role_scope(principal: Principal, role: str) -> Q:
    """Where `role`'s cartable looks for this principal: the offices or districts where
    they hold it (plus, for office roles, the offices they follow up)."""
    if ROLE_SCOPE.get(role) == Scope.DISTRICT:
        return Q(district_id__in=sorted(principal.district_ids(role)))
    offices = principal.office_ids(role) | principal.office_ids(Role.FOLLOW_UP_OFFICER)
    return Q(office_id__in=sorted(offices))


# --- workflow states and the calendar, read once per page -----------------------------


@dataclass(frozen=True)
class StateInfo:
    label: str
    acting_role: str
    sla_hours: int | None
    overall_sla_hours: int | None


class StateMap:
    """Every state of every workflow version, keyed by (definition id, state code), in
    one query; it grows with versions, never with cases."""

    def __init__(self, states: dict[tuple[int, str], StateInfo]) -> None:
        self.states = states

    @classmethod
    def load(cls) -> StateMap:
        rows = WorkflowState.objects.order_by().values_list(
            "definition_id", "code", "label", "acting_role", "sla_hours", "definition__sla_hours"
        )
        return cls(
            {
                (d, code): StateInfo(label, role, sla, overall)
                for d, code, label, role, sla, overall in rows
            }
        )

    def label(self, definition_id: int, code: str) -> str:
        info = self.states.get((definition_id, code))
        return info.label if info else code

    def label_by_code(self, code: str) -> str:
        """A state's label when only its code is known (every version names it alike)."""
        for (_, state), info in self.states.items():
            if state == code:
                return info.label
        return code

    def near_state_deadline(
        self, calendar: WorkingCalendar, now: dt.datetime, role: str | None
    ) -> Q:
        """Cases whose state deadline is ahead but less than a quarter of the state's SLA
        away. One OR-ed term per (version, state): bounded by the definitions."""
        groups: dict[float, list[tuple[int, str]]] = defaultdict(list)
        for (definition_id, code), info in self.states.items():
            if info.sla_hours and (role is None or info.acting_role == role):
                groups[info.sla_hours * NEAR_FRACTION].append((definition_id, code))
        condition = Q(pk__in=[])
        for hours, pairs in groups.items():
            limit = calendar.add(now, dt.timedelta(hours=hours))
            which = Q(pk__in=[])
            for definition_id, code in pairs:
                which |= Q(definition_id=definition_id, state=code)
            condition |= Q(due_at__gte=now, due_at__lt=limit) & which
        return condition

    def near_overall_deadline(self, calendar: WorkingCalendar, now: dt.datetime) -> Q:
        overall = {
            d: info.overall_sla_hours
            for (d, _), info in self.states.items()
            if info.overall_sla_hours
        }
        condition = Q(pk__in=[])
        for definition_id, hours in overall.items():
            limit = calendar.add(now, dt.timedelta(hours=hours * NEAR_FRACTION))
            condition |= Q(
                definition_id=definition_id, overall_due_at__gte=now, overall_due_at__lt=limit
            )
        return condition


def page_calendar(now: dt.datetime) -> WorkingCalendar:
    """The working calendar around `now`, with its holidays, in one query."""
    today = timezone.localtime(now).date()
    return calendar_for(today - dt.timedelta(days=45), today + dt.timedelta(days=60))


# --- filters --------------------------------------------------------------------------


class CaseFilterForm(forms.Form):
    """The GET filters shared by the cartable and the follow-up list."""

    service = forms.TypedChoiceField(label="نوع خدمت", required=False, coerce=int, empty_value=None)
    district = forms.TypedChoiceField(label="منطقه", required=False, coerce=int, empty_value=None)
    date_from = forms.CharField(label="از تاریخ", required=False, max_length=20)
    date_to = forms.CharField(label="تا تاریخ", required=False, max_length=20)
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
        self.fields["date_from"].widget.attrs.update(placeholder="۱۴۰۴/۰۱/۰۱", inputmode="numeric")
        self.fields["date_to"].widget.attrs.update(placeholder="۱۴۰۴/۱۲/۲۹", inputmode="numeric")
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
        if not self.is_bound:
            return {}
        keep = ("service", "district", "date_from", "date_to", "tracking_code")
        return {
            name: str(self.data.get(name, "")).strip()
            for name in keep
            if str(self.data.get(name, "")).strip()
        }


def filter_form(data: Any) -> CaseFilterForm:
    """The filter form with its choices (two queries), validated."""
    services = list(
        ServiceType.objects.filter(is_active=True).order_by("name").values_list("id", "name")
    )
    districts = list(District.objects.order_by("number").values_list("id", "name"))
    form = CaseFilterForm(data, services, districts)
    form.is_valid()
    return form


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
        reverse("cases:detail", args=[1])
    except NoReverseMatch:
        return lambda pk: ""
    return lambda pk: reverse("cases:detail", args=[pk])


# --- the cartable ---------------------------------------------------------------------


@dataclass(frozen=True)
class CartableRow:
    case: Case
    state_label: str
    due: str  # "overdue", "near" or ""
    can_claim: bool
    can_release: bool
    detail_url: str


@dataclass
class CartablePage:
    role: str
    roles: list[str]
    tab: str
    counts: dict[str, int]
    rows: list[CartableRow]
    paging: Paging
    form: CaseFilterForm

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label)

    @property
    def role_choices(self) -> list[tuple[str, str]]:
        return [(r, str(Role(r).label)) for r in self.roles]

    @property
    def tabs(self) -> list[tuple[str, str, int]]:
        return [(code, label, self.counts[code]) for code, label in CARTABLE_TABS.items()]


def cartable_page(
    user: Any, principal: Principal, role: str, tab: str, data: Any, page: Any
) -> CartablePage:
    """One page of `role`'s cartable for `principal`; `role` must be in cartable_roles."""
    now = clock.now()
    calendar = page_calendar(now)
    states = StateMap.load()
    form = filter_form(data)
    base = (
        cases_visible_to(user, principal)
        .filter(OPEN, role_scope(principal, role), acting_role=role)
        .filter(form.condition())
    )
    overdue = Q(due_at__lt=now)
    near = states.near_state_deadline(calendar, now, role)
    tabs = {
        "all": Q(),
        "mine": Q(assignee_id=user.pk),
        "pool": Q(assignee__isnull=True),
        "near": near,
        "overdue": overdue,
    }
    counts = base.aggregate(
        **{code: Count("pk", filter=q) if q else Count("pk") for code, q in tabs.items()}
    )
    paging = Paging.of(page, counts[tab])
    cases = list(
        base.filter(tabs[tab])
        .select_related(*ROW_RELATIONS)
        .order_by(*ORDERING)[paging.offset : paging.offset + paging.size]
    )
    limits = _near_limits(states, calendar, now)
    detail = detail_url_maker()
    rows = [
        CartableRow(
            case=case,
            state_label=states.label(case.definition_id, case.state),
            due=_due_badge(case.due_at, limits.get((case.definition_id, case.state)), now),
            can_claim=case.assignee_id is None and engine.holds_role_for(principal, case, role),
            can_release=case.assignee_id == user.pk,
            detail_url=detail(case.pk),
        )
        for case in cases
    ]
    return CartablePage(
        role=role,
        roles=cartable_roles(principal),
        tab=tab,
        counts=counts,
        rows=rows,
        paging=paging,
        form=form,
    )


def _near_limits(
    states: StateMap, calendar: WorkingCalendar, now: dt.datetime
) -> dict[tuple[int, str], dt.datetime]:
    limits: dict[float, dt.datetime] = {}
    result: dict[tuple[int, str], dt.datetime] = {}
    for key, info in states.states.items():
        if info.sla_hours:
            hours = info.sla_hours * NEAR_FRACTION
            if hours not in limits:
                limits[hours] = calendar.add(now, dt.timedelta(hours=hours))
            result[key] = limits[hours]
    return result


def _due_badge(due_at: dt.datetime | None, near_limit: dt.datetime | None, now: dt.datetime) -> str:
    if due_at is None:
        return ""
    if due_at < now:
        return "overdue"
    if near_limit is not None and due_at < near_limit:
        return "near"
    return ""


# --- the overview for supervisors and administrators ----------------------------------


@dataclass(frozen=True)
class OverviewRow:
    office_id: int
    office_name: str
    office_code: str
    total: int
    overdue: int
    states: list[tuple[str, int]]


def overview(now: dt.datetime | None = None) -> tuple[list[OverviewRow], int, int]:
    """Open cases per office and state across the city, in one aggregate query (plus the
    state labels); returns the rows and the city totals (open, overdue)."""
    now = now or clock.now()
    states = StateMap.load()
    grouped = (
        Case.objects.filter(OPEN)
        .order_by()
        .values("office_id", "office__name", "office__code", "state")
        .annotate(n=Count("pk"), late=Count("pk", filter=Q(due_at__lt=now)))
    )
    offices: dict[int, dict[str, Any]] = {}
    for row in grouped:
        entry = offices.setdefault(
            row["office_id"],
            {
                "name": row["office__name"],
                "code": row["office__code"],
                "total": 0,
                "late": 0,
                "states": [],
            },
        )
        entry["total"] += row["n"]
        entry["late"] += row["late"]
        entry["states"].append((states.label_by_code(row["state"]), row["n"]))
    rows = [
        OverviewRow(
            pk,
            e["name"],
            e["code"],
            e["total"],
            e["late"],
            sorted(e["states"], key=lambda s: -s[1]),
        )
        for pk, e in sorted(offices.items(), key=lambda item: item[1]["name"])
    ]
    return rows, sum(r.total for r in rows), sum(r.overdue for r in rows)


# --- the follow-up officer's list -----------------------------------------------------


@dataclass(frozen=True)
class FollowUpRow:
    case: Case
    state_label: str
    reasons: list[tuple[str, str]]  # (css modifier, Persian label)
    last_progress_at: dt.datetime | None
    last_note: str
    last_note_at: dt.datetime | None
    detail_url: str


@dataclass
class FollowUpPage:
    tab: str
    counts: dict[str, int]
    rows: list[FollowUpRow]
    paging: Paging
    form: CaseFilterForm

    @property
    def tabs(self) -> list[tuple[str, str, int]]:
        return [(code, label, self.counts[code]) for code, label in FOLLOW_UP_TABS.items()]

    @property
    def stalled_days(self) -> int:
        return STALLED_WORKING_DAYS

    @property
    def note_max_length(self) -> int:
        return FOLLOW_UP_NOTE_MAX_LENGTH


def _progress_events() -> QuerySet[CaseEvent]:
    return (
        CaseEvent.objects.filter(case=OuterRef("pk"))
        .exclude(action__in=(FOLLOW_UP_NOTE, CALENDAR_CHANGED))  # neither moves the case
        .order_by("-seq")
    )


def _notes() -> QuerySet[CaseEvent]:
    return CaseEvent.objects.filter(case=OuterRef("pk"), action=FOLLOW_UP_NOTE).order_by("-seq")


def follow_up_page(user: Any, principal: Principal, tab: str, data: Any, page: Any) -> FollowUpPage:
    """The open cases of the officer's offices that are stalled, near or past a deadline
    (the state's or the overall one), anywhere in the flow."""
    now = clock.now()
    calendar = page_calendar(now)
    states = StateMap.load()
    form = filter_form(data)
    stalled_before = calendar.subtract(now, calendar.hours_per_day * STALLED_WORKING_DAYS)
    running = Q(sla_paused_at__isnull=True)
    overdue = running & (Q(due_at__lt=now) | Q(overall_due_at__lt=now))
    near = (
        running
        & (
            states.near_state_deadline(calendar, now, None)
            | states.near_overall_deadline(calendar, now)
        )
        & ~overdue
    )
    # No progress since `stalled_before` (an Exists, not the annotation below, so that the
    # counts aggregate over plain rows: aggregating over an annotated queryset makes
    # Django re-hash the near conditions thousands of times per request).
    recent_progress = _progress_events().filter(created_at__gte=stalled_before)
    stalled = ~Exists(recent_progress)
    tabs = {"all": stalled | near | overdue, "stalled": stalled, "near": near, "overdue": overdue}
    base = (
        cases_visible_to(user, principal)
        .filter(OPEN, office_id__in=sorted(principal.office_ids(Role.FOLLOW_UP_OFFICER)))
        .filter(form.condition())
    )
    counts = base.aggregate(**{code: Count("pk", filter=q) for code, q in tabs.items()})
    paging = Paging.of(page, counts[tab])
    cases = list(
        base.filter(tabs[tab])
        .annotate(
            last_progress_at=Subquery(_progress_events().values("created_at")[:1]),
            last_note=Subquery(_notes().values("reason")[:1]),
            last_note_at=Subquery(_notes().values("created_at")[:1]),
        )
        .select_related(*ROW_RELATIONS)
        .order_by(*ORDERING)[paging.offset : paging.offset + paging.size]
    )
    limits = _near_limits(states, calendar, now)
    detail = detail_url_maker()
    rows = []
    for case in cases:
        reasons: list[tuple[str, str]] = []
        progress: dt.datetime | None = getattr(case, "last_progress_at", None)
        if progress is not None and progress < stalled_before:
            reasons.append(("muted", "متوقف"))
        if case.sla_paused_at is None:
            badge = _due_badge(case.due_at, limits.get((case.definition_id, case.state)), now)
            if badge == "overdue":
                reasons.append(("danger", "مهلت مرحله گذشته"))
            elif badge == "near":
                reasons.append(("warning", "نزدیک به مهلت مرحله"))
            if case.overall_due_at is not None and case.overall_due_at < now:
                reasons.append(("danger", "مهلت کل گذشته"))
        rows.append(
            FollowUpRow(
                case=case,
                state_label=states.label(case.definition_id, case.state),
                reasons=reasons or [("warning", "نزدیک به مهلت کل")],
                last_progress_at=progress,
                last_note=getattr(case, "last_note", None) or "",
                last_note_at=getattr(case, "last_note_at", None),
                detail_url=detail(case.pk),
            )
        )
    return FollowUpPage(tab=tab, counts=counts, rows=rows, paging=paging, form=form)
