"""The periodic reconciliation of online payments (docs/seams.md, periodic jobs)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from pishkhan.outbox.schedule import periodic
from pishkhan.payments.actions import do_reconcile_payments


@periodic("payments.reconcile", every=dt.timedelta(minutes=5))
@task()
def reconcile_payments() -> int:
    """Settle or reverse what is left pending past the gateway's window (idempotent)."""
    return sum(do_reconcile_payments().values())
