"""The scheduled job: restorations past their permit's end date are flagged overdue."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from pishkhan.core import clock
from pishkhan.excavation.actions import do_flag_overdue_restorations
from pishkhan.outbox.schedule import periodic


@periodic("excavation.overdue_restorations", every=dt.timedelta(hours=1))
@task()
def flag_overdue_restorations() -> int:
    return do_flag_overdue_restorations(clock.now())
