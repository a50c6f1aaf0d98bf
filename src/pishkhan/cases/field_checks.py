"""Checks of a registration's declared values against other records — a permit group's
parent permit, named by number, must be a permit of the case's parcel — registered by
name by the apps above cases (which cases never imports, docs/decisions/007-layers.md).

A check returns the Persian messages per field code it refuses (empty when it holds);
`plan_opening` runs every check after the values passed their declarations, so a
registration, a change of service, a page, a command and the API get the same answer::

    @field_check("parent_permit_exists")
    def parent_permit_exists(definition, parcel, values, today) -> dict[str, list[str]]: ...
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pishkhan.cases.models import WorkflowDefinition
    from pishkhan.geo.models import Parcel

FieldCheck = Callable[
    ["WorkflowDefinition", "Parcel | None", dict[str, Any], dt.date], dict[str, list[str]]
]
_REGISTRY: dict[str, FieldCheck] = {}


def field_check(name: str) -> Callable[[FieldCheck], FieldCheck]:
    """Register `check` under `name`; a second registration of a name is a bug."""

    def register(check: FieldCheck) -> FieldCheck:
        if name in _REGISTRY and _REGISTRY[name] is not check:
            raise ValueError(f"field check {name!r} is already registered")
        _REGISTRY[name] = check
        return check

    return register


def field_problems(
    definition: WorkflowDefinition, parcel: Parcel | None, values: dict[str, Any], today: dt.date
) -> dict[str, list[str]]:
    """Every registered check's refusals, merged by field."""
    found: dict[str, list[str]] = {}
    for check in _REGISTRY.values():
        for code, messages in check(definition, parcel, values, today).items():
            found.setdefault(code, []).extend(messages)
    return found
