"""The workflow definition files as the tests read them, and the ways through them.

Read from the files (cases/definitions/, through their bases), never from the database
or the engine: the tests hold the engine to what the files say (cases/tests/oracle.py),
and the personas walk a case to any state the shortest way a file allows (`plan`).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pishkhan.cases.workflow import definition_files, read_definition_file

APPLICANT = "applicant"
INSPECTOR = "inspector"
DISTRICT_STAFF = "district_staff"
# docs/workflow.md, "Guards": the default age of a visit an instant response may rely on.
DEFAULT_MAX_VISIT_AGE_DAYS = 180


# --- the files -------------------------------------------------------------


@dataclass(frozen=True)
class State:
    code: str
    role: str
    initial: bool
    terminal: bool
    documents_required: frozenset[str]
    pauses_sla: bool = False
    data_editable: bool = False


@dataclass(frozen=True)
class Move:
    """One action out of one state: a definition's action with several from-states is
    several moves."""

    service: str
    source: str
    code: str
    target: str
    roles: tuple[str, ...]
    guards: tuple[str, ...]
    reason_required: bool
    stamp: str  # "prepared_by", "approved_by" or "": the maker-checker effect it has
    send_back: bool = False  # back, with a reason, to whoever held the earlier step
    effects: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.service, self.source, self.code)


@dataclass(frozen=True)
class Definition:
    service: str
    open_roles: tuple[str, ...]
    documents: tuple[str, ...]
    states: dict[str, State]
    moves: dict[tuple[str, str], Move]
    max_visit_age_days: int

    @property
    def initial(self) -> State:
        return next(s for s in self.states.values() if s.initial)

    def moves_from(self, state: str) -> list[Move]:
        return [m for (source, _), m in self.moves.items() if source == state]

    def has_visits(self) -> bool:
        return any(s.role == INSPECTOR for s in self.states.values())


def _as_list(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


# The effects the oracle knows: the maker-checker stamps (docs/workflow.md), and the
# answer's drafts and issue, which change no column of the case the oracle models.
STAMPS = {"stamp_preparer": "prepared_by", "stamp_approver": "approved_by"}
ANSWER_EFFECTS = {
    "draft_instant_response",
    "draft_response_on_certificate",
    "issue_response",
    "issue_response_document",  # documents: the answer's signed PDF
    "record_building_permit",  # permits: issues or updates the permit record
}
# Effects that write rows of another app and no column of the case the oracle models.
RECORD_EFFECTS = {
    "issue_excavation_permit",  # excavation: the permit and its deposit
    "accept_restoration",  # excavation: the permit's restoration accepted
}


def stamp_of(effects: tuple[str, ...]) -> str:
    known = STAMPS.keys() | ANSWER_EFFECTS | RECORD_EFFECTS
    unknown = [e for e in effects if e not in known]
    assert not unknown, f"the oracle does not know the effects {unknown}: teach it"
    return next((STAMPS[e] for e in effects if e in STAMPS), "")


def read_definition(path: Path) -> Definition:
    """A definition file as written (a file extending a base reads through it)."""
    data = read_definition_file(path)
    service = data["service"]
    states = {
        s["code"]: State(
            code=s["code"],
            role=s.get("role", ""),
            initial=bool(s.get("initial")),
            terminal=bool(s.get("terminal")),
            documents_required=frozenset(s.get("documents_required", [])),
            pauses_sla=bool(s.get("pauses_sla")),
            data_editable=bool(s.get("data_editable")),
        )
        for s in data["states"]
    }
    moves: dict[tuple[str, str], Move] = {}
    for a in data["actions"]:
        for source in _as_list(a["from"]):
            moves[(source, a["code"])] = Move(
                service=service,
                source=source,
                code=a["code"],
                target=a["to"],
                roles=_as_list(a["roles"]),
                guards=_as_list(a.get("guards")),
                reason_required=bool(a.get("reason_required")),
                stamp=stamp_of(_as_list(a.get("effects"))),
                effects=_as_list(a.get("effects")),
                send_back=bool(a.get("send_back")),
            )
    settings = data.get("settings") or {}
    return Definition(
        service=service,
        open_roles=_as_list(data["open_roles"]),
        documents=tuple(data["documents"]),
        states=states,
        moves=moves,
        max_visit_age_days=int(
            settings.get("instant_response_max_visit_age_days", DEFAULT_MAX_VISIT_AGE_DAYS)
        ),
    )


def read_definitions() -> dict[str, Definition]:
    definitions = [read_definition(p) for p in definition_files()]
    return {d.service: d for d in definitions}


# --- ways through a definition ------------------------------------------------------

# A step of a plan: a move, or a visit report (None) in a state waiting for a visit.
Step = Move | None
PLANNABLE_GUARDS = {
    "before_visit",
    "visit_report_recorded",
    "approver_differs_from_preparer",
    "plan_review_recorded",  # the walk records the plan review first
    "response_drafted",  # ... and saves the answer's draft
    "parent_permit_usable",  # a permit group's registration names a live paper permit
}


def plan(
    definition: Definition, start: str, visited: bool, goal: str, want: bool | None
) -> list[Step] | None:
    """The shortest way from (`start`, visited?) to `goal` with the case visited (or not)
    as `want` says, over the moves whose guards a walk can satisfy on the way; None when
    there is none."""
    frontier: deque[tuple[tuple[str, bool], list[Step]]] = deque([((start, visited), [])])
    seen = {(start, visited)}
    while frontier:
        (state, was_visited), path = frontier.popleft()
        if state == goal and want in (None, was_visited):
            return path
        steps: list[tuple[Step, tuple[str, bool]]] = []
        if definition.states[state].role == INSPECTOR:
            steps.append((None, (state, True)))
        for move in definition.moves_from(state):
            if not set(move.guards) <= PLANNABLE_GUARDS:
                continue
            if "before_visit" in move.guards and was_visited:
                continue
            visits = was_visited or "visit_report_recorded" in move.guards
            steps.append((move, (move.target, visits)))
        for step, node in steps:
            if node not in seen:
                seen.add(node)
                frontier.append((node, [*path, step]))
    return None
