"""The permits app's object routes, for the authorization matrix (pishkhan.testing.authz).
Their scope is tested in test_authorization.py (a foreign permit or case is a 404)."""

from __future__ import annotations

from pishkhan.testing.authz import Route, register

register(
    Route("permits:detail", kind="permit"),
    Route("permits:case_permits", kind="case.permits"),
)
