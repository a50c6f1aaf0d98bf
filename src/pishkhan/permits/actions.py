"""Every write on building permits outside a case's approval (which writes through the
effect in workflow_hooks): registering a permit issued on paper before Pishkhan, and
the expiry of lapsed permits. Each checks its caller and input itself, in one
transaction, with an event row."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from pishkhan.accounts.access import Principal
from pishkhan.cases.access import principal_of
from pishkhan.cases.errors import InvalidInput, RoleNotAllowed
from pishkhan.core import clock
from pishkhan.geo.models import LandUse, Parcel
from pishkhan.offices.roles import Role
from pishkhan.permits.access import access_permit_by_id
from pishkhan.permits.models import BuildingPermit, PermitEventKind, PermitKind, PermitStatus
from pishkhan.permits.numbers import allocate_permit_number
from pishkhan.permits.records import expire_permit, write_event

MAX_FLOORS = 40
MAX_UNITS = 500
MAX_AREA = Decimal("1000000")


@dataclass(frozen=True)
class PaperPermit:
    """What the district reads off a permit issued on paper before Pishkhan."""

    land_use: str
    floors: int
    units: int
    built_area: Decimal
    issued_on: dt.date
    valid_until: dt.date
    paper_number: str = ""


def _check_paper_permit(permit: PaperPermit, today: dt.date) -> None:
    problems = []
    if permit.land_use not in LandUse.values:
        problems.append("کاربری پروانه را از فهرست انتخاب کنید.")
    if not isinstance(permit.floors, int) or not 1 <= permit.floors <= MAX_FLOORS:
        problems.append("تعداد طبقات باید از ۱ تا ۴۰ باشد.")
    if not isinstance(permit.units, int) or not 1 <= permit.units <= MAX_UNITS:
        problems.append("تعداد واحد باید از ۱ تا ۵۰۰ باشد.")
    try:
        area_ok = Decimal(permit.built_area) > 0 and Decimal(permit.built_area) <= MAX_AREA
    except (InvalidOperation, TypeError, ValueError):
        area_ok = False
    if not area_ok:
        problems.append("زیربنا باید عددی مثبت تا یک میلیون مترمربع باشد.")
    if permit.issued_on > today:
        problems.append("تاریخ صدور نمی‌تواند بعد از امروز باشد.")
    if permit.valid_until < permit.issued_on:
        problems.append("پایان اعتبار نمی‌تواند پیش از تاریخ صدور باشد.")
    text = permit.paper_number
    if len(text) > 40 or "\x00" in text:
        problems.append("شماره پروانه کاغذی حداکثر ۴۰ نویسه است.")
    if problems:
        raise InvalidInput(" ".join(problems))


def do_record_paper_permit(
    user: Any, parcel_id: Any, permit: PaperPermit, *, principal: Principal | None = None
) -> BuildingPermit:
    """District staff of the parcel's district register a permit the city issued on
    paper, so a later extension, replacement, expansion or repairs can name it. It gets
    a Pishkhan number; the paper number is kept in its description."""
    principal = principal_of(user, principal)
    try:
        pk = int(parcel_id)
    except (TypeError, ValueError):
        pk = 0
    parcel = Parcel.objects.filter(pk=pk).first()
    if principal is None or parcel is None:
        raise RoleNotAllowed("ملک پیدا نشد یا شما اجازه این کار را ندارید.")
    if parcel.district_id not in principal.district_ids(Role.DISTRICT_STAFF):
        raise RoleNotAllowed("فقط کارشناس منطقه همین ملک پروانه کاغذی را ثبت می‌کند.")
    now = clock.now()
    _check_paper_permit(permit, timezone.localdate(now))
    with transaction.atomic():
        record = BuildingPermit.objects.create(
            number=allocate_permit_number(permit.issued_on),
            kind=PermitKind.LEGACY,
            parcel=parcel,
            district_id=parcel.district_id,
            land_use=permit.land_use,
            floors=permit.floors,
            units=permit.units,
            land_area=parcel.land_area,
            built_area=Decimal(permit.built_area),
            description=f"پروانه کاغذی {permit.paper_number}" if permit.paper_number else "",
            issued_on=permit.issued_on,
            valid_from=permit.issued_on,
            valid_until=permit.valid_until,
            issued_by_id=principal.user_id,
        )
        write_event(record, PermitEventKind.ISSUED, now, actor_id=principal.user_id,
                    note="ثبت پروانه صادرشده پیش از سامانه")  # fmt: skip
    return record


EXPIRY_BATCH = 500


def do_expire_lapsed_permits(now: dt.datetime | None = None) -> int:
    """The system marks every live permit past its validity expired, each with its
    event; idempotent (a second run finds nothing), in batches of `EXPIRY_BATCH`.
    Returns how many expired."""
    now = now or clock.now()
    today = timezone.localdate(now)
    expired = 0
    while True:
        with transaction.atomic():
            batch = list(
                BuildingPermit.objects.lapsed(today)
                .select_for_update()
                .order_by("pk")[:EXPIRY_BATCH]
            )
            expired += sum(expire_permit(permit, now) for permit in batch)
        if len(batch) < EXPIRY_BATCH:
            return expired


REVOCABLE = (PermitStatus.VALID, PermitStatus.EXTENDED, PermitStatus.EXPIRED)
REASON_MAX_LENGTH = 500


def may_revoke(principal: Principal | None, permit: BuildingPermit) -> bool:
    """The one answer to who may revoke a permit: district staff of its district, while
    it is valid, extended or expired (a replaced or revoked one has nothing to revoke).
    The permit page asks it; the action enforces it."""
    return (
        principal is not None
        and permit.status in REVOCABLE
        and permit.district_id in principal.district_ids(Role.DISTRICT_STAFF)
    )


def do_revoke_permit(
    user: Any, permit_id: Any, reason: Any, *, principal: Principal | None = None
) -> BuildingPermit:
    """District staff revoke a permit (a court's ruling, a forged deed …) with the
    reason, which its history shows; later requests cannot name it."""
    principal = principal_of(user, principal)
    text = str(reason or "").strip()
    if not text or len(text) > REASON_MAX_LENGTH or "\x00" in text:
        raise InvalidInput("علت ابطال را بنویسید (حداکثر ۵۰۰ نویسه).")
    with transaction.atomic():
        permit = access_permit_by_id(user, permit_id, principal)
        if not may_revoke(principal, permit):
            raise RoleNotAllowed("فقط کارشناس منطقه همین پروانه، پروانه معتبر را ابطال می‌کند.")
        before = permit.status
        changed = BuildingPermit.objects.filter(pk=permit.pk, status=before).update(
            status=PermitStatus.REVOKED
        )
        if changed != 1:
            raise InvalidInput("پروانه هم‌زمان تغییر کرد؛ صفحه را دوباره باز کنید.")
        permit.status = PermitStatus.REVOKED
        assert principal is not None
        write_event(permit, PermitEventKind.REVOKED, clock.now(), from_status=before,
                    actor_id=principal.user_id, note=text)  # fmt: skip
    return permit
