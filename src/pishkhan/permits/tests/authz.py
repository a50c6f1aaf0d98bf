"""The permits app's object routes, for the authorization matrix (pishkhan.testing.authz).
Their scope is tested in test_authorization.py (a foreign permit or case is a 404)."""

from __future__ import annotations

from typing import Any

from pishkhan.testing.authz import Route, register


def revoke_form(permit: Any) -> dict[str, Any]:
    return {"reason": "بررسی دسترسی", "confirmed": "on"}


register(
    Route("permits:detail", kind="permit"),
    Route("permits:revoke", kind="permit", methods=("POST",), data=revoke_form),
    Route("permits:case_permits", kind="case.permits"),
)
