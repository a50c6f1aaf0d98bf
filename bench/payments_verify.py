"""The online payment path under load: numbers, not pass/fail.

Usage (PostgreSQL; a database it creates and drops, or one you can throw away):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pishkhan_bench_pay \\
        .venv/bin/python bench/payments_verify.py --create --payers 20 --payments 25

``--payers`` threads, each with its own database connection and its own signed-in
citizen, pay ``--payments`` bills each through the real path: POST the bill's
«پرداخت اینترنتی» (``payments:start``: the payment stored, the fake bank's token), the
fake bank's card and one-time-code steps (``bank.enter_card`` / ``bank.confirm_otp``,
what its pages call), then the bank's POST to ``payments:callback`` (verify at the bank,
the payment verified, captured with the bill paid in one transaction, settled). Every
``--cancel-every``-th payment is cancelled at the bank instead (its callback fails the
payment). All threads start together at a barrier.

Reports payments per second (completed flows over the wall time of the run), the median
and p95 latency of the whole flow and of the callback alone (verify → capture →
settle), and checks the outcome: exactly the bills that were paid are captured, once
each, the ledger is consistent and the fake bank holds exactly the captured money.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from run import configure, percentile  # noqa: E402
from scratch_db import scratch_database  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payers", type=int, default=20)
    parser.add_argument("--payments", type=int, default=25, help="bills each payer pays")
    parser.add_argument("--cancel-every", type=int, default=10)
    parser.add_argument("--create", action="store_true", help="create the database, drop it after")
    parser.add_argument("--allow-sqlite", action="store_true")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres") and not args.allow_sqlite:
        sys.exit("payments_verify.py measures PostgreSQL: set DATABASE_URL (or --allow-sqlite)")
    with scratch_database(url if args.create else None):
        run(args, url)


def run(args: argparse.Namespace, url: str) -> None:
    configure(url or None)
    import datetime as dt
    import logging

    logging.disable(logging.INFO)  # the personas' audit lines

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from pishkhan.billing.actions import BillPlan, write_bill
    from pishkhan.billing.dues import Line
    from pishkhan.billing.ledger import check_ledger
    from pishkhan.billing.models import Bill, BillKind, BillStatus, LineKind
    from pishkhan.fakebank import bank
    from pishkhan.payments.models import Payment, PaymentStatus
    from pishkhan.testing.personas import account, build_city

    call_command("migrate", verbosity=0, interactive=False)
    city = build_city()
    payers = [city.builder.citizen() for _ in range(args.payers)]
    bills: list[list[int]] = []
    for p, citizen in enumerate(payers):
        mine = []
        for i in range(args.payments):
            side = city.a if (p + i) % 2 else city.b
            plan = BillPlan(
                kind=BillKind.SERVICE,
                lines=[Line(LineKind.SERVICE_FEE, "هزینه خدمت", 1_000_000 + 1000 * i)],
                due_on=timezone.localdate() + dt.timedelta(days=30),
                parcel=side.parcel,
                payer_id=citizen.pk,
                office_id=side.office.pk,
                district_id=side.district.pk,
            )
            mine.append(write_bill(plan, actor_id=None, role="technical_manager",
                                   now=timezone.now()).pk)  # fmt: skip
        bills.append(mine)
    users = [account(c) for c in payers]
    card = bank.with_luhn("603799123456789")
    callback_url = "http://testserver" + reverse("payments:callback")
    barrier = threading.Barrier(args.payers + 1)
    flows: list[float] = []
    callbacks: list[float] = []
    errors: list[str] = []
    meant: list[int] = []
    lock = threading.Lock()

    def payer(index: int) -> None:
        try:
            client = Client()
            client.force_login(users[index])
            barrier.wait()
            for i, pk in enumerate(bills[index]):
                cancel = args.cancel_every and (index * args.payments + i) % args.cancel_every == 0
                t0 = time.perf_counter()
                started = client.post(reverse("payments:start", args=[pk]))
                token = started["Location"].rstrip("/").rsplit("/", 1)[-1]
                if cancel:
                    bank.abandon(token, "CANCELLED")
                    data = {"token": token, "status": "CANCELLED"}
                else:
                    otp = bank.enter_card(token, card, "123", "12", "08")
                    data = {"token": token, "status": "OK",
                            "ref": bank.confirm_otp(token, otp).reference}  # fmt: skip
                t1 = time.perf_counter()
                back = client.post(callback_url, data)
                t2 = time.perf_counter()
                if back.status_code != 303:
                    raise RuntimeError(f"callback answered {back.status_code}")
                with lock:
                    flows.append((t2 - t0) * 1000)
                    callbacks.append((t2 - t1) * 1000)
                    if not cancel:
                        meant.append(pk)
        except Exception as error:  # reported, the run goes on
            with lock:
                errors.append(f"payer {index}: {error!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=payer, args=(i,)) for i in range(args.payers)]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - start

    captured = Payment.objects.filter(status=PaymentStatus.CAPTURED)
    paid = set(Bill.objects.filter(status=BillStatus.PAID).values_list("pk", flat=True))
    ledger = check_ledger()
    total = sum(captured.values_list("amount", flat=True))
    right = (
        captured.count() == len(meant)
        and paid == set(meant)
        and set(captured.values_list("bill_id", flat=True)) == set(meant)
        and ledger.consistent
        and bank.net_captured() == total == ledger.captured
    )
    print(f"database: {connection.vendor}; {args.payers} payers × {args.payments} bills, "
          f"every {args.cancel_every}th cancelled at the bank")  # fmt: skip
    print()
    print("| | value |")
    print("|---|---:|")
    print(f"| flows completed | {len(flows)} of {args.payers * args.payments} |")
    print(f"| wall time | {wall:.1f} s |")
    print(f"| payments/s (all flows) | {len(flows) / wall:.1f} |")
    print(f"| captured/s | {len(meant) / wall:.1f} |")
    print(f"| whole flow median / p95 ms | {statistics.median(flows):.0f} / "
          f"{percentile(flows, 0.95):.0f} |")  # fmt: skip
    print(f"| callback (verify → capture → settle) median / p95 ms | "
          f"{statistics.median(callbacks):.0f} / {percentile(callbacks, 0.95):.0f} |")  # fmt: skip
    print(f"| captured payments / bills paid / meant | {captured.count()} / {len(paid)} / "
          f"{len(meant)} |")  # fmt: skip
    print(f"| ledger consistent, bank = ledger = captured | {ledger.consistent}, "
          f"{bank.net_captured() == total == ledger.captured} |")  # fmt: skip
    print(f"| outcome exactly right | {'yes' if right and not errors else 'NO'} |")
    for error in errors[:10]:
        print("error:", error)


if __name__ == "__main__":
    main()
