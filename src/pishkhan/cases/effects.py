"""Effects: named functions an action runs in its own transaction, after the case has
moved (the compare-and-swap won and the event is written).

A definition declares them on an action (``"effects": ["stamp_preparer"]``); the loader
refuses a name nobody registered. An effect may write anything (a bill, a document
serial, an aggregate); it rolls back with the action when anything after it fails, so
its rows exist exactly when the case made the move. An effect that raises a
``WorkflowError`` refuses the action with that message.

Other apps register effects like guards, in a module their ``AppConfig.ready()``
imports::

    @effect("issue_renewal_bill")
    def issue_renewal_bill(context: EffectContext) -> None: ...
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pishkhan.cases.models import Case, CaseEvent, WorkflowAction


@dataclass(frozen=True)
class EffectContext:
    case: Case  # as read before the move; ``event.to_state`` is where it is now
    action: WorkflowAction
    event: CaseEvent
    actor_id: int | None
    role: str
    now: dt.datetime
    payload: dict[str, Any] = field(default_factory=dict)


EffectFunction = Callable[[EffectContext], None]
_REGISTRY: dict[str, EffectFunction] = {}


def effect(name: str) -> Callable[[EffectFunction], EffectFunction]:
    """Register `function` under `name`; a second registration of a name is a bug."""

    def register(function: EffectFunction) -> EffectFunction:
        if name in _REGISTRY and _REGISTRY[name] is not function:
            raise ValueError(f"effect {name!r} is already registered")
        _REGISTRY[name] = function
        return function

    return register


def registered_effects() -> frozenset[str]:
    return frozenset(_REGISTRY)


def unregister_effect(name: str) -> None:
    """For tests that register an effect of their own."""
    _REGISTRY.pop(name, None)


def run_effects(names: list[str], context: EffectContext) -> None:
    for name in names:
        _REGISTRY[name](context)


# --- built-in effects: the maker-checker stamps ----------------------------------------


@effect("stamp_preparer")
def stamp_preparer(context: EffectContext) -> None:
    """The actor prepared the response; an earlier approval no longer stands."""
    from pishkhan.cases.models import Case

    Case.objects.filter(pk=context.case.pk).update(
        prepared_by_id=context.actor_id, approved_by_id=None
    )


@effect("stamp_approver")
def stamp_approver(context: EffectContext) -> None:
    """The actor approved what someone else prepared (the database refuses one person as
    both: constraint case_maker_checker)."""
    from pishkhan.cases.models import Case

    Case.objects.filter(pk=context.case.pk).update(approved_by_id=context.actor_id)
