"""Publishing into the outbox (inside the caller's transaction) and delivering from it
(in the worker). See docs/seams.md."""

from __future__ import annotations

import datetime as dt
import logging
import traceback
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from pishkhan.outbox.models import PENDING, DeliveryAttempt, OutboxMessage, Outcome
from pishkhan.outbox.receivers import receiver_named, receivers_of

logger = logging.getLogger("pishkhan.outbox")

DEFAULT_LEASE_SECONDS = 300  # a claim older than this belongs to a dead worker
MAX_ATTEMPTS = 10
FIRST_RETRY = dt.timedelta(seconds=10)
LONGEST_RETRY = dt.timedelta(hours=1)
ERROR_MAX_LENGTH = 4000


@dataclass(frozen=True)
class Publication:
    topic: str
    key: str
    payload: dict[str, Any]


def publish(topic: str, key: str, payload: dict[str, Any]) -> int:
    return publish_many([Publication(topic, key, payload)])


def publish_many(publications: Iterable[Publication]) -> int:
    """Queue each publication for every receiver of its topic, in the caller's
    transaction (it rolls back with it), and ask the worker to deliver them. Returns
    the number of messages queued; a topic nobody receives costs nothing."""
    now = timezone.now()
    rows = [
        OutboxMessage(
            receiver=receiver.name,
            topic=item.topic,
            key=item.key,
            payload=item.payload,
            created_at=now,
            available_at=now,
        )
        for item in publications
        for receiver in receivers_of(item.topic)
    ]
    if not rows:
        return 0
    OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True)
    from pishkhan.outbox.tasks import deliver_outbox

    deliver_outbox.enqueue()  # a row of the task queue, in this same transaction
    return len(rows)


def lease() -> dt.timedelta:
    """How long a worker holds a message it is delivering (PISHKHAN_OUTBOX_LEASE_SECONDS):
    after that, a worker that died mid-delivery has let it go and another takes it."""
    seconds = getattr(settings, "PISHKHAN_OUTBOX_LEASE_SECONDS", DEFAULT_LEASE_SECONDS)
    return dt.timedelta(seconds=seconds)


def backoff(attempts: int) -> dt.timedelta:
    """10 s, 20 s, 40 s … doubling after each failed attempt, at most an hour."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_RETRY)


def due(now: dt.datetime) -> Q:
    """Pending, due, not claimed by a live worker, and not past its attempts (a message
    that kills every worker that takes it stops being taken)."""
    unclaimed = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    return PENDING & Q(available_at__lte=now, attempts__lt=MAX_ATTEMPTS) & unclaimed


def has_due(now: dt.datetime | None = None) -> bool:
    return OutboxMessage.objects.filter(due(now or timezone.now())).exists()


def deliver_due(*, worker: str = "", limit: int = 100, now: dt.datetime | None = None) -> int:
    """Deliver up to `limit` due messages; returns how many were delivered."""
    moment = now or timezone.now()
    ids = list(
        OutboxMessage.objects.filter(due(moment))
        .order_by("available_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in ids if deliver_one(pk, worker=worker, now=now))


def claim(pk: int, now: dt.datetime) -> bool:
    """Take the message for one lease; another worker (or a later run) cannot meanwhile."""
    return (
        OutboxMessage.objects.filter(due(now), pk=pk).update(
            claimed_until=now + lease(), attempts=F("attempts") + 1
        )
        == 1
    )


def deliver_one(pk: int, *, worker: str = "", now: dt.datetime | None = None) -> bool:
    """Claim, deliver and record one message. The receiver runs outside any transaction
    (a webhook or an SMS gateway must not hold the database's write lock); it is
    idempotent by the message key, so a crash before the delivery is recorded only means
    it sees the message again."""
    moment = now or timezone.now()
    if not claim(pk, moment):
        return False
    message = OutboxMessage.objects.get(pk=pk)
    receiver = receiver_named(message.receiver)
    if receiver is None:
        _unknown_receiver(message, moment)
        return False
    attempt = DeliveryAttempt.objects.create(
        message=message, number=message.attempts, worker=worker[:64], started_at=moment
    )
    try:
        receiver.function(message)
    except Exception as error:
        _record_failure(message, attempt, error, moment)
        return False
    finished = timezone.now() if now is None else moment
    with transaction.atomic():
        OutboxMessage.objects.filter(pk=pk).update(
            delivered_at=finished, claimed_until=None, last_error=""
        )
        DeliveryAttempt.objects.filter(pk=attempt.pk).update(
            finished_at=finished, outcome=Outcome.DELIVERED
        )
    return True


def _unknown_receiver(message: OutboxMessage, now: dt.datetime) -> None:
    """A worker that does not know the receiver (another version of the code, a missing
    app) leaves the message for one that does: no attempt is spent on it."""
    OutboxMessage.objects.filter(pk=message.pk).update(
        attempts=F("attempts") - 1,
        claimed_until=None,
        available_at=now + FIRST_RETRY,
        last_error=f"no outbox receiver is registered as {message.receiver!r} in this worker",
    )
    logger.error(
        "outbox message %s: no receiver %r is registered in this worker; left pending",
        message.pk,
        message.receiver,
    )


def _record_failure(
    message: OutboxMessage, attempt: DeliveryAttempt, error: Exception, now: dt.datetime
) -> None:
    text = "".join(traceback.format_exception_only(type(error), error)).strip()
    text = text[:ERROR_MAX_LENGTH]
    gave_up = message.attempts >= MAX_ATTEMPTS
    # never over a delivery another worker made after this one's lease ran out
    OutboxMessage.objects.filter(pk=message.pk, delivered_at__isnull=True).update(
        claimed_until=None,
        last_error=text,
        available_at=now + backoff(message.attempts),
        failed_at=now if gave_up else None,
    )
    DeliveryAttempt.objects.filter(pk=attempt.pk).update(
        finished_at=now, outcome=Outcome.FAILED, error=text
    )
    logger.warning(
        "outbox message %s to %s failed (attempt %s%s): %s",
        message.pk,
        message.receiver,
        message.attempts,
        ", giving up" if gave_up else "",
        text,
    )
