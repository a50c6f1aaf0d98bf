"""Benchmarks for Pishkhan: numbers, not pass/fail.

Usage:  make bench                      (embedded SQLite, a throw-away file)
        DATABASE_URL=postgres://postgres@127.0.0.1:5432/pishkhan_bench make bench

It migrates a fresh database, loads the demo city, then signs in as each demo account and
requests its home page repeatedly, reporting the median and p95 latency and the number of
SQL queries per request. See docs/performance.md for recorded results.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def configure(database_url: str | None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pishkhan.settings_test")
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        scratch = Path(tempfile.mkdtemp(prefix="pishkhan-bench-"))
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch / 'bench.sqlite3'}"
    import django

    django.setup()


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def timed_home(username: str, rounds: int) -> tuple[list[float], int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from pishkhan.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    client.get("/")  # warm caches and templates
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        response = client.get("/")
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (username, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get("/")
    return samples, len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parcels", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    configure(os.environ.get("DATABASE_URL") or None)

    from django.conf import settings
    from django.core.management import call_command

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(
        f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, database: {engine}"
    )
    call_command("migrate", verbosity=0, interactive=False)
    start = time.perf_counter()
    call_command("load_demo_city", parcels=args.parcels, verbosity=0)
    print(f"load_demo_city --parcels {args.parcels}: {time.perf_counter() - start:.1f} s")

    print(f"\nhome page per role ({args.rounds} requests each, in-process client)")
    print(f"{'account':<16}{'median ms':>10}{'p95 ms':>10}{'queries':>9}")
    for username in (
        "tm-1101",
        "inspector-1101",
        "manager-1101",
        "district-3",
        "supervisor",
        "admin",
        "citizen",
    ):
        samples, queries = timed_home(username, args.rounds)
        print(
            f"{username:<16}{statistics.median(samples):>10.1f}"
            f"{percentile(samples, 0.95):>10.1f}{queries:>9}"
        )


if __name__ == "__main__":
    main()
