"""Two people acting on one case at once: exactly one wins, the other is told in Persian.

These tests use real threads and real transactions (``transactional_db``) and run on
both backends. SQLite serialises write transactions (BEGIN IMMEDIATE), so there the loser
waits and then sees the new version; PostgreSQL lets both transactions read the same
version, and the compare-and-swap UPDATE decides.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections

from pishkhan.cases import engine
from pishkhan.cases.actions import do_claim_case, do_perform_action
from pishkhan.cases.errors import ConcurrentActionError
from pishkhan.cases.models import Case, CaseEvent
from pishkhan.offices.roles import Role
from pishkhan.testing.personas import City, act, build_city, draft_answer, walk_to

CONFLICT = "این پرونده هم‌زمان توسط کاربر دیگری تغییر کرده است؛ صفحه را دوباره بارگذاری کنید."


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in threads released together; each result is a value or an error."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as exc:
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def one_winner(results: list[Any]) -> tuple[Case, ConcurrentActionError]:
    wins = [r for r in results if isinstance(r, Case)]
    losses = [r for r in results if isinstance(r, ConcurrentActionError)]
    assert len(wins) == 1, results
    assert len(losses) == 1, results
    assert losses[0].message == CONFLICT
    return wins[0], losses[0]


@pytest.fixture
def race_world(transactional_db: None, tmp_path: Path) -> Iterator[City]:
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        with file_database(tmp_path / "race.sqlite3"):
            yield build_city()
    else:
        yield build_city()


class file_database:
    """Point every connection at a file copy of the in-memory SQLite test database.

    pytest-django keeps SQLite test databases in shared-cache memory, where a second writer
    gets "database table is locked" at once (the busy timeout does not apply to
    shared-cache locks). A deployed SQLite database is a file in WAL mode where a second
    writer waits for the first, which is what these tests must exercise. Without an
    in-memory test database (PostgreSQL, or a file test database) nothing is swapped.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> None:
        connection.ensure_connection()
        target = sqlite3.connect(self.path)
        connection.connection.backup(target)  # the migrated, empty schema
        target.close()
        self.memory_name = connection.settings_dict["NAME"]
        self.keeper = connection.connection  # keeps the shared-memory database alive
        connection.connection = None
        connection.settings_dict["NAME"] = str(self.path)  # shared by every thread

    def __exit__(self, *exc: object) -> None:
        connection.close()  # the file connection (NAME still names the file)
        connection.settings_dict["NAME"] = self.memory_name
        connection.connection = self.keeper


def test_two_checkers_approving_at_once_issue_one_response(race_world: City) -> None:
    world = race_world
    case = walk_to(world, world.open_case(), "response_prepared")
    checker = next(u for u in world.a.district_staff if u.pk != case.prepared_by_id)
    # a third district staff member, so two different people can approve at once
    other = world.builder.staff(Role.DISTRICT_STAFF, district=world.a.district).user
    version = case.version
    results = race(
        lambda: do_perform_action(checker, case.pk, "approve_response", version),
        lambda: do_perform_action(other, case.pk, "approve_response", version),
    )
    winner, _ = one_winner(results)
    case.refresh_from_db()
    assert case.state == "response_issued"
    assert case.version == version + 1
    assert case.approved_by_id == winner.approved_by_id
    assert CaseEvent.objects.filter(case=case, action="approve_response").count() == 1


def test_a_double_click_moves_the_case_once(race_world: City) -> None:
    world = race_world
    tm = world.a[Role.TECHNICAL_MANAGER]
    case = world.open_case()
    results = race(
        lambda: do_perform_action(tm, case.pk, "refer_to_inspector", case.version),
        lambda: do_perform_action(tm, case.pk, "refer_to_inspector", case.version),
    )
    one_winner(results)
    assert CaseEvent.objects.filter(case=case).count() == 2


def test_two_inspectors_claiming_at_once_one_gets_it(race_world: City) -> None:
    world = race_world
    second = world.builder.staff(Role.INSPECTOR, office=world.a.office).user
    case = walk_to(world, world.open_case(), "awaiting_visit")
    results = race(
        lambda: do_claim_case(world.a[Role.INSPECTOR], case.pk, case.version),
        lambda: do_claim_case(second, case.pk, case.version),
    )
    winner, _ = one_winner(results)
    case.refresh_from_db()
    assert case.assignee_id == winner.assignee_id


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite runs one write transaction at a time (BEGIN IMMEDIATE): two transactions "
    "can never both hold the same version, so this interleaving cannot happen there; the "
    "swap itself is covered on SQLite by test_a_change_between_read_and_swap_loses.",
)
def test_both_read_the_same_version_and_the_swap_decides(
    race_world: City, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = race_world
    maker, checker = world.a.district_staff
    case = walk_to(world, world.open_case(), "district_review")
    case = draft_answer(maker, case)
    both_read = threading.Barrier(2)
    real_swap = engine.compare_and_swap

    def swap_after_both_read(*args: Any) -> bool:
        both_read.wait(timeout=10)
        return real_swap(*args)

    monkeypatch.setattr(engine, "compare_and_swap", swap_after_both_read)
    results = race(
        lambda: do_perform_action(maker, case.pk, "prepare_response", case.version),
        lambda: do_perform_action(
            checker, case.pk, "prepare_rejection", case.version, reason="خارج از طرح"
        ),
    )
    winner, _ = one_winner(results)
    case.refresh_from_db()
    assert case.state == winner.state
    assert CaseEvent.objects.filter(case=case).count() == case.version


def test_a_change_between_read_and_swap_loses(world: City, monkeypatch: pytest.MonkeyPatch) -> None:
    """Deterministic, single thread, both backends: someone else's change lands after this
    action read the case and before it swapped."""
    tm = world.a[Role.TECHNICAL_MANAGER]
    case = world.open_case()
    real_swap = engine.compare_and_swap

    def someone_else_first(case_id: int, expected: int, changes: dict[str, Any]) -> bool:
        Case.objects.filter(pk=case_id).update(version=expected + 1)
        return real_swap(case_id, expected, changes)

    monkeypatch.setattr(engine, "compare_and_swap", someone_else_first)
    with pytest.raises(ConcurrentActionError) as caught:
        do_perform_action(tm, case.pk, "refer_to_inspector", case.version)
    assert caught.value.message == CONFLICT
    case.refresh_from_db()
    assert case.state == "registered"
    assert CaseEvent.objects.filter(case=case).count() == 1


def test_a_stale_version_is_refused(world: City) -> None:
    tm = world.a[Role.TECHNICAL_MANAGER]
    case = world.open_case()
    stale = case.version
    act(tm, case, "request_documents", reason="کپی سند ناخوانا")
    with pytest.raises(ConcurrentActionError):
        do_perform_action(tm, case.pk, "cancel", stale, reason="x")
