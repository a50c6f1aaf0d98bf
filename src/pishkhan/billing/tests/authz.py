"""The billing app's object routes, for the authorization matrix (pishkhan.testing.authz).
Their scope is tested in test_pages.py (a foreign bill is a 404)."""

from __future__ import annotations

from typing import Any

from pishkhan.testing.authz import Route, register


def cancel_form(bill: Any) -> dict[str, Any]:
    return {"version": str(bill.version), "reason": "بررسی دسترسی"}


register(
    Route("billing:bill", kind="bill"),
    Route("billing:cancel", kind="bill", methods=("POST",), data=cancel_form),
    Route("billing:case_bills", kind="case.bills"),
)
