"""The office manager's view: the office's open cases across every step, how many
wait at each step and with each person, the overdue ones first, and a form on each row
to hand the case to a colleague (do_assign_case) where cases/permissions.py allows it.

"Overdue" is sla.overdue_q, the one definition of late (``Case.objects.overdue(now)``).
A page costs a fixed number of queries, whatever the cases: the offices' names, the
states (labels), the per-step and per-person aggregates, the page's rows, and the
colleagues of the office with the roles they hold today.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Case as CaseWhen
from django.db.models import Count, F, IntegerField, Value, When
from django.utils import timezone

from pishkhan.accounts.access import Principal
from pishkhan.cases.access import cases_visible_to
from pishkhan.cases.filters import Paging, detail_url_maker
from pishkhan.cases.models import OPEN, Case
from pishkhan.cases.permissions import assign_refusal
from pishkhan.cases.sla import StateMap, overdue_q
from pishkhan.core import clock
from pishkhan.offices.models import Office, RoleAssignment
from pishkhan.offices.roles import OFFICE_ROLES, Role

ROW_RELATIONS = ("service_type", "district", "parcel", "applicant", "assignee")
UNASSIGNED = "بدون مسئول"


@dataclass(frozen=True)
class Tally:
    label: str
    count: int
    overdue: int


@dataclass(frozen=True)
class ManagerRow:
    case: Case
    state_label: str
    role_label: str
    overdue: bool
    can_assign: bool
    colleagues: list[tuple[int, str]]  # who may take it: holding its acting role here
    detail_url: str


@dataclass
class ManagerPage:
    office: Office
    offices: list[Office]
    total: int
    overdue: int
    per_step: list[Tally]
    per_person: list[Tally]
    rows: list[ManagerRow]
    paging: Paging


def person_label(first: str | None, last: str | None, username: str | None) -> str:
    return f"{first or ''} {last or ''}".strip() or (username or "")


def managed_offices(principal: Principal) -> list[Office]:
    ids = sorted(principal.office_ids(Role.OFFICE_MANAGER))
    return list(Office.objects.filter(pk__in=ids).order_by("name"))


def colleagues_by_role(office_id: int, on: dt.date) -> dict[str, list[tuple[int, str]]]:
    """Who holds each office role in the office today (active accounts), by name."""
    held: dict[str, list[tuple[int, str]]] = defaultdict(list)
    rows = (
        RoleAssignment.objects.in_force(on)
        .filter(office_id=office_id, role__in=sorted(OFFICE_ROLES), staff__user__is_active=True)
        .order_by("staff__user__last_name", "staff__user__first_name", "pk")
        .values_list(
            "role",
            "staff__user_id",
            "staff__user__first_name",
            "staff__user__last_name",
            "staff__user__username",
        )
    )
    for role, user_id, first, last, username in rows:
        entry = (user_id, person_label(first, last, username))
        if entry not in held[role]:
            held[role].append(entry)
    return held


def manager_page(
    user: Any, principal: Principal, office_choice: Any, page: Any
) -> ManagerPage | None:
    """The chosen office (one the principal manages; the first by name otherwise), or
    None when they manage none today."""
    offices = managed_offices(principal)
    if not offices:
        return None
    office = next((o for o in offices if str(o.pk) == str(office_choice)), offices[0])
    now = clock.now()
    states = StateMap.load()
    late = overdue_q(now)
    base = cases_visible_to(user, principal).filter(OPEN, office_id=office.pk)

    steps: dict[str, list[int]] = {}
    for row in (
        base.order_by()
        .values("definition_id", "state")
        .annotate(n=Count("pk"), late=Count("pk", filter=late))
    ):
        tally = steps.setdefault(states.label(row["definition_id"], row["state"]), [0, 0])
        tally[0] += row["n"]
        tally[1] += row["late"]
    per_step = [
        Tally(label, n, o) for label, (n, o) in sorted(steps.items(), key=lambda s: -s[1][0])
    ]

    people = ("assignee_id", "assignee__first_name", "assignee__last_name", "assignee__username")
    per_person = [
        Tally(
            person_label(*(r[f] for f in people[1:])) if r["assignee_id"] else UNASSIGNED,
            r["n"],
            r["late"],
        )
        for r in base.order_by()
        .values(*people)
        .annotate(n=Count("pk"), late=Count("pk", filter=late))
        .order_by("-n", "assignee_id")
    ]
    total = sum(t.count for t in per_step)
    paging = Paging.of(page, total)
    cases = list(
        base.annotate(
            is_late=CaseWhen(
                When(late, then=Value(1)), default=Value(0), output_field=IntegerField()
            )
        )
        .select_related(*ROW_RELATIONS)
        .order_by(F("is_late").desc(), F("due_at").asc(nulls_last=True), "opened_at", "pk")[
            paging.offset : paging.offset + paging.size
        ]
    )
    colleagues = colleagues_by_role(office.pk, timezone.localdate(now))
    detail = detail_url_maker()
    rows = []
    for case in cases:
        allowed = assign_refusal(principal, case) is None
        rows.append(
            ManagerRow(
                case=case,
                state_label=states.label(case.definition_id, case.state),
                role_label=_role_label(case.acting_role),
                overdue=bool(getattr(case, "is_late", 0)),
                can_assign=allowed,
                colleagues=colleagues.get(case.acting_role, []) if allowed else [],
                detail_url=detail(case.pk),
            )
        )
    return ManagerPage(
        office=office,
        offices=offices,
        total=total,
        overdue=sum(t.overdue for t in per_step),
        per_step=per_step,
        per_person=per_person,
        rows=rows,
        paging=paging,
    )


def _role_label(code: str) -> str:
    try:
        return str(Role(code).label)
    except ValueError:
        return {"applicant": "متقاضی", "system": "سامانه"}.get(code, code)
