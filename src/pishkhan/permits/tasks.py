"""The daily expiry of building permits past their validity (a periodic job)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from pishkhan.outbox.schedule import periodic
from pishkhan.permits.actions import do_expire_lapsed_permits


@periodic("permits.expiry", every=dt.timedelta(hours=1))
@task()
def expire_lapsed_permits() -> int:
    """Idempotent: a run enqueued twice expires each permit once. Hourly, so a permit
    is shown expired within the hour its last valid day ends."""
    return do_expire_lapsed_permits()
