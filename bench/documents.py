"""Rendering and signing the inquiry response's document: numbers, not pass/fail.

Usage (makes and deletes its own SQLite database and demo signing key):

    PYTHONPATH=src .venv/bin/python bench/documents.py --runs 30

Builds the personas' city (pishkhan.testing.personas) in a throw-away SQLite file,
approves one notary inquiry (which issues its document through the real effect), then
times, --runs times after two warm-ups: WeasyPrint's rendering of the response's
template, pyHanko's PAdES signature of the rendered PDF, and the whole issue (serial,
render, sign, store, row) rolled back each time. Prints a Markdown table for
docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
scratch = tempfile.mkdtemp(prefix="pishkhan-bench-documents-")
os.environ["DATABASE_URL"] = f"sqlite:///{scratch}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pishkhan.settings_test")


def timed(function: Callable[[], object], runs: int) -> list[float]:
    for _ in range(2):
        function()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return times


def row(name: str, times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"| {name} | {statistics.median(ordered):.0f} | {p95:.0f} | {len(ordered)} |"


class Rollback(Exception):
    pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from pishkhan.core import clock
    from pishkhan.documents.inquiry import response_draft
    from pishkhan.documents.issue import issue_document
    from pishkhan.documents.models import IssuedDocument
    from pishkhan.documents.rendering import render_pdf
    from pishkhan.documents.signing import sign_pdf
    from pishkhan.files.store import atomic_with_files
    from pishkhan.testing.personas import Builder, act, walk_to

    city = Builder().city()
    case = act(city.dana, walk_to(city, city.open_case(), "response_prepared"), "approve_response")
    document = IssuedDocument.objects.get(case=case)
    assert document.response is not None
    draft = response_draft(document.response)
    context = {
        **draft.context,
        "title": draft.title,
        "serial_label": document.serial_label,
        "code_label": document.code_label,
        "verification_url": "http://127.0.0.1:8000/verify/x/y/",
        "verification_root": "http://127.0.0.1:8000/verify/",
        "qr": "",
        "issued_on_label": "",
        "city_name": "اصفهان",
    }
    rendered = render_pdf(draft.template, context)

    def issue_once() -> None:
        try:
            with atomic_with_files():
                issue_document(
                    response_draft(document.response),  # type: ignore[arg-type]
                    actor=city.dana,
                    role="district_staff",
                    now=clock.now(),
                )
                raise Rollback
        except Rollback:
            pass

    results = [
        row("render (WeasyPrint)", timed(lambda: render_pdf(draft.template, context), args.runs)),
        row(
            "sign (pyHanko, PAdES B-B, RSA-3072)",
            timed(lambda: sign_pdf(rendered.pdf, reason="bench", location="bench"), args.runs),
        ),
        row("issue: serial + render + sign + store + row", timed(issue_once, args.runs)),
    ]
    print(f"inquiry response: {rendered.pages} page(s), {len(rendered.pdf)} bytes unsigned")
    print(f"{platform.processor() or platform.machine()}, Python {platform.python_version()}")
    print("| step | median ms | p95 ms | runs |")
    print("|---|---|---|---|")
    print("\n".join(results))


if __name__ == "__main__":
    main()
