"""The project's notion of now: what SLA clocks, due flags and actions read.

``now()`` is ``timezone.now()`` unless something overrides it. The override is the
supported way to walk time: tests set it to walk SLA clocks, and the demo sets it to
backdate the history of its cases through the real actions::

    with clock.frozen(start) as frozen:   # now() reads `start`
        ...
        frozen.now += dt.timedelta(hours=2)  # and then two hours later

    with clock.override(lambda: some_moment()):  # any callable returning an aware datetime
        ...

An override is process-wide (every thread sees it: the race tests act from several
threads at one moment) and lasts until its ``with`` block ends; overrides nest, the
innermost one wins, and leaving one restores what was there before, whatever the order
in which threads leave theirs.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.utils import timezone

Source = Callable[[], dt.datetime]

_lock = threading.Lock()
# The active overrides, innermost last. Replaced as a whole (never mutated) under the
# lock, so now() can read it without one.
_sources: tuple[Source, ...] = ()


def now() -> dt.datetime:
    """The current moment, aware: the innermost override's, or the real one."""
    sources = _sources
    if not sources:
        return timezone.now()
    moment = sources[-1]()
    if timezone.is_naive(moment):
        raise ValueError("a clock override must return an aware datetime")
    return moment


def is_overridden() -> bool:
    return bool(_sources)


@contextmanager
def override(source: Source | dt.datetime) -> Iterator[None]:
    """Make now() read `source` (a callable, or one fixed aware moment) inside the block."""
    if isinstance(source, dt.datetime):
        if timezone.is_naive(source):
            raise ValueError("the clock can be set only to an aware datetime")
        fixed = source

        def read() -> dt.datetime:
            return fixed
    else:
        read = source
    _push(read)
    try:
        yield
    finally:
        _remove(read)


@dataclass
class FrozenClock:
    """A clock that stands still at `now` until it is set or advanced."""

    now: dt.datetime

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, delta: dt.timedelta) -> dt.datetime:
        self.now += delta
        return self.now


@contextmanager
def frozen(at: dt.datetime) -> Iterator[FrozenClock]:
    """Stop now() at `at` inside the block; the clock it yields can be set or advanced."""
    if timezone.is_naive(at):
        raise ValueError("the clock can be set only to an aware datetime")
    stopped = FrozenClock(at)
    with override(stopped):
        yield stopped


def _push(source: Source) -> None:
    global _sources
    with _lock:
        _sources = (*_sources, source)


def _remove(source: Source) -> None:
    global _sources
    with _lock:
        # The innermost occurrence: the one this block pushed (a source may be nested).
        index = max(k for k, s in enumerate(_sources) if s is source)
        _sources = _sources[:index] + _sources[index + 1 :]
