"""A Hypothesis state machine: random actions by random people on random cases of all three
definitions, checked against the transition tables of the definition files.

Invariants after every step: the state belongs to the pinned definition; the version equals
the number of events and the events chain from the initial state to the current one, each
transition event being an action of the definition; no response is issued without a
preparer and a different approver; a case is closed exactly in a terminal state; an
assignee holds the acting role where the case is.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from pishkhan.cases.actions import (
    do_claim_case,
    do_open_case,
    do_perform_action,
    do_record_visit_report,
    do_release_case,
)
from pishkhan.cases.errors import (
    AssignedToAnother,
    DocumentsMissing,
    GuardFailed,
    WorkflowError,
)
from pishkhan.cases.models import Case, CaseEvent, Channel, VisitReport, WorkflowState
from pishkhan.cases.tests.conftest import World, build_world
from pishkhan.cases.workflow import DEFINITIONS_DIR, definition_files, read_definition_file
from pishkhan.geo.models import LandUse
from pishkhan.offices.roles import Role

REACHED: set[str] = set()
NOT_TRANSITIONS = {"open", "claim", "release", "record_visit_report"}


def load_tables() -> dict[str, dict[str, Any]]:
    """The documented transition tables, read from the files (not from the database)."""
    tables: dict[str, dict[str, Any]] = {}
    for path in definition_files():
        data = read_definition_file(path)
        moves: dict[tuple[str, str], tuple[str, list[str]]] = {}
        for action in data["actions"]:
            sources = [action["from"]] if isinstance(action["from"], str) else action["from"]
            for source in sources:
                moves[(source, action["code"])] = (action["to"], action["roles"])
        tables[data["service"]] = {
            "moves": moves,
            "documents": list(data["documents"]),
            "state_documents": {
                s["code"]: list(s.get("documents_required", [])) for s in data["states"]
            },
            "initial": next(s["code"] for s in data["states"] if s.get("initial")),
            "terminal": {s["code"] for s in data["states"] if s.get("terminal")},
        }
    return tables


TABLES = load_tables()
CODES = sorted(
    {code for t in TABLES.values() for _, code in t["moves"]} | {"claim", "release", "visit"}
)


class CaseMachine(RuleBasedStateMachine):
    world: World

    def __init__(self) -> None:
        super().__init__()
        self.savepoint = transaction.atomic()
        self.savepoint.__enter__()
        self.people = self.world.everyone()
        self.names = {user.pk: name for name, user in self.people.items()}
        self.cases: list[int] = []

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self.savepoint.__exit__(None, None, None)

    # --- who is who -------------------------------------------------------------------

    def side_of(self, case: Case) -> str:
        return "a" if case.office_id == self.world.a.office.pk else "b"

    def may(self, name: str, roles: list[str], case: Case) -> bool:
        if name in ("citizen", "other_citizen"):
            citizen = self.world.citizen if name == "citizen" else self.world.other_citizen
            return "applicant" in roles and case.applicant_id == citizen.pk
        side, _, rest = name.partition(".")
        return side == self.side_of(case) and rest.split(".")[0] in roles

    # --- rules ------------------------------------------------------------------------

    @precondition(lambda self: len(self.cases) < 4)
    @rule(
        service=st.sampled_from(sorted(TABLES)),
        side=st.sampled_from(["a", "b"]),
        online=st.booleans(),
        other=st.booleans(),
    )
    def open_case(self, service: str, side: str, online: bool, other: bool) -> None:
        where = self.world.a if side == "a" else self.world.b
        applicant = self.world.other_citizen if other else self.world.citizen
        online = online and service != "permit_extension"
        user = applicant.user if online else where[Role.TECHNICAL_MANAGER]
        case = do_open_case(
            user,
            self.world.services[service],
            applicant,
            where.parcel,
            where.office,
            Channel.ONLINE if online else Channel.IN_PERSON,
            TABLES[service]["documents"],
        )
        self.cases.append(case.pk)

    @rule(data=st.data())
    def the_case_moves_forward(self, data: st.DataObject) -> None:
        """The right person takes a step that needs no reason (mostly forward), so the
        random walk reaches the end of the flows too."""
        if not self.cases:
            return
        case = Case.objects.get(pk=data.draw(st.sampled_from(self.cases)))
        service = case.service_type.code
        options = [
            (name, code)
            for (source, code), (_, roles) in TABLES[service]["moves"].items()
            if source == case.state and code not in REASON_REQUIRED[service]
            for name in self.people
            if self.may(name, roles, case)
        ]
        if case.acting_role == Role.INSPECTOR:
            options += [(n, "visit") for n in self.people if self.may(n, [Role.INSPECTOR], case)]
        if options:
            name, code = data.draw(st.sampled_from(sorted(options)))
            self.attempt(case, name, code, None, True, strict=True)

    @rule(data=st.data())
    def anyone_tries_anything(self, data: st.DataObject) -> None:
        if not self.cases:
            return
        case = Case.objects.get(pk=data.draw(st.sampled_from(self.cases)))
        name = data.draw(st.sampled_from(sorted(self.people)))
        code = data.draw(st.sampled_from(CODES))
        reason = data.draw(st.sampled_from([None, "", "علت آزمایشی"]))
        self.attempt(case, name, code, reason, data.draw(st.booleans()), strict=False)

    @rule(data=st.data())
    def the_right_person_acts(self, data: st.DataObject) -> None:
        if not self.cases:
            return
        case = Case.objects.get(pk=data.draw(st.sampled_from(self.cases)))
        table = TABLES[case.service_type.code]
        options = [
            (name, code)
            for (source, code), (_, roles) in table["moves"].items()
            if source == case.state
            for name in self.people
            if self.may(name, roles, case)
        ]
        if case.acting_role:
            holders = [n for n in self.people if self.may(n, [case.acting_role], case)]
            if case.assignee_id is None:
                options += [(n, "claim") for n in holders]
            else:
                options.append((self.names[case.assignee_id], "release"))
            if case.acting_role == Role.INSPECTOR:
                options += [(n, "visit") for n in holders]
        if not options:
            return
        name, code = data.draw(st.sampled_from(sorted(options)))
        needs_reason = code in REASON_REQUIRED[case.service_type.code]
        reason = "علت آزمایشی" if needs_reason else None
        self.attempt(case, name, code, reason, data.draw(st.booleans()), strict=True)

    # --- doing and checking -----------------------------------------------------------

    def call(self, case: Case, name: str, code: str, reason: str | None, documents: bool) -> Any:
        user = self.people[name]
        if code == "claim":
            return do_claim_case(user, case.pk, case.version)
        if code == "release":
            return do_release_case(user, case.pk, case.version)
        if code == "visit":
            return do_record_visit_report(
                user,
                case.pk,
                case.version,
                visited_at=timezone.now() - dt.timedelta(minutes=5),
                observed_land_use=LandUse.RESIDENTIAL,
                built_area=Decimal(120),
                floors=2,
                violations_observed=[],
                photo_refs=["p.jpg"],
            )
        table = TABLES[case.service_type.code]
        target = table["moves"].get((case.state, code), ("", []))[0]
        # the documents the step being entered requires, as the staff tick them
        payload = {"documents_checked": table["state_documents"].get(target, [])}
        staff = "citizen" not in name  # an applicant never ticks the staff's checklist
        return do_perform_action(
            user,
            case.pk,
            code,
            case.version,
            reason=reason,
            payload=payload if documents and staff else {},
        )

    def attempt(
        self, case: Case, name: str, code: str, reason: str | None, documents: bool, strict: bool
    ) -> None:
        before = self.snapshot(case)
        try:
            self.call(case, name, code, reason, documents)
        except (WorkflowError, Http404, ValidationError) as error:
            expected = isinstance(error, GuardFailed | AssignedToAnother | DocumentsMissing)
            if strict and not expected:
                raise AssertionError(f"{name} {code}: {error!r}") from error
            assert self.snapshot(case) == before, f"{name} {code} failed but changed the case"
            return
        after = Case.objects.get(pk=case.pk)
        assert after.version == case.version + 1
        REACHED.add(f"{case.service_type.code}:{code}:{after.state}")
        if code in ("claim", "release", "visit"):
            assert after.state == case.state
            assert self.may(name, [case.acting_role], case), f"{name} did {code}"
            return
        to_state, roles = TABLES[case.service_type.code]["moves"][(case.state, code)]
        assert after.state == to_state
        assert self.may(name, roles, case), f"{name} may not {code} from {case.state}"
        assert reason or code not in REASON_REQUIRED[case.service_type.code]

    def snapshot(self, case: Case) -> tuple[Any, ...]:
        fresh = Case.objects.get(pk=case.pk)
        return (
            fresh.state,
            fresh.version,
            fresh.assignee_id,
            fresh.prepared_by_id,
            fresh.approved_by_id,
            CaseEvent.objects.filter(case=case).count(),
            VisitReport.objects.filter(case=case).count(),
        )

    @invariant()
    def every_case_is_consistent(self) -> None:
        for case in Case.objects.filter(pk__in=self.cases).select_related("service_type"):
            self.check_case(case)

    def check_case(self, case: Case) -> None:
        table = TABLES[case.service_type.code]
        states = {s.code: s for s in WorkflowState.objects.filter(definition=case.definition_id)}
        assert case.state in states
        state = states[case.state]
        assert case.acting_role == state.acting_role
        assert (
            (case.closed_at is not None) == state.is_terminal == (case.state in table["terminal"])
        )
        events = list(CaseEvent.objects.filter(case=case).order_by("seq"))
        assert [e.seq for e in events] == list(range(1, case.version + 1))
        assert (events[0].action, events[0].to_state) == ("open", table["initial"])
        for previous, event in itertools.pairwise(events):
            assert event.from_state == previous.to_state
            if event.action in NOT_TRANSITIONS:
                assert event.from_state == event.to_state
            else:
                assert table["moves"][(event.from_state, event.action)][0] == event.to_state
        assert events[-1].to_state == case.state
        if case.state == "response_issued":
            assert case.prepared_by_id
            assert case.approved_by_id
            assert case.prepared_by_id != case.approved_by_id
            approval = events[-1]
            assert approval.action == "approve_response"
            assert approval.actor_id == case.approved_by_id
        if case.assignee_id is not None:
            assert self.may(self.names[case.assignee_id], [case.acting_role], case)


REASON_REQUIRED = {
    service: {
        a["code"]
        for a in read_definition_file(DEFINITIONS_DIR / f"{service}.json")["actions"]
        if a.get("reason_required")
    }
    for service in TABLES
}


@pytest.mark.django_db
def test_random_actions_by_random_people_keep_every_invariant() -> None:
    CaseMachine.world = build_world()
    run_state_machine_as_test(
        CaseMachine,
        settings=settings(
            max_examples=30,
            stateful_step_count=40,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    print("reached:", *sorted(REACHED), sep="\n  ")
