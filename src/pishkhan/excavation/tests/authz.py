"""The excavation app's object routes, for the authorization matrix (pishkhan.testing.authz).
Their scope is tested in test_permits.py (a foreign permit is a 404)."""

from __future__ import annotations

from pishkhan.testing.authz import Route, register

register(Route("excavation:permit", kind="excavation.permit"))
