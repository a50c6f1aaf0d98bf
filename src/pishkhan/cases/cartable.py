"""Cartables: a role's work inbox, the queries.

Every page here costs a fixed number of queries, whatever the page size or the number of
cases: one for the holidays of the working calendar, one for the states of every
workflow version (labels and SLAs), one narrow read of the scope's open cases for the
tab counts (counted in Python: see sla.Deadlines), one for the page's rows (with
service, office, district, parcel, applicant and assignee joined), and one each for the
service and district choices of the filter form.

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
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q, QuerySet

from pishkhan.accounts.access import Principal
from pishkhan.cases.access import cases_visible_to
from pishkhan.cases.calendar import WorkingCalendar
from pishkhan.cases.filters import (
    DEFAULT_SORT,
    CaseFilterForm,
    Paging,
    SortColumn,
    detail_url_maker,
    filter_form,
    sort_columns,
    sort_order,
    url_maker,
)
from pishkhan.cases.models import OPEN, Case
from pishkhan.cases.permissions import claim_refusal, release_refusal
from pishkhan.cases.sla import (
    Deadlines,
    StateMap,
    due_badge,
    nearing_q,
    page_calendar,
    state_overdue_q,
)
from pishkhan.core import clock
from pishkhan.offices.roles import ROLE_SCOPE, Role, Scope

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
    "returned": "برگشتی",
}
FOLLOW_UP_TABS: dict[str, str] = {
    "all": "همه پرونده‌های نیازمند پیگیری",
    "stalled": "متوقف",
    "near": "نزدیک به مهلت",
    "overdue": "گذشته از مهلت",
}

ORDERING = (F("due_at").asc(nulls_last=True), "opened_at", "pk")
ROW_RELATIONS = ("service_type", "office", "district", "parcel", "applicant", "assignee")
# What a list row shows and decides with (the claim and release rules, the due badge),
# and nothing else: every other column of the seven joined rows cost time to read, parse
# and put into models. The query-count tests catch a row reaching for a deferred field.
CASE_ROW_FIELDS = (
    "tracking_code", "service_type", "definition_id", "applicant", "parcel", "office",
    "district", "state", "acting_role", "due_at", "overall_due_at", "sla_paused_at",
    "opened_at", "closed_at", "version", "returned_at", "returned_reason",
    "service_type__name", "office__name", "district__name", "parcel__plate_main",
    "parcel__plate_sub", "applicant__first_name", "applicant__last_name",
    "applicant__national_id",
)  # fmt: skip
ROW_FIELDS = (
    *CASE_ROW_FIELDS,
    "assignee",
    "assignee__first_name",
    "assignee__last_name",
    "assignee__username",
)


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


# --- the cartable ---------------------------------------------------------------------


def cartable_tab_q(
    tab: str,
    user_id: int,
    role: str,
    now: dt.datetime,
    states: StateMap,
    calendar: WorkingCalendar,
) -> Q:
    """The condition of one tab, for the page's rows."""
    if tab == "mine":
        return Q(assignee_id=user_id)
    if tab == "pool":
        return Q(assignee__isnull=True)
    if tab == "near":
        return nearing_q(now, states, calendar, role=role, overall=False)
    if tab == "overdue":
        return state_overdue_q(now)
    if tab == "returned":
        return Q(returned_at__isnull=False)  # case_returned_office/_district
    return Q()


def cartable_counts(
    base: QuerySet[Case], user_id: int, role: str, deadlines: Deadlines
) -> dict[str, int]:
    """How many of `base`'s cases each tab holds, counted from one narrow read of them
    (a cartable holds the open cases of one role in a few offices: tens to hundreds),
    with the same conditions as cartable_tab_q."""
    counts = dict.fromkeys(CARTABLE_TABS, 0)
    rows = base.order_by().values_list(
        "assignee_id", "due_at", "definition_id", "state", "sla_paused_at", "returned_at"
    )
    for assignee_id, due_at, definition_id, state, paused_at, returned_at in rows:
        counts["all"] += 1
        if assignee_id == user_id:
            counts["mine"] += 1
        if assignee_id is None:
            counts["pool"] += 1
        if deadlines.near_state(definition_id, state, paused_at, due_at, role):
            counts["near"] += 1
        if deadlines.state_overdue(paused_at, due_at):
            counts["overdue"] += 1
        if returned_at is not None:
            counts["returned"] += 1
    return counts


@dataclass(frozen=True)
class CartableRow:
    case: Case
    state_label: str
    due: str  # "overdue", "near" or ""
    can_claim: bool
    can_release: bool
    detail_url: str
    claim_url: str = ""  # where the row's claim (or release) button posts, if it shows
    release_url: str = ""


@dataclass
class CartablePage:
    role: str
    roles: list[str]
    tab: str
    counts: dict[str, int]
    rows: list[CartableRow]
    paging: Paging
    form: CaseFilterForm
    sort: str = DEFAULT_SORT

    @property
    def sorts(self) -> dict[str, SortColumn]:
        return sort_columns(self.sort)

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
    user: Any,
    principal: Principal,
    role: str,
    tab: str,
    data: Any,
    page: Any,
    sort: str = DEFAULT_SORT,
) -> CartablePage:
    """One page of `role`'s cartable for `principal`; `role` must be in cartable_roles.
    Invalid filters give no list (the page shows what to correct), never an unfiltered
    one."""
    form = filter_form(data)
    roles = cartable_roles(principal)
    if form.invalid:
        counts = dict.fromkeys(CARTABLE_TABS, 0)
        return CartablePage(role, roles, tab, counts, [], Paging.of(1, 0), form, sort)
    now = clock.now()
    calendar = page_calendar(now)
    states = StateMap.load()
    base = (
        cases_visible_to(user, principal)
        .filter(OPEN, role_scope(principal, role), acting_role=role)
        .filter(form.condition())
    )
    deadlines = Deadlines(states, calendar, now)
    counts = cartable_counts(base, user.pk, role, deadlines)
    paging = Paging.of(page, counts[tab])
    cases = list(
        base.filter(cartable_tab_q(tab, user.pk, role, now, states, calendar))
        .select_related(*ROW_RELATIONS)
        .only(*ROW_FIELDS)
        .order_by(*sort_order(sort))[paging.offset : paging.offset + paging.size]
    )
    limits = deadlines.state_limits
    detail = detail_url_maker()
    claim_url, release_url = url_maker("cases:claim"), url_maker("cases:release")
    rows = []
    for case in cases:
        can_claim = claim_refusal(principal, case) is None
        can_release = release_refusal(principal, case) is None
        rows.append(
            CartableRow(
                case=case,
                state_label=states.label(case.definition_id, case.state),
                due=due_badge(case.due_at, limits.get((case.definition_id, case.state)), now),
                can_claim=can_claim,
                can_release=can_release,
                detail_url=detail(case.pk),
                claim_url=claim_url(case.pk) if can_claim else "",
                release_url=release_url(case.pk) if can_release else "",
            )
        )
    return CartablePage(
        role=role,
        roles=roles,
        tab=tab,
        counts=counts,
        rows=rows,
        paging=paging,
        form=form,
        sort=sort,
    )
