"""Every write of the excavation app: restoration rates, the permit an approval issues,
the restoration inspection that settles it, and the overdue flag the scheduled job sets.

The permit's writes run inside the workflow action that declares them (effects, see
workflow_link.py), so the permit exists exactly when the case made the move.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from pishkhan.audit.chain import Entry, record_many
from pishkhan.cases.errors import WorkflowError
from pishkhan.cases.models import Case
from pishkhan.cases.tracking import next_sequence
from pishkhan.core.digits import normalize_persian_text
from pishkhan.core.jalali import format_jalali_date, jalali_year
from pishkhan.excavation.models import (
    ExcavationPermit,
    PermitEvent,
    PermitEventKind,
    PermitSequence,
    PermitStatus,
    RestorationRate,
    StreetType,
)
from pishkhan.excavation.route import as_geojson, route_length, stored_points

CENTS = Decimal("0.01")


# --- the rate table -------------------------------------------------------------------


def rate_on(street_type: str, day: dt.date) -> RestorationRate | None:
    return (
        RestorationRate.objects.in_force(day)
        .filter(street_type=street_type)
        .order_by("-valid_from")
        .first()
    )


def deposit_for(rate: RestorationRate, length_m: Decimal, width_m: Decimal) -> int:
    """The deposit in whole rials: the strip's area (m², to the centimetre) times the rate,
    half up."""
    area = (length_m * width_m).quantize(CENTS, rounding=ROUND_HALF_UP)
    return int((area * rate.per_square_metre).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def do_publish_restoration_rate(
    street_type: str,
    per_square_metre: int,
    valid_from: dt.date,
    resolution: str,
    approved_on: dt.date,
) -> RestorationRate:
    """A street type's new rate from `valid_from`; the open rate before it ends the day
    before. Issued permits keep the rate and the deposit they were given."""
    if street_type not in StreetType.values:
        raise ValidationError({"street_type": "نوع معبر را از فهرست انتخاب کنید."})
    with transaction.atomic():
        rates = RestorationRate.objects.select_for_update().filter(street_type=street_type)
        latest = rates.order_by("-valid_from").first()
        if latest is not None and valid_from <= latest.valid_from:
            raise ValidationError(
                {
                    "valid_from": "نرخ جدید باید بعد از "
                    f"{format_jalali_date(latest.valid_from)}، آغاز آخرین نرخ این معبر، اجرا شود."
                }
            )
        for old in rates.filter(valid_until__isnull=True):
            old.valid_until = valid_from - dt.timedelta(days=1)
            old.full_clean()
            old.save(update_fields=["valid_until", "updated_at"])
        rate = RestorationRate(
            street_type=street_type,
            per_square_metre=per_square_metre,
            valid_from=valid_from,
            resolution=normalize_persian_text(resolution),
            approved_on=approved_on,
        )
        rate.full_clean()
        rate.save()
    return rate


# --- the permit -----------------------------------------------------------------------


def audited(events: list[PermitEvent], permits: dict[int, ExcavationPermit]) -> None:
    """Each permit event's row in the audit chain, in the same transaction."""
    record_many(
        Entry(
            f"excavation.{event.kind}",
            ("excavation_permit", event.permit_id),
            {
                "event_id": event.pk,
                "number": permits[event.permit_id].number,
                "case_id": permits[event.permit_id].case_id,
                "status": permits[event.permit_id].status,
                "deposit": permits[event.permit_id].deposit,
            },
            event.actor_id,
            event.at,
        )
        for event in events
    )


def permit_number(year: int, sequence: int) -> str:
    return f"{year}-{sequence:05d}"


def _declared(case: Case, code: str) -> Any:
    value = (case.data or {}).get(code)
    if value in (None, ""):
        raise WorkflowError("مشخصات حفاری این پرونده کامل نیست؛ ابتدا آن را اصلاح کنید.")
    return value


def issue_permit(case: Case, *, actor_id: int | None, now: dt.datetime) -> ExcavationPermit:
    """The case's permit, numbered in the Jalali year of issue, valid from the planned
    start to the planned end, its deposit from the rate in force today (frozen here)."""
    existing = ExcavationPermit.objects.filter(case_id=case.pk).first()
    if existing is not None:
        return existing
    street_type = _declared(case, "street_type")
    length_m = Decimal(str(_declared(case, "length_m")))
    width_m = Decimal(str(_declared(case, "width_m")))
    starts = dt.date.fromisoformat(_declared(case, "planned_start"))
    ends = dt.date.fromisoformat(_declared(case, "planned_end"))
    points = stored_points(_declared(case, "route"))
    today = timezone.localdate(now)
    rate = rate_on(street_type, today)
    if rate is None:
        label = StreetType(street_type).label if street_type in StreetType.values else street_type
        raise WorkflowError(
            f"نرخ سپرده ترمیم برای «{label}» در {format_jalali_date(today)} تعیین نشده است؛ "
            "مدیر سامانه باید نرخ را ثبت کند."
        )
    if ends < starts:
        raise WorkflowError("پایان کار پیش از شروع آن است؛ ابتدا تاریخ‌ها را اصلاح کنید.")
    year = jalali_year(today)
    permit = ExcavationPermit(
        case_id=case.pk,
        number=permit_number(year, next_sequence(year, PermitSequence)),
        valid_from=starts,
        valid_until=ends,
        street_type=street_type,
        length_m=length_m,
        width_m=width_m,
        area_m2=(length_m * width_m).quantize(CENTS, rounding=ROUND_HALF_UP),
        route=as_geojson(points),
        route_length_m=Decimal(str(route_length(points))).quantize(Decimal("0.1")),
        rate=rate,
        rate_per_square_metre=rate.per_square_metre,
        deposit=deposit_for(rate, length_m, width_m),
        issued_at=now,
        issued_by_id=actor_id,
    )
    permit.full_clean(exclude=["case", "rate", "issued_by"])
    permit.save()
    event = PermitEvent.objects.create(
        permit=permit, kind=PermitEventKind.ISSUED, at=now, actor_id=actor_id
    )
    audited([event], {permit.pk: permit})
    return permit


def record_restoration_accepted(
    case: Case, *, actor_id: int | None, now: dt.datetime
) -> ExcavationPermit | None:
    """The inspector's report after the restoration settles the permit (an overdue one
    too: the flag's event stays in its history)."""
    permit = ExcavationPermit.objects.select_for_update().filter(case_id=case.pk).first()
    if permit is None or permit.status == PermitStatus.RESTORED:
        return permit
    permit.status = PermitStatus.RESTORED
    permit.restored_at = now
    permit.save(update_fields=["status", "restored_at"])
    event = PermitEvent.objects.create(
        permit=permit, kind=PermitEventKind.RESTORED, at=now, actor_id=actor_id
    )
    audited([event], {permit.pk: permit})
    return permit


def overdue_on(day: dt.date) -> Q:
    """Permits whose last day has passed without the inspection after the restoration."""
    return Q(status=PermitStatus.ACTIVE, valid_until__lt=day)


def do_flag_overdue_restorations(now: dt.datetime) -> int:
    """Mark every permit whose end date passed without the restoration inspection as
    overdue, with its event; idempotent (a flagged permit is no longer active). The
    number flagged."""
    day = timezone.localdate(now)
    flagged = 0
    with transaction.atomic():
        due = ExcavationPermit.objects.select_for_update().filter(overdue_on(day)).order_by("pk")
        ids = list(due.values_list("pk", flat=True))
        if ids:
            flagged = ExcavationPermit.objects.filter(
                pk__in=ids, status=PermitStatus.ACTIVE
            ).update(status=PermitStatus.OVERDUE, overdue_since=now)
            events = PermitEvent.objects.bulk_create(
                [
                    PermitEvent(
                        permit_id=pk,
                        kind=PermitEventKind.OVERDUE,
                        at=now,
                        note="پایان مهلت مجوز بدون بازدید پس از ترمیم",
                    )
                    for pk in ids
                ]
            )
            permits = ExcavationPermit.objects.in_bulk(ids)
            if any(event.pk is None for event in events):  # a backend without RETURNING
                events = list(PermitEvent.objects.filter(permit_id__in=ids, kind="overdue"))
            audited(events, permits)
    return flagged
