"""``manage.py check_ledger``: prove the ledger agrees with the bills (billing/ledger.py
lists the invariants); exits non-zero and names what breaks when it does not."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from pishkhan.billing.ledger import check_ledger


class Command(BaseCommand):
    help = "Check the ledger's invariants: captured − reversed = paid amount of bills."

    def handle(self, *args: Any, **options: Any) -> None:
        report = check_ledger()
        summary = (
            f"{report.entries} ledger entries, {report.bills} bills; captured {report.captured}, "
            f"reversed {report.reversed}, bills paid {report.paid} rials"
        )
        if not report.consistent:
            for problem in report.problems:
                self.stderr.write(problem)
            raise CommandError(
                f"The ledger is inconsistent: {len(report.problems)} problems ({summary})."
            )
        self.stdout.write(f"The ledger is consistent: {summary}.")
