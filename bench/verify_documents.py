"""The public verification page with a million issued documents: numbers, not pass/fail.

Usage (on a PostgreSQL database you can throw away; the script migrates it):

    createdb -h 127.0.0.1 -U postgres pishkhan_bench_verify
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pishkhan_bench_verify \\
        .venv/bin/python bench/verify_documents.py --documents 1000000 --requests 300
    dropdb -h 127.0.0.1 -U postgres pishkhan_bench_verify

Builds the personas' city, approves one notary inquiry (its answer is issued through the
real effect: rendered, signed, stored), then copies that document's row `--documents`
times with one INSERT … SELECT over generate_series — each copy with its own stored-file
row, serial (ten Jalali years of 100,000 each) and random verification code, a few in
a hundred revoked or superseded so every verdict is exercised. Then it times, through
Django's test client and the whole middleware stack, GET /verify/<serial>/<code>/ for
random documents (found), for a right serial with a wrong code and for unknown serials
(both not found), and counts the queries of each. The rate limit is lifted for the run
(it is per client address, and the bench is one address).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pishkhan.settings_test")
os.environ["PISHKHAN_VERIFY_ATTEMPTS"] = str(10**9)

YEARS = range(1390, 1400)  # 100,000 serials a year: the serial's six digits
PER_YEAR = 100_000
WRONG_CODE = "ACDEFGHJKMNP"  # well formed (so it is looked up), and no copy's code


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def row(name: str, times: list[float], queries: int) -> str:
    return (
        f"| {name} | {statistics.median(times):.1f} | {percentile(times, 0.95):.1f} | "
        f"{queries} | {len(times)} |"
    )


def copy_documents(total: int, template_id: int) -> None:
    """`total` copies of document `template_id` (and of its stored file), in SQL."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO files_storedfile (key, purpose, kind, size, sha256, width, height,
                pages, display_name, storage_name, thumbnail_name, uploaded_by_id, uploaded_at)
            SELECT gen_random_uuid(), f.purpose, f.kind, f.size, f.sha256, f.width, f.height,
                f.pages, f.display_name, 'bench/verify/' || n, '', f.uploaded_by_id,
                f.uploaded_at
            FROM files_storedfile f, generate_series(1, %s) AS n
            WHERE f.id = (SELECT file_id FROM documents_issueddocument WHERE id = %s)
            """,
            [total, template_id],
        )
        cursor.execute(
            """
            INSERT INTO documents_issueddocument (kind, year, number, serial,
                verification_code, title, facts, case_id, response_id, bill_id, file_id,
                sha256, signer, demo_signature, issued_at, issued_by_id, supersedes_id,
                revoked_at, revoked_by_id, revoke_reason)
            SELECT d.kind, y.year, y.number,
                '11-' || y.year || '-' || lpad(y.number::text, 6, '0'),
                translate(upper(substr(md5(random()::text || s.id), 1, 12)), '0158B', '2347A'),
                d.title, d.facts,
                d.case_id, d.response_id, d.bill_id, s.id, d.sha256, d.signer,
                d.demo_signature, d.issued_at - (s.n || ' minutes')::interval,
                d.issued_by_id, NULL,
                CASE WHEN s.n %% 50 = 0 THEN d.issued_at END, NULL,
                CASE WHEN s.n %% 50 = 0 THEN 'بنچمارک: ابطال' ELSE '' END
            FROM documents_issueddocument d,
                (SELECT id, row_number() OVER (ORDER BY id) AS n FROM files_storedfile
                 WHERE storage_name LIKE 'bench/verify/%%') AS s,
                LATERAL (SELECT %s + ((s.n - 1) / %s)::int AS year,
                                ((s.n - 1) %% %s + 1)::int AS number) AS y
            WHERE d.id = %s
            """,
            [YEARS.start, PER_YEAR, PER_YEAR, template_id],
        )
        # every 97th copy is superseded by the next one: the verdict names its successor
        cursor.execute(
            """
            UPDATE documents_issueddocument AS newer SET supersedes_id = older.id
            FROM documents_issueddocument AS older
            WHERE older.year = newer.year AND older.number = newer.number - 1
              AND older.number %% 97 = 0 AND older.serial LIKE '11-139%%'
              AND newer.serial LIKE '11-139%%'
            """,
            [],  # with parameters, so the driver reads %% as %
        )
        cursor.execute("ANALYZE files_storedfile")
        cursor.execute("ANALYZE documents_issueddocument")


def timed(calls: list[Callable[[], int]]) -> tuple[list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times: list[float] = []
    queries = 0
    for call in calls:
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            status = call()
            times.append((time.perf_counter() - start) * 1000)
        assert status in (200, 404), status
        queries = max(queries, len(captured.captured_queries))
    return times, queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1405)
    args = parser.parse_args()
    if args.documents > len(YEARS) * PER_YEAR:
        parser.error(f"at most {len(YEARS) * PER_YEAR} documents")
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        parser.error("DATABASE_URL must name a PostgreSQL database you can throw away")

    import logging

    import django

    django.setup()
    logging.getLogger("django.request").setLevel(logging.ERROR)  # the 404s are expected
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    call_command("migrate", verbosity=0)
    from pishkhan.documents.models import IssuedDocument
    from pishkhan.testing.personas import Builder, act, walk_to

    if IssuedDocument.objects.exists():
        parser.error("the database already holds documents: use an empty one")
    city = Builder().city()
    case = act(city.dana, walk_to(city, city.open_case(), "response_prepared"), "approve_response")
    template = IssuedDocument.objects.get(case=case)
    started = time.perf_counter()
    copy_documents(args.documents, template.pk)
    made = time.perf_counter() - started
    total = IssuedDocument.objects.count()

    rng = random.Random(args.seed)
    numbers = [rng.randrange(args.documents) for _ in range(args.requests)]
    picked = {
        d.serial: d.verification_code
        for d in IssuedDocument.objects.filter(
            year__in=[YEARS.start + n // PER_YEAR for n in numbers],
            number__in=[n % PER_YEAR + 1 for n in numbers],
        ).only("serial", "verification_code")[: args.requests]
    }
    client = Client()

    def get(serial: str, code: str) -> Callable[[], int]:
        def call() -> int:
            cache.clear()  # the rate limiter's counter: the bench is one address
            url = reverse("documents:verify_link", args=[serial, code])
            return client.get(url).status_code

        return call

    found = [get(serial, code) for serial, code in picked.items()]
    wrong = [get(serial, WRONG_CODE) for serial in picked]
    unknown = [get(f"11-1401-{n:06d}", WRONG_CODE) for n in numbers]
    for call in found[:5] + wrong[:5]:
        call()  # warm-up: templates, connections
    results = [
        row("found (valid, revoked or superseded)", *timed(found)),
        row("right serial, wrong code (404)", *timed(wrong)),
        row("unknown serial (404)", *timed(unknown)),
    ]
    print(f"{total:,} issued documents, made in {made:.0f} s")
    print(f"{platform.processor() or platform.machine()}, Python {platform.python_version()}")
    print("| request | median ms | p95 ms | queries | requests |")
    print("|---|---|---|---|---|")
    print("\n".join(results))


if __name__ == "__main__":
    main()
