"""Outbox receivers: named functions that deliver one message, subscribed to a topic.

A receiver is registered like a guard, from the module its app's ``ready()`` imports::

    @outbox_receiver("sms.case_changed", topic="case.event")
    def notify_applicant(message: OutboxMessage) -> None: ...

It must be idempotent by ``message.key``: delivery is at least once, so after a crash
between the receiver's work and the worker recording it, the receiver sees the same
message again. It runs inside a transaction with the marking of the message as
delivered, so a receiver that only writes to the database is delivered exactly once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pishkhan.outbox.models import OutboxMessage

ReceiverFunction = Callable[["OutboxMessage"], None]


@dataclass(frozen=True)
class Receiver:
    name: str
    topic: str
    function: ReceiverFunction


_RECEIVERS: dict[str, Receiver] = {}


def outbox_receiver(name: str, *, topic: str) -> Callable[[ReceiverFunction], ReceiverFunction]:
    """Register `function` as receiver `name` of `topic`; a name is registered once."""

    def register(function: ReceiverFunction) -> ReceiverFunction:
        known = _RECEIVERS.get(name)
        if known is not None and known.function is not function:
            raise ValueError(f"outbox receiver {name!r} is already registered")
        _RECEIVERS[name] = Receiver(name, topic, function)
        return function

    return register


def unregister_receiver(name: str) -> None:
    """For tests that register a receiver of their own."""
    _RECEIVERS.pop(name, None)


def receivers_of(topic: str) -> list[Receiver]:
    return [r for r in _RECEIVERS.values() if r.topic == topic]


def receiver_named(name: str) -> Receiver | None:
    return _RECEIVERS.get(name)
