"""The clock: the real time unless overridden, and overridden only inside the block."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.utils import timezone

from pishkhan.core import clock

MOMENT = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)


def close_to_real_time(moment: dt.datetime) -> bool:
    return abs(moment - timezone.now()) < dt.timedelta(minutes=1)


def test_it_reads_the_real_time_unless_overridden() -> None:
    assert not clock.is_overridden()
    assert timezone.is_aware(clock.now())
    assert close_to_real_time(clock.now())


def test_a_frozen_clock_holds_its_moment_only_inside_the_block() -> None:
    with clock.frozen(MOMENT) as frozen:
        assert clock.is_overridden()
        assert clock.now() == MOMENT
        frozen.now = MOMENT + dt.timedelta(hours=1)
        assert clock.now() == MOMENT + dt.timedelta(hours=1)
        assert frozen.advance(dt.timedelta(minutes=30)) == clock.now()
    assert not clock.is_overridden()
    assert close_to_real_time(clock.now())


def test_an_override_reads_a_callable_or_a_fixed_moment() -> None:
    ticks = iter([MOMENT, MOMENT + dt.timedelta(seconds=1)])
    with clock.override(lambda: next(ticks)):
        assert clock.now() == MOMENT
        assert clock.now() == MOMENT + dt.timedelta(seconds=1)
    with clock.override(MOMENT):
        assert clock.now() == MOMENT


def test_overrides_nest_and_the_innermost_wins() -> None:
    later = MOMENT + dt.timedelta(days=1)
    with clock.frozen(MOMENT):
        with clock.frozen(later):
            assert clock.now() == later
        assert clock.now() == MOMENT
    assert close_to_real_time(clock.now())


def test_the_clock_is_left_as_it_was_when_the_block_raises() -> None:
    with pytest.raises(RuntimeError), clock.frozen(MOMENT):
        raise RuntimeError("boom")
    assert not clock.is_overridden()


def test_a_naive_moment_is_refused() -> None:
    naive = dt.datetime(2026, 1, 5, 9, 0)  # noqa: DTZ001 - the point of the test
    with pytest.raises(ValueError, match="aware"):
        clock.override(naive).__enter__()
    with pytest.raises(ValueError, match="aware"):
        clock.frozen(naive).__enter__()
    with clock.override(lambda: naive), pytest.raises(ValueError, match="aware"):
        clock.now()
    assert not clock.is_overridden()


def test_every_thread_sees_the_override() -> None:
    seen: list[dt.datetime] = []
    with clock.frozen(MOMENT):
        worker = threading.Thread(target=lambda: seen.append(clock.now()))
        worker.start()
        worker.join()
    assert seen == [MOMENT]


def test_blocks_left_out_of_order_leave_the_others_in_place() -> None:
    # Two threads override, and the first to enter is the first to leave.
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    later = MOMENT + dt.timedelta(days=1)
    seen: list[dt.datetime] = []

    def first() -> None:
        with clock.frozen(MOMENT):
            first_in.set()
            second_in.wait(5)
        first_out.set()

    def second() -> None:
        first_in.wait(5)
        with clock.frozen(later):
            second_in.set()
            first_out.wait(5)
            seen.append(clock.now())

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == [later]
    assert not clock.is_overridden()
