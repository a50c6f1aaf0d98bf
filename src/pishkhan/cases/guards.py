"""Guards: named conditions an action may require, registered by name.

A definition lists guard names; the loader refuses a name nobody registered. A guard
returns None when it holds, or the Persian reason it does not. Other apps add guards by
decorating a function with ``@guard("name")`` in a module their AppConfig.ready() imports;
the engine never changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings

from pishkhan.core.digits import to_persian_digits

if TYPE_CHECKING:
    from pishkhan.cases.models import Case, WorkflowAction

DEFAULT_INSTANT_RESPONSE_MAX_VISIT_AGE_DAYS = 180


@dataclass(frozen=True)
class GuardContext:
    case: Case
    action: WorkflowAction
    user_id: int | None
    role: str
    now: dt.datetime
    payload: dict[str, Any] = field(default_factory=dict)
    # Facts several guards read (the case's visit reports, the parcel's open conditions),
    # loaded once per context; a page that already holds them seeds this cache.
    facts: dict[str, Any] = field(default_factory=dict)

    def fact(self, name: str, load: Callable[[], Any]) -> Any:
        if name not in self.facts:
            self.facts[name] = load()
        return self.facts[name]


GuardFunction = Callable[[GuardContext], str | None]
_REGISTRY: dict[str, GuardFunction] = {}


def guard(name: str) -> Callable[[GuardFunction], GuardFunction]:
    """Register `function` under `name`; a second registration of a name is a bug."""

    def register(function: GuardFunction) -> GuardFunction:
        if name in _REGISTRY and _REGISTRY[name] is not function:
            raise ValueError(f"guard {name!r} is already registered")
        _REGISTRY[name] = function
        return function

    return register


def registered_guards() -> frozenset[str]:
    return frozenset(_REGISTRY)


def unregister_guard(name: str) -> None:
    """For tests that register a guard of their own."""
    _REGISTRY.pop(name, None)


def first_failure(names: list[str], context: GuardContext) -> tuple[str, str] | None:
    """(name, Persian reason) of the first guard that does not hold, or None."""
    for name in names:
        reason = _REGISTRY[name](context)
        if reason:
            return name, reason
    return None


# Fact names a page may seed (see GuardContext.facts).
CASE_VISITS = "case_visits"  # [(visited_at, recorded_at)] of the case's own reports
PARCEL_LATEST_VISIT = "parcel_latest_visit"  # {visited_at, answers} or None
PARCEL_HAS_OPEN_CONDITIONS = "parcel_has_open_conditions"


# --- built-in guards ------------------------------------------------------------------


@guard("parcel_has_no_open_conditions")
def parcel_has_no_open_conditions(context: GuardContext) -> str | None:
    from pishkhan.geo.models import ParcelCondition

    parcel_id = context.case.parcel_id
    if parcel_id and context.fact(
        PARCEL_HAS_OPEN_CONDITIONS,
        lambda: ParcelCondition.objects.filter(
            parcel_id=parcel_id, resolved_at__isnull=True
        ).exists(),
    ):
        return "برای این ملک بدهی، تخلف یا محدودیت رفع‌نشده ثبت شده است."
    return None


def case_visits(context: GuardContext) -> list[tuple[dt.datetime, dt.datetime]]:
    from pishkhan.cases.models import VisitReport

    return context.fact(
        CASE_VISITS,
        lambda: list(
            VisitReport.objects.filter(case_id=context.case.pk).values_list(
                "visited_at", "recorded_at"
            )
        ),
    )


@guard("visit_report_recorded")
def visit_report_recorded(context: GuardContext) -> str | None:
    """A report recorded since the case reached its current state (a revisit after a
    send-back needs a new report)."""
    entered = context.case.state_entered_at
    recorded = any(at >= entered for _, at in case_visits(context))
    return None if recorded else "ابتدا گزارش بازدید را ثبت کنید."


@guard("before_visit")
def before_visit(context: GuardContext) -> str | None:
    if case_visits(context):
        return "پس از بازدید، این اقدام ممکن نیست."
    return None


def max_visit_age_days(case: Case) -> int:
    default = getattr(
        settings,
        "PISHKHAN_INSTANT_RESPONSE_MAX_VISIT_AGE_DAYS",
        DEFAULT_INSTANT_RESPONSE_MAX_VISIT_AGE_DAYS,
    )
    return int(case.definition.settings.get("instant_response_max_visit_age_days", default))


@guard("recent_valid_visit")
def recent_valid_visit(context: GuardContext) -> str | None:
    """The parcel was visited recently (the definition says how recently) and the visit
    found no violation, so its report can answer this inquiry without a new visit."""
    from pishkhan.cases.checklists import violations_of
    from pishkhan.cases.models import VisitReport

    case = context.case
    parcel_id = case.parcel_id
    if not parcel_id:
        return "این پرونده ملک ندارد."
    days = max_visit_age_days(case)
    latest = context.fact(
        PARCEL_LATEST_VISIT,
        lambda: (
            VisitReport.objects.filter(parcel_id=parcel_id)
            .order_by("-visited_at", "-pk")
            .values("visited_at", "answers")
            .first()
        ),
    )
    if latest is None or latest["visited_at"] < context.now - dt.timedelta(days=days):
        return f"این ملک در {to_persian_digits(days)} روز گذشته بازدید نشده است."
    if violations_of(latest["answers"]):
        return "در آخرین بازدید این ملک تخلف دیده شده است؛ بازدید تازه لازم است."
    return None


@guard("approver_differs_from_preparer")
def approver_differs_from_preparer(context: GuardContext) -> str | None:
    prepared_by = context.case.prepared_by_id
    if prepared_by is None:
        return "تصمیم هنوز تهیه نشده است."
    if prepared_by == context.user_id:
        return (
            "هر تصمیم نهایی با دو نفر است: تهیه‌کننده نمی‌تواند خودش آن را تأیید یا رد کند؛ "
            "همکار دیگری باید تصمیم بگیرد."
        )
    return None
