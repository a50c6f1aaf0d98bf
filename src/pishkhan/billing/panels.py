"""A seam of the bill page: apps above billing (payments) add a panel to it without
billing importing them. A panel is a function ``(request, principal, bill) -> dict |
None``; a dict names its ``template`` and carries its context, None shows nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

from pishkhan.accounts.access import Principal
from pishkhan.billing.models import Bill

Panel = Callable[[HttpRequest, Principal, Bill], "dict[str, Any] | None"]
_PANELS: dict[str, Panel] = {}


def bill_panel(name: str) -> Callable[[Panel], Panel]:
    def register(function: Panel) -> Panel:
        _PANELS[name] = function
        return function

    return register


def panels_for(request: HttpRequest, principal: Principal, bill: Bill) -> list[dict[str, Any]]:
    shown = (panel(request, principal, bill) for _, panel in sorted(_PANELS.items()))
    return [p for p in shown if p]
