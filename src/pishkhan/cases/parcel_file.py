"""The parcel file: everything the city knows of one parcel, on one page, newest first —
its cases, visits, plan reviews, issued answers, conditions (debts, violations, plan
restrictions) and certificates.

Parcels and what was found on them (visits, conditions, certificates) are city data that
any staff member may read. Cases are people's business: a case the caller may see
(`cases_visible_to`) is listed with its tracking code and link, its plan reviews and
its answer; one they may not see shows only its service and dates, without a tracking
code, an applicant or a link. A fixed number of queries, whatever the parcel holds;
each kind of record is capped at its newest `PER_KIND`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from pishkhan.accounts.access import Principal
from pishkhan.cases.access import scope_condition
from pishkhan.cases.checklists import report_checklist, summary, violations_of
from pishkhan.cases.models import (
    AttachmentKind,
    Case,
    CaseAttachment,
    InquiryResponse,
    PlanReview,
    VisitReport,
)
from pishkhan.cases.sla import StateMap
from pishkhan.core.money import format_rials
from pishkhan.geo.models import Parcel, ParcelCertificate, ParcelCondition

PER_KIND = 100


class Kind:
    CASE = "case"
    CLOSED = "closed"
    VISIT = "visit"
    PLAN_REVIEW = "plan_review"
    ANSWER = "answer"
    CONDITION = "condition"
    RESOLVED = "resolved"
    CERTIFICATE = "certificate"


@dataclass(frozen=True)
class Entry:
    """One line of the file: when, what, and the case it belongs to if the caller may
    open it."""

    at: dt.datetime
    kind: str
    title: str
    details: list[str] = field(default_factory=list)
    case: Case | None = None
    badge: str = ""
    warning: bool = False
    photos: list[CaseAttachment] = field(default_factory=list)  # a visit's, of a case shown
    link: str = ""  # a page of its own (an app above cases registers such entries)
    link_label: str = ""


@dataclass(frozen=True)
class ParcelFile:
    parcel: Parcel
    entries: list[Entry]
    open_conditions: list[ParcelCondition]
    certificates: list[ParcelCertificate]
    cases_open: int
    cases_total: int
    capped: bool  # some kind had more than PER_KIND records; the oldest are left out


# Apps above cases add their records of a parcel (building permits …) by registering a
# function that returns their entries, in a fixed number of queries; cases never imports
# them (docs/decisions/007-layers.md).
EntrySource = Callable[[Principal, Parcel], list[Entry]]
_ENTRY_SOURCES: dict[str, EntrySource] = {}


def parcel_entries(name: str) -> Callable[[EntrySource], EntrySource]:
    """Register `source` under `name`; its entries join every parcel file."""

    def register(source: EntrySource) -> EntrySource:
        if name in _ENTRY_SOURCES and _ENTRY_SOURCES[name] is not source:
            raise ValueError(f"parcel-file entries {name!r} are already registered")
        _ENTRY_SOURCES[name] = source
        return source

    return register


def day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def visible_q(principal: Principal) -> Q | None:
    """The cases of the parcel the caller may open (None: all of them)."""
    return scope_condition(principal)


def parcel_file(principal: Principal, parcel_id: Any) -> ParcelFile:
    """The file of the parcel `parcel_id` (Http404 if there is none). Nine queries, and
    those of each registered entry source."""
    try:
        pk = int(parcel_id)
    except (TypeError, ValueError):
        pk = 0
    parcel = get_object_or_404(Parcel.objects.select_related("district"), pk=pk)
    condition = visible_q(principal)
    cases = list(
        Case.objects.filter(parcel_id=parcel.pk)
        .select_related("service_type")
        .order_by("-opened_at")[: PER_KIND + 1]
    )
    visible_ids = (
        {c.pk for c in cases}
        if condition is None
        else set(
            Case.objects.filter(condition, pk__in=[c.pk for c in cases]).values_list(
                "pk", flat=True
            )
        )
    )
    visits = list(
        VisitReport.objects.filter(parcel_id=parcel.pk)
        .select_related("inspector", "case__definition")
        .order_by("-visited_at")[: PER_KIND + 1]
    )
    reviews = list(
        PlanReview.objects.filter(case_id__in=visible_ids)
        .select_related("reviewer")
        .order_by("-recorded_at")[: PER_KIND + 1]
    )
    answers = list(
        InquiryResponse.objects.filter(case_id__in=visible_ids, issued_at__isnull=False).order_by(
            "-issued_at"
        )[: PER_KIND + 1]
    )
    conditions = list(
        ParcelCondition.objects.filter(parcel_id=parcel.pk).order_by("-recorded_on", "-pk")[
            : PER_KIND + 1
        ]
    )
    certificates = list(
        ParcelCertificate.objects.filter(parcel_id=parcel.pk).order_by("-issued_on", "-pk")[
            : PER_KIND + 1
        ]
    )
    shown_visits = [v.pk for v in visits[:PER_KIND] if v.case_id in visible_ids]
    photos: dict[int, list[CaseAttachment]] = {}
    for photo in (
        CaseAttachment.objects.filter(
            kind=AttachmentKind.VISIT_PHOTO, visit_report_id__in=shown_visits
        )
        .select_related("file")
        .order_by("attached_at", "pk")
    ):
        photos.setdefault(photo.visit_report_id or 0, []).append(photo)
    capped = any(
        len(rows) > PER_KIND for rows in (cases, visits, reviews, answers, conditions, certificates)
    )
    states = StateMap.load()
    by_pk = {c.pk: c for c in cases}
    entries: list[Entry] = []
    for case in cases[:PER_KIND]:
        entries.extend(case_entries(case, case.pk in visible_ids, states))
    for visit in visits[:PER_KIND]:
        seen = by_pk.get(visit.case_id) if visit.case_id in visible_ids else None
        entries.append(visit_entry(visit, seen, photos.get(visit.pk, []) if seen else []))
    for review in reviews[:PER_KIND]:
        entries.append(review_entry(review, by_pk.get(review.case_id)))
    for answer in answers[:PER_KIND]:
        entries.append(answer_entry(answer, by_pk.get(answer.case_id)))
    for row in conditions[:PER_KIND]:
        entries.extend(condition_entries(row))
    for certificate in certificates[:PER_KIND]:
        entries.extend(certificate_entries(certificate))
    for source in _ENTRY_SOURCES.values():
        entries.extend(source(principal, parcel))
    entries.sort(key=lambda e: e.at, reverse=True)
    return ParcelFile(
        parcel=parcel,
        entries=entries,
        open_conditions=[c for c in conditions if c.resolved_at is None],
        certificates=[c for c in certificates[:PER_KIND] if c.revoked_at is None],
        cases_open=sum(1 for c in cases if c.is_open),
        cases_total=len(cases[:PER_KIND]),
        capped=capped,
    )


def case_entries(case: Case, visible: bool, states: StateMap) -> list[Entry]:
    shown = case if visible else None
    where = "" if visible else "پرونده دفتر یا منطقه دیگر"
    opened = Entry(
        case.opened_at,
        Kind.CASE,
        f"ثبت پرونده «{case.service_type.name}»",
        [d for d in (where, f"وضعیت: {states.label(case.definition_id, case.state)}") if d]
        if visible or case.is_open
        else [where],
        shown,
        badge="باز" if case.is_open else "",
    )
    if case.closed_at is None:
        return [opened]
    closed = Entry(
        case.closed_at,
        Kind.CLOSED,
        f"پایان پرونده «{case.service_type.name}»",
        [states.label(case.definition_id, case.state)] if visible else [where],
        shown,
    )
    return [opened, closed]


def visit_entry(visit: VisitReport, case: Case | None, photos: list[CaseAttachment]) -> Entry:
    checklist = report_checklist(visit)  # read with its own case's version
    details = summary(checklist, visit.answers)
    violations = violations_of(visit.answers, checklist)
    inspector = visit.inspector.get_full_name() or visit.inspector.get_username()
    return Entry(
        visit.visited_at,
        Kind.VISIT,
        f"بازدید {inspector}",
        details,
        case,
        warning=bool(violations),
        photos=photos,
    )


def review_entry(review: PlanReview, case: Case | None) -> Entry:
    details = [f"پهنه {review.zone}{' / ' + review.sub_zone if review.sub_zone else ''}"]
    if review.permitted_uses:
        details.append(f"کاربری‌های مجاز: {review.permitted_use_labels}")
    if review.widening_m:
        details.append(f"عقب‌نشینی (گذربندی): {review.widening_m} متر")
    if review.setback_m:
        details.append(f"پس‌رفت: {review.setback_m} متر")
    if review.restrictions:
        details.append(f"محدودیت‌ها: {review.restrictions}")
    return Entry(review.recorded_at, Kind.PLAN_REVIEW, "بررسی طرح تفصیلی", details, case)


def answer_entry(answer: InquiryResponse, case: Case | None) -> Entry:
    assert answer.issued_at is not None
    details = [f"نتیجه: {answer.get_result_display()}"]
    if answer.debt_total:
        details.append(f"بدهی در زمان صدور: {format_rials(answer.debt_total)}")
    return Entry(
        answer.issued_at,
        Kind.ANSWER,
        "صدور پاسخ استعلام",
        details,
        case,
        warning=answer.result != "no_objection",
    )


def condition_entries(row: ParcelCondition) -> list[Entry]:
    details = [row.description] if row.description else []
    if row.amount:
        details.append(f"مبلغ: {format_rials(row.amount)}")
    if row.widening_m:
        details.append(f"عقب‌نشینی: {row.widening_m} متر")
    recorded = Entry(
        day_start(row.recorded_on),
        Kind.CONDITION,
        f"{row.get_kind_display()}: {row.title}",
        details,
        badge="رفع شده" if row.resolved_at else "باز",
        warning=row.resolved_at is None,
    )
    if row.resolved_at is None:
        return [recorded]
    resolved = Entry(row.resolved_at, Kind.RESOLVED, f"رفع {row.get_kind_display()}: {row.title}")
    return [recorded, resolved]


def certificate_entries(row: ParcelCertificate) -> list[Entry]:
    details = [f"شماره {row.number}"]
    if row.built_area:
        details.append(f"زیربنا: {row.built_area} مترمربع")
    if row.floors:
        details.append(f"{row.floors} طبقه")
    issued = Entry(
        day_start(row.issued_on),
        Kind.CERTIFICATE,
        f"صدور {row.get_kind_display()}",
        details,
        badge="ابطال‌شده" if row.revoked_at else "",
    )
    if row.revoked_at is None:
        return [issued]
    return [issued, Entry(row.revoked_at, Kind.CERTIFICATE, f"ابطال {row.get_kind_display()}")]
