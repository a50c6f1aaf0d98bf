"""Every write to the service catalogue's tariffs.

A tariff in force is never edited. A new tariff closes the previous open-ended one the day
before it starts, so `ServiceType.tariff_on(day)` still answers the old amounts for old
days and a new tariff never rewrites an old bill.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from pishkhan.catalog.models import ServiceType, Tariff
from pishkhan.core.digits import normalize_persian_text
from pishkhan.core.jalali import format_jalali_date


def latest_tariff(service_type: ServiceType) -> Tariff | None:
    return service_type.tariffs.order_by("-valid_from").first()


def publish_tariff_error(service_type: ServiceType, valid_from: dt.date) -> str | None:
    """Why a tariff starting on `valid_from` may not be published, or None when it may."""
    previous = latest_tariff(service_type)
    if previous is not None and valid_from <= previous.valid_from:
        return (
            f"تعرفه جدید باید بعد از {format_jalali_date(previous.valid_from)}، "
            "تاریخ آغاز آخرین تعرفه این خدمت، اجرا شود."
        )
    return None


def _close_open_tariffs(service_type: ServiceType, valid_from: dt.date) -> None:
    day_before = valid_from - dt.timedelta(days=1)
    for tariff in service_type.tariffs.filter(valid_until__isnull=True, valid_from__lt=valid_from):
        tariff.valid_until = day_before
        tariff.full_clean()
        tariff.save(update_fields=["valid_until", "updated_at"])


def do_publish_tariff(
    service_type: ServiceType,
    base_amount: int,
    per_square_metre: int,
    valid_from: dt.date,
    resolution: str,
    approved_on: dt.date,
) -> Tariff:
    """Publish a service's new tariff from `valid_from`, closing the one before it."""
    with transaction.atomic():
        # One publication at a time per service, so "the latest tariff" stays the latest.
        ServiceType.objects.select_for_update().get(pk=service_type.pk)
        error = publish_tariff_error(service_type, valid_from)
        if error:
            raise ValidationError({"valid_from": error})
        _close_open_tariffs(service_type, valid_from)
        tariff = Tariff(
            service_type=service_type,
            base_amount=base_amount,
            per_square_metre=per_square_metre,
            valid_from=valid_from,
            resolution=normalize_persian_text(resolution),
            approved_on=approved_on,
        )
        tariff.full_clean()
        tariff.save()
    return tariff


def do_end_tariff(tariff: Tariff, valid_until: dt.date | None) -> Tariff:
    """Set (or clear) the last day of a tariff; its amounts and start stay as they were."""
    with transaction.atomic():
        current = Tariff.objects.select_for_update().get(pk=tariff.pk)
        current.valid_until = valid_until
        current.full_clean()
        current.save(update_fields=["valid_until", "updated_at"])
    tariff.refresh_from_db()
    return tariff
