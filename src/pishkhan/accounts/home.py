"""What each role sees first after signing in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pishkhan.accounts.access import Principal


@dataclass
class HomeContext:
    template: str
    data: dict[str, Any]


def home_context(user: Any, principal: Principal) -> HomeContext:
    role = principal.primary_role
    if role is None:
        if principal.citizen_id is not None:
            return HomeContext("accounts/home_citizen.html", {})
        return HomeContext("accounts/home_none.html", {})
    return HomeContext("accounts/home_staff.html", {"role": role})
