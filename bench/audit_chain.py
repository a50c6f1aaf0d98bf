"""The audit chain's cost: numbers, not pass/fail.

Usage (on a database you can throw away; the script migrates it and appends to its
chain): ``DATABASE_URL=postgres://…/pishkhan_bench .venv/bin/python bench/audit_chain.py``
(without DATABASE_URL: a scratch SQLite file).

1. Grows the chain to --rows rows (batches of 1,000 through ``record_many``).
2. Times --appends single appends, each in its own transaction: what one audited action
   pays on top of its own work (the head read, the row's insert, on PostgreSQL the
   advisory lock) — measured against the same transaction without it: one insert into a
   scratch table (standing for the action's own writes and its commit).
3. Times ``verify()`` over the whole chain and one ``write_checkpoint()``.
Prints a Markdown table ready for docs/performance.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from run import configure, percentile  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--appends", type=int, default=2_000)
    args = parser.parse_args()
    configure(args.database_url or __import__("os").environ.get("DATABASE_URL"))

    from django.core.management import call_command
    from django.db import connection, transaction

    from pishkhan.audit.chain import Entry, record, record_many, verify, write_checkpoint
    from pishkhan.audit.models import AuditRecord

    call_command("migrate", verbosity=0)
    have = AuditRecord.objects.count()
    start = time.perf_counter()
    while have < args.rows:
        batch = min(1000, args.rows - have)
        with transaction.atomic():
            record_many(
                Entry("bench.case_action", ("case", have + i), {"to_state": "s"}, None)
                for i in range(batch)
            )
        have += batch
    grow = time.perf_counter() - start

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_audit_scratch (v varchar(20))")

    def timed(with_append: bool) -> list[float]:
        samples = []
        for i in range(args.appends):
            t0 = time.perf_counter()
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("INSERT INTO bench_audit_scratch (v) VALUES (%s)", [str(i)])
                if with_append:
                    record("bench.case_action", subject=("case", i), summary={"to_state": "s"})
            samples.append((time.perf_counter() - t0) * 1000)
        return samples

    empty = timed(False)
    appended = timed(True)
    t0 = time.perf_counter()
    report = verify()
    verify_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    write_checkpoint()
    checkpoint_s = time.perf_counter() - t0
    assert report.intact, report.problems

    extra = statistics.median(appended) - statistics.median(empty)
    print(
        f"| {connection.vendor} | {report.records:,} rows (grown in {grow:.1f} s) "
        f"| append: median {statistics.median(appended):.2f} ms, "
        f"p95 {percentile(appended, 0.95):.2f} ms (without it "
        f"{statistics.median(empty):.2f} ms: +{extra:.2f} ms) "
        f"| verify {verify_s:.1f} s ({report.records / verify_s:,.0f} rows/s) "
        f"| checkpoint {checkpoint_s * 1000:.0f} ms |"
    )


if __name__ == "__main__":
    main()
