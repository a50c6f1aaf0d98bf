"""The cashier's day report of an office: payments opened, collected by channel, failed
and reversed on one business day (Tehran); ``do_close_cashier_day`` freezes it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from pishkhan.accounts.access import Principal
from pishkhan.cases.access import principal_of
from pishkhan.core import clock
from pishkhan.offices.roles import Role
from pishkhan.payments.errors import InvalidPaymentInput, PaymentRefused
from pishkhan.payments.models import CashierDay, Channel, Payment, PaymentStatus

CASHIER_ROLES = (Role.TECHNICAL_MANAGER, Role.OFFICE_MANAGER)


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time()))
    return start, timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))


def day_report(office_id: int, day: dt.date) -> dict[str, Any]:
    """The day's figures, in JSON-safe numbers (what a closed day keeps)."""
    start, end = day_bounds(day)
    rows = Payment.objects.filter(office_id=office_id)
    opened = rows.filter(channel=Channel.ONLINE, created_at__gte=start, created_at__lt=end)
    captured = rows.filter(
        status=PaymentStatus.CAPTURED, captured_at__gte=start, captured_at__lt=end
    )
    by_channel = {
        row["channel"]: (row["n"], int(row["s"] or 0))
        for row in captured.values("channel").annotate(n=Count("pk"), s=Sum("amount")).order_by()
    }
    ended = rows.filter(finished_at__gte=start, finished_at__lt=end)
    ends = ended.aggregate(
        failed=Count("pk", filter=Q(status=PaymentStatus.FAILED)),
        reversed_n=Count("pk", filter=Q(status=PaymentStatus.REVERSED)),
        reversed_s=Sum("amount", filter=Q(status=PaymentStatus.REVERSED)),
    )
    channels = [
        {"channel": c.value, "label": str(c.label), "count": by_channel.get(c.value, (0, 0))[0],
         "amount": by_channel.get(c.value, (0, 0))[1]}
        for c in Channel
    ]  # fmt: skip
    return {
        "opened": opened.count(),
        "channels": channels,
        "collected_count": sum(c["count"] for c in channels),
        "collected": sum(c["amount"] for c in channels),
        "failed": ends["failed"],
        "reversed_count": ends["reversed_n"],
        "reversed": int(ends["reversed_s"] or 0),
    }


def cashier_offices(principal: Principal) -> list[int]:
    return sorted(principal.office_ids(*CASHIER_ROLES))


def do_close_cashier_day(
    user: Any, office_id: int, day: dt.date, *, principal: Principal | None = None
) -> CashierDay:
    """Close an office's day: its report is frozen as it stands now. Only a day that
    has ended, once, by the office's technical manager or manager."""
    principal = principal_of(user, principal)
    if principal is None or office_id not in cashier_offices(principal):
        raise PaymentRefused("بستن روز صندوق با مسئول فنی یا مدیر همین دفتر است.")
    if day >= timezone.localtime(clock.now()).date():
        raise InvalidPaymentInput("روز صندوق پس از پایان آن بسته می‌شود.")
    try:
        with transaction.atomic():
            return CashierDay.objects.create(
                office_id=office_id, day=day, closed_at=clock.now(), closed_by=user,
                report=day_report(office_id, day),
            )  # fmt: skip
    except IntegrityError:
        raise InvalidPaymentInput("این روز پیش‌تر بسته شده است.") from None
