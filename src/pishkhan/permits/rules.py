"""What a permit definition says about the permit it issues: its group, how long a new
permit is valid, and the law's limits on extension.

The numbers are data in the definition's ``settings.permit`` (versioned with the
workflow, edited by the city through the definition admin, see docs/permits.md), so a
change of the law is a new definition version, not a release::

    "settings": {"permit": {"kind": "new", "valid_days": 730}}
    "settings": {"permit": {"kind": "extension", "extension_days": 365,
                            "max_extensions": 2, "late_limit_days": 180}}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pishkhan.cases.errors import WorkflowError
from pishkhan.permits.models import PermitKind

# The groups that name the permit they act on (the parent), and those that issue a
# new permit record.
WITH_PARENT = frozenset(
    {PermitKind.EXTENSION, PermitKind.REPLACEMENT, PermitKind.EXPANSION, PermitKind.REPAIRS}
)
ISSUING = frozenset(
    {
        PermitKind.NEW,
        PermitKind.DEMOLITION_REBUILD,
        PermitKind.REPLACEMENT,
        PermitKind.EXPANSION,
        PermitKind.REPAIRS,
    }
)
PARENT_FIELD = "parent_permit"  # the declared field that names the parent by number


class PermitRulesInvalid(WorkflowError):
    code = "permit_rules_invalid"
    default_message = "تنظیمات پروانه در گردش کار این خدمت نادرست است؛ با مدیر سامانه تماس بگیرید."


@dataclass(frozen=True)
class PermitRules:
    kind: str
    valid_days: int = 0  # of a permit this service issues
    extension_days: int = 0  # added to the parent's valid_until per extension
    max_extensions: int = 0
    late_limit_days: int = 0  # an expired permit is extendable this long after expiry

    @property
    def has_parent(self) -> bool:
        return self.kind in WITH_PARENT


def _days(raw: dict[str, Any], key: str, low: int, high: int) -> int:
    value = raw.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise PermitRulesInvalid()
    return value


def rules_of(settings: Any) -> PermitRules | None:
    """The permit rules of a definition's settings; None for a service that is not a
    permit group; PermitRulesInvalid when they are there and wrong."""
    raw = settings.get("permit") if isinstance(settings, dict) else None
    if raw is None:
        return None
    if not isinstance(raw, dict) or raw.get("kind") not in PermitKind.values:
        raise PermitRulesInvalid()
    kind = raw["kind"]
    if kind == PermitKind.EXTENSION:
        return PermitRules(
            kind=kind,
            extension_days=_days(raw, "extension_days", 1, 3650),
            max_extensions=_days(raw, "max_extensions", 1, 20),
            late_limit_days=_days(raw, "late_limit_days", 0, 3650),
        )
    return PermitRules(kind=kind, valid_days=_days(raw, "valid_days", 1, 3650))
