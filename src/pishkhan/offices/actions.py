"""Every write to offices, their staff, roles and contracts.

Each action validates with full_clean (Persian messages), writes in one transaction and
logs its audit line only once the transaction commits.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import transaction
from django.db.models import Q

from pishkhan.core.digits import normalize_persian_text
from pishkhan.core.national_id import normalize_national_id
from pishkhan.core.phone import normalize_mobile
from pishkhan.geo.models import District
from pishkhan.offices.models import (
    ContractStatus,
    EmploymentContract,
    Office,
    OfficeChange,
    OfficeStatus,
    RoleAssignment,
    StaffMember,
)
from pishkhan.offices.roles import Role

audit = logging.getLogger("pishkhan.audit")

ADMIN_SITE_ROLES = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR})

OFFICE_CREATED_REASON = "ثبت دفتر"
REASON_REQUIRED = "علت تغییر وضعیت، منطقه یا نشانی دفتر را بنویسید."
ROLE_OVERLAP = "این کارمند در این دوره همین نقش را در همین دفتر یا منطقه دارد."

# Fields an update may not touch: identity, bookkeeping and the demo flag.
_NOT_UPDATABLE = frozenset({"id", "created_at", "updated_at", "is_demo"})


def _actor_id(actor: AbstractUser | None) -> int | None:
    return actor.pk if actor is not None else None


def _log_on_commit(message: str, *args: object) -> None:
    transaction.on_commit(lambda: audit.info(message, *args))


# --- offices ---------------------------------------------------------------------------


def readable_office_value(office: Office, field: str) -> str:
    """How a tracked field reads in the office's history: labels and names, not codes."""
    if field == "status":
        return str(OfficeStatus(office.status).label) if office.status else ""
    if field == "district":
        return str(office.district) if office.district_id else ""
    return str(getattr(office, field) or "")


def _history_rows(
    office: Office,
    before: dict[str, str],
    fields: list[str],
    actor: AbstractUser | None,
    reason: str,
) -> list[OfficeChange]:
    rows = [
        OfficeChange(
            office=office,
            field=field,
            old_value=before.get(field, ""),
            new_value=readable_office_value(office, field),
            reason=reason,
            changed_by_id=_actor_id(actor),
        )
        for field in fields
    ]
    return OfficeChange.objects.bulk_create(rows)


def _typed_as_stored(fields: dict[str, Any]) -> dict[str, Any]:
    """A phone typed as +98 31 … is longer than the column; shorten it before validation."""
    if isinstance(fields.get("phone"), str):
        return {**fields, "phone": normalize_mobile(fields["phone"])}
    return fields


def do_create_office(actor: AbstractUser | None, **fields: Any) -> Office:
    """Register an office; its first status, district and address open its history."""
    with transaction.atomic():
        office = Office(**_typed_as_stored(fields))
        office.full_clean()
        office.save()
        _history_rows(office, {}, list(OfficeChange.TRACKED_FIELDS), actor, OFFICE_CREATED_REASON)
    _log_on_commit("office %s created by user %s", office.code, _actor_id(actor))
    return office


def _assign(office: Office, name: str, value: Any) -> None:
    try:
        field = Office._meta.get_field(name)
    except FieldDoesNotExist:
        raise TypeError(f"Office has no field {name!r}") from None
    if field.name in _NOT_UPDATABLE or not field.concrete:
        raise TypeError(f"Office.{name} is not changed through do_update_office")
    setattr(office, name, value)


def _values(office: Office) -> dict[str, Any]:
    return {f.name: f.value_from_object(office) for f in Office._meta.concrete_fields}


def do_update_office(
    office: Office, actor: AbstractUser | None, reason: str, **changes: Any
) -> list[OfficeChange]:
    """Change an office and record one history row per changed tracked field.

    The changes are applied to the row as it is now (locked), not to the caller's copy, so
    a stale copy never writes back values someone else has changed since. Returns the
    history rows written; nothing is written when nothing changed.
    """
    reason = normalize_persian_text(reason or "")
    with transaction.atomic():
        current = (
            Office.objects.select_for_update(of=("self",))
            .select_related("district")
            .get(pk=office.pk)
        )
        before_values = _values(current)
        before = {f: readable_office_value(current, f) for f in OfficeChange.TRACKED_FIELDS}
        for name, value in _typed_as_stored(changes).items():
            _assign(current, name, value)
        current.full_clean()
        changed = [name for name, value in _values(current).items() if value != before_values[name]]
        if not changed:
            return []
        tracked = [f for f in OfficeChange.TRACKED_FIELDS if f in changed]
        if tracked and not reason:
            raise ValidationError({"reason": REASON_REQUIRED})
        current.save(update_fields=[*changed, "updated_at"])
        rows = _history_rows(current, before, tracked, actor, reason)
    office.refresh_from_db()
    _log_on_commit("office %s changed %s by user %s", office.code, changed, _actor_id(actor))
    return rows


# --- staff, roles and employment contracts ---------------------------------------------


def do_create_staff_member(
    actor: AbstractUser | None,
    user: AbstractUser,
    national_id: str,
    mobile: str,
    degree_level: int,
    field: str,
) -> StaffMember:
    """Give an account a staff profile; digits may be typed in Persian."""
    with transaction.atomic():
        staff = StaffMember(
            user_id=user.pk,  # by id: offices (below accounts) never names the user model
            national_id=normalize_national_id(national_id),
            mobile=normalize_mobile(mobile),
            degree_level=degree_level,
            field=field,
        )
        staff.full_clean()
        staff.save()
    _log_on_commit("staff %s created by user %s", staff.pk, _actor_id(actor))
    return staff


def _refuse_overlapping_role(assignment: RoleAssignment) -> None:
    # None matches IS NULL: a city role overlaps only another city role.
    scope: dict[str, Any] = {
        "office_id": assignment.office_id,
        "district_id": assignment.district_id,
    }
    same = RoleAssignment.objects.filter(
        staff_id=assignment.staff_id, role=assignment.role, **scope
    ).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=assignment.starts_on))
    if assignment.ends_on is not None:
        same = same.filter(starts_on__lte=assignment.ends_on)
    if same.exists():
        raise ValidationError(ROLE_OVERLAP, code="role_overlap")


def do_assign_role(
    actor: AbstractUser | None,
    staff: StaffMember,
    role: str,
    *,
    office: Office | None = None,
    district: District | None = None,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
) -> RoleAssignment:
    """Give a staff member a role in its scope; engineering roles need a qualified person."""
    with transaction.atomic():
        # One assignment at a time per person, so the overlap check below holds.
        StaffMember.objects.select_for_update().get(pk=staff.pk)
        assignment = RoleAssignment(
            staff=staff,
            role=role,
            office=office,
            district=district,
            starts_on=starts_on,
            ends_on=ends_on,
        )
        assignment.full_clean()
        _refuse_overlapping_role(assignment)
        assignment.save()
        if role in ADMIN_SITE_ROLES and not staff.user.is_staff:
            # The supervision unit and administrators work in the admin site; what they
            # may do there follows their roles (accounts.backends.RolePermissionBackend).
            get_user_model().objects.filter(pk=staff.user_id).update(is_staff=True)
    _log_on_commit("role %s given to staff %s by user %s", role, staff.pk, _actor_id(actor))
    return assignment


def do_sign_employment_contract(
    actor: AbstractUser | None,
    office: Office,
    staff: StaffMember,
    role: str,
    number: str,
    *,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    status: str = ContractStatus.ACTIVE,
) -> EmploymentContract:
    """Record the contract an office's manager signs with a member of its staff."""
    with transaction.atomic():
        contract = EmploymentContract(
            office=office,
            staff=staff,
            role=role,
            number=normalize_persian_text(number),
            starts_on=starts_on,
            ends_on=ends_on,
            status=status,
        )
        contract.full_clean()
        contract.save()
    _log_on_commit(
        "employment contract %s signed for staff %s by user %s",
        contract.pk,
        staff.pk,
        _actor_id(actor),
    )
    return contract
