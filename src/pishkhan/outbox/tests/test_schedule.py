"""Periodic jobs: the worker enqueues each one when its time comes, once, whoever else
is running; a failed enqueue moves nothing; the housekeeping job prunes old results."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from pishkhan.outbox import schedule
from pishkhan.outbox.models import ScheduledJob
from pishkhan.outbox.tasks import prune_task_results

NOW = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


@task()
def count_something() -> int:
    return 1


@pytest.fixture
def hourly() -> Iterator[Any]:
    schedule.periodic("test.hourly", every=HOUR)(count_something)
    yield count_something
    schedule.unregister_job("test.hourly")


def queued(job: Any) -> int:
    return DBTaskResult.objects.filter(task_path=job.module_path).count()


@pytest.mark.django_db
def test_a_job_is_enqueued_when_due_and_not_again_before_its_interval(hourly: Any) -> None:
    assert "test.hourly" in schedule.enqueue_due(NOW)  # a new job is due at once
    assert queued(hourly) == 1
    assert "test.hourly" not in schedule.enqueue_due(NOW + dt.timedelta(minutes=59))
    assert queued(hourly) == 1
    assert "test.hourly" in schedule.enqueue_due(NOW + HOUR)
    assert queued(hourly) == 2
    row = ScheduledJob.objects.get(name="test.hourly")
    assert (row.last_enqueued_at, row.next_due_at) == (NOW + HOUR, NOW + 2 * HOUR)


@pytest.mark.django_db
def test_a_job_missed_while_no_worker_ran_runs_once_not_once_per_interval(hourly: Any) -> None:
    schedule.enqueue_due(NOW)
    assert "test.hourly" in schedule.enqueue_due(NOW + 10 * HOUR)
    assert queued(hourly) == 2
    assert ScheduledJob.objects.get(name="test.hourly").next_due_at == NOW + 11 * HOUR


@pytest.mark.django_db
def test_a_worker_that_read_the_row_before_another_enqueued_it_enqueues_nothing(
    hourly: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    schedule.enqueue_due(NOW)
    stale = ScheduledJob.objects.get(name="test.hourly")  # what a second worker read …
    schedule.enqueue_due(NOW + HOUR)  # … before the first one took the run
    monkeypatch.setattr(
        ScheduledJob.objects, "get_or_create", lambda **kwargs: (stale, False), raising=False
    )
    assert schedule.enqueue_due(NOW + HOUR) == []
    assert queued(hourly) == 2


class FlakyTask:
    """A task whose queue is down until `up` is set."""

    def __init__(self) -> None:
        self.up = False
        self.enqueued = 0

    def enqueue(self) -> None:
        if not self.up:
            raise RuntimeError("the queue is down")
        self.enqueued += 1


@pytest.mark.django_db
def test_a_failed_enqueue_leaves_the_job_due() -> None:
    flaky = FlakyTask()
    schedule.periodic("test.flaky", every=HOUR)(flaky)
    try:
        others = [job.name for job in schedule.jobs() if job.name != "test.flaky"]
        assert schedule.enqueue_due(NOW) == others  # the others go on
        assert ScheduledJob.objects.get(name="test.flaky").next_due_at == NOW
        flaky.up = True
        assert "test.flaky" in schedule.enqueue_due(NOW)
        assert flaky.enqueued == 1
    finally:
        schedule.unregister_job("test.flaky")


def test_a_job_runs_at_most_once_a_minute_and_a_name_is_registered_once() -> None:
    with pytest.raises(ValueError, match="once a minute"):
        schedule.periodic("test.too_often", every=dt.timedelta(seconds=30))
    with pytest.raises(ValueError, match="already registered"):
        schedule.periodic("outbox.prune_task_results", every=HOUR)(count_something)


def test_the_housekeeping_job_is_registered() -> None:
    assert "outbox.prune_task_results" in [job.name for job in schedule.jobs()]


@pytest.mark.django_db
def test_pruning_deletes_old_finished_results_and_keeps_the_rest(settings: Any) -> None:
    settings.PISHKHAN_TASK_RESULTS_KEEP_DAYS = 14
    now = timezone.now()

    def result(status: str, finished_days_ago: int | None) -> str:
        row = DBTaskResult.objects.get(id=count_something.enqueue().id)
        row.status = status
        row.finished_at = (
            None if finished_days_ago is None else now - dt.timedelta(days=finished_days_ago)
        )
        row.save()
        return str(row.id)

    old_success = result(TaskResultStatus.SUCCESSFUL, 20)
    old_failure = result(TaskResultStatus.FAILED, 15)
    recent = result(TaskResultStatus.SUCCESSFUL, 3)
    waiting = result(TaskResultStatus.READY, None)
    assert prune_task_results.call() == 2
    left = {str(pk) for pk in DBTaskResult.objects.values_list("id", flat=True)}
    assert {recent, waiting} <= left
    assert not {old_success, old_failure} & left
