"""What the permits app registers into cases: the guard a group's steps name, the
approval's effect that issues or updates the permit record, and the parcel file's
permit lines. Imported by PermitsConfig.ready()."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from pishkhan.accounts.access import Principal
from pishkhan.cases.effects import EffectContext, effect
from pishkhan.cases.field_checks import field_check
from pishkhan.cases.filters import url_maker
from pishkhan.cases.guards import GuardContext, guard
from pishkhan.cases.models import WorkflowDefinition
from pishkhan.cases.parcel_file import PER_KIND, Entry, day_start, parcel_entries
from pishkhan.core.digits import to_persian_digits
from pishkhan.core.jalali import format_jalali_date
from pishkhan.geo.models import Parcel
from pishkhan.permits.access import permit_scope
from pishkhan.permits.models import BuildingPermit, PermitEvent, PermitEventKind, PermitKind
from pishkhan.permits.numbers import normalize_permit_number
from pishkhan.permits.records import (
    PermitRefused,
    check_expansion,
    extend_permit,
    find_parent,
    issue_permit,
    parent_number,
    parent_problem,
    permit_of_parcel,
    record_group_on_parent,
)
from pishkhan.permits.rules import ISSUING, PARENT_FIELD, rules_of

PARENT_FACT = "permit_parent"


@guard("parent_permit_usable")
def parent_permit_usable(context: GuardContext) -> str | None:
    """The permit the request names (by number, on the case's parcel) exists and may
    carry it: not replaced or revoked; for an extension, within the law's count and not
    expired past the law's limit."""
    rules = rules_of(context.case.definition.settings)
    if rules is None or not rules.has_parent:
        return "این خدمت پروانه پایه ندارد."
    parent = context.fact(PARENT_FACT, lambda: find_parent(context.case))
    number = parent_number(context.case)
    return parent_problem(number, rules, parent, timezone.localdate(context.now))


@field_check("parent_permit_of_the_parcel")
def parent_permit_of_the_parcel(
    definition: WorkflowDefinition, parcel: Parcel | None, values: dict[str, Any], today: dt.date
) -> dict[str, list[str]]:
    """At registration: the parent a group names is a permit of the case's parcel that
    may carry the request (the guard asks again at each step that names it)."""
    rules = rules_of(definition.settings)
    if rules is None or not rules.has_parent:
        return {}
    number = normalize_permit_number(values.get(PARENT_FIELD, ""))
    parent = permit_of_parcel(parcel.pk if parcel else None, number)
    problem = parent_problem(number, rules, parent, today)
    return {PARENT_FIELD: [problem]} if problem else {}


@effect("record_building_permit")
def record_building_permit(context: EffectContext) -> None:
    """The approval's effect: issue the group's new permit, or extend the parent."""
    case = context.case
    rules = rules_of(case.definition.settings)
    if rules is None:
        raise PermitRefused("گردش کار این خدمت گروه پروانه را تعیین نکرده است.")
    # once per case, whatever a definition the city edits lets it reach twice
    if (
        BuildingPermit.objects.filter(case_id=case.pk).exists()
        or PermitEvent.objects.filter(case_id=case.pk, kind=PermitEventKind.EXTENDED).exists()
    ):
        raise PermitRefused("این پرونده پیش‌تر پروانه‌ای صادر یا تمدید کرده است.")
    today = timezone.localdate(context.now)
    parent = None
    if rules.has_parent:
        parent = find_parent(case, lock=True)
        problem = parent_problem(parent_number(case), rules, parent, today)
        if problem:
            raise PermitRefused(problem)
        assert parent is not None
    if rules.kind == PermitKind.EXTENSION:
        assert parent is not None
        extend_permit(parent, rules, case, actor_id=context.actor_id, now=context.now)
        return
    assert rules.kind in ISSUING
    if rules.kind == PermitKind.EXPANSION:
        assert parent is not None
        check_expansion(parent, case.data or {})
    permit = issue_permit(
        case, rules, actor_id=context.actor_id, now=context.now, today=today, parent=parent
    )
    if parent is not None:
        record_group_on_parent(parent, permit, actor_id=context.actor_id, now=context.now)


@parcel_entries("permits")
def permit_entries(principal: Principal, parcel: Parcel) -> list[Entry]:
    """The parcel's permits in its file: one line each on the day it was issued (a
    parcel's permits are city data, like its certificates); the link to the permit's
    page only for those the caller may open. Two queries."""
    permits = list(
        BuildingPermit.objects.filter(parcel_id=parcel.pk).order_by("-issued_on", "-pk")[:PER_KIND]
    )
    condition = permit_scope(principal)
    visible = (
        {p.pk for p in permits}
        if condition is None
        else set(
            BuildingPermit.objects.filter(condition, pk__in=[p.pk for p in permits]).values_list(
                "pk", flat=True
            )
        )
    )
    detail = url_maker("permits:detail")
    return [
        Entry(
            day_start(p.issued_on),
            "permit",
            f"پروانه ساختمانی ({p.get_kind_display()}) شماره {to_persian_digits(p.number)}",
            [
                f"وضعیت: {p.get_status_display()}؛ معتبر تا {format_jalali_date(p.valid_until)}",
                f"{to_persian_digits(p.floors)} طبقه، زیربنای "
                f"{to_persian_digits(f'{p.built_area.normalize():f}')} مترمربع",
            ],
            badge="معتبر" if p.is_live else "",
            warning=not p.is_live,
            link=detail(p.pk) if p.pk in visible else "",
            link_label="صفحه پروانه" if p.pk in visible else "",
        )
        for p in permits
    ]
