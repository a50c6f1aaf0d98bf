"""The payments app's object routes, for the authorization matrix
(pishkhan.testing.authz). Their scope is tested in test_pages.py and
test_counter_and_settlement.py (a foreign bill or payment is a 404); the fake bank's
pages take the bank's token, no object of ours."""

from __future__ import annotations

from typing import Any

from pishkhan.testing.authz import Route, exempt, register


def card_form(bill: Any) -> dict[str, Any]:
    return {"terminal_reference": "123456", "masked_card": "603799******1234"}


register(
    Route("payments:start", kind="bill", methods=("POST",)),
    Route("payments:card", kind="bill", methods=("POST",), data=card_form),
    Route("payments:payment", kind="payment"),
)
for name in ("fakebank:pay", "fakebank:otp", "fakebank:cancel", "fakebank:timeout"):
    exempt(name, "the fake bank's own pages, by the bank's token: no object of Pishkhan's")
