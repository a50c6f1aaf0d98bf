"""The background task that drains the outbox (django-tasks, database backend)."""

from __future__ import annotations

from django_tasks import task

from pishkhan.outbox.delivery import deliver_due


@task()
def deliver_outbox() -> int:
    """Deliver what is due. Enqueued in the transaction that publishes, and again by the
    worker's sweep for retries and for messages a dead worker had claimed."""
    return deliver_due(worker="task")
