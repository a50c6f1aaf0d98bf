"""The cashier's day report and the revenue report at a million bills: numbers, not
pass/fail.

Usage (PostgreSQL; a database it creates and drops):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pishkhan_bench_cashier \\
        .venv/bin/python bench/cashier_report.py --create --bills 1000000

1. ``migrate`` and ``load_demo_city --parcels N --cases C`` (the demo's offices, districts,
   parcels and cases), then ``--bills`` bills written with COPY in batches, spread
   over the Jalali years 1403 to today by office (the parcel in the office's district):
   renewal dues (a year's line, a late fee on some), service fees and transfer dues
   (on the demo's cases). 85% paid, 10% unpaid, 5% cancelled. Every bill has its lines
   and its ledger charge; a cancelled one its cancel; a paid one its captured payment
   (online or by the office's card reader) and its ledger capture; 0.1% of the paid
   ones a duplicate capture and its reversal (a later day, counted on the capture's
   day). 3% more online payments failed and 0.5% were reversed by the bank. Bill
   events are left out (no report reads them). The rows obey every CHECK and UNIQUE
   constraint of the tables (the FK triggers are skipped as a superuser, as
   cases_dataset.py does), ``check_ledger`` is run on the result.
2. Times, each ``--rounds`` times after a warm-up: the cashier's day report of the
   busiest office for its 30 latest days, and the revenue report — the whole city this
   Jalali year, one month, 36 months, one district's and one office's year — through
   ``revenue_report`` and the page itself (the in-process test client, DEBUG off), and
   the Excel export of the city's year.
3. Prints each query's plan (EXPLAIN ANALYZE) reduced to its scan nodes, to show which
   indexes it uses.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from run import configure, percentile  # noqa: E402
from scratch_db import scratch_database  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bills", type=int, default=1_000_000)
    parser.add_argument("--parcels", type=int, default=5_000)
    parser.add_argument("--cases", type=int, default=300, help="demo cases (service bills)")
    parser.add_argument("--batch", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1405)
    parser.add_argument("--create", action="store_true", help="create the database, drop it after")
    parser.add_argument("--skip-ledger-check", action="store_true")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("cashier_report.py writes with COPY: set DATABASE_URL to PostgreSQL")
    with scratch_database(url if args.create else None):
        configure(url)
        import logging

        logging.disable(logging.INFO)
        load(args)
        measure(args)


# --- the dataset ------------------------------------------------------------------------


def load(args: argparse.Namespace) -> None:
    import datetime as dt

    from cases_dataset import Writer
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from pishkhan.billing.actions import company_code
    from pishkhan.billing.identifiers import make_bill_id, make_payment_id
    from pishkhan.billing.models import (
        Bill,
        BillKind,
        BillLine,
        BillSerial,
        BillStatus,
        EntryKind,
        LedgerEntry,
        LineKind,
        business_day,
    )
    from pishkhan.cases.models import Case
    from pishkhan.core.jalali import from_jalali, jalali_year, to_jalali
    from pishkhan.geo.models import Parcel
    from pishkhan.offices.models import Office
    from pishkhan.payments.models import Channel, Payment, PaymentStatus

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_demo_city", parcels=args.parcels, cases=args.cases, verbosity=0)
    print(f"migrate + load_demo_city --parcels {args.parcels}: {time.perf_counter() - t0:.1f} s",
          file=sys.stderr)  # fmt: skip
    rng = random.Random(args.seed)
    now = timezone.now()
    first = timezone.make_aware(
        dt.datetime.combine(from_jalali(jalali_year(now) - 2, 1, 1), dt.time(8))
    )
    span = (now - first).total_seconds()
    offices = list(Office.objects.values_list("pk", "district_id"))
    parcels: dict[int, list[int]] = {}
    for pk, district in Parcel.objects.values_list("pk", "district_id"):
        parcels.setdefault(district, []).append(pk)
    cases: dict[int, list[int]] = {}
    for pk, office in Case.objects.values_list("pk", "office_id"):
        cases.setdefault(office, []).append(pk)
    offices = [o for o in offices if o[1] in parcels]
    weights = [rng.uniform(0.3, 3.0) for _ in offices]
    company = company_code()
    serial = BillSerial.objects.get_or_create(pk=1)[0].last
    bill_pk = (Bill.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    line_pk = (BillLine.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    entry_pk = (LedgerEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    pay_pk = (Payment.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    writer = Writer("copy", args.batch)
    t0 = time.perf_counter()
    counts = dict.fromkeys(("bills", "lines", "ledger", "payments"), 0)
    made = 0
    while made < args.bills:
        size = min(args.batch, args.bills - made)
        bills: list[dict[str, Any]] = []
        lines: list[dict[str, Any]] = []
        ledger: list[dict[str, Any]] = []
        payments: list[dict[str, Any]] = []
        for _ in range(size):
            office, district = rng.choices(offices, weights)[0]
            issued = first + dt.timedelta(seconds=rng.random() * span)
            roll = rng.random()
            office_cases = cases.get(office)
            if roll < 0.55 or not office_cases:
                kind = BillKind.RENEWAL
                items = [(LineKind.RENEWAL_YEAR, rng.randrange(500, 9000) * 1000)]
                if rng.random() < 0.3:
                    items.append((LineKind.LATE_FEE, rng.randrange(20, 900) * 1000))
            elif roll < 0.8:
                kind = BillKind.SERVICE
                items = [(LineKind.SERVICE_FEE, rng.choice((850, 1250, 2400)) * 1000)]
            else:
                kind = BillKind.TRANSFER
                items = [(LineKind.TRANSFER, rng.randrange(2000, 60000) * 1000)]
            total = sum(a for _, a in items)
            serial += 1
            bill_id = make_bill_id(serial, company)
            j = to_jalali(issued)
            status_roll = rng.random()
            status = (
                BillStatus.PAID if status_roll < 0.85
                else BillStatus.ISSUED if status_roll < 0.95 else BillStatus.CANCELLED
            )  # fmt: skip
            bill = {
                "id": bill_pk, "file_code": serial, "bill_id": bill_id,
                "payment_id": make_payment_id(bill_id, total, j.year % 10, j.month),
                "kind": kind, "status": status, "version": 1 if status == "issued" else 2,
                "parcel_id": None, "case_id": None, "vehicle_id": None, "payer_id": None,
                "office_id": office, "district_id": district, "total": total,
                "due_on": (issued + dt.timedelta(days=30)).date(), "issued_at": issued,
                "issued_by_id": None, "issued_role": "technical_manager", "replaces_id": None,
                "cancelled_at": None, "cancelled_by_id": None, "cancel_reason": "",
                "paid_at": None, "paid_channel": "", "paid_reference": "",
            }  # fmt: skip
            if kind == BillKind.RENEWAL:
                bill["parcel_id"] = rng.choice(parcels[district])
            else:
                bill["case_id"] = rng.choice(office_cases)  # type: ignore[arg-type]
            for position, (line_kind, amount) in enumerate(items, start=1):
                lines.append({"id": line_pk, "bill_id": bill_pk, "position": position,
                              "kind": line_kind, "title": str(line_kind), "year": j.year,
                              "amount": amount, "basis": {}})  # fmt: skip
                line_pk += 1
            ledger.append({"id": entry_pk, "bill_id": bill_pk, "kind": EntryKind.CHARGE,
                           "amount": total, "day": business_day(issued), "created_at": issued,
                           "reference": f"charge:bench:{bill_pk}",
                           "reverses_id": None})  # fmt: skip
            entry_pk += 1
            if status == BillStatus.CANCELLED:
                at = min(issued + dt.timedelta(days=rng.randrange(1, 20)), now)
                bill.update(cancelled_at=at, cancel_reason="bench")
                ledger.append({"id": entry_pk, "bill_id": bill_pk, "kind": EntryKind.CANCEL,
                               "amount": total, "day": business_day(at), "created_at": at,
                               "reference": f"cancel:bench:{bill_pk}",
                               "reverses_id": None})  # fmt: skip
                entry_pk += 1
            if status == BillStatus.PAID:
                at = min(issued + dt.timedelta(seconds=rng.random() * 20 * 86400), now)
                online = rng.random() < 0.6
                channel = Channel.ONLINE if online else Channel.CARD_READER
                provider = "fake" if online else f"office-{office}"
                reference = f"BENCH{bill_pk}"
                bill.update(paid_at=at, paid_channel=channel, paid_reference=reference)
                payments.append({
                    "id": pay_pk, "bill_id": bill_pk, "amount": total, "channel": channel,
                    "status": PaymentStatus.CAPTURED, "version": 4 if online else 1,
                    "provider": provider, "order_id": f"B{pay_pk}", "token": None,
                    "reference": reference, "masked_card": "603799******1234",
                    "office_id": office, "started_by_id": None,
                    "created_at": at - dt.timedelta(minutes=2), "callback_at": None,
                    "verified_at": at, "captured_at": at, "settled_at": at,
                    "finished_at": None, "failure": "",
                })  # fmt: skip
                pay_pk += 1
                capture = entry_pk
                ledger.append({"id": capture, "bill_id": bill_pk, "kind": EntryKind.CAPTURE,
                               "amount": total, "day": business_day(at), "created_at": at,
                               "reference": f"{channel}:{provider}:{reference}",
                               "reverses_id": None})  # fmt: skip
                entry_pk += 1
                if rng.random() < 0.001:
                    later = min(at + dt.timedelta(days=rng.randrange(1, 40)), now)
                    ledger.append({"id": entry_pk, "bill_id": bill_pk, "kind": EntryKind.CAPTURE,
                                   "amount": total, "day": business_day(at), "created_at": at,
                                   "reference": f"capture:bench-dup:{bill_pk}",
                                   "reverses_id": None})  # fmt: skip
                    ledger.append({"id": entry_pk + 1, "bill_id": bill_pk,
                                   "kind": EntryKind.REVERSAL, "amount": total,
                                   "day": business_day(at), "created_at": later,
                                   "reference": f"reversal:bench-dup:{bill_pk}",
                                   "reverses_id": entry_pk})  # fmt: skip
                    entry_pk += 2
            extra = rng.random()
            if extra < 0.035:
                at = min(issued + dt.timedelta(seconds=rng.random() * 10 * 86400), now)
                reversed_ = extra < 0.005
                payments.append({
                    "id": pay_pk, "bill_id": bill_pk, "amount": total, "channel": Channel.ONLINE,
                    "status": PaymentStatus.REVERSED if reversed_ else PaymentStatus.FAILED,
                    "version": 3, "provider": "fake", "order_id": f"B{pay_pk}", "token": None,
                    "reference": f"BENCHX{pay_pk}" if reversed_ else "", "masked_card": "",
                    "office_id": office, "started_by_id": None, "created_at": at,
                    "callback_at": at, "verified_at": at if reversed_ else None,
                    "captured_at": None, "settled_at": None, "finished_at": at,
                    "failure": "bench",
                })  # fmt: skip
                pay_pk += 1
            bills.append(bill)
            bill_pk += 1
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
            writer.write(Bill, bills)
            writer.write(BillLine, lines)
            writer.write(LedgerEntry, ledger)
            writer.write(Payment, payments)
            BillSerial.objects.filter(pk=1).update(last=serial)
        for name, rows in (("bills", bills), ("lines", lines), ("ledger", ledger),
                           ("payments", payments)):  # fmt: skip
            counts[name] += len(rows)
        made += size
        print(f"  {made:,} bills, {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    with connection.cursor() as cursor:
        for model in (Bill, BillLine, LedgerEntry, Payment):
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), MAX(id)) FROM {table}"  # noqa: S608
            )
        for model in (Bill, BillLine, LedgerEntry, Payment):
            cursor.execute(f"VACUUM (ANALYZE) {model._meta.db_table}")
    load_s = time.perf_counter() - t0
    print(f"| rows | {', '.join(f'{k} {v:,}' for k, v in counts.items())} |")
    print(f"| load (COPY, FK triggers skipped, VACUUM ANALYZE) | {load_s:.1f} s |")
    if not args.skip_ledger_check:
        from pishkhan.billing.ledger import check_ledger

        t0 = time.perf_counter()
        report = check_ledger()
        print(f"| check_ledger | {time.perf_counter() - t0:.1f} s, consistent: "
              f"{report.consistent} {report.problems[:3]} |")  # fmt: skip


# --- the measurements -------------------------------------------------------------------


def timed(rounds: int, work: Any) -> tuple[float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    work()  # warm-up
    samples = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        work()
        samples.append((time.perf_counter() - t0) * 1000)
    with CaptureQueriesContext(connection) as queries:
        work()
    return statistics.median(samples), percentile(samples, 0.95), len(queries)


def plans(work: Any) -> list[str]:
    """Each query `work` runs, EXPLAIN ANALYZE'd, reduced to its scan and join nodes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        work()
    out = []
    with connection.cursor() as cursor:
        for query in queries.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT") or "django_session" in sql:
                continue
            cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + sql)
            nodes = [
                row[0].strip().lstrip("->").strip()
                for row in cursor.fetchall()
                if any(k in row[0] for k in ("Scan", "Join", "Execution Time"))
            ]
            out.append(" · ".join(nodes))
    return out


def measure(args: argparse.Namespace) -> None:
    import datetime as dt

    from django.conf import settings
    from django.db.models import Count, Q
    from django.test import Client
    from django.utils import timezone

    from pishkhan.accounts.models import User
    from pishkhan.core.jalali import jalali_year, jalali_year_bounds
    from pishkhan.geo.models import District
    from pishkhan.payments.models import Payment
    from pishkhan.payments.reports import day_report
    from pishkhan.payments.revenue import Filters, month_days, revenue_report

    settings.DEBUG = False
    today = timezone.localdate()
    busiest = (
        Payment.objects.values("office_id").annotate(n=Count("pk")).order_by("-n").first() or {}
    )["office_id"]
    days = [today - dt.timedelta(days=d) for d in range(1, 31)]
    samples = []
    for day in days:
        t0 = time.perf_counter()
        report = day_report(busiest, day)
        samples.append((time.perf_counter() - t0) * 1000)
    print()
    print(f"Cashier's day report, office {busiest}, its 30 latest days "
          f"(about {report['collected_count']} payments a day):")  # fmt: skip
    print()
    print("| report | median ms | p95 ms | queries |")
    print("|---|---:|---:|---:|")
    _, _, n = timed(1, lambda: day_report(busiest, days[0]))
    print(f"| day_report | {statistics.median(samples):.1f} | {percentile(samples, 0.95):.1f} | "
          f"{n} |")  # fmt: skip
    year = jalali_year(today)
    first, last = jalali_year_bounds(year)
    district = District.objects.order_by("number").first()
    cases = [
        ("city, this year", Q(), first, last, Filters()),
        ("city, one month", Q(), *month_days(year, 7), Filters()),
        ("city, 36 months", Q(), jalali_year_bounds(year - 2)[0], last, Filters()),
        ("district, this year", Q(bill__district_id=district.pk), first, last, Filters()),
        ("office, this year", Q(bill__office_id=busiest), first, last, Filters()),
    ]
    for name, scope, a, b, filters in cases:
        median, p95, n = timed(args.rounds, lambda s=scope, a=a, b=b, f=filters:
                               revenue_report(s, a, b, f))  # fmt: skip
        print(f"| revenue_report: {name} | {median:.1f} | {p95:.1f} | {n} |")
    client = Client()
    client.force_login(User.objects.get(username="supervisor"))
    long_range = {"date_from": f"{year - 2}/01/01", "date_to": f"{year}/12/29"}
    pages = (
        ("page, city this year", {}),
        ("Excel export, city this year", {"export": "xlsx"}),
        ("page, city 36 months", long_range),
    )
    for name, query in pages:
        median, p95, n = timed(args.rounds, lambda q=query: client.get("/payments/revenue/", q))
        print(f"| {name} | {median:.1f} | {p95:.1f} | {n} |")
    print()
    print("Plans (EXPLAIN ANALYZE, scan and join nodes):")
    print()
    print("- day_report:")
    for plan in plans(lambda: day_report(busiest, days[0])):
        print(f"  - {plan}")
    print("- revenue_report, city this year:")
    for plan in plans(lambda: revenue_report(Q(), first, last, Filters())):
        print(f"  - {plan}")
    print("- revenue_report, office this year:")
    for plan in plans(lambda: revenue_report(Q(bill__office_id=busiest), first, last, Filters())):
        print(f"  - {plan}")


if __name__ == "__main__":
    main()
