"""The seams app's effect and receivers, registered the way any app registers them."""

from __future__ import annotations

import os
import time
from pathlib import Path

from pishkhan.cases.effects import EffectContext, effect
from pishkhan.cases.errors import WorkflowError
from pishkhan.outbox.models import OutboxMessage
from pishkhan.outbox.receivers import outbox_receiver, unregister_receiver
from tests.seams.models import Delivery, EffectRow

calls: list[str] = []  # keys, in the order the receiver saw them (duplicates included)


@effect("seams_record_entry")
def record_entry(context: EffectContext) -> None:
    EffectRow.objects.create(case_id=context.case.pk, event_seq=context.event.seq)


@effect("seams_remove_entry")
def remove_entry(context: EffectContext) -> None:
    EffectRow.objects.filter(case_id=context.case.pk).delete()


@effect("seams_fail")
def fail(context: EffectContext) -> None:
    raise WorkflowError("پیامد آزمایشی شکست خورد.")


def record_delivery(message: OutboxMessage) -> None:
    """Idempotent by the message key, as every receiver must be."""
    calls.append(message.key)
    Delivery.objects.get_or_create(key=message.key, defaults={"action": message.payload["action"]})


def external(message: OutboxMessage) -> None:
    """Stands for a side effect outside the database (an SMS gateway): it appends the
    key to a file, once per key, and may hang (the worker is then killed)."""
    path = Path(os.environ.get("SEAMS_EXTERNAL_FILE") or message.payload["file"])
    sent = path.read_text().split() if path.exists() else []
    if message.key not in sent:
        with path.open("a") as out:
            out.write(message.key + "\n")
    if os.environ.get("SEAMS_HANG"):
        time.sleep(120)


def register_receivers() -> None:
    """Receivers cost every action an outbox row, so only the seams tests (and the worker
    they start, via SEAMS_RECEIVERS=1) register them."""
    outbox_receiver("seams.record_delivery", topic="case.event")(record_delivery)
    outbox_receiver("seams.external", topic="seams.external")(external)


def unregister_receivers() -> None:
    unregister_receiver("seams.record_delivery")
    unregister_receiver("seams.external")


if os.environ.get("SEAMS_RECEIVERS"):
    register_receivers()
