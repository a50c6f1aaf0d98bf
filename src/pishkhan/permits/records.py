"""The writes of a permit's life, run inside the action that causes them (a case's
approval effect, the expiry job), each with its PermitEvent row. Nothing here opens its
own transaction: the caller's is the one the case moves in, so a permit exists exactly
when its case was approved."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import F

from pishkhan.cases.errors import WorkflowError
from pishkhan.cases.models import Case
from pishkhan.core.digits import to_persian_digits
from pishkhan.core.jalali import format_jalali_date
from pishkhan.permits.models import (
    LIVE_STATUSES,
    BuildingPermit,
    PermitEvent,
    PermitEventKind,
    PermitKind,
    PermitStatus,
)
from pishkhan.permits.numbers import allocate_permit_number, normalize_permit_number
from pishkhan.permits.rules import PARENT_FIELD, PermitRules

EVENT_FOR_KIND = {
    PermitKind.REPLACEMENT: PermitEventKind.REPLACED,
    PermitKind.EXPANSION: PermitEventKind.EXPANDED,
    PermitKind.REPAIRS: PermitEventKind.REPAIRS,
}


class PermitRefused(WorkflowError):
    code = "permit_refused"
    default_message = "پروانه صادر نشد."


def write_event(
    permit: BuildingPermit,
    kind: str,
    at: dt.datetime,
    *,
    from_status: str = "",
    actor_id: int | None = None,
    case_id: int | None = None,
    valid_until_before: dt.date | None = None,
    related: BuildingPermit | None = None,
    note: str = "",
) -> PermitEvent:
    return PermitEvent.objects.create(
        permit=permit,
        kind=kind,
        at=at,
        actor_id=actor_id,
        case_id=case_id,
        from_status=from_status,
        to_status=permit.status,
        valid_until_before=valid_until_before,
        valid_until_after=permit.valid_until,
        related=related,
        note=note[:500],
    )


# --- the parent a group names ----------------------------------------------------------


def parent_number(case: Case) -> str:
    return normalize_permit_number((case.data or {}).get(PARENT_FIELD, ""))


def find_parent(case: Case, *, lock: bool = False) -> BuildingPermit | None:
    """The permit the case names, looked up among its own parcel's permits only."""
    return permit_of_parcel(case.parcel_id, parent_number(case), lock=lock)


def permit_of_parcel(
    parcel_id: int | None, number: str, *, lock: bool = False
) -> BuildingPermit | None:
    if not number or not parcel_id:
        return None
    rows = BuildingPermit.objects.filter(parcel_id=parcel_id, number=number)
    return (rows.select_for_update() if lock else rows).first()


def parent_problem(
    number: str, rules: PermitRules, parent: BuildingPermit | None, today: dt.date
) -> str | None:
    """Why the parent named by `number` cannot carry this group's request (Persian),
    or None."""
    shown = to_persian_digits(number or "—")
    if parent is None:
        return f"پروانه شماره {shown} برای ملک این پرونده پیدا نشد."
    if parent.status in (PermitStatus.REPLACED, PermitStatus.REVOKED):
        return f"پروانه شماره {shown} {parent.get_status_display()} است و پایه درخواست نمی‌شود."
    if rules.kind != PermitKind.EXTENSION:
        return None
    if parent.extensions >= rules.max_extensions:
        return (
            f"پروانه شماره {shown} تاکنون {to_persian_digits(parent.extensions)} بار تمدید "
            f"شده است و بیش از {to_persian_digits(rules.max_extensions)} بار تمدید نمی‌شود."
        )
    last_day = parent.valid_until + dt.timedelta(days=rules.late_limit_days)
    if today > last_day:
        return (
            f"پروانه شماره {shown} در {format_jalali_date(parent.valid_until)} منقضی شده و "
            f"مهلت قانونی تمدید آن ({to_persian_digits(rules.late_limit_days)} روز پس از "
            "انقضا) گذشته است."
        )
    return None


# --- issue, extend, supersede ----------------------------------------------------------


def _number(data: dict[str, Any], key: str, default: Any) -> Any:
    value = data.get(key)
    return default if value in (None, "") else value


def issue_permit(
    case: Case,
    rules: PermitRules,
    *,
    actor_id: int | None,
    now: dt.datetime,
    today: dt.date,
    parent: BuildingPermit | None = None,
) -> BuildingPermit:
    """A new permit from the case's declared fields (a group with a parent takes what
    the request does not change from the parent)."""
    data = case.data or {}
    parcel = case.parcel
    if parcel is None:
        raise PermitRefused("پروانه بدون ملک صادر نمی‌شود.")
    permit = BuildingPermit.objects.create(
        number=allocate_permit_number(today),
        kind=rules.kind,
        parcel=parcel,
        district_id=parcel.district_id,
        owner_id=case.applicant_id,
        case=case,
        parent=parent,
        land_use=_number(data, "land_use", parent.land_use if parent else parcel.land_use),
        floors=int(_number(data, "floors", parent.floors if parent else 1)),
        units=int(_number(data, "units", parent.units if parent else 1)),
        land_area=parcel.land_area,
        built_area=Decimal(str(_number(data, "built_area", parent.built_area if parent else 0))),
        description=str(data.get("description", ""))[:500],
        issued_on=today,
        valid_from=today,
        valid_until=today + dt.timedelta(days=rules.valid_days),
        issued_by_id=actor_id,
    )
    write_event(
        permit, PermitEventKind.ISSUED, now, actor_id=actor_id, case_id=case.pk, related=parent
    )
    return permit


def extend_permit(
    parent: BuildingPermit,
    rules: PermitRules,
    case: Case,
    *,
    actor_id: int | None,
    now: dt.datetime,
) -> BuildingPermit:
    """Add the extension to the parent's validity (counted from its old end, also for a
    permit extended late), compare-and-swap on its status and extension count."""
    before_status, before_until = parent.status, parent.valid_until
    until = before_until + dt.timedelta(days=rules.extension_days)
    changed = BuildingPermit.objects.filter(
        pk=parent.pk, status=before_status, extensions=parent.extensions
    ).update(status=PermitStatus.EXTENDED, valid_until=until, extensions=F("extensions") + 1)
    if changed != 1:
        raise PermitRefused("پروانه هم‌زمان تغییر کرد؛ دوباره تلاش کنید.")
    parent.refresh_from_db()
    write_event(
        parent,
        PermitEventKind.EXTENDED,
        now,
        from_status=before_status,
        actor_id=actor_id,
        case_id=case.pk,
        valid_until_before=before_until,
    )
    return parent


def record_group_on_parent(
    parent: BuildingPermit, child: BuildingPermit, *, actor_id: int | None, now: dt.datetime
) -> None:
    """A replacement supersedes its parent; expansion and repairs are noted on it."""
    before = parent.status
    if child.kind == PermitKind.REPLACEMENT:
        changed = BuildingPermit.objects.filter(pk=parent.pk, status=before).update(
            status=PermitStatus.REPLACED
        )
        if changed != 1:
            raise PermitRefused("پروانه پایه هم‌زمان تغییر کرد؛ دوباره تلاش کنید.")
        parent.status = PermitStatus.REPLACED
    write_event(
        parent,
        EVENT_FOR_KIND[PermitKind(child.kind)],
        now,
        from_status=before,
        actor_id=actor_id,
        case_id=child.case_id,
        related=child,
        valid_until_before=parent.valid_until,
    )


def check_expansion(parent: BuildingPermit, data: dict[str, Any]) -> None:
    """An expansion adds floors or built area to what the parent allowed."""
    floors = int(_number(data, "floors", parent.floors))
    area = Decimal(str(_number(data, "built_area", parent.built_area)))
    if floors < parent.floors or area < parent.built_area:
        raise PermitRefused("پروانه توسعه نمی‌تواند طبقات یا زیربنای پروانه پایه را کم کند.")
    if floors == parent.floors and area == parent.built_area:
        raise PermitRefused("پروانه توسعه باید طبقات یا زیربنا را بیشتر از پروانه پایه کند.")


# --- expiry ----------------------------------------------------------------------------


def expire_permit(permit: BuildingPermit, now: dt.datetime) -> bool:
    """Mark one lapsed permit expired (compare-and-swap: a permit extended meanwhile is
    left alone); True when it changed."""
    before = permit.status
    changed = BuildingPermit.objects.filter(
        pk=permit.pk, status__in=LIVE_STATUSES, valid_until=permit.valid_until
    ).update(status=PermitStatus.EXPIRED)
    if changed != 1:
        return False
    permit.status = PermitStatus.EXPIRED
    write_event(
        permit,
        PermitEventKind.EXPIRED,
        now,
        from_status=before,
        valid_until_before=permit.valid_until,
    )
    return True
