"""``manage.py reconcile_payments``: settle or reverse every online payment left pending
past the gateway's window (the periodic job ``payments.reconcile`` runs the same)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from pishkhan.payments.actions import do_reconcile_payments


class Command(BaseCommand):
    help = "Settle or reverse online payments left pending past the gateway's window."

    def handle(self, *args: Any, **options: Any) -> None:
        tally = do_reconcile_payments()
        done = ", ".join(f"{k}: {v}" for k, v in sorted(tally.items())) or "nothing pending"
        self.stdout.write(f"Reconciled: {done}.")
