"""The inquiry's answer as data, and the plan review it rests on.

District staff draft the answer from what the case knows (``prefill``): the parcel's
debts at this moment (``parcel_debts``: its open debt conditions and whatever other apps
register with ``@debt_source``, the bills once billing exists), the plan facts of the
plan review, the findings of the visit, and the city's list of conditions. A draft is
edited until a second person approves it (``issue``); from then on it is frozen and its
content hash is kept. The definition says what an answer is valid for and how long
(``settings.response``), and which certificates may carry an instant answer
(``settings.instant_certificate``); docs/workflow.md has both.

Validation lives here, so the draft action, the instant answers and the approval read
the same rules.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone

from pishkhan.cases.checklists import findings, land_use_of, report_checklist, violations_of
from pishkhan.cases.effects import EffectContext, effect
from pishkhan.cases.errors import AnswerInvalid, WorkflowError
from pishkhan.cases.guards import GuardContext, guard
from pishkhan.cases.models import (
    Case,
    InquiryResponse,
    PlanReview,
    ResponseBasis,
    ResponseResult,
    VisitReport,
)
from pishkhan.catalog.models import ResponseCondition
from pishkhan.core.digits import to_persian_digits
from pishkhan.core.jalali import format_jalali_date
from pishkhan.core.money import format_rials
from pishkhan.geo.models import (
    CertificateKind,
    ConditionKind,
    LandUse,
    ParcelCertificate,
    ParcelCondition,
)

CONDITIONS_MAX = 20
CONDITION_MAX_LENGTH = 500
NOTES_MAX_LENGTH = 4000
ZONE_MAX_LENGTH = 20
RESTRICTIONS_MAX = 20
RESTRICTION_MAX_LENGTH = 300
METRES_MAX = Decimal("100")
DEFAULT_VALID_DAYS = 90
LAND_USE_LABELS: dict[str, str] = {str(value): str(label) for value, label in LandUse.choices}


# --- debts --------------------------------------------------------------------------


@dataclass(frozen=True)
class Debt:
    source: str  # "condition", later "bill"
    title: str
    amount: int  # rials

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "title": self.title, "amount": self.amount}


DebtSource = Callable[[int], list[Debt]]
_DEBT_SOURCES: dict[str, DebtSource] = {}


def debt_source(name: str) -> Callable[[DebtSource], DebtSource]:
    """Register where a parcel's debts come from (billing registers its unpaid bills)."""

    def register(function: DebtSource) -> DebtSource:
        if name in _DEBT_SOURCES and _DEBT_SOURCES[name] is not function:
            raise ValueError(f"debt source {name!r} is already registered")
        _DEBT_SOURCES[name] = function
        return function

    return register


@debt_source("condition")
def open_debt_conditions(parcel_id: int) -> list[Debt]:
    rows = ParcelCondition.objects.filter(
        parcel_id=parcel_id, kind=ConditionKind.DEBT, resolved_at__isnull=True
    ).order_by("recorded_on", "pk")
    return [Debt("condition", row.title, int(row.amount or 0)) for row in rows]


def parcel_debts(parcel_id: int | None) -> list[Debt]:
    """Every debt of the parcel at this moment, from every registered source."""
    if parcel_id is None:
        return []
    return [debt for source in _DEBT_SOURCES.values() for debt in source(parcel_id)]


# --- what the definition says -------------------------------------------------------


@dataclass(frozen=True)
class AnswerTerms:
    valid_for: str
    not_valid_for: str
    valid_days: int


def answer_terms(case: Case) -> AnswerTerms:
    raw = case.definition.settings.get("response") or {}
    return AnswerTerms(
        valid_for=str(raw.get("valid_for", "")),
        not_valid_for=str(raw.get("not_valid_for", "")),
        valid_days=int(raw.get("valid_days", DEFAULT_VALID_DAYS)),
    )


@dataclass(frozen=True)
class CertificateRule:
    kinds: tuple[str, ...]
    issued_after: dt.date | None
    declaration: str


DEFAULT_DECLARATION = (
    "مالک اقرار کرد که از تاریخ صدور این گواهی تا امروز هیچ تغییری در بنا، کاربری و "
    "مساحت ملک ایجاد نشده است و مسئولیت نادرستی این اقرار با اوست."
)


def certificate_rule(case: Case) -> CertificateRule:
    raw = case.definition.settings.get("instant_certificate") or {}
    after = raw.get("issued_after")
    return CertificateRule(
        kinds=tuple(raw.get("kinds") or (CertificateKind.COMPLETION, CertificateKind.NO_VIOLATION)),
        issued_after=dt.date.fromisoformat(after) if after else None,
        declaration=str(raw.get("declaration") or DEFAULT_DECLARATION),
    )


def qualifying_certificate(case: Case) -> ParcelCertificate | None:
    """The parcel's latest certificate the definition accepts for an instant answer."""
    if case.parcel_id is None:
        return None
    rule = certificate_rule(case)
    rows = ParcelCertificate.objects.filter(
        parcel_id=case.parcel_id, kind__in=rule.kinds, revoked_at__isnull=True
    )
    if rule.issued_after:
        rows = rows.filter(issued_on__gte=rule.issued_after)
    return rows.order_by("-issued_on", "-pk").first()


# --- the plan review ----------------------------------------------------------------


@dataclass(frozen=True)
class PlanFindings:
    zone: str
    sub_zone: str
    permitted_uses: list[str]
    widening_m: Decimal | None
    setback_m: Decimal | None
    restrictions: list[str]
    opinion: str


def metres(value: Any, what: str, errors: dict[str, str], key: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors[key] = f"{what} باید عدد باشد."
        return None
    if not number.is_finite() or number < 0 or number > METRES_MAX:
        errors[key] = f"{what} باید بین صفر و {to_persian_digits(100)} متر باشد."
        return None
    return number.quantize(Decimal("0.01"))


def clean_text(value: Any, max_length: int, what: str, errors: dict[str, str], key: str) -> str:
    text = str(value or "").strip()
    if "\x00" in text:
        errors[key] = f"{what} نویسه نامعتبر دارد."
    elif len(text) > max_length:
        errors[key] = f"{what} حداکثر {to_persian_digits(max_length)} نویسه است."
    return text


def clean_lines(
    values: Any, max_items: int, max_length: int, what: str, errors: dict[str, str], key: str
) -> list[str]:
    if not isinstance(values, list | tuple):
        errors[key] = f"{what} معتبر نیست."
        return []
    lines = [str(v).strip() for v in values if isinstance(v, str) and str(v).strip()]
    if len(lines) != len([v for v in values if not (isinstance(v, str) and not v.strip())]):
        errors[key] = f"هر سطر {what} باید متن باشد."
    elif len(lines) > max_items:
        errors[key] = f"حداکثر {to_persian_digits(max_items)} سطر {what} پذیرفته می‌شود."
    elif any("\x00" in line for line in lines):
        errors[key] = f"{what} نویسه نامعتبر دارد."
    elif any(len(line) > max_length for line in lines):
        errors[key] = f"هر سطر {what} حداکثر {to_persian_digits(max_length)} نویسه است."
    return lines


def clean_plan_findings(raw: dict[str, Any]) -> tuple[PlanFindings, dict[str, str]]:
    errors: dict[str, str] = {}
    zone = clean_text(raw.get("zone"), ZONE_MAX_LENGTH, "پهنه", errors, "zone")
    if not zone and "zone" not in errors:
        errors["zone"] = "پهنه طرح تفصیلی را بنویسید."
    uses = raw.get("permitted_uses") or []
    if not isinstance(uses, list | tuple) or any(u not in LandUse.values for u in uses):
        errors["permitted_uses"] = "کاربری‌های مجاز را از فهرست انتخاب کنید."
        uses = []
    elif not uses:
        errors["permitted_uses"] = "دست‌کم یک کاربری مجاز را انتخاب کنید."
    findings = PlanFindings(
        zone=zone,
        sub_zone=clean_text(raw.get("sub_zone"), ZONE_MAX_LENGTH, "زیرپهنه", errors, "sub_zone"),
        permitted_uses=sorted(set(uses)),
        widening_m=metres(raw.get("widening_m"), "عرض گذربندی", errors, "widening_m"),
        setback_m=metres(raw.get("setback_m"), "عقب‌نشینی", errors, "setback_m"),
        restrictions=clean_lines(
            raw.get("restrictions") or [],
            RESTRICTIONS_MAX,
            RESTRICTION_MAX_LENGTH,
            "محدودیت",
            errors,
            "restrictions",
        ),
        opinion=clean_text(raw.get("opinion"), NOTES_MAX_LENGTH, "نظر کارشناس", errors, "opinion"),
    )
    if not findings.opinion and "opinion" not in errors:
        errors["opinion"] = "نظر کارشناسی خود را بنویسید."
    return findings, errors


def plan_mismatches(
    review: PlanReview | PlanFindings | None,
    case: Case,
    visit: VisitReport | None,
    conditions: list[ParcelCondition],
) -> list[str]:
    """What the plan review says against the parcel's plan data and the visit report: a
    zone other than the parcel's, an observed use the zone does not permit, a widening
    the parcel's recorded restriction does not match."""
    if review is None:
        return []
    problems: list[str] = []
    parcel = case.parcel
    if parcel is not None and parcel.plan_zone and review.zone.upper() != parcel.plan_zone.upper():
        problems.append(
            f"پهنه ثبت‌شده در بررسی ({review.zone}) با پهنه ملک در طرح تفصیلی "
            f"({parcel.plan_zone}) یکی نیست."
        )
    seen_use = land_use_of(visit.answers) if visit is not None else ""
    if seen_use and seen_use not in review.permitted_uses:
        observed = LAND_USE_LABELS.get(seen_use, seen_use)
        problems.append(f"کاربری مشاهده‌شده در بازدید («{observed}») در این پهنه مجاز نیست.")
    if (
        parcel is not None
        and review.permitted_uses
        and parcel.land_use not in review.permitted_uses
    ):
        recorded = LAND_USE_LABELS.get(parcel.land_use, parcel.land_use)
        problems.append(f"کاربری ثبت‌شده ملک («{recorded}») در فهرست کاربری‌های مجاز نیست.")
    recorded_widening = [
        c.widening_m
        for c in conditions
        if c.kind == ConditionKind.PLAN_RESTRICTION and c.widening_m is not None
    ]
    if recorded_widening and review.widening_m is None:
        problems.append(
            "برای این ملک محدودیت گذربندی ثبت شده است ولی در بررسی عرض گذربندی نیامده است."
        )
    elif recorded_widening and review.widening_m not in recorded_widening:
        problems.append(
            f"عرض گذربندی بررسی ({to_persian_digits(f'{review.widening_m:g}')} متر) با "
            "محدودیت ثبت‌شده ملک یکی نیست."
        )
    return problems


# --- the answer ---------------------------------------------------------------------


@dataclass
class AnswerDraft:
    """What district staff post: the result, the conditions (codes of the city's list
    and lines of their own), the plan facts, the visit's findings and their notes."""

    result: str
    condition_codes: list[str] = field(default_factory=list)
    own_conditions: list[str] = field(default_factory=list)
    zone: str = ""
    permitted_uses: list[str] = field(default_factory=list)
    widening_m: Any = None
    setback_m: Any = None
    violations: list[str] = field(default_factory=list)
    notes: str = ""


def condition_choices(case: Case) -> list[ResponseCondition]:
    """The city's active conditions for this service (a condition naming no service is
    for every inquiry)."""
    rows = ResponseCondition.objects.filter(is_active=True).prefetch_related("services")
    return [
        c
        for c in rows
        if not c.services.all() or any(s.pk == case.service_type_id for s in c.services.all())
    ]


@dataclass(frozen=True)
class CleanAnswer:
    result: str
    conditions: list[dict[str, str]]
    plan: dict[str, Any]
    visit: dict[str, Any]
    notes: str


def clean_answer(
    case: Case, draft: AnswerDraft, debts: list[Debt], visit: VisitReport | None
) -> CleanAnswer:
    """The draft checked against the rules of an answer, or ``AnswerInvalid`` with one
    Persian sentence per field. `visit` is the visit the answer rests on."""
    errors: dict[str, str] = {}
    if draft.result not in ResponseResult.values:
        errors["result"] = "نتیجه پاسخ را انتخاب کنید."
    codes = draft.condition_codes if isinstance(draft.condition_codes, list) else None
    listed = {c.code: c.text for c in condition_choices(case)}
    if codes is None or len(codes) > CONDITIONS_MAX or any(c not in listed for c in codes):
        errors["condition_codes"] = "شرطی انتخاب شده که در فهرست شرط‌های این خدمت نیست."
        codes = []
    own = clean_lines(
        draft.own_conditions, CONDITIONS_MAX, CONDITION_MAX_LENGTH, "شرط", errors, "own_conditions"
    )
    conditions = [{"code": c, "text": listed[c]} for c in dict.fromkeys(codes)] + [
        {"code": "", "text": line} for line in own
    ]
    plan_errors: dict[str, str] = {}
    zone = clean_text(draft.zone, ZONE_MAX_LENGTH, "پهنه", plan_errors, "zone")
    uses = draft.permitted_uses if isinstance(draft.permitted_uses, list) else None
    if uses is None or any(u not in LandUse.values for u in uses):
        plan_errors["permitted_uses"] = "کاربری‌های مجاز را از فهرست انتخاب کنید."
        uses = []
    widening = metres(draft.widening_m, "عرض گذربندی", plan_errors, "widening_m")
    setback = metres(draft.setback_m, "عقب‌نشینی", plan_errors, "setback_m")
    errors.update(plan_errors)
    violations = clean_lines(
        draft.violations, CONDITIONS_MAX, RESTRICTION_MAX_LENGTH, "تخلف", errors, "violations"
    )
    notes = clean_text(draft.notes, NOTES_MAX_LENGTH, "توضیحات", errors, "notes")
    if not errors:
        result = draft.result
        if result == ResponseResult.CONDITIONAL and not conditions:
            errors["condition_codes"] = "پاسخ مشروط دست‌کم یک شرط می‌خواهد."
        if result == ResponseResult.NO_OBJECTION and conditions:
            errors["result"] = "پاسخی که شرط دارد «بلامانع مشروط» است، نه «بلامانع»."
        if result == ResponseResult.NO_OBJECTION and debts:
            errors["result"] = (
                "ملک بدهی پرداخت‌نشده دارد؛ پاسخ «بلامانع» ممکن نیست (مشروط به پرداخت بدهی)."
            )
        if result == ResponseResult.NO_OBJECTION and violations:
            errors["result"] = "در بازدید تخلف دیده شده است؛ پاسخ «بلامانع» ممکن نیست."
        if result == ResponseResult.OBJECTION and not notes:
            errors["notes"] = "برای پاسخ «دارای مانع» علت را در توضیحات بنویسید."
    if errors:
        raise AnswerInvalid(errors)
    return CleanAnswer(
        result=draft.result,
        conditions=conditions,
        plan={
            "zone": zone,
            "permitted_uses": sorted(set(uses)),
            "widening_m": str(widening) if widening is not None else "",
            "setback_m": str(setback) if setback is not None else "",
        },
        visit={**visit_snapshot(visit), "violations": violations},
        notes=notes,
    )


def latest_case_visit(case: Case) -> VisitReport | None:
    return (
        VisitReport.objects.filter(case_id=case.pk)
        .select_related("case__definition")
        .order_by("-visited_at", "-pk")
        .first()
    )


def latest_parcel_visit(case: Case) -> VisitReport | None:
    if case.parcel_id is None:
        return None
    return (
        VisitReport.objects.filter(parcel_id=case.parcel_id)
        .select_related("case__definition")
        .order_by("-visited_at", "-pk")
        .first()
    )


def latest_plan_review(case: Case) -> PlanReview | None:
    return PlanReview.objects.filter(case_id=case.pk).order_by("-recorded_at", "-pk").first()


def visit_snapshot(visit: VisitReport | None) -> dict[str, Any]:
    if visit is None:
        return {}
    checklist = report_checklist(visit)
    return {
        "visited_at": visit.visited_at.isoformat(),
        "checklist": visit.checklist,
        "findings": findings(checklist, visit.answers),
        "violations": violations_of(visit.answers, checklist),
        "case_id": visit.case_id,
    }


def prefill(case: Case) -> AnswerDraft:
    """A first draft from what the case knows: the plan review (or the parcel's plan
    data), the visit's findings and the parcel's debts and restrictions."""
    existing = InquiryResponse.objects.filter(case_id=case.pk).first()
    if existing is not None:
        return draft_of(existing)
    review = latest_plan_review(case)
    visit = latest_case_visit(case)
    debts = parcel_debts(case.parcel_id)
    parcel = case.parcel
    violations = violations_of(visit.answers, report_checklist(visit)) if visit else []
    codes = [c.code for c in condition_choices(case) if c.code == "pay_debts"] if debts else []
    result = (
        ResponseResult.CONDITIONAL
        if codes
        else ResponseResult.NO_OBJECTION
        if not violations
        else ResponseResult.OBJECTION
    )
    return AnswerDraft(
        result=result,
        condition_codes=codes,
        zone=review.zone if review else (parcel.plan_zone if parcel else ""),
        permitted_uses=list(review.permitted_uses) if review else [],
        widening_m=review.widening_m if review else None,
        setback_m=review.setback_m if review else None,
        violations=violations,
    )


def draft_of(response: InquiryResponse) -> AnswerDraft:
    plan = response.plan or {}
    return AnswerDraft(
        result=response.result,
        condition_codes=[c["code"] for c in response.conditions if c.get("code")],
        own_conditions=[c["text"] for c in response.conditions if not c.get("code")],
        zone=plan.get("zone", ""),
        permitted_uses=list(plan.get("permitted_uses", [])),
        widening_m=plan.get("widening_m") or None,
        setback_m=plan.get("setback_m") or None,
        violations=list((response.visit or {}).get("violations", [])),
        notes=response.notes,
    )


def write_draft(
    case: Case,
    answer: CleanAnswer,
    debts: list[Debt],
    *,
    basis: str,
    drafted_by: int,
    now: dt.datetime,
    certificate: dict[str, Any] | None = None,
    declaration: str = "",
) -> InquiryResponse:
    """Create or replace the case's draft (inside the caller's transaction)."""
    terms = answer_terms(case)
    values = {
        "result": answer.result,
        "basis": basis,
        "conditions": answer.conditions,
        "debts": [d.as_dict() for d in debts],
        "debt_total": sum(d.amount for d in debts),
        "plan": answer.plan,
        "visit": answer.visit,
        "certificate": certificate or {},
        "declaration": declaration,
        "notes": answer.notes,
        "valid_for": terms.valid_for,
        "not_valid_for": terms.not_valid_for,
        "valid_days": terms.valid_days,
        "drafted_by_id": drafted_by,
        "drafted_at": now,
    }
    response = InquiryResponse.objects.select_for_update().filter(case_id=case.pk).first()
    if response is None:
        return InquiryResponse.objects.create(case_id=case.pk, **values)
    if response.is_issued:
        raise WorkflowError("پاسخ این پرونده صادر شده است و تغییر نمی‌کند.")
    values["revision"] = response.revision + 1
    InquiryResponse.objects.filter(pk=response.pk).update(**values)
    response.refresh_from_db()
    return response


def content_of(response: InquiryResponse) -> dict[str, Any]:
    """What the answer says, in a stable form (hashed at issue, printed on the letter)."""
    return {
        "case": response.case_id,
        "result": response.result,
        "basis": response.basis,
        "conditions": response.conditions,
        "debts": response.debts,
        "debt_total": response.debt_total,
        "plan": response.plan,
        "visit": response.visit,
        "certificate": response.certificate,
        "declaration": response.declaration,
        "notes": response.notes,
        "valid_for": response.valid_for,
        "not_valid_for": response.not_valid_for,
        "valid_days": response.valid_days,
        "revision": response.revision,
    }


def content_hash(response: InquiryResponse) -> str:
    text = json.dumps(content_of(response), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def issue(case: Case, approver_id: int | None, now: dt.datetime) -> InquiryResponse:
    """Freeze the draft as the issued answer. The parcel's debts are read again: if they
    changed since the draft, the approver would sign something else, so it is refused."""
    response = InquiryResponse.objects.select_for_update().filter(case_id=case.pk).first()
    if response is None:
        raise WorkflowError("پیش‌نویس پاسخ این پرونده تهیه نشده است.")
    if response.is_issued:
        raise WorkflowError("پاسخ این پرونده پیش‌تر صادر شده است.")
    if [d.as_dict() for d in parcel_debts(case.parcel_id)] != response.debts:
        raise WorkflowError(
            "بدهی‌های ملک پس از تهیه پاسخ تغییر کرده است؛ پاسخ را برای اصلاح برگردانید."
        )
    today = timezone.localtime(now).date()
    response.issued_at = now
    response.issued_by_id = approver_id
    response.valid_until = today + dt.timedelta(days=response.valid_days)
    response.content_hash = content_hash(response)
    response.save(update_fields=["issued_at", "issued_by", "valid_until", "content_hash"])
    return response


# --- showing it ---------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerView:
    """An answer as people read it (the case page, the printable letter)."""

    response: InquiryResponse
    result_label: str
    basis_label: str
    conditions: list[str]
    debts: list[tuple[str, str]]
    debt_total: str
    zone: str
    permitted_uses: str
    widening: str
    setback: str
    violations: list[str]
    visited_on: str
    certificate: str
    findings: list[tuple[str, str]]
    valid_until: str


def answer_view(response: InquiryResponse) -> AnswerView:
    plan = response.plan or {}
    visit = response.visit or {}
    visited = visit.get("visited_at")
    certificate = response.certificate or {}

    def m(value: str) -> str:
        return f"{to_persian_digits(f'{Decimal(value):g}')} متر" if value else "—"

    return AnswerView(
        response=response,
        result_label=ResponseResult(response.result).label,
        basis_label=ResponseBasis(response.basis).label,
        conditions=[c["text"] for c in response.conditions],
        debts=[(d["title"], format_rials(d["amount"])) for d in response.debts],
        debt_total=format_rials(response.debt_total),
        zone=plan.get("zone", ""),
        permitted_uses="، ".join(LAND_USE_LABELS.get(u, u) for u in plan.get("permitted_uses", [])),
        widening=m(plan.get("widening_m", "")),
        setback=m(plan.get("setback_m", "")),
        violations=list(visit.get("violations", [])),
        visited_on=format_jalali_date(timezone.localtime(dt.datetime.fromisoformat(visited)).date())
        if visited
        else "",
        certificate=(
            f"{certificate.get('kind_label', '')} شماره {to_persian_digits(certificate['number'])}"
            f" مورخ {certificate.get('issued_on_label', '')}"
        )
        if certificate.get("number")
        else "",
        valid_until=format_jalali_date(response.valid_until) if response.valid_until else "",
        findings=[(str(label), str(text)) for label, text in visit.get("findings", [])],
    )


# --- the guards and effects of answering --------------------------------------------

# Facts the case page seeds (GuardContext.facts) so the guards read nothing again.
CASE_PLAN_REVIEWS = "case_plan_reviews"  # [recorded_at] of the case's plan reviews
RESPONSE_DRAFTED = "response_drafted"  # the case has an answer not yet issued
QUALIFYING_CERTIFICATE = "qualifying_certificate"  # ParcelCertificate | None


@guard("plan_review_recorded")
def plan_review_recorded(context: GuardContext) -> str | None:
    """A plan review recorded since the case reached its current state (a revisit sends
    it back for a fresh one)."""
    entered = context.case.state_entered_at
    recorded = PlanReview.objects.filter(case_id=context.case.pk, recorded_at__gte=entered).exists()
    return None if recorded else "ابتدا یافته‌های بررسی طرح تفصیلی را ثبت کنید."


@guard("response_drafted")
def response_drafted(context: GuardContext) -> str | None:
    drafted = context.fact(
        RESPONSE_DRAFTED,
        lambda: InquiryResponse.objects.filter(
            case_id=context.case.pk, issued_at__isnull=True
        ).exists(),
    )
    return None if drafted else "ابتدا پیش‌نویس پاسخ را ذخیره کنید."


@guard("qualifying_certificate")
def has_qualifying_certificate(context: GuardContext) -> str | None:
    if context.fact(QUALIFYING_CERTIFICATE, lambda: qualifying_certificate(context.case)) is None:
        rule = certificate_rule(context.case)
        kinds = " یا ".join(CertificateKind(k).label for k in rule.kinds)
        after = (
            f" صادرشده از {format_jalali_date(rule.issued_after)} به بعد"
            if rule.issued_after
            else ""
        )
        return f"برای این ملک {kinds}{after} ثبت نشده است."
    return None


def actor_of(context: EffectContext) -> int:
    if context.actor_id is None:
        raise WorkflowError("پاسخ استعلام را یک نفر از کارکنان تهیه می‌کند، نه سامانه.")
    return context.actor_id


def instant_draft(context: EffectContext, basis: str, visit: VisitReport | None) -> CleanAnswer:
    case = context.case
    debts = parcel_debts(case.parcel_id)
    draft = prefill(case)
    draft.violations = violations_of(visit.answers, report_checklist(visit)) if visit else []
    if debts and not draft.condition_codes:
        raise WorkflowError("ملک بدهی دارد و پاسخ فوری ممکن نیست؛ پرونده را به بازدید بفرستید.")
    try:
        return clean_answer(case, draft, debts, visit)
    except AnswerInvalid as error:
        raise WorkflowError(f"پاسخ فوری ممکن نیست: {error.message}") from error


@effect("draft_instant_response")
def draft_instant_response(context: EffectContext) -> None:
    """The instant answer on the parcel's recent valid visit, drafted for approval."""
    visit = latest_parcel_visit(context.case)
    answer = instant_draft(context, ResponseBasis.RECENT_VISIT, visit)
    write_draft(
        context.case,
        answer,
        parcel_debts(context.case.parcel_id),
        basis=ResponseBasis.RECENT_VISIT,
        drafted_by=actor_of(context),
        now=context.now,
    )


OWNER_DECLARATION = "owner_declaration"


@effect("draft_response_on_certificate")
def draft_response_on_certificate(context: EffectContext) -> None:
    """The instant answer on the parcel's last qualifying certificate: only with the
    owner's declaration that nothing changed since, which the answer prints."""
    if context.payload.get(OWNER_DECLARATION) is not True:
        raise WorkflowError("پاسخ بر پایه گواهی فقط با اقرار مالک به تغییر نکردن ملک ممکن است.")
    certificate = qualifying_certificate(context.case)
    if certificate is None:
        raise WorkflowError("گواهی معتبری برای این ملک پیدا نشد.")
    answer = instant_draft(context, ResponseBasis.CERTIFICATE, None)
    write_draft(
        context.case,
        answer,
        parcel_debts(context.case.parcel_id),
        basis=ResponseBasis.CERTIFICATE,
        drafted_by=actor_of(context),
        now=context.now,
        certificate={
            "kind": certificate.kind,
            "kind_label": certificate.get_kind_display(),
            "number": certificate.number,
            "issued_on": certificate.issued_on.isoformat(),
            "issued_on_label": format_jalali_date(certificate.issued_on),
        },
        declaration=certificate_rule(context.case).declaration,
    )


@effect("issue_response")
def issue_response(context: EffectContext) -> None:
    issue(context.case, context.actor_id, context.now)
