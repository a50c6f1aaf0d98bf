"""The follow-up officer's list: the open cases of their offices that are stalled, near
or past a deadline, anywhere in the flow, with the last note on each."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet, Subquery

from pishkhan.accounts.access import Principal
from pishkhan.cases.access import cases_visible_to
from pishkhan.cases.actions import FOLLOW_UP_NOTE, FOLLOW_UP_NOTE_MAX_LENGTH
from pishkhan.cases.calendar import WorkingCalendar
from pishkhan.cases.cartable import FOLLOW_UP_TABS, ROW_FIELDS, ROW_RELATIONS
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
from pishkhan.cases.models import OPEN, Case, CaseEvent
from pishkhan.cases.sla import (
    STALLED_WORKING_DAYS,
    Deadlines,
    StateMap,
    due_badge,
    nearing_q,
    overdue_q,
    page_calendar,
    progress_events,
    stalled_before,
    stalled_q,
)
from pishkhan.core import clock
from pishkhan.offices.roles import Role


@dataclass(frozen=True)
class FollowUpRow:
    case: Case
    state_label: str
    reasons: list[tuple[str, str]]  # (css modifier, Persian label)
    last_progress_at: dt.datetime | None
    last_note: str
    last_note_at: dt.datetime | None
    detail_url: str
    note_url: str = ""  # where the row's follow-up note posts


@dataclass
class FollowUpPage:
    tab: str
    counts: dict[str, int]
    rows: list[FollowUpRow]
    paging: Paging
    form: CaseFilterForm
    sort: str = DEFAULT_SORT

    @property
    def sorts(self) -> dict[str, SortColumn]:
        return sort_columns(self.sort)

    @property
    def tabs(self) -> list[tuple[str, str, int]]:
        return [(code, label, self.counts[code]) for code, label in FOLLOW_UP_TABS.items()]

    @property
    def stalled_days(self) -> int:
        return STALLED_WORKING_DAYS

    @property
    def note_max_length(self) -> int:
        return FOLLOW_UP_NOTE_MAX_LENGTH


def follow_up_page(
    user: Any, principal: Principal, tab: str, data: Any, page: Any, sort: str = DEFAULT_SORT
) -> FollowUpPage:
    """The open cases of the officer's offices that are stalled, near or past a deadline
    (the state's or the overall one), anywhere in the flow. Invalid filters: no list."""
    form = filter_form(data)
    if form.invalid:
        counts = dict.fromkeys(FOLLOW_UP_TABS, 0)
        return FollowUpPage(tab, counts, [], Paging.of(1, 0), form, sort)
    now = clock.now()
    calendar = page_calendar(now)
    states = StateMap.load()
    quiet_since = stalled_before(now, calendar)
    overdue = overdue_q(now)
    near = nearing_q(now, states, calendar)
    stalled = stalled_q(now, calendar)
    tabs = {"all": stalled | near | overdue, "stalled": stalled, "near": near, "overdue": overdue}
    base = (
        cases_visible_to(user, principal)
        .filter(OPEN, office_id__in=sorted(principal.office_ids(Role.FOLLOW_UP_OFFICER)))
        .filter(form.condition())
    )
    deadlines = Deadlines(states, calendar, now)
    counts = follow_up_counts(base, deadlines, calendar)
    paging = Paging.of(page, counts[tab])
    cases = list(
        base.filter(tabs[tab])
        .annotate(
            last_progress_at=Subquery(progress_events().values("created_at")[:1]),
            last_note=Subquery(_notes().values("reason")[:1]),
            last_note_at=Subquery(_notes().values("created_at")[:1]),
        )
        .select_related(*ROW_RELATIONS)
        .only(*ROW_FIELDS)
        .order_by(*sort_order(sort))[paging.offset : paging.offset + paging.size]
    )
    limits = deadlines.state_limits
    detail = detail_url_maker()
    note_url = url_maker("cases:follow_up_note")
    rows = []
    for case in cases:
        reasons: list[tuple[str, str]] = []
        progress: dt.datetime | None = getattr(case, "last_progress_at", None)
        if progress is not None and progress < quiet_since:
            reasons.append(("muted", "متوقف"))
        if case.sla_paused_at is None:
            badge = due_badge(case.due_at, limits.get((case.definition_id, case.state)), now)
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
                note_url=note_url(case.pk),
            )
        )
    return FollowUpPage(tab=tab, counts=counts, rows=rows, paging=paging, form=form, sort=sort)


def follow_up_counts(
    base: QuerySet[Case], deadlines: Deadlines, calendar: WorkingCalendar
) -> dict[str, int]:
    """How many of `base`'s open cases each tab holds, from one narrow read of them (the
    offices' open cases: tens to hundreds) with stalled_q as a column; the same
    conditions as the tabs' Q (sla.Deadlines)."""
    counts = dict.fromkeys(FOLLOW_UP_TABS, 0)
    recent = progress_events().filter(created_at__gte=stalled_before(deadlines.now, calendar))
    rows = (
        base.order_by()
        .annotate(moved=Exists(recent))
        .values_list("definition_id", "state", "sla_paused_at", "due_at", "overall_due_at", "moved")
    )
    for definition_id, state, paused_at, due_at, overall_due_at, moved in rows:
        is_stalled = not moved
        is_overdue = deadlines.overdue(paused_at, due_at, overall_due_at)
        is_near = deadlines.nearing(definition_id, state, paused_at, due_at, overall_due_at)
        counts["stalled"] += is_stalled
        counts["overdue"] += is_overdue
        counts["near"] += is_near
        counts["all"] += is_stalled or is_overdue or is_near
    return counts


def _notes() -> QuerySet[CaseEvent]:
    return CaseEvent.objects.filter(case=OuterRef("pk"), action=FOLLOW_UP_NOTE).order_by("-seq")
