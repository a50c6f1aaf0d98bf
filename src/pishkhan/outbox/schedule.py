"""Periodic work: tasks the worker enqueues on a schedule (expiry checks, overdue
restorations, reminders, housekeeping).

A job is a django-tasks task registered with an interval, from the module its app's
``ready()`` imports::

    @periodic("permits.expiry", every=dt.timedelta(hours=1))
    @task()
    def flag_expiring_permits() -> int: ...

Each round the worker calls :func:`enqueue_due`. A job's row (``ScheduledJob``) holds
when it is due next; enqueueing is a compare-and-swap on that row in the same
transaction as the task row, so two workers (or a worker and ``run_schedule`` from cron)
never enqueue the same run twice, and a crash between the two writes loses neither.
A job that was due while no worker ran is enqueued once when one starts, not once per
missed interval. The task itself must be idempotent: it may run late, and a run that
fails is not retried before its next time.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from pishkhan.core import clock

logger = logging.getLogger("pishkhan.outbox")


@dataclass(frozen=True)
class Periodic:
    name: str
    task: Any  # a django_tasks Task
    every: dt.timedelta


_JOBS: dict[str, Periodic] = {}


def periodic(name: str, *, every: dt.timedelta) -> Any:
    """Register the decorated django-tasks task as job `name`, run every `every`."""
    if every < dt.timedelta(minutes=1):
        raise ValueError(f"periodic job {name!r}: run at most once a minute")

    def register(task: Any) -> Any:
        known = _JOBS.get(name)
        if known is not None and known.task is not task:
            raise ValueError(f"periodic job {name!r} is already registered")
        _JOBS[name] = Periodic(name, task, every)
        return task

    return register


def jobs() -> list[Periodic]:
    return sorted(_JOBS.values(), key=lambda job: job.name)


def unregister_job(name: str) -> None:
    """For tests that register a job of their own."""
    _JOBS.pop(name, None)


def enqueue_due(now: dt.datetime | None = None) -> list[str]:
    """Enqueue every registered job whose time has come; the names enqueued."""
    from pishkhan.outbox.models import ScheduledJob

    now = now or clock.now()
    enqueued = []
    for job in jobs():
        try:
            row, _ = ScheduledJob.objects.get_or_create(
                name=job.name, defaults={"next_due_at": now}
            )
        except IntegrityError:  # another worker made the row between our read and insert
            row = ScheduledJob.objects.get(name=job.name)
        if row.next_due_at > now:
            continue
        try:
            with transaction.atomic():
                won = ScheduledJob.objects.filter(pk=row.pk, next_due_at=row.next_due_at).update(
                    next_due_at=now + job.every, last_enqueued_at=now
                )
                if won:
                    job.task.enqueue()
                    enqueued.append(job.name)
        except Exception:  # one broken job must not stop the others or the worker
            logger.exception("periodic job %s could not be enqueued; it stays due", job.name)
    if enqueued:
        logger.info("periodic jobs enqueued: %s", ", ".join(enqueued))
    return enqueued
