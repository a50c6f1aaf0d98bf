"""Role assignments in the audit chain: given, changed or removed — by an action or in
the admin — each is one audit row in the same transaction as the change (signals,
connected by OfficesConfig.ready()). Bulk writes bypass signals; only the demo uses one.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from pishkhan.audit.chain import record
from pishkhan.offices.models import RoleAssignment


def summary(assignment: RoleAssignment) -> dict[str, Any]:
    return {
        "staff_id": assignment.staff_id,
        "role": assignment.role,
        "office_id": assignment.office_id,
        "district_id": assignment.district_id,
        "starts_on": assignment.starts_on,
        "ends_on": assignment.ends_on,
    }


def role_saved(sender: Any, instance: RoleAssignment, created: bool, **kwargs: Any) -> None:
    if kwargs.get("raw"):  # loaddata
        return
    record(
        "role.assigned" if created else "role.changed",
        subject=("role_assignment", instance.pk),
        summary=summary(instance),
    )


def role_deleted(sender: Any, instance: RoleAssignment, **kwargs: Any) -> None:
    record("role.removed", subject=("role_assignment", instance.pk), summary=summary(instance))


def connect() -> None:
    post_save.connect(role_saved, sender=RoleAssignment, dispatch_uid="audit.role_saved")
    post_delete.connect(role_deleted, sender=RoleAssignment, dispatch_uid="audit.role_deleted")
