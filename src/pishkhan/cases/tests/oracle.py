"""What an attempt on a case must do, read from the definition files and the facts of the
case, never from the engine.

The oracle keeps its own model of every case the test touches (`CaseFacts`) and of every
parcel (`ParcelFacts`), updated only when an attempt succeeds. For a person, an action and
its inputs it predicts the outcome in the order docs/workflow.md documents: scope (404),
version (conflict), the action out of the current state, the role where the case is, the
claim, the reason (none where none is asked), the documents (staff tick only what the
next step requires; a step's own checklist before moving on from it) and the guards.
`None` means the attempt must succeed.

A send-back (``"send_back": true``), and the applicant's answer that takes a case back to
the step it paused in, gives the case to whoever last held that step (the inspector of
its last visit report, else the last who acted there or claimed it in its role); a
send-back also flags the case "returned" until someone works on it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from django.core.exceptions import ValidationError
from django.http import Http404

from pishkhan.cases.errors import (
    ActionNotAllowed,
    AssignedToAnother,
    ConcurrentActionError,
    DocumentsMissing,
    GuardFailed,
    InvalidInput,
    OpenNotAllowed,
    ReasonRequired,
    RoleNotAllowed,
)
from pishkhan.testing.workflows import (
    APPLICANT,
    DISTRICT_STAFF,
    INSPECTOR,
    Definition,
    Move,
    State,
)

if TYPE_CHECKING:
    from pishkhan.testing.personas import City

Outcome = type[Exception] | None

FOLLOW_UP_OFFICER = "follow_up_officer"
# Effects that draft the answer of an inquiry (the guard "response_drafted" then holds).
DRAFTING = {"draft_instant_response", "draft_response_on_certificate"}
SYSTEM = "system"
# Actions the engine writes itself: their events keep the state.
BOOKKEEPING = (
    "open",
    "claim",
    "release",
    "record_visit_report",
    "record_plan_review",
    "save_response_draft",
    "follow_up_note",
    "correct_case",
)


# --- people and facts -----------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """Who someone is, as the test built them (not as the engine reads them)."""

    name: str
    user_id: int
    offices: frozenset[tuple[int, str]] = frozenset()  # (office id, office role)
    districts: frozenset[int] = frozenset()  # district staff of these districts
    city_role: str = ""  # supervisor or administrator: reads every case, never acts
    citizen_id: int | None = None

    @property
    def city(self) -> bool:
        return bool(self.city_role)

    @property
    def roles(self) -> set[str]:
        """The staff roles held anywhere."""
        district = {DISTRICT_STAFF} if self.districts else set()
        return {r for _, r in self.offices} | district | ({self.city_role} - {""})


@dataclass
class ParcelFacts:
    pk: int
    district_id: int
    visits: list[tuple[dt.datetime, bool]] = field(default_factory=list)  # (when, violation)
    open_conditions: int = 0
    certificates: int = 0  # qualifying certificates (completion, no violation) on record


@dataclass
class CaseFacts:
    pk: int
    service: str
    office_id: int
    parcel: ParcelFacts
    applicant_id: int
    state: str
    documents: set[str]
    version: int = 1
    assignee: int | None = None
    preparer: int | None = None
    approver: int | None = None
    visited_ever: bool = False  # a visit report was recorded on this case
    visited_here: bool = False  # ... since it entered its current state
    reviewed_here: bool = False  # a plan review recorded since it entered its state
    drafted: bool = False  # an answer drafted and not yet issued
    holders: dict[str, int] = field(default_factory=dict)  # state -> last holder there
    visitors: dict[str, int] = field(default_factory=dict)  # state -> last visit's inspector
    paused_from: str | None = None  # the step a case waiting on the applicant paused in
    returned: bool = False  # sent back, and nobody has worked on it since
    parent_permit: int | None = None  # the permit a permit group names (its pk)
    parent_usable: bool = True  # ... and it may carry the request (permits' guard)

    @property
    def district_id(self) -> int:
        """The district of the parcel: its staff act, whatever the office's district."""
        return self.parcel.district_id


def people_of(world: City) -> dict[str, Person]:
    """Everyone of the cases' test world, by name: "a.inspector", "b.district_staff.1"."""
    users = world.everyone()
    people: dict[str, Person] = {}
    for prefix, side in (("a", world.a), ("b", world.b)):
        for role in side.staff:
            name = f"{prefix}.{role}"
            offices = frozenset({(side.office.pk, str(role))})
            people[name] = Person(name, users[name].pk, offices=offices)
        for i in range(len(side.district_staff)):
            name = f"{prefix}.district_staff.{i}"
            people[name] = Person(name, users[name].pk, districts=frozenset({side.district.pk}))
    for name in ("supervisor", "administrator"):
        people[name] = Person(name, users[name].pk, city_role=name)
    for name, citizen in (("citizen", world.citizen), ("other_citizen", world.other_citizen)):
        people[name] = Person(name, users[name].pk, citizen_id=citizen.pk)
    return people


class Place(Protocol):
    """Where a case is: its office, its parcel's district, its applicant."""

    @property
    def office_id(self) -> int: ...
    @property
    def district_id(self) -> int: ...
    @property
    def applicant_id(self) -> int: ...


class Oracle:
    def __init__(self, definitions: dict[str, Definition]) -> None:
        self.definitions = definitions

    def definition(self, case: CaseFacts) -> Definition:
        return self.definitions[case.service]

    def state(self, case: CaseFacts) -> State:
        return self.definition(case).states[case.state]

    # --- who --------------------------------------------------------------------------

    def sees(self, person: Person, case: Place) -> bool:
        """Office staff see their office's cases, district staff those whose parcel is
        in their district, the city roles every case, a citizen their own."""
        return (
            person.city
            or any(office == case.office_id for office, _ in person.offices)
            or case.district_id in person.districts
            or person.citizen_id == case.applicant_id
        )

    def holds(self, person: Person, role: str, case: CaseFacts) -> bool:
        if role == APPLICANT:
            return person.citizen_id == case.applicant_id
        if role == DISTRICT_STAFF:
            return case.district_id in person.districts
        return (case.office_id, role) in person.offices

    def role_for(self, person: Person, roles: tuple[str, ...], case: CaseFacts) -> str | None:
        return next((r for r in roles if self.holds(person, r, case)), None)

    # --- guards -----------------------------------------------------------------------

    def guard_holds(self, name: str, person: Person, case: CaseFacts, now: dt.datetime) -> bool:
        if name == "parcel_has_no_open_conditions":
            return case.parcel.open_conditions == 0
        if name == "visit_report_recorded":
            return case.visited_here
        if name == "plan_review_recorded":
            return case.reviewed_here
        if name == "response_drafted":
            return case.drafted
        if name == "qualifying_certificate":
            return case.parcel.certificates > 0
        if name == "before_visit":
            return not case.visited_ever
        if name == "approver_differs_from_preparer":
            return case.preparer is not None and case.preparer != person.user_id
        if name == "parent_permit_usable":
            return case.parent_permit is not None and case.parent_usable
        if name == "recent_valid_visit":
            if not case.parcel.visits:
                return False
            visited_at, violation = max(case.parcel.visits)
            age = dt.timedelta(days=self.definition(case).max_visit_age_days)
            return visited_at >= now - age and not violation
        raise AssertionError(f"the oracle does not know the guard {name!r}: teach it")

    def failing_guard(
        self, move: Move, person: Person, case: CaseFacts, now: dt.datetime
    ) -> str | None:
        return next((g for g in move.guards if not self.guard_holds(g, person, case, now)), None)

    # --- predictions ------------------------------------------------------------------

    def open(
        self, person: Person, service: str, office_id: int, applicant_id: int, docs: set[str]
    ) -> Outcome:
        """For an active, licensed office under contract, in its channel (in person for
        staff, online for the applicant)."""
        definition = self.definitions[service]
        allowed = any(
            (role == APPLICANT and person.citizen_id == applicant_id)
            or (role != APPLICANT and (office_id, role) in person.offices)
            for role in definition.open_roles
        )
        if not allowed:
            return OpenNotAllowed
        if not docs <= set(definition.documents):
            return InvalidInput
        if not definition.initial.documents_required <= docs:
            return DocumentsMissing
        return None

    def act(
        self,
        person: Person,
        case: CaseFacts,
        code: str,
        *,
        reason: str | None,
        docs: set[str],
        version: int,
        now: dt.datetime,
        undocs: set[str] | None = None,
    ) -> Outcome:
        if not self.sees(person, case):
            return Http404
        if version != case.version:
            return ConcurrentActionError
        move = self.definition(case).moves.get((case.state, code))
        if move is None:
            return ActionNotAllowed
        role = self.role_for(person, move.roles, case)
        if role is None:
            return RoleNotAllowed
        if role == self.state(case).role and case.assignee not in (None, person.user_id):
            return AssignedToAnother
        given = bool((reason or "").strip())
        if move.reason_required and not given:
            return ReasonRequired
        if given and not move.reason_required:
            return InvalidInput  # a reason where the action asks none
        target = self.definition(case).states[move.target]
        required = target.documents_required
        if docs and (role == APPLICANT or not docs <= required):
            return InvalidInput  # staff tick what the next step requires, nothing else
        if undocs and (
            not move.send_back
            or not target.data_editable
            or role == APPLICANT
            or not undocs <= case.documents & required
            or undocs & docs
        ):
            return InvalidInput  # a send-back un-ticks what the step it returns to checks
        if not move.send_back and not required <= case.documents | docs:
            return DocumentsMissing  # a send-back enters without: that step checks again
        moves_on = not (move.send_back or target.pauses_sla or target.terminal)
        if moves_on and not self.state(case).documents_required <= case.documents | docs:
            return DocumentsMissing  # a step's own checklist, before moving on from it
        if self.failing_guard(move, person, case, now):
            return GuardFailed
        return None

    def claim(self, person: Person, case: CaseFacts, version: int) -> Outcome:
        if not self.sees(person, case):
            return Http404
        if version != case.version:
            return ConcurrentActionError
        state = self.state(case)
        if state.role in (APPLICANT, SYSTEM):
            return RoleNotAllowed  # a step waiting on the applicant or the system: nobody's
        if state.terminal or not self.holds(person, state.role, case):
            return RoleNotAllowed
        if case.assignee == person.user_id:
            return ActionNotAllowed
        if case.assignee is not None:
            return AssignedToAnother
        return None

    def release(self, person: Person, case: CaseFacts, version: int) -> Outcome:
        if not self.sees(person, case):
            return Http404
        if version != case.version:
            return ConcurrentActionError
        if self.state(case).terminal or case.assignee != person.user_id:
            return ActionNotAllowed
        return None

    def visit(
        self, person: Person, case: CaseFacts, version: int, visited_at: dt.datetime, now: Any
    ) -> Outcome:
        if visited_at > now:
            return ValidationError
        if not self.sees(person, case):
            return Http404
        if version != case.version:
            return ConcurrentActionError
        state = self.state(case)
        if state.role != INSPECTOR:
            return ActionNotAllowed
        if not self.holds(person, INSPECTOR, case):
            return RoleNotAllowed
        if case.assignee not in (None, person.user_id):
            return AssignedToAnother
        return None

    def record(self, person: Person, case: CaseFacts, version: int, needed_by: str) -> Outcome:
        """Recording what a move out of the current state needs (a plan review, an
        answer's draft): whoever may take that move, in its role."""
        if not self.sees(person, case):
            return Http404
        if version != case.version:
            return ConcurrentActionError
        needing = [m for m in self.definition(case).moves_from(case.state) if needed_by in m.guards]
        if self.state(case).terminal or not needing:
            return ActionNotAllowed
        role = self.role_for(person, needing[0].roles, case)
        if role is None:
            return RoleNotAllowed
        if role == self.state(case).role and case.assignee not in (None, person.user_id):
            return AssignedToAnother
        return None

    def recorded(self, person: Person, case: CaseFacts, needed_by: str) -> None:
        case.holders[case.state] = person.user_id
        case.returned = False
        case.version += 1
        if needed_by == "plan_review_recorded":
            case.reviewed_here = True
        else:
            case.drafted = True

    def note(self, person: Person, case: CaseFacts, text: str) -> Outcome:
        if not text.strip():
            return ReasonRequired
        if not self.sees(person, case):
            return Http404
        if self.state(case).terminal:
            return ActionNotAllowed
        if not self.holds(person, FOLLOW_UP_OFFICER, case):
            return RoleNotAllowed
        return None

    # --- what a success changes -------------------------------------------------------

    def moved(
        self,
        person: Person,
        case: CaseFacts,
        code: str,
        docs: set[str],
        undocs: frozenset[str] = frozenset(),
    ) -> Move:
        move = self.definition(case).moves[(case.state, code)]
        here, target = self.state(case), self.definition(case).states[move.target]
        if self.role_for(person, move.roles, case) == here.role:
            case.holders[here.code] = person.user_id
        resumes = case.paused_from == target.code and not target.pauses_sla
        if target.pauses_sla:
            case.paused_from = case.paused_from or here.code
        else:
            case.paused_from = None
        case.state = move.target
        case.version += 1
        case.assignee = None
        if (move.send_back or resumes) and target.role not in ("", APPLICANT, SYSTEM):
            holder = case.visitors.get(target.code) or case.holders.get(target.code)
            case.assignee = holder  # everyone of the test world is still there
        case.returned = move.send_back
        case.documents = (case.documents | docs) - set(undocs)
        case.visited_here = case.reviewed_here = False
        if DRAFTING & set(move.effects):
            case.drafted = True
        if "issue_response" in move.effects:
            case.drafted = False
        if move.stamp == "prepared_by":
            case.preparer, case.approver = person.user_id, None
        elif move.stamp == "approved_by":
            case.approver = person.user_id
        return move

    def claimed(self, person: Person, case: CaseFacts) -> None:
        case.version += 1
        case.assignee = case.holders[case.state] = person.user_id

    def visited(
        self, person: Person, case: CaseFacts, visited_at: dt.datetime, violation: bool
    ) -> None:
        case.visitors[case.state] = person.user_id
        case.returned = False
        case.version += 1
        case.visited_ever = case.visited_here = True
        case.parcel.visits.append((visited_at, violation))
