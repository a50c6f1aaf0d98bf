"""Documents tests: the bill fixtures of the payments tests (a bill at billing's fixed
moment, written through billing's own writer)."""

from pishkhan.payments.tests.conftest import bill, now, rules  # noqa: F401 (fixtures)
