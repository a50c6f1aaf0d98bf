"""The daily signed checkpoint of the audit chain's head (a periodic job of the worker)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from pishkhan.audit.chain import write_checkpoint
from pishkhan.audit.models import AuditCheckpoint
from pishkhan.core import clock
from pishkhan.outbox.schedule import periodic


@periodic("audit.checkpoint", every=dt.timedelta(days=1))
@task()
def checkpoint_audit_chain() -> int:
    """Sign the head; a run enqueued twice within the hour signs it once. Returns the
    head's seq. A broken chain raises (the task fails and its error is in the log)."""
    now = clock.now()
    latest = AuditCheckpoint.objects.order_by("-at", "-pk").first()
    if latest is not None and now - latest.at < dt.timedelta(hours=1):
        return latest.head_seq
    return write_checkpoint(now).head_seq
