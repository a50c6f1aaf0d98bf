"""The background task that drains the outbox (django-tasks, database backend)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from pishkhan.core import clock
from pishkhan.outbox.delivery import deliver_due
from pishkhan.outbox.schedule import periodic


@task()
def deliver_outbox() -> int:
    """Deliver what is due. Enqueued in the transaction that publishes, and again by the
    worker's sweep for retries and for messages a dead worker had claimed."""
    return deliver_due(worker="task")


@periodic("outbox.prune_task_results", every=dt.timedelta(days=1))
@task()
def prune_task_results() -> int:
    """Delete the queue's finished task results older than
    PISHKHAN_TASK_RESULTS_KEEP_DAYS; tasks waiting or running are never touched. The
    outbox's own messages and delivery attempts are records and are kept."""
    before = clock.now() - dt.timedelta(days=settings.PISHKHAN_TASK_RESULTS_KEEP_DAYS)
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lt=before).delete()
    return deleted
