"""Every action of every definition file, by every kind of person, held to an oracle read
from the files and the facts of the case (cases/tests/oracle.py), never from the engine.

Both tests below make their attempts through one `Driver`: it calls the real actions and
asserts that it succeeds exactly when the oracle says so and is otherwise refused with
the error the oracle names (a guard that should hold and fails is a failure, and so is
a guard that should fail and holds); a refusal changes nothing; after a success the case
matches the oracle's facts and every invariant holds: the state belongs to the
definition, the version equals the number of events, their seq run 1…n and chain from
the initial state, no final decision stands without a preparer and a different approver,
a case is closed exactly in a terminal state, an assignee holds the acting role.

- The deterministic walk takes every action out of every state of every definition,
  with every refusal before it (a foreign person, a wrong role, a stale version, an
  action of another state, a missing or unasked reason, missing or unasked documents, a
  colleague's claim, each guard failing on its own), plus claim, release and the visit
  report, and then asserts that it reached all of them. It runs
  once with the parcel in the office's district and once in another district, whose
  district staff act while the office's district staff get a 404.
- The Hypothesis machine tries anything by anyone in random order on random cases,
  steering part of the time towards what it has not reached yet.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.http import Http404
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from pishkhan.accounts.models import Citizen
from pishkhan.cases.actions import (
    do_add_follow_up_note,
    do_claim_case,
    do_open_case,
    do_perform_action,
    do_record_plan_review,
    do_record_visit_report,
    do_release_case,
    do_save_response_draft,
)
from pishkhan.cases.errors import (
    ActionNotAllowed,
    AssignedToAnother,
    ConcurrentActionError,
    DocumentsMissing,
    GuardFailed,
    InvalidInput,
    ReasonRequired,
    RoleNotAllowed,
    WorkflowError,
)
from pishkhan.cases.models import Case, CaseEvent, Channel, ResponseResult, VisitReport
from pishkhan.cases.responses import AnswerDraft
from pishkhan.cases.tests.oracle import (
    BOOKKEEPING,
    CaseFacts,
    Oracle,
    Outcome,
    ParcelFacts,
    Person,
    people_of,
)
from pishkhan.cases.workflow import definition_files
from pishkhan.core import clock
from pishkhan.geo.models import (
    CertificateKind,
    ConditionKind,
    LandUse,
    Parcel,
    ParcelCertificate,
    ParcelCondition,
)
from pishkhan.offices.models import Office
from pishkhan.offices.roles import Role
from pishkhan.permits.models import BuildingPermit, PermitStatus
from pishkhan.testing.personas import (
    DUPLICATE_REASON,
    City,
    build_city,
    visit_answers,
)
from pishkhan.testing.workflows import (
    APPLICANT,
    DISTRICT_STAFF,
    INSPECTOR,
    Definition,
    Move,
    Step,
    plan,
    read_definitions,
)

DEFINITIONS = read_definitions()
SERVICES = len(DEFINITIONS)  # the machine starts with a case of each
ORACLE = Oracle(DEFINITIONS)
REASON = "علت آزمایشی"
AS_ASKED = "\x00as asked"  # a reason only where the action asks one (see Driver.act)
RECENT, OLD, FUTURE = dt.timedelta(minutes=-5), dt.timedelta(days=-400), dt.timedelta(hours=1)


def _count(model: type[CaseEvent | VisitReport]) -> Subquery:
    rows = model.objects.filter(case=OuterRef("pk")).order_by().values("case")
    return Subquery(rows.annotate(n=Count("pk")).values("n")[:1])


SNAPSHOT = Case.objects.annotate(n_events=_count(CaseEvent), n_reports=_count(VisitReport))


def every_move() -> set[tuple[str, str, str]]:
    return {m.key for d in DEFINITIONS.values() for m in d.moves.values()}


def every_guard() -> set[tuple[str, str, str]]:
    return {
        (m.service, m.code, g)
        for d in DEFINITIONS.values()
        for m in d.moves.values()
        for g in m.guards
    }


def every_bookkeeping_action() -> set[tuple[str, str]]:
    pairs = {(s, code) for s in DEFINITIONS for code in ("claim", "release")}
    return pairs | {(s, "record_visit_report") for s, d in DEFINITIONS.items() if d.has_visits()}


def parent_permit_of(data: dict[str, Any], parcel: Parcel) -> int | None:
    """The pk of the permit a permit group's registration names (on its parcel)."""
    number = data.get("parent_permit")
    found = BuildingPermit.objects.filter(number=number, parcel=parcel).values_list("pk")
    return found.first()[0] if number and found.exists() else None


def name_of(outcome: Outcome) -> str:
    return "ok" if outcome is None else outcome.__name__


# --- the driver -----------------------------------------------------------------------


class Driver:
    """Makes attempts through the real actions and holds each to the oracle."""

    def __init__(self, world: City) -> None:
        self.world = world
        self.users = world.everyone()
        self.people = people_of(world)
        self.cases: dict[int, CaseFacts] = {}
        self.parcels: dict[int, ParcelFacts] = {}
        self.moves: set[tuple[str, str, str]] = set()  # (service, from state, action) taken
        self.bookkeeping: set[tuple[str, str]] = set()  # (service, claim|release|visit) done
        self.guards_failed: set[tuple[str, str, str]] = set()  # (service, action, guard)
        self.log: set[tuple[str, str, str]] = set()  # (person, action, outcome)
        self.last: dict[int, tuple[Any, ...]] = {}  # each case's snapshot when last checked

    # --- facts ------------------------------------------------------------------------

    def parcel(self, parcel: Parcel) -> ParcelFacts:
        if parcel.pk not in self.parcels:
            self.parcels[parcel.pk] = ParcelFacts(parcel.pk, parcel.district_id)
        return self.parcels[parcel.pk]

    def snapshot(self, pk: int) -> tuple[Any, ...]:
        """Every column of the case and how many events and visit reports it has."""
        return tuple(SNAPSHOT.filter(pk=pk).values_list().get())

    def run(
        self,
        person: Person,
        what: str,
        case: CaseFacts | None,
        predicted: Outcome,
        call: Callable[[], Any],
    ) -> Any:
        """Call the action; assert the engine did what the oracle predicted."""
        before = self.last[case.pk] if case else Case.objects.count()
        label = f"{person.name} {what}" + (f" on a case in {case.state}" if case else "")
        refusal: Exception | None = None
        try:
            result = call()
        except (WorkflowError, Http404, ValidationError) as error:
            refusal, result = error, None
        self.log.add((person.name, what, "ok" if refusal is None else type(refusal).__name__))
        if refusal is None:
            assert predicted is None, f"{label}: the oracle expected {name_of(predicted)}; ok"
            return result
        assert type(refusal) is predicted, (
            f"{label}: the oracle expected {name_of(predicted)}, the engine said {refusal!r}"
        )
        after = self.snapshot(case.pk) if case else Case.objects.count()
        assert after == before, f"{label} was refused but changed something"
        return None

    # --- attempts ---------------------------------------------------------------------

    def open(
        self,
        person: Person,
        service: str,
        office: Office,
        parcel: Parcel,
        applicant: Citizen,
        docs: set[str],
    ) -> CaseFacts | None:
        online = person.citizen_id is not None
        predicted = ORACLE.open(person, service, office.pk, applicant.pk, docs)
        data = self.world.builder.application_data_on(service, parcel)
        case = self.run(
            person,
            f"open {service}",
            None,
            predicted,
            lambda: do_open_case(
                self.users[person.name],
                self.world.services[service],
                applicant,
                parcel,
                office,
                Channel.ONLINE if online else Channel.IN_PERSON,
                sorted(docs),
                data=data,
                duplicate_reason=DUPLICATE_REASON,
            ),
        )
        if case is None:
            return None
        facts = CaseFacts(
            pk=case.pk,
            service=service,
            office_id=office.pk,
            parcel=self.parcel(parcel),
            applicant_id=applicant.pk,
            state=DEFINITIONS[service].initial.code,
            documents=set(docs),
            parent_permit=parent_permit_of(data, parcel),
        )
        self.cases[case.pk] = facts
        self.check(facts, ("open", person.user_id, None))
        return facts

    def act(
        self,
        person: Person,
        case: CaseFacts,
        code: str,
        reason: str | None = AS_ASKED,
        docs: set[str] | None = None,
        stale: bool = False,
    ) -> Outcome:
        """Take `code`, by default with the inputs it asks (see `asked`)."""
        move = DEFINITIONS[case.service].moves.get((case.state, code))
        asked_reason, asked_docs = self.asked(person, case, code)
        reason = asked_reason if reason is AS_ASKED else reason
        docs = asked_docs if docs is None else docs
        version = case.version - 1 if stale else case.version
        now = clock.now()
        predicted = ORACLE.act(
            person, case, code, reason=reason, docs=docs, version=version, now=now
        )
        role = ORACLE.role_for(person, move.roles, case) if move else None
        payload: dict[str, Any] = {"documents_checked": sorted(docs)} if docs else {}
        if move is not None and "draft_response_on_certificate" in move.effects:
            payload["owner_declaration"] = True  # the owner declared nothing changed
        moved = self.run(
            person,
            code,
            case,
            predicted,
            lambda: do_perform_action(
                self.users[person.name], case.pk, code, version, reason=reason, payload=payload
            ),
        )
        if predicted is GuardFailed:
            assert move is not None
            guard = ORACLE.failing_guard(move, person, case, now)
            self.guards_failed.add((case.service, code, str(guard)))
        if moved is None:
            return predicted
        assert move is not None
        ORACLE.moved(person, case, code, docs)
        self.moves.add(move.key)
        self.check(case, (code, person.user_id, role))
        return None

    def asked(self, person: Person, case: CaseFacts, code: str) -> tuple[str | None, set[str]]:
        """What a careful person enters: a reason only where the action asks one; staff
        tick the documents the next step requires that are not ticked yet."""
        definition = DEFINITIONS[case.service]
        move = definition.moves.get((case.state, code))
        if move is None:
            return None, set()
        required = definition.states[move.target].documents_required
        docs = set() if person.citizen_id else set(required - case.documents)
        return (REASON if move.reason_required else None), docs

    def claim(self, person: Person, case: CaseFacts, stale: bool = False) -> Outcome:
        version = case.version - 1 if stale else case.version
        predicted = ORACLE.claim(person, case, version)
        role = ORACLE.state(case).role
        done = self.run(
            person,
            "claim",
            case,
            predicted,
            lambda: do_claim_case(self.users[person.name], case.pk, version),
        )
        if done is None:
            return predicted
        ORACLE.claimed(person, case)
        self.bookkeeping.add((case.service, "claim"))
        self.check(case, ("claim", person.user_id, role))
        return None

    def release(self, person: Person, case: CaseFacts, stale: bool = False) -> Outcome:
        version = case.version - 1 if stale else case.version
        predicted = ORACLE.release(person, case, version)
        role = ORACLE.state(case).role
        done = self.run(
            person,
            "release",
            case,
            predicted,
            lambda: do_release_case(self.users[person.name], case.pk, version),
        )
        if done is None:
            return predicted
        case.version += 1
        case.assignee = None
        self.bookkeeping.add((case.service, "release"))
        self.check(case, ("release", person.user_id, role))
        return None

    def visit(
        self,
        person: Person,
        case: CaseFacts,
        when: dt.timedelta = RECENT,
        violation: bool = False,
        stale: bool = False,
    ) -> Outcome:
        version = case.version - 1 if stale else case.version
        now = clock.now()
        visited_at = now + when
        predicted = ORACLE.visit(person, case, version, visited_at, now)
        report = self.run(
            person,
            "record_visit_report",
            case,
            predicted,
            lambda: do_record_visit_report(
                self.users[person.name],
                case.pk,
                version,
                visited_at=visited_at,
                **visit_kwargs(case, ["اضافه بنا"] if violation else []),
            ),
        )
        if report is None:
            return predicted
        ORACLE.visited(person, case, visited_at, violation)
        self.bookkeeping.add((case.service, "record_visit_report"))
        self.check(case, ("record_visit_report", person.user_id, INSPECTOR))
        return None

    def record(self, person: Person, case: CaseFacts, needed_by: str) -> Outcome:
        """A plan review ("plan_review_recorded") or an answer's draft
        ("response_drafted"), as the page posts it."""
        predicted = ORACLE.record(person, case, case.version, needed_by)
        user = self.users[person.name]
        if needed_by == "plan_review_recorded":
            code = "record_plan_review"
            findings = {"zone": "R112", "permitted_uses": [LandUse.RESIDENTIAL], "opinion": "مطابق"}

            def attempt() -> Any:
                return do_record_plan_review(user, case.pk, case.version, findings)
        else:
            code = "save_response_draft"
            draft = AnswerDraft(result=ResponseResult.CONDITIONAL, own_conditions=["شرط"])

            def attempt() -> Any:
                return do_save_response_draft(user, case.pk, case.version, draft)

        done = self.run(person, code, case, predicted, attempt)
        if done is None:
            return predicted
        ORACLE.recorded(person, case, needed_by)
        self.check(case, (code, person.user_id, None))
        return None

    def record_certificate(self, parcel: ParcelFacts) -> None:
        ParcelCertificate.objects.create(
            parcel_id=parcel.pk,
            kind=CertificateKind.COMPLETION,
            number=f"پ-{parcel.pk}-{parcel.certificates + 1}",
            issued_on=timezone.localdate() - dt.timedelta(days=400),
        )
        parcel.certificates += 1

    def note(self, person: Person, case: CaseFacts, text: str) -> Outcome:
        predicted = ORACLE.note(person, case, text)
        done = self.run(
            person,
            "follow_up_note",
            case,
            predicted,
            lambda: do_add_follow_up_note(self.users[person.name], case.pk, text),
        )
        if done is None:
            return predicted
        case.version += 1
        self.check(case, ("follow_up_note", person.user_id, Role.FOLLOW_UP_OFFICER))
        return None

    def record_condition(self, parcel: ParcelFacts) -> None:
        condition = ParcelCondition(
            parcel_id=parcel.pk,
            kind=ConditionKind.VIOLATION,
            title="اضافه بنای بدون پروانه",
            recorded_on=timezone.localdate(),
        )
        condition.full_clean()
        condition.save()
        parcel.open_conditions += 1

    def resolve_conditions(self, parcel: ParcelFacts) -> None:
        for condition in ParcelCondition.objects.filter(parcel_id=parcel.pk, resolved_at=None):
            condition.resolved_at = clock.now()
            condition.save(update_fields=["resolved_at", "updated_at"])
        parcel.open_conditions = 0

    # --- invariants -------------------------------------------------------------------

    def check(self, facts: CaseFacts, last: tuple[str, int, str | None] | None = None) -> None:
        """The case in the database is the oracle's case, and its history is sound."""
        case = Case.objects.get(pk=facts.pk)
        definition = DEFINITIONS[facts.service]
        state = definition.states[case.state]
        seen = (
            case.state,
            case.version,
            case.assignee_id,
            case.prepared_by_id,
            case.approved_by_id,
            set(case.documents_checked),
            case.district_id,
            case.office_id,
            case.applicant_id,
            case.returned_at is not None,
        )
        expected = (
            facts.state,
            facts.version,
            facts.assignee,
            facts.preparer,
            facts.approver,
            facts.documents,
            facts.district_id,
            facts.office_id,
            facts.applicant_id,
            facts.returned,
        )
        assert seen == expected, f"the case is {seen}, the oracle says {expected}"
        assert case.acting_role == state.role
        assert (case.closed_at is not None) == state.terminal
        events = list(CaseEvent.objects.filter(case=case).order_by("seq"))
        assert [e.seq for e in events] == list(range(1, case.version + 1))
        assert (events[0].action, events[0].to_state) == ("open", definition.initial.code)
        for previous, event in itertools.pairwise(events):
            assert event.from_state == previous.to_state
            if event.action in BOOKKEEPING:
                assert event.from_state == event.to_state
            else:
                move = definition.moves[(event.from_state, event.action)]
                assert move.target == event.to_state
        assert events[-1].to_state == case.state
        if last is not None:
            action, actor, role = last
            assert (events[-1].action, events[-1].actor_id) == (action, actor)
            assert role is None or events[-1].actor_role == role
        approvals = {
            (m.source, m.code) for m in definition.moves.values() if m.stamp == "approved_by"
        }
        decided = {m.target for m in definition.moves.values() if m.stamp == "approved_by"}
        if facts.approver is not None or case.state in decided:
            # maker and checker: two different people, the checker's event the approval
            assert case.prepared_by_id is not None
            assert case.approved_by_id is not None
            assert case.prepared_by_id != case.approved_by_id
            assert any(
                (e.from_state, e.action) in approvals and e.actor_id == case.approved_by_id
                for e in events
            ), "an approval without its event"
        if case.assignee_id is not None:
            holder = next(p for p in self.people.values() if p.user_id == case.assignee_id)
            assert ORACLE.holds(holder, state.role, facts)
        self.last[facts.pk] = self.snapshot(facts.pk)


# --- the deterministic walk -----------------------------------------------------------

PARCEL_GUARDS = {"recent_valid_visit", "parcel_has_no_open_conditions"}


class Walker:
    """Takes every move of every definition, each after the refusals that come before
    it, on cases of office A (district A) whose parcels lie in district A or B."""

    def __init__(self, driver: Driver, cross_district: bool) -> None:
        self.driver = driver
        self.world = driver.world
        self.office = self.world.a.office
        self.district = (self.world.b if cross_district else self.world.a).district
        self.reverse_roles = cross_district  # who of a move's roles acts: first or last
        # Refusals that do not depend on where the parcel lies are tried in one walk.
        self.every_refusal = not cross_district
        self.shared_parcel = self.world.builder.parcel(self.district)
        self.states_refused: set[tuple[str, str]] = set()
        self.helpers: dict[int, CaseFacts] = {}  # parcel -> a case that visits it
        self.people = list(driver.people.values())

    def person(self, name: str) -> Person:
        return self.driver.people[name]

    def actor(self, move: Move, case: CaseFacts) -> Person:
        """Who takes `move`: the case's assignee when they may (a case sent back to
        someone is theirs), else the first holder of the move's first role (or last)."""
        roles = move.roles[::-1] if self.reverse_roles else move.roles
        assignee = next((p for p in self.people if p.user_id == case.assignee), None)
        checker = "approver_differs_from_preparer" in move.guards
        if (
            assignee is not None
            and ORACLE.role_for(assignee, roles, case) is not None
            and not (checker and assignee.user_id == case.preparer)
        ):
            return assignee
        for role in roles:
            for person in self.people:
                if ORACLE.holds(person, role, case) and not (
                    "approver_differs_from_preparer" in move.guards
                    and person.user_id == case.preparer
                ):
                    return person
        raise AssertionError(f"nobody may {move.code} from {case.state}")

    def inspector(self, case: CaseFacts) -> Person:
        return next(p for p in self.people if ORACLE.holds(p, INSPECTOR, case))

    def expect(self, expected: Outcome, attempt: Callable[[], Outcome], what: str) -> None:
        """The walk meant `what` to end in `expected`; the driver checked the engine."""
        outcome = attempt()
        assert outcome is expected, f"{what}: meant {name_of(expected)}, got {name_of(outcome)}"

    # --- reaching a state -------------------------------------------------------------

    def new_case(self, service: str, parcel: Parcel | None = None) -> CaseFacts:
        parcel = parcel or self.shared_parcel
        technical_manager = self.person(f"a.{Role.TECHNICAL_MANAGER}")
        docs = set(DEFINITIONS[service].initial.documents_required)
        case = self.driver.open(
            technical_manager, service, self.office, parcel, self.world.citizen, docs
        )
        assert case is not None
        return case

    def take(self, case: CaseFacts, step: Step) -> None:
        """One step of a plan (a visit first where the move needs one)."""
        if step is None or ("visit_report_recorded" in step.guards and not case.visited_here):
            self.expect(None, lambda: self.driver.visit(self.inspector(case), case), "visit")
        if step is not None:
            actor = self.actor(step, case)
            for needed in ("plan_review_recorded", "response_drafted"):
                if needed in step.guards and not ORACLE.guard_holds(
                    needed, actor, case, clock.now()
                ):
                    self.expect(None, lambda n=needed: self.driver.record(actor, case, n), needed)
            self.expect(None, lambda: self.driver.act(actor, case, step.code), step.code)

    def walk(self, definition: Definition) -> None:
        """Take every move of the definition once, each case going on from where the
        last move left it to the nearest move not yet taken; a new case when none is
        reachable, and one on a parcel of its own for a move whose guards read the
        parcel (its visits, its conditions). A move guarded by `before_visit` is also
        tried, and refused, on a case that was visited."""
        todo = [(True, m) for m in definition.moves.values() if "before_visit" in m.guards]
        todo += [(False, m) for m in definition.moves.values()]
        case: CaseFacts | None = None
        while todo:
            own_parcel = next((t for t in todo if PARCEL_GUARDS & set(t[1].guards)), None)
            if own_parcel:
                todo.remove(own_parcel)
                parcel = self.world.builder.parcel(self.district)
                self.go(self.new_case(definition.service, parcel), *own_parcel)
                continue
            ways = [
                (len(path), i)
                for i, target in enumerate(todo)
                if case and (path := self.way(case, *target)) is not None
            ]
            if not ways:
                case = self.new_case(definition.service)
                continue
            self.go(case, *todo.pop(min(ways)[1]))

    def way(self, case: CaseFacts, visited: bool, move: Move) -> list[Step] | None:
        want = True if visited else (False if "before_visit" in move.guards else None)
        return plan(DEFINITIONS[case.service], case.state, case.visited_ever, move.source, want)

    def go(self, case: CaseFacts, visited: bool, move: Move) -> None:
        """Take the case to the move's from-state, then: on a visited case, the refusal
        of `before_visit`; otherwise every refusal before the move, then the move."""
        path = self.way(case, visited, move)
        assert path is not None, f"no way to {move.source} for {move.code}"
        for step in path:
            self.take(case, step)
        if visited:
            actor = self.actor(move, case)
            self.expect(GuardFailed, lambda: self.driver.act(actor, case, move.code), "visited")
            return
        self.refusals(move, case)
        for guard in move.guards:
            self.fail_then_hold(guard, move, case)
        actor = self.actor(move, case)
        role = ORACLE.state(case).role
        if role != APPLICANT and ORACLE.holds(actor, role, case) and case.assignee is None:
            self.expect(None, lambda: self.driver.claim(actor, case), "claim")  # then act
        self.expect(None, lambda: self.driver.act(actor, case, move.code), move.code)
        assert case.state == move.target

    def foreigners(self, move: Move, case: CaseFacts) -> list[Person]:
        """People who may not see the case but hold one of the move's roles elsewhere:
        the other office's holder, the other district's staff, another citizen."""
        found = [
            p
            for p in self.people
            if not ORACLE.sees(p, case)
            and (
                any(role in move.roles for _, role in p.offices)
                or (p.districts and DISTRICT_STAFF in move.roles)
                or (p.citizen_id is not None and APPLICANT in move.roles)
            )
        ]
        assert found, f"nobody foreign holds a role of {move.code}"
        return found

    def refusals(self, move: Move, case: CaseFacts) -> None:
        """Everyone who may not take the move yet is refused, each for their reason. What
        does not depend on the move (a claim, a stale version, an action of another
        state) is tried once per state of each definition."""
        driver, actor = self.driver, self.actor(move, case)
        for person in self.foreigners(move, case):
            self.expect(Http404, lambda p=person: driver.act(p, case, move.code), "foreign")
        outsider = next(
            p
            for p in self.people
            if ORACLE.sees(p, case) and ORACLE.role_for(p, move.roles, case) is None
        )
        self.expect(RoleNotAllowed, lambda: driver.act(outsider, case, move.code), "role")
        if self.every_refusal:
            self.wrong_inputs(move, case, actor)
        if (move.service, case.state) in self.states_refused:
            return
        self.states_refused.add((move.service, case.state))
        self.claimed_by_a_colleague(move, case, actor)
        if self.every_refusal:
            here = {m.code for m in DEFINITIONS[move.service].moves_from(case.state)}
            other = next(
                m.code for m in DEFINITIONS[move.service].moves.values() if m.code not in here
            )
            self.expect(ActionNotAllowed, lambda: driver.act(actor, case, other), "elsewhere")
            self.expect(
                ConcurrentActionError,
                lambda: driver.act(actor, case, move.code, stale=True),
                "stale",
            )

    def wrong_inputs(self, move: Move, case: CaseFacts, actor: Person) -> None:
        """The right person with the wrong reason or documents."""
        act = functools.partial(self.driver.act, actor, case, move.code)
        required = DEFINITIONS[move.service].states[move.target].documents_required
        declared = set(DEFINITIONS[move.service].documents)
        if move.reason_required:
            self.expect(ReasonRequired, lambda: act(reason="  "), "no reason")
        else:
            self.expect(InvalidInput, lambda: act(reason=REASON), "a reason nobody asks")
        if not required <= case.documents:
            self.expect(DocumentsMissing, lambda: act(docs=set()), "no documents")
        if declared - required:
            self.expect(InvalidInput, lambda: act(docs=declared - required), "other documents")

    def claimed_by_a_colleague(self, move: Move, case: CaseFacts, actor: Person) -> None:
        driver, role = self.driver, ORACLE.state(case).role
        if role == APPLICANT:  # a step waiting on the applicant is nobody's to claim
            claim = lambda: driver.claim(actor, case)  # noqa: E731
            self.expect(RoleNotAllowed, claim, "claim a step waiting on the applicant")
            return
        if not ORACLE.holds(actor, role, case):
            return
        if case.assignee is not None:
            holder = next(p for p in self.people if p.user_id == case.assignee)
            self.expect(None, lambda: driver.release(holder, case), "release")
        colleague = next(
            (p for p in self.people if p != actor and ORACLE.holds(p, role, case)), None
        )
        if colleague is None:
            self.expect(None, lambda: driver.claim(actor, case), "claim")
            self.expect(ActionNotAllowed, lambda: driver.claim(actor, case), "claim twice")
            self.expect(None, lambda: driver.release(actor, case), "release")
            return
        self.expect(None, lambda: driver.claim(colleague, case), "colleague claims")
        self.expect(AssignedToAnother, lambda: driver.act(actor, case, move.code), "claimed")
        self.expect(AssignedToAnother, lambda: driver.claim(actor, case), "claimed")
        self.expect(ActionNotAllowed, lambda: driver.release(actor, case), "not mine")
        self.expect(None, lambda: driver.release(colleague, case), "colleague releases")

    def fail_then_hold(self, guard: str, move: Move, case: CaseFacts) -> None:
        """Make `guard` fail on its own (each earlier guard already holds), then hold."""
        driver, actor = self.driver, self.actor(move, case)

        def refused(why: str) -> None:
            failing = ORACLE.failing_guard(move, actor, case, clock.now())
            assert failing == guard, f"{move.code}: meant {guard} to fail, not {failing}"
            self.expect(GuardFailed, lambda: driver.act(actor, case, move.code), f"{guard}: {why}")

        if guard == "visit_report_recorded":
            assert not case.visited_here
            refused("no report since the case entered its state")
            self.expect(None, lambda: driver.visit(self.inspector(case), case), "visit")
        elif guard == "approver_differs_from_preparer":
            preparer = next(p for p in self.people if p.user_id == case.preparer)
            self.expect(GuardFailed, lambda: driver.act(preparer, case, move.code), "own")
        elif guard == "before_visit":
            assert not case.visited_ever  # walk() tried a visited case already
        elif guard == "recent_valid_visit":
            assert not case.parcel.visits
            refused("no visit of the parcel")
            self.visit_parcel(case, OLD, violation=False)
            refused("only an old visit")
            self.visit_parcel(case, RECENT, violation=True)
            refused("the latest visit saw a violation")
            self.visit_parcel(case, RECENT, violation=False)
        elif guard in ("plan_review_recorded", "response_drafted"):
            refused("nothing recorded yet")
            self.expect(None, lambda: driver.record(actor, case, guard), guard)
        elif guard == "qualifying_certificate":
            assert case.parcel.certificates == 0
            refused("no certificate of the parcel")
            driver.record_certificate(case.parcel)
        elif guard == "parent_permit_usable":
            assert case.parent_permit is not None
            permit = BuildingPermit.objects.get(pk=case.parent_permit)
            BuildingPermit.objects.filter(pk=permit.pk).update(status=PermitStatus.REVOKED)
            case.parent_usable = False
            refused("the parent permit is revoked")
            BuildingPermit.objects.filter(pk=permit.pk).update(status=permit.status)
            case.parent_usable = True
        elif guard == "parcel_has_no_open_conditions":
            driver.record_condition(case.parcel)
            refused("an open condition")
            driver.resolve_conditions(case.parcel)
        else:
            raise AssertionError(f"the walk does not know how to make {guard!r} fail")

    def visit_parcel(self, case: CaseFacts, when: dt.timedelta, violation: bool) -> None:
        """A visit of the case's parcel, recorded on another case of the same parcel."""
        helper = self.helpers.get(case.parcel.pk)
        if helper is None:
            parcel = Parcel.objects.get(pk=case.parcel.pk)
            definition = DEFINITIONS[case.service]
            goal = next(s.code for s in definition.states.values() if s.role == INSPECTOR)
            helper = self.new_case(case.service, parcel)
            for step in plan(definition, helper.state, False, goal, None) or []:
                self.take(helper, step)
            assert helper.state == goal
            self.helpers[case.parcel.pk] = helper
        inspector = self.inspector(helper)
        self.expect(None, lambda: self.driver.visit(inspector, helper, when, violation), "visit")


@pytest.mark.django_db
@pytest.mark.parametrize("cross_district", [False, True], ids=["same_district", "cross_district"])
def test_every_action_of_every_definition_does_exactly_what_the_files_say(
    cross_district: bool,
) -> None:
    driver = Driver(build_city())
    walker = Walker(driver, cross_district)
    for definition in DEFINITIONS.values():
        walker.walk(definition)
    assert every_move() - driver.moves == set(), "moves never taken"
    assert every_guard() - driver.guards_failed == set(), "guards never seen failing"
    assert every_bookkeeping_action() - driver.bookkeeping == set(), "never claimed etc."
    refusals = {outcome for _, _, outcome in driver.log}
    assert {"Http404", "RoleNotAllowed", "AssignedToAnother", "GuardFailed"} <= refusals
    if not cross_district:
        others = {"ConcurrentActionError", "ActionNotAllowed", "ReasonRequired", "DocumentsMissing"}
        assert others <= refusals
    if cross_district:
        # the parcel's district acts; the office's district does not even see the case
        assert ("a.district_staff.0", "prepare_response", "Http404") in driver.log
        assert ("b.district_staff.0", "prepare_response", "ok") in driver.log
        assert ("b.district_staff.1", "approve_response", "ok") in driver.log
        assert not {
            (p, a) for p, a, o in driver.log if p.startswith("a.district") and o != "Http404"
        }


def test_the_walk_plans_around_guards_it_cannot_satisfy_on_the_way() -> None:
    notary = DEFINITIONS["inquiry_notary"]
    path = plan(notary, "registered", False, "response_prepared", None) or []
    assert [s.code if s else "visit" for s in path] == [
        "refer_to_inspector",
        "submit_visit_report",
        "complete_plan_review",
        "prepare_response",
    ]
    visited = plan(notary, "registered", False, "registered", True) or []
    assert [s.code if s else "visit" for s in visited] == [
        "refer_to_inspector",
        "visit",
        "return_to_registration",
    ]
    assert plan(notary, "response_issued", True, "registered", None) is None


# --- the random machine ---------------------------------------------------------------


class CaseMachine(RuleBasedStateMachine):
    world: City
    parcels: list[Parcel]
    # What the machine took over all its examples, printed (not asserted: the
    # deterministic walk above is what proves coverage).
    reached: set[tuple[str, str, str]]

    def __init__(self) -> None:
        super().__init__()
        self.savepoint = transaction.atomic()
        self.savepoint.__enter__()
        self.driver = Driver(self.world)
        self.names = sorted(self.driver.people)

    def teardown(self) -> None:
        CaseMachine.reached.update(self.driver.moves)
        transaction.set_rollback(True)
        self.savepoint.__exit__(None, None, None)

    def person(self, data: st.DataObject) -> Person:
        return self.driver.people[data.draw(st.sampled_from(self.names))]

    def case(self, data: st.DataObject) -> CaseFacts | None:
        if not self.driver.cases:
            return None
        return self.driver.cases[data.draw(st.sampled_from(sorted(self.driver.cases)))]

    # --- rules ------------------------------------------------------------------------

    @initialize(
        sides=st.lists(st.sampled_from(["a", "b"]), min_size=SERVICES, max_size=SERVICES),
        parcels=st.lists(st.integers(0, 2), min_size=SERVICES, max_size=SERVICES),
    )
    def a_case_of_each_service(self, sides: list[str], parcels: list[int]) -> None:
        for service, side, parcel in zip(sorted(DEFINITIONS), sides, parcels, strict=True):
            office = (self.world.a if side == "a" else self.world.b).office
            docs = set(DEFINITIONS[service].initial.documents_required)
            opener = self.driver.people[f"{side}.{Role.TECHNICAL_MANAGER}"]
            self.driver.open(
                opener, service, office, self.parcels[parcel], self.world.citizen, docs
            )

    @precondition(lambda self: len(self.driver.cases) < SERVICES + 3)
    @rule(
        service=st.sampled_from(sorted(DEFINITIONS)),
        side=st.sampled_from(["a", "b"]),
        parcel=st.integers(0, 2),
        opener=st.sampled_from(["technical_manager", "applicant", "inspector"]),
        other=st.booleans(),
        docs=st.sampled_from(["required", "all", "short"]),
    )
    def open_case(
        self, service: str, side: str, parcel: int, opener: str, other: bool, docs: str
    ) -> None:
        """On parcels of either district, whatever the office's district."""
        applicant = self.world.other_citizen if other else self.world.citizen
        name = (
            ("other_citizen" if other else "citizen")
            if opener == "applicant"
            else (f"{side}.{opener}")
        )
        definition = DEFINITIONS[service]
        required = sorted(definition.initial.documents_required)
        chosen = {"required": required, "all": definition.documents, "short": required[1:]}
        office = (self.world.a if side == "a" else self.world.b).office
        self.driver.open(
            self.driver.people[name],
            service,
            office,
            self.parcels[parcel],
            applicant,
            set(chosen[docs]),
        )

    @rule(
        data=st.data(),
        reason=st.sampled_from([AS_ASKED, None, "", " ", REASON]),
        docs=st.sampled_from(["asked", "none", "all"]),
        stale=st.booleans(),
    )
    def anyone_tries_anything(
        self, data: st.DataObject, reason: str | None, docs: str, stale: bool
    ) -> None:
        case = self.case(data)
        if case is None:
            return
        person = self.person(data)
        codes = sorted({code for d in DEFINITIONS.values() for _, code in d.moves})
        kind = data.draw(st.sampled_from([*codes, "claim", "release", "visit", "note"]))
        stale = stale and case.version > 1 and data.draw(st.booleans())
        if kind == "claim":
            self.driver.claim(person, case, stale)
        elif kind == "release":
            self.driver.release(person, case, stale)
        elif kind == "visit":
            when = data.draw(st.sampled_from([RECENT, OLD, FUTURE]))
            self.driver.visit(person, case, when, data.draw(st.booleans()), stale)
        elif kind == "note":
            self.driver.note(person, case, REASON if reason is AS_ASKED else reason or "")
        else:
            every = set(DEFINITIONS[case.service].documents)
            chosen = {"asked": None, "none": set(), "all": every}[docs]
            self.driver.act(person, case, kind, reason, chosen, stale)

    @rule(data=st.data())
    def someone_does_what_the_oracle_allows(self, data: st.DataObject) -> None:
        """Among every attempt the oracle lets through, one, so flows reach their end."""
        case = self.case(data)
        if case is None:
            return
        options = sorted(self.allowed(case), key=lambda o: (o[0].name, o[1]))
        if options:
            person, kind = data.draw(st.sampled_from(options))
            self.do(person, kind, case, violation=data.draw(st.booleans()))

    @rule(data=st.data())
    def someone_takes_a_case_towards_a_move_not_taken_yet(self, data: st.DataObject) -> None:
        """The walk's shortest way to a move the machine has not taken yet, each step
        by someone the oracle allows, then the move itself if the oracle allows it."""
        case = self.case(data)
        if case is None or ORACLE.state(case).terminal:
            return
        definition = DEFINITIONS[case.service]
        taken = self.driver.moves  # this example's: a draw must not depend on earlier ones
        ways: list[list[Step]] = []
        for move in definition.moves.values():
            path = plan(definition, case.state, case.visited_ever, move.source, None)
            if move.key not in taken and path is not None:
                ways.append([*path, move])
        if not ways:
            return
        for step in data.draw(st.sampled_from(ways)):
            if step is not None and "visit_report_recorded" in step.guards:
                self.someone(data, case, "visit")
            if not self.someone(data, case, "visit" if step is None else step.code):
                return

    def someone(self, data: st.DataObject, case: CaseFacts, kind: str) -> bool:
        """Someone the oracle allows does `kind`; False when nobody may."""
        people = [p for p, k in self.allowed(case) if k == kind]
        if not people:
            return False
        self.do(data.draw(st.sampled_from(people)), kind, case, violation=False)
        return True

    @rule(parcel=st.integers(0, 2), resolve=st.booleans())
    def a_condition_is_recorded_or_resolved(self, parcel: int, resolve: bool) -> None:
        facts = self.driver.parcel(self.parcels[parcel])
        if resolve:
            self.driver.resolve_conditions(facts)
        else:
            self.driver.record_condition(facts)

    def allowed(self, case: CaseFacts) -> Iterator[tuple[Person, str]]:
        """Every (person, attempt) the oracle lets through, with the inputs asked."""
        now = clock.now()
        for person in self.driver.people.values():
            for move in DEFINITIONS[case.service].moves_from(case.state):
                reason, docs = self.driver.asked(person, case, move.code)
                if (
                    ORACLE.act(
                        person,
                        case,
                        move.code,
                        reason=reason,
                        docs=docs,
                        version=case.version,
                        now=now,
                    )
                    is None
                ):
                    yield person, move.code
            for kind, predicted in (
                ("claim", ORACLE.claim(person, case, case.version)),
                ("release", ORACLE.release(person, case, case.version)),
                ("visit", ORACLE.visit(person, case, case.version, now, now)),
            ):
                if predicted is None:
                    yield person, kind

    def do(self, person: Person, kind: str, case: CaseFacts, violation: bool) -> None:
        if kind == "claim":
            outcome = self.driver.claim(person, case)
        elif kind == "release":
            outcome = self.driver.release(person, case)
        elif kind == "visit":
            outcome = self.driver.visit(person, case, violation=violation)
        else:
            outcome = self.driver.act(person, case, kind)
        assert outcome is None

    @invariant()
    def no_case_moved_behind_the_oracles_back(self) -> None:
        """The driver checked each case in full after its last success; here, in one
        query, that nothing else changed any of them since."""
        rows = Case.objects.filter(pk__in=list(self.driver.cases))
        seen = set(rows.values_list("pk", "version", "state", "assignee_id"))
        assert seen == {(c.pk, c.version, c.state, c.assignee) for c in self.driver.cases.values()}


@pytest.mark.django_db
def test_random_actions_by_random_people_keep_every_invariant() -> None:
    world = build_city()
    CaseMachine.world = world
    CaseMachine.parcels = [world.a.parcel, world.b.parcel, world.builder.parcel(world.b.district)]
    CaseMachine.reached = set()
    run_state_machine_as_test(
        CaseMachine,
        settings=settings(
            max_examples=20,
            stateful_step_count=35,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    reached = CaseMachine.reached
    print("\nthe random machine took", len(reached), "of", len(every_move()), "moves")
    for move in sorted(every_move() - reached):
        print("  not taken:", *move)


def test_the_oracle_reads_the_files() -> None:
    assert set(DEFINITIONS) == {p.stem for p in definition_files()}
    notary = DEFINITIONS["inquiry_notary"]
    assert notary.moves[("response_prepared", "approve_response")].guards == (
        "approver_differs_from_preparer",
    )
    assert {m.source for m in notary.moves.values() if m.code == "cancel"} == {
        "registered",
        "awaiting_documents",
        "awaiting_visit",
    }


def visit_kwargs(case: CaseFacts, violations: list[str]) -> dict[str, Any]:
    """The answers and photos the checklist of the case's step asks for."""
    answers, photos = visit_answers(Case.objects.get(pk=case.pk), violations)
    return {"answers": answers, "photos": photos}
