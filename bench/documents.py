"""Rendering and signing each type of issued document: numbers, not pass/fail.

Usage (makes and deletes its own SQLite database and demo signing key):

    PYTHONPATH=src .venv/bin/python bench/documents.py --runs 30

Builds the personas' city (pishkhan.testing.personas) in a throw-away SQLite file,
approves one notary inquiry (which issues its document through the real effect), issues
a service bill at office A's counter and pays it by card reader, then times, --runs
times after two warm-ups: WeasyPrint's rendering of the response's template, pyHanko's
PAdES signature of the rendered PDF, and for each type (inquiry response, bill,
receipt) the whole issue (serial, render, sign, store, row, audit) rolled back each
time. Prints a Markdown table for docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
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

    from pishkhan.billing.actions import BillPlan, write_bill
    from pishkhan.billing.dues import Line
    from pishkhan.billing.models import BillKind, LineKind
    from pishkhan.core import clock
    from pishkhan.documents.bills import bill_draft, load_bill
    from pishkhan.documents.inquiry import response_draft
    from pishkhan.documents.issue import DocumentDraft, issue_document
    from pishkhan.documents.models import IssuedDocument
    from pishkhan.documents.rendering import render_pdf
    from pishkhan.documents.signing import sign_pdf
    from pishkhan.files.store import atomic_with_files
    from pishkhan.payments.actions import do_record_card_payment
    from pishkhan.payments.receipts import receipt_draft
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

    bill = write_bill(
        BillPlan(
            kind=BillKind.SERVICE,
            lines=[Line(LineKind.SERVICE_FEE, "هزینه خدمت", 1_250_000)],
            due_on=clock.now().date() + dt.timedelta(days=30),
            parcel=city.a.parcel,
            payer_id=city.citizen.pk,
            office_id=city.a.office.pk,
            district_id=city.a.district.pk,
        ),
        actor_id=city.alice.pk,
        role="technical_manager",
        now=clock.now(),
    )
    do_record_card_payment(
        city.alice, bill.pk, terminal_reference="448812", masked_card="603799******1234"
    )
    bill = load_bill(bill.pk)  # type: ignore[assignment]

    def issue_of(make: Callable[[], DocumentDraft | None]) -> Callable[[], None]:
        def issue_once() -> None:
            draft = make()
            assert draft is not None
            try:
                with atomic_with_files():
                    issue_document(draft, actor=city.dana, role="district_staff", now=clock.now())
                    raise Rollback
            except Rollback:
                pass

        return issue_once

    results = [
        row("render (WeasyPrint)", timed(lambda: render_pdf(draft.template, context), args.runs)),
        row(
            "sign (pyHanko, PAdES B-B, RSA-3072)",
            timed(lambda: sign_pdf(rendered.pdf, reason="bench", location="bench"), args.runs),
        ),
        row(
            "inquiry response: serial + render + sign + store + row",
            timed(issue_of(lambda: response_draft(document.response)), args.runs),  # type: ignore[arg-type]
        ),
        row("bill (فیش): the same", timed(issue_of(lambda: bill_draft(bill)), args.runs)),
        row("receipt: the same", timed(issue_of(lambda: receipt_draft(bill)), args.runs)),
    ]
    print(f"inquiry response: {rendered.pages} page(s), {len(rendered.pdf)} bytes unsigned")
    print(f"{platform.processor() or platform.machine()}, Python {platform.python_version()}")
    print("| step | median ms | p95 ms | runs |")
    print("|---|---|---|---|")
    print("\n".join(results))


if __name__ == "__main__":
    main()
