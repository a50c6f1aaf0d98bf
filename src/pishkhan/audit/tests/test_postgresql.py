"""On PostgreSQL the database itself refuses to change or delete audit rows (a trigger,
audit/migrations/0002), and concurrent appends never fork the chain (an advisory lock).
Run with DATABASE_URL naming a PostgreSQL database; skipped on SQLite."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import IntegrityError, connection, connections, transaction

from pishkhan.audit.chain import record, verify, write_checkpoint
from pishkhan.audit.models import AuditRecord

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the append-only trigger and the advisory lock are PostgreSQL's; on SQLite the "
    "models refuse changes and writes are serialized by BEGIN IMMEDIATE",
)


def execute(sql: str) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditrecord SET kind = 'forged' WHERE seq = 1",
        "DELETE FROM audit_auditrecord WHERE seq = 1",
        "UPDATE audit_auditcheckpoint SET head_seq = 0",
        "DELETE FROM audit_auditcheckpoint",
    ],
)
def test_the_trigger_refuses_update_and_delete(sql: str) -> None:
    record("test.kept", summary={"n": 1})
    write_checkpoint()
    with pytest.raises(IntegrityError, match="audit rows are append-only"):
        execute(sql)
    assert AuditRecord.objects.filter(seq=1, kind="test.kept").exists()
    assert verify().intact


@pytest.mark.django_db
def test_the_trigger_refuses_truncate_unless_the_session_allows_it() -> None:
    """The test settings allow TRUNCATE for the suite's flushes; a session that does not
    (the application's) is refused."""
    record("test.kept")
    sql = "SET LOCAL pishkhan.audit_allow_truncate = 'off'; TRUNCATE audit_auditrecord"
    with pytest.raises(IntegrityError, match="TRUNCATE on audit_auditrecord refused"):
        execute(sql)
    assert AuditRecord.objects.count() == 1


def race(calls: list[Callable[[], Any]]) -> list[Any]:
    """The calls in threads released together (cases/tests/test_concurrency.py)."""
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


def appender(name: str, count: int) -> Callable[[], int]:
    def append() -> int:
        for i in range(count):
            with transaction.atomic():  # one audited action each: read head, lock, insert
                record(f"test.{name}", summary={"i": i})
        return count

    return append


@pytest.mark.django_db(transaction=True)
def test_two_threads_appending_at_once_never_fork_the_chain() -> None:
    record("test.first")
    results = race([appender("a", 25), appender("b", 25), appender("c", 25)])
    assert results == [25, 25, 25]
    seqs = list(AuditRecord.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, 77))
    report = verify()
    assert (report.intact, report.records) == (True, 76)
