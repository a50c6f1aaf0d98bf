"""A seam of the case page and the parcel file: apps above cases (excavation) add a panel
to them without cases importing them. A panel is a function ``(principal, case) -> dict
| None`` (or ``(principal, parcel_id)`` for the parcel file); a dict names its
``template`` and carries its context, None shows nothing. A panel reads only what the
caller may see (the case or parcel was already looked up in the caller's scope)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pishkhan.accounts.access import Principal
from pishkhan.cases.models import Case

CasePanel = Callable[[Principal, Case], "dict[str, Any] | None"]
ParcelPanel = Callable[[Principal, int], "dict[str, Any] | None"]
_CASE: dict[str, CasePanel] = {}
_PARCEL: dict[str, ParcelPanel] = {}


def case_panel(name: str) -> Callable[[CasePanel], CasePanel]:
    def register(function: CasePanel) -> CasePanel:
        _CASE[name] = function
        return function

    return register


def parcel_panel(name: str) -> Callable[[ParcelPanel], ParcelPanel]:
    def register(function: ParcelPanel) -> ParcelPanel:
        _PARCEL[name] = function
        return function

    return register


def case_panels(principal: Principal, case: Case) -> list[dict[str, Any]]:
    shown = (panel(principal, case) for _, panel in sorted(_CASE.items()))
    return [p for p in shown if p]


def parcel_panels(principal: Principal, parcel_id: int) -> list[dict[str, Any]]:
    shown = (panel(principal, parcel_id) for _, panel in sorted(_PARCEL.items()))
    return [p for p in shown if p]
