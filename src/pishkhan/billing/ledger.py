"""The ledger: every amount owed and every amount collected, append-only, and the check
that it agrees with the bills (docs/billing.md, "The ledger").

Entries: a ``charge`` when a bill is issued and a ``cancel`` when it is cancelled (what
is owed); a ``capture`` when a payment of a bill is confirmed and a ``reversal`` of a
capture (what is collected). Each has a unique ``reference``, so booking the same fact
twice fails instead of counting twice. The invariants ``check_ledger`` proves:

1. every bill has exactly one charge; charged − cancelled is the bill's total while it
   is issued or paid, and 0 once cancelled;
2. captured − reversed is the bill's total when it is paid, and 0 otherwise;
3. in total, captured − reversed equals the paid amount of bills;
4. per business day, the captures of the day less their reversals equal the totals of
   the bills paid that day (a reversal counts against the day of the capture it
   reverses, so a late reversal does not rewrite another day's cash);
5. a reversal reverses a capture of the same bill, for its whole amount.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce, TruncDate

from pishkhan.billing.models import (
    LIVE,
    Bill,
    BillStatus,
    EntryKind,
    LedgerEntry,
    business_day,
)

PROBLEMS_SHOWN = 50


def book(
    bill: Bill,
    kind: str,
    amount: int,
    at: dt.datetime,
    reference: str,
    reverses: LedgerEntry | None = None,
) -> LedgerEntry:
    """Append one entry (inside the caller's transaction)."""
    entry = LedgerEntry(
        bill=bill,
        kind=kind,
        amount=amount,
        day=reverses.day if reverses is not None else business_day(at),
        created_at=at,
        reference=reference,
        reverses=reverses,
    )
    entry.save(force_insert=True)
    return entry


@dataclass
class LedgerReport:
    entries: int = 0
    bills: int = 0
    captured: int = 0
    reversed: int = 0
    paid: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def consistent(self) -> bool:
        return not self.problems


def by_kind(kind: str) -> Coalesce:
    return Coalesce(Sum("entries__amount", filter=Q(entries__kind=kind)), 0)


def bill_problems() -> list[str]:
    """Invariants 1 and 2, checked in the database (HAVING), the bad bills listed."""
    rows = (
        Bill.objects.annotate(
            charges=Count("entries", filter=Q(entries__kind=EntryKind.CHARGE)),
            charged=by_kind(EntryKind.CHARGE),
            cancelled=by_kind(EntryKind.CANCEL),
            captured=by_kind(EntryKind.CAPTURE),
            reversed_=by_kind(EntryKind.REVERSAL),
        )
        .annotate(owed=F("charged") - F("cancelled"), collected=F("captured") - F("reversed_"))
        .filter(
            ~Q(charges=1)
            | Q(status__in=LIVE) & ~Q(owed=F("total"))
            | Q(status=BillStatus.CANCELLED) & ~Q(owed=0)
            | Q(status=BillStatus.PAID) & ~Q(collected=F("total"))
            | ~Q(status=BillStatus.PAID) & ~Q(collected=0)
        )
        .order_by("pk")
        .values("pk", "bill_id", "status", "total", "charges", "owed", "collected")
    )
    return [
        f"bill {r['pk']} ({r['bill_id']}, {r['status']}, total {r['total']}): "
        f"{r['charges']} charges, owed {r['owed']}, collected {r['collected']}"
        for r in rows[:PROBLEMS_SHOWN]
    ]


def reversal_problems() -> list[str]:
    rows = (
        LedgerEntry.objects.filter(kind=EntryKind.REVERSAL)
        .filter(
            ~Q(reverses__kind=EntryKind.CAPTURE)
            | ~Q(amount=F("reverses__amount"))
            | ~Q(bill_id=F("reverses__bill_id"))
        )
        .values_list("pk", flat=True)
    )
    return [f"reversal {pk} does not reverse a whole capture of its bill" for pk in rows[:50]]


def day_problems() -> list[str]:
    """Invariant 4: per day, captures − their reversals = bills paid that day."""
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    net: dict[dt.date, int] = {}
    captures = LedgerEntry.objects.filter(kind=EntryKind.CAPTURE).values("day")
    for row in captures.annotate(s=Sum("amount")).order_by():
        net[row["day"]] = net.get(row["day"], 0) + int(row["s"])
    reversals = LedgerEntry.objects.filter(kind=EntryKind.REVERSAL).values("day")
    for row in reversals.annotate(s=Sum("amount")).order_by():
        net[row["day"]] = net.get(row["day"], 0) - int(row["s"])
    paid: dict[dt.date, int] = {}
    bills = Bill.objects.filter(status=BillStatus.PAID).annotate(d=TruncDate("paid_at", tzinfo=tz))
    for row in bills.values("d").annotate(s=Sum("total")).order_by():
        paid[row["d"]] = int(row["s"])
    days = sorted(set(net) | set(paid))
    return [
        f"day {day.isoformat()}: captured − reversed {net.get(day, 0)}, "
        f"bills paid {paid.get(day, 0)}"
        for day in days
        if net.get(day, 0) != paid.get(day, 0)
    ]


def check_ledger() -> LedgerReport:
    """Every invariant of the module docstring; the report lists what breaks."""
    totals = LedgerEntry.objects.aggregate(
        n=Count("pk"),
        captured=Coalesce(Sum("amount", filter=Q(kind=EntryKind.CAPTURE)), 0),
        reversed_=Coalesce(Sum("amount", filter=Q(kind=EntryKind.REVERSAL)), 0),
    )
    paid = Bill.objects.filter(status=BillStatus.PAID).aggregate(s=Coalesce(Sum("total"), 0))["s"]
    report = LedgerReport(
        entries=totals["n"],
        bills=Bill.objects.count(),
        captured=int(totals["captured"]),
        reversed=int(totals["reversed_"]),
        paid=int(paid),
    )
    report.problems += bill_problems()
    report.problems += reversal_problems()
    if report.captured - report.reversed != report.paid:
        report.problems.append(
            f"in total: captured − reversed {report.captured - report.reversed}, "
            f"bills paid {report.paid}"
        )
    report.problems += day_problems()
    return report
