"""Workflow definitions as data: the file format, its validation, and versioned loading.

A definition is a JSON document (see docs/workflow.md). Loading it validates the whole
graph and refuses it with every problem listed; an unchanged document is a no-op; a changed
one becomes the next version and the previous version stops taking new cases. Cases keep
the version they started on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from pishkhan.cases.checklists import ChecklistSpec, checklists_from_stored, parse_checklists
from pishkhan.cases.effects import registered_effects
from pishkhan.cases.events import RESERVED_ACTIONS
from pishkhan.cases.fields import FieldSpec, parse_fields, specs_from_stored
from pishkhan.cases.guards import registered_guards
from pishkhan.cases.models import (
    APPLICANT,
    SYSTEM,
    WorkflowAction,
    WorkflowDefinition,
    WorkflowState,
)
from pishkhan.geo.models import CertificateKind
from pishkhan.offices.roles import OFFICE_ROLES, ROLE_SCOPE, Role, Scope

DEFINITIONS_DIR = Path(__file__).resolve().parent / "definitions"

READ_ONLY_ROLES = frozenset(str(r) for r, scope in ROLE_SCOPE.items() if scope == Scope.CITY)
ACTING_ROLES = frozenset(str(r) for r in Role) - READ_ONLY_ROLES | {APPLICANT, SYSTEM}
OPEN_ROLES = frozenset(str(r) for r in OFFICE_ROLES) | {APPLICANT}
CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


@dataclass(frozen=True)
class StateSpec:
    code: str
    label: str
    role: str = ""
    sla_hours: int | None = None
    documents_required: tuple[str, ...] = ()
    data_editable: bool = False
    initial: bool = False
    terminal: bool = False
    pauses_sla: bool = False
    checklist: str = ""  # the inspection checklist a visit in this state answers


@dataclass(frozen=True)
class ActionSpec:
    code: str
    label: str
    from_state: str
    to_state: str
    roles: tuple[str, ...]
    guards: tuple[str, ...] = ()
    reason_required: bool = False
    effects: tuple[str, ...] = ()
    send_back: bool = False
    destructive: bool = False


@dataclass(frozen=True)
class DefinitionSpec:
    service: str
    title: str
    open_roles: tuple[str, ...]
    sla_hours: int | None
    documents: dict[str, str]
    settings: dict[str, Any]
    states: tuple[StateSpec, ...]
    actions: tuple[ActionSpec, ...]
    fields: tuple[FieldSpec, ...] = ()
    checklists: tuple[ChecklistSpec, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The canonical document: defaults filled in, one action per from-state. A
        definition that declares no fields (no checklists, a state no checklist) has no
        "fields" key (no "checklists", "checklist"), so the checksums of the versions
        stored before they existed still match their files."""
        data = asdict(self)
        for state in data["states"]:
            if not state["checklist"]:
                del state["checklist"]
        data["checklists"] = {c.code: c.as_dict() for c in self.checklists}
        if not self.checklists:
            del data["checklists"]
        for action in data["actions"]:
            action["from"] = action.pop("from_state")
            action["to"] = action.pop("to_state")
            if not action["destructive"]:  # the checksums of versions stored before it
                del action["destructive"]
        data["fields"] = [f.as_dict() for f in self.fields]
        if not self.fields:
            del data["fields"]
        return json.loads(json.dumps(data))  # tuples become lists

    @property
    def checksum(self) -> str:
        canonical = json.dumps(
            self.as_dict(), sort_keys=True, ensure_ascii=False, separators=(",", ":")
        )
        return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class LoadResult:
    definition: WorkflowDefinition
    created: bool


def problem(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


# --- parsing --------------------------------------------------------------------------


def _text(raw: dict[str, Any], key: str, where: str, problems: list[ValidationError]) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        problems.append(
            problem(f"{where}: «{key}» باید متن غیرخالی باشد ({key} missing).", "format")
        )
        return ""
    return value.strip()


def _str_list(value: Any, where: str, problems: list[ValidationError]) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(problem(f"{where} باید فهرستی از متن باشد (list of strings).", "format"))
        return ()
    return tuple(value)


def _hours(value: Any, where: str, problems: list[ValidationError]) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        problems.append(problem(f"{where}: مهلت باید عدد صحیح مثبت باشد (sla_hours).", "format"))
        return None
    return value


def _parse_state(raw: Any, problems: list[ValidationError]) -> StateSpec | None:
    if not isinstance(raw, dict):
        problems.append(problem("هر وضعیت باید یک شیء JSON باشد (state object).", "format"))
        return None
    code = _text(raw, "code", "وضعیت", problems)
    where = f"وضعیت «{code}»"
    return StateSpec(
        code=code,
        label=_text(raw, "label", where, problems),
        role=str(raw.get("role") or ""),
        sla_hours=_hours(raw.get("sla_hours"), where, problems),
        documents_required=_str_list(raw.get("documents_required"), where, problems),
        data_editable=bool(raw.get("data_editable", False)),
        initial=bool(raw.get("initial", False)),
        terminal=bool(raw.get("terminal", False)),
        pauses_sla=bool(raw.get("pauses_sla", False)),
        checklist=_checklist_name(raw.get("checklist"), where, problems),
    )


def _checklist_name(value: Any, where: str, problems: list[ValidationError]) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or not CODE.match(value):
        problems.append(problem(f"{where}: «checklist» باید کد یک چک‌لیست باشد.", "format"))
        return ""
    return value


def _parse_actions(raw: Any, problems: list[ValidationError]) -> list[ActionSpec]:
    """One spec per from-state: ``"from": ["a", "b"]`` is two actions with one code."""
    if not isinstance(raw, dict):
        problems.append(problem("هر اقدام باید یک شیء JSON باشد (action object).", "format"))
        return []
    code = _text(raw, "code", "اقدام", problems)
    where = f"اقدام «{code}»"
    sources = _str_list(raw.get("from"), f"{where}: from", problems)
    if not sources:
        problems.append(problem(f"{where}: وضعیت مبدأ ندارد (from missing).", "format"))
    label = _text(raw, "label", where, problems)
    target = _text(raw, "to", where, problems)
    roles = _str_list(raw.get("roles"), f"{where}: roles", problems)
    guards = _str_list(raw.get("guards"), f"{where}: guards", problems)
    effects = _str_list(raw.get("effects"), f"{where}: effects", problems)
    send_back = raw.get("send_back", False)
    if not isinstance(send_back, bool):
        problems.append(problem(f"{where}: «send_back» باید true یا false باشد.", "format"))
        send_back = False
    destructive = raw.get("destructive", False)
    if not isinstance(destructive, bool):
        problems.append(problem(f"{where}: «destructive» باید true یا false باشد.", "format"))
        destructive = False
    if "stamp" in raw:
        problems.append(
            problem(
                f"{where}: «stamp» دیگر پذیرفته نیست؛ پیامد stamp_preparer یا stamp_approver را "
                "در «effects» بنویسید (stamp is now an effect).",
                "format",
            )
        )
    return [
        ActionSpec(
            code=code,
            label=label,
            from_state=source,
            to_state=target,
            roles=roles,
            guards=guards,
            reason_required=bool(raw.get("reason_required", False)),
            effects=effects,
            send_back=send_back,
            destructive=destructive,
        )
        for source in sources
    ]


def parse_definition(data: Any) -> DefinitionSpec:
    """Read a definition document; raise ValidationError with every problem found."""
    problems: list[ValidationError] = []
    if not isinstance(data, dict):
        raise ValidationError([problem("تعریف باید یک شیء JSON باشد (object).", "format")])
    raw_states = data.get("states")
    raw_actions = data.get("actions")
    if not isinstance(raw_states, list) or not isinstance(raw_actions, list):
        problems.append(problem("«states» و «actions» باید فهرست باشند (lists).", "format"))
        raw_states = raw_states if isinstance(raw_states, list) else []
        raw_actions = raw_actions if isinstance(raw_actions, list) else []
    documents = data.get("documents") or {}
    if not isinstance(documents, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in documents.items()
    ):
        problems.append(problem("«documents» باید نگاشت کد به عنوان باشد.", "format"))
        documents = {}
    settings = data.get("settings") or {}
    if not isinstance(settings, dict):
        problems.append(problem("«settings» باید یک شیء JSON باشد.", "format"))
        settings = {}
    states = [s for s in (_parse_state(r, problems) for r in raw_states) if s]
    actions = [a for r in raw_actions for a in _parse_actions(r, problems)]
    fields, field_problems = parse_fields(data.get("fields"))
    problems.extend(field_problems)
    checklists, checklist_problems = parse_checklists(data.get("checklists"))
    problems.extend(checklist_problems)
    spec = DefinitionSpec(
        service=_text(data, "service", "تعریف", problems),
        title=str(data.get("title") or ""),
        open_roles=_str_list(data.get("open_roles"), "open_roles", problems),
        sla_hours=_hours(data.get("sla_hours"), "تعریف", problems),
        documents=dict(documents),
        settings=dict(settings),
        states=tuple(states),
        actions=tuple(actions),
        fields=fields,
        checklists=tuple(checklists.values()),
    )
    problems.extend(definition_problems(spec))
    if checklist_problems:  # a refused checklist is not "unknown" to the states naming it
        problems = [p for p in problems if p.code != "unknown_checklist"]
    if problems:
        raise ValidationError(problems)
    return spec


# --- validation -----------------------------------------------------------------------


def definition_problems(spec: DefinitionSpec) -> list[ValidationError]:
    """Every reason the graph of `spec` is not a usable workflow."""
    return [
        *_code_problems(spec),
        *_start_and_end_problems(spec),
        *_role_problems(spec),
        *_reference_problems(spec),
        *_graph_problems(spec),
        *_send_back_problems(spec),
        *_destructive_problems(spec),
        *_checklist_problems(spec),
        *_settings_problems(spec.settings),
    ]


def _checklist_problems(spec: DefinitionSpec) -> list[ValidationError]:
    """Each checklist is named by an inspector's state, and each state names a declared
    checklist: the inspector answers it there."""
    found: list[ValidationError] = []
    declared = {c.code for c in spec.checklists}
    named = set()
    for state in spec.states:
        if not state.checklist:
            continue
        named.add(state.checklist)
        if state.checklist not in declared:
            found.append(
                problem(
                    f"وضعیت «{state.code}» چک‌لیست «{state.checklist}» را می‌خواهد که "
                    "تعریف نشده است (unknown checklist).",
                    "unknown_checklist",
                )
            )
        if state.role != Role.INSPECTOR:
            found.append(
                problem(
                    f"وضعیت «{state.code}»: چک‌لیست بازدید فقط در مرحله کارشناس بازدید "
                    "(role inspector) معنی دارد (checklist outside a visit).",
                    "checklist_role",
                )
            )
    for code in sorted(declared - named):
        found.append(
            problem(
                f"چک‌لیست «{code}» در هیچ وضعیتی به کار نرفته است (unused checklist).",
                "unused_checklist",
            )
        )
    return found


def _settings_problems(settings: dict[str, Any]) -> list[ValidationError]:
    """The settings the answer reads (docs/workflow.md, "The answer"): what it is valid
    for and how long, and which certificates may carry an instant answer."""
    found: list[ValidationError] = []
    response = settings.get("response", {})
    if not isinstance(response, dict):
        return [problem("«settings.response» باید یک شیء JSON باشد.", "settings")]
    days = response.get("valid_days", 90)
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 730:
        found.append(
            problem("«settings.response.valid_days» باید عددی از ۱ تا ۷۳۰ باشد.", "settings")
        )
    for key in ("valid_for", "not_valid_for"):
        value = response.get(key, "")
        if not isinstance(value, str) or len(value) > 300:
            found.append(
                problem(f"«settings.response.{key}» باید متنی تا ۳۰۰ نویسه باشد.", "settings")
            )
    certificate = settings.get("instant_certificate", {})
    if not isinstance(certificate, dict):
        return [
            *found,
            problem("«settings.instant_certificate» باید یک شیء JSON باشد.", "settings"),
        ]
    kinds = certificate.get("kinds", [])
    if not isinstance(kinds, list) or any(k not in CertificateKind.values for k in kinds):
        found.append(
            problem(
                "«settings.instant_certificate.kinds» فقط نوع‌های گواهی شناخته را می‌پذیرد: "
                + "، ".join(CertificateKind.values),
                "settings",
            )
        )
    after = certificate.get("issued_after")
    if after is not None:
        try:
            dt.date.fromisoformat(str(after))
        except ValueError:
            found.append(
                problem(
                    "«settings.instant_certificate.issued_after» باید تاریخی به شکل "
                    "YYYY-MM-DD باشد.",
                    "settings",
                )
            )
    return found


def _code_problems(spec: DefinitionSpec) -> list[ValidationError]:
    found: list[ValidationError] = []
    seen_states: set[str] = set()
    for state in spec.states:
        if state.code and not CODE.match(state.code):
            found.append(problem(f"کد وضعیت «{state.code}» نامعتبر است (bad code).", "bad_code"))
        if state.code in seen_states:
            found.append(
                problem(f"وضعیت «{state.code}» دو بار تعریف شده است (duplicate).", "duplicate")
            )
        seen_states.add(state.code)
    seen_actions: set[tuple[str, str]] = set()
    for action in spec.actions:
        if action.code and not CODE.match(action.code):
            found.append(problem(f"کد اقدام «{action.code}» نامعتبر است (bad code).", "bad_code"))
        if action.code in RESERVED_ACTIONS:
            found.append(
                problem(f"کد اقدام «{action.code}» رزرو شده است (reserved).", "reserved_action")
            )
        key = (action.code, action.from_state)
        if key in seen_actions:
            found.append(
                problem(
                    f"اقدام «{action.code}» از وضعیت «{action.from_state}» تکراری است (duplicate).",
                    "duplicate",
                )
            )
        seen_actions.add(key)
    return found


def _start_and_end_problems(spec: DefinitionSpec) -> list[ValidationError]:
    found: list[ValidationError] = []
    initial = [s.code for s in spec.states if s.initial]
    if len(initial) != 1:
        found.append(
            problem(
                f"دقیقاً یک وضعیت آغازین لازم است؛ {len(initial)} وضعیت آغازین تعریف شده است "
                "(exactly one initial state).",
                "initial_count",
            )
        )
    if not any(s.terminal for s in spec.states):
        found.append(problem("هیچ وضعیت پایانی تعریف نشده است (no terminal state).", "no_terminal"))
    for state in spec.states:
        if state.terminal and (state.initial or state.pauses_sla or state.role or state.sla_hours):
            found.append(
                problem(
                    f"وضعیت پایانی «{state.code}» نباید آغازین، متوقف‌کننده مهلت، دارای نقش یا "
                    "مهلت باشد (terminal state with role/SLA).",
                    "terminal_state",
                )
            )
    return found


def _role_problems(spec: DefinitionSpec) -> list[ValidationError]:
    found: list[ValidationError] = []

    def check(role: str, where: str, allowed: frozenset[str]) -> None:
        if role in READ_ONLY_ROLES:
            found.append(
                problem(
                    f"{where}: نقش «{role}» فقط خواندنی است و اقدام نمی‌کند (read-only role).",
                    "read_only_role",
                )
            )
        elif role not in allowed:
            found.append(
                problem(f"{where}: نقش «{role}» شناخته نیست (unknown role).", "unknown_role")
            )

    for role in spec.open_roles:
        check(role, "ثبت پرونده", OPEN_ROLES)
    if not spec.open_roles:
        found.append(problem("«open_roles» خالی است (no role may open).", "unknown_role"))
    for state in spec.states:
        if not state.terminal:
            check(state.role, f"وضعیت «{state.code}»", ACTING_ROLES)
    for action in spec.actions:
        if not action.roles:
            found.append(problem(f"اقدام «{action.code}» نقشی ندارد (no roles).", "unknown_role"))
        for role in action.roles:
            check(role, f"اقدام «{action.code}»", ACTING_ROLES)
    return found


def _reference_problems(spec: DefinitionSpec) -> list[ValidationError]:
    found: list[ValidationError] = []
    states = {s.code: s for s in spec.states}
    guards = registered_guards()
    effects = registered_effects()
    for action in spec.actions:
        where = f"اقدام «{action.code}»"
        for end in (action.from_state, action.to_state):
            if end not in states:
                found.append(
                    problem(
                        f"{where}: وضعیت «{end}» تعریف نشده است (unknown state).", "unknown_state"
                    )
                )
        for name in action.guards:
            if name not in guards:
                found.append(
                    problem(f"{where}: شرط «{name}» ثبت نشده است (unknown guard).", "unknown_guard")
                )
        for name in action.effects:
            if name not in effects:
                found.append(
                    problem(
                        f"{where}: پیامد «{name}» ثبت نشده است (unknown effect).", "unknown_effect"
                    )
                )
        target = states.get(action.to_state)
        if target and target.pauses_sla and not action.reason_required:
            found.append(
                problem(
                    f"{where}: ورود به وضعیت متوقف‌کننده مهلت باید با ذکر علت باشد "
                    "(pause needs reason_required).",
                    "pause_without_reason",
                )
            )
    for state in spec.states:
        for document in state.documents_required:
            if document not in spec.documents:
                found.append(
                    problem(
                        f"وضعیت «{state.code}»: مدرک «{document}» در «documents» نیست "
                        "(unknown document).",
                        "unknown_document",
                    )
                )
    return found


def _graph_problems(spec: DefinitionSpec) -> list[ValidationError]:
    found: list[ValidationError] = []
    outgoing: dict[str, list[ActionSpec]] = {s.code: [] for s in spec.states}
    for action in spec.actions:
        if action.from_state in outgoing:
            outgoing[action.from_state].append(action)
    for state in spec.states:
        actions = outgoing[state.code]
        if state.terminal and actions:
            found.append(
                problem(
                    f"از وضعیت پایانی «{state.code}» اقدامی نباید باشد (terminal has actions).",
                    "terminal_has_action",
                )
            )
        elif not state.terminal and not actions:
            found.append(
                problem(
                    f"وضعیت «{state.code}» پایانی نیست و هیچ اقدامی از آن نیست (dead end).",
                    "dead_end",
                )
            )
        elif not state.terminal and not any(state.role in a.roles for a in actions):
            found.append(
                problem(
                    f"نقش اقدام‌کننده وضعیت «{state.code}» هیچ اقدامی از آن ندارد "
                    "(acting role cannot act).",
                    "acting_role_cannot_act",
                )
            )
    for code in sorted(set(outgoing) - _reachable(spec, outgoing)):
        found.append(
            problem(
                f"وضعیت «{code}» از وضعیت آغازین دست‌یافتنی نیست (unreachable state).",
                "unreachable",
            )
        )
    return found


def _send_back_problems(spec: DefinitionSpec) -> list[ValidationError]:
    """A send-back takes the case, with a reason, back to an earlier step a person of
    the office or the district holds: from the step it returns to, the ordinary work
    (the actions that are not send-backs) leads to the step it leaves again."""
    found: list[ValidationError] = []
    states = {s.code: s for s in spec.states}
    outgoing: dict[str, list[ActionSpec]] = {s.code: [] for s in spec.states}
    for action in spec.actions:
        if action.from_state in outgoing and not action.send_back:
            outgoing[action.from_state].append(action)
    for action in spec.actions:
        target = states.get(action.to_state)
        if not action.send_back or target is None or action.from_state not in states:
            continue
        where = f"اقدام «{action.code}»"
        if not action.reason_required:
            found.append(
                problem(
                    f"{where}: بازگرداندن پرونده باید با ذکر علت باشد "
                    "(send_back needs reason_required).",
                    "send_back_without_reason",
                )
            )
        if (
            target.terminal
            or target.pauses_sla
            or target.role in (APPLICANT, SYSTEM)
            or action.from_state not in _reachable(spec, outgoing, start=target.code)
        ):
            found.append(
                problem(
                    f"{where}: «send_back» فقط پرونده را به مرحله‌ای پیشین از کارکنان "
                    "برمی‌گرداند (send_back must return to an earlier staff step).",
                    "send_back_not_back",
                )
            )
    return found


def _destructive_problems(spec: DefinitionSpec) -> list[ValidationError]:
    """A destructive action (``"destructive": true``: it ends or undoes the work — a
    cancellation, a rejection) is confirmed on the page and says why: it needs
    ``reason_required``. A send-back is destructive without the key."""
    return [
        problem(
            f"اقدام «{a.code}»: اقدام بازگشت‌ناپذیر باید با ذکر علت باشد "
            "(destructive needs reason_required).",
            "destructive_without_reason",
        )
        for a in spec.actions
        if a.destructive and not a.reason_required
    ]


def _reachable(
    spec: DefinitionSpec, outgoing: dict[str, list[ActionSpec]], start: str | None = None
) -> set[str]:
    initial = [start] if start else [s.code for s in spec.states if s.initial]
    seen = set(initial[:1])
    frontier = list(seen)
    while frontier:
        for action in outgoing.get(frontier.pop(), []):
            if action.to_state in outgoing and action.to_state not in seen:
                seen.add(action.to_state)
                frontier.append(action.to_state)
    return seen


# --- loading --------------------------------------------------------------------------


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValidationError(
            problem(f"فایل تعریف «{path}» خوانده نشد: {exc}", "unreadable")
        ) from None


def read_definition_file(path: str | Path) -> Any:
    """A definition file's document. A file with ``"extends": "_base.json"`` (a file
    beside it) is the base with the file's own top-level keys over it and its
    ``documents`` and ``settings`` merged into the base's (one level deep: a file's
    ``settings.response`` replaces the base's); a base is not a definition by itself."""
    path = Path(path)
    data = _read_json(path)
    if not isinstance(data, dict) or "extends" not in data:
        return data
    base_name = str(data.pop("extends"))
    base_path = path.parent / base_name
    if "/" in base_name or not base_name.startswith("_") or base_path == path:
        raise ValidationError(
            problem(
                f"«extends» باید نام یک فایل پایه «_…json» کنار این فایل باشد: {base_name}",
                "format",
            )
        )
    base = _read_json(base_path)
    if not isinstance(base, dict):
        raise ValidationError(problem(f"فایل پایه «{base_name}» یک شیء JSON نیست.", "format"))
    base.pop("about", None)
    documents = {**(base.get("documents") or {}), **(data.pop("documents", None) or {})}
    merged = {**base, **data, "documents": documents}
    if isinstance(base.get("settings"), dict) and isinstance(data.get("settings"), dict):
        merged["settings"] = {**base["settings"], **data["settings"]}
    return merged


ADMIN_SOURCE = "admin:"


def load_definition(source: str | Path | dict[str, Any], *, edited_by: str = "") -> LoadResult:
    """Validate and store a definition; unchanged → the active version, changed → N+1.

    A file that has not changed since it was last loaded is a no-op even when the active
    version has since been edited in the admin: the admin's edit stands until the file
    itself changes. `edited_by` names the admin user of a document edited in the admin.
    """
    from pishkhan.catalog.models import ServiceType

    from_file = not isinstance(source, dict)
    admin_source = f"{ADMIN_SOURCE}{edited_by}" if edited_by else ""
    loaded_from = str(source) if from_file else admin_source
    spec = parse_definition(source if isinstance(source, dict) else read_definition_file(source))
    service = ServiceType.objects.filter(code=spec.service).first()
    if service is None:
        raise ValidationError(
            problem(
                f"خدمت «{spec.service}» در فهرست خدمات نیست (unknown service).", "unknown_service"
            )
        )
    with transaction.atomic():
        active = (
            WorkflowDefinition.objects.select_for_update()
            .filter(service_type=service, is_active=True)
            .first()
        )
        if active is not None and active.checksum == spec.checksum:
            return LoadResult(active, created=False)
        if from_file and active is not None and active.loaded_from.startswith(ADMIN_SOURCE):
            from_files = service.workflow_definitions.exclude(
                loaded_from__startswith=ADMIN_SOURCE
            ).exclude(loaded_from="")
            last_file = from_files.order_by("-version").first()
            if last_file is not None and last_file.checksum == spec.checksum:
                return LoadResult(active, created=False)
        # a new version must agree with the catalog (an unchanged one was checked when it
        # was stored; a later catalog edit does not break the next deploy's reload)
        catalog = catalog_problems(spec, service)
        if catalog:
            raise ValidationError(catalog)
        if active is not None:
            active.is_active = False
            active.save(update_fields=["is_active"])
        latest = service.workflow_definitions.aggregate(v=Max("version"))["v"] or 0
        return LoadResult(_store(spec, service, latest + 1, loaded_from), created=True)


def catalog_problems(spec: DefinitionSpec, service: Any) -> list[ValidationError]:
    """The catalog is where a service's facts live — its document checklist (what the
    city publishes and the admin edits) and whether it needs a visit; a definition names
    the checklist's documents by code and must agree with it:

    - every document the definition declares is on the service's checklist (by title);
    - every mandatory document of the checklist is required by some step;
    - the definition has an inspector's step exactly when the service needs a visit.
    """
    found: list[ValidationError] = []
    checklist = {d.title: d.is_mandatory for d in service.documents.all()}
    for code, title in spec.documents.items():
        if checklist and title not in checklist:
            found.append(
                problem(
                    f"مدرک «{title}» ({code}) در فهرست مدارک این خدمت در کاتالوگ نیست "
                    "(document not in the catalog).",
                    "document_not_in_catalog",
                )
            )
    required = {spec.documents.get(c) for st in spec.states for c in st.documents_required}
    for title, mandatory in checklist.items():
        if mandatory and title not in required:
            found.append(
                problem(
                    f"مدرک الزامی «{title}» در هیچ مرحله‌ای خواسته نشده است "
                    "(mandatory catalog document never required).",
                    "mandatory_document_unused",
                )
            )
    visits = any(st.role == Role.INSPECTOR for st in spec.states)
    if visits != bool(service.requires_visit):
        found.append(
            problem(
                "«بازدید لازم دارد» در کاتالوگ با مراحل این گردش کار نمی‌خواند "
                "(requires_visit disagrees with the inspector's step).",
                "visit_mismatch",
            )
        )
    return found


def _store(
    spec: DefinitionSpec, service: Any, version: int, loaded_from: str
) -> WorkflowDefinition:
    definition = WorkflowDefinition.objects.create(
        service_type=service,
        version=version,
        title=spec.title,
        open_roles=list(spec.open_roles),
        sla_hours=spec.sla_hours,
        documents=spec.documents,
        settings=spec.settings,
        fields=[f.as_dict() for f in spec.fields],
        checklists={c.code: c.as_dict() for c in spec.checklists},
        loaded_from=loaded_from,
        checksum=spec.checksum,
    )
    WorkflowState.objects.bulk_create(
        WorkflowState(
            definition=definition,
            code=s.code,
            label=s.label,
            acting_role=s.role,
            sla_hours=s.sla_hours,
            documents_required=list(s.documents_required),
            data_editable=s.data_editable,
            is_initial=s.initial,
            is_terminal=s.terminal,
            pauses_sla=s.pauses_sla,
            checklist=s.checklist,
            position=position,
        )
        for position, s in enumerate(spec.states)
    )
    states = {s.code: s for s in definition.states.all()}
    WorkflowAction.objects.bulk_create(
        WorkflowAction(
            definition=definition,
            code=a.code,
            label=a.label,
            from_state=states[a.from_state],
            to_state=states[a.to_state],
            roles=list(a.roles),
            guards=list(a.guards),
            reason_required=a.reason_required,
            effects=list(a.effects),
            send_back=a.send_back,
            destructive=a.destructive,
            position=position,
        )
        for position, a in enumerate(spec.actions)
    )
    return definition


def definition_to_dict(definition: WorkflowDefinition) -> dict[str, Any]:
    """The canonical document of a stored version (loading it again is a no-op)."""
    states = list(definition.states.all())
    actions = definition.actions.select_related("from_state", "to_state")
    spec = DefinitionSpec(
        service=definition.service_type.code,
        title=definition.title,
        open_roles=tuple(definition.open_roles),
        sla_hours=definition.sla_hours,
        documents=dict(definition.documents),
        settings=dict(definition.settings),
        fields=specs_from_stored(definition.fields),
        checklists=tuple(checklists_from_stored(definition.checklists).values()),
        states=tuple(
            StateSpec(
                code=s.code,
                label=s.label,
                role=s.acting_role,
                sla_hours=s.sla_hours,
                documents_required=tuple(s.documents_required),
                data_editable=s.data_editable,
                initial=s.is_initial,
                terminal=s.is_terminal,
                pauses_sla=s.pauses_sla,
                checklist=s.checklist,
            )
            for s in states
        ),
        actions=tuple(
            ActionSpec(
                code=a.code,
                label=a.label,
                from_state=a.from_state.code,
                to_state=a.to_state.code,
                roles=tuple(a.roles),
                guards=tuple(a.guards),
                reason_required=a.reason_required,
                effects=tuple(a.effects),
                send_back=a.send_back,
                destructive=a.destructive,
            )
            for a in actions
        ),
    )
    return spec.as_dict()


def publish_definition_edit(
    definition: WorkflowDefinition, changes: dict[str, Any], *, edited_by: str = ""
) -> LoadResult:
    """An edit is never applied in place: the edited document is loaded as a new version
    (validated like a file), so cases already open keep the version they started on.
    `changes` replaces top-level keys of the document (e.g. ``states`` or ``settings``)."""
    return load_definition({**definition_to_dict(definition), **changes}, edited_by=edited_by)


def definition_files(directory: Path = DEFINITIONS_DIR) -> list[Path]:
    """The definition files of a folder; ``_*.json`` are bases other files extend."""
    return [p for p in sorted(directory.glob("*.json")) if not p.name.startswith("_")]


def load_all_definitions(directory: Path = DEFINITIONS_DIR) -> list[tuple[Path, LoadResult]]:
    return [(path, load_definition(path)) for path in definition_files(directory)]
