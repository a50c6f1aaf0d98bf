"""The demo city's cases (pishkhan.cases): the workflow definitions and official holidays,
as `load_workflows` loads them, and demo cases, inquiries and permit extensions at every
step of their workflows.

Every case is built only through the real actions (do_open_case, do_claim_case,
do_record_visit_report, do_perform_action) by the demo staff who hold the acting role, so
events, versions, SLA clocks and maker-checker stamps are the engine's own. Each case's
history is backdated over the last weeks by setting the clock the engine reads
(:func:`pishkhan.core.clock.frozen`) while the case is walked; nothing writes case rows
directly.

Deterministic: the plan (which office, service, parcel, applicant, target step, pace)
comes from one seeded random stream and the demo rows as stored; the timestamps are
relative to the moment of loading, so that some open cases are fresh, some near their SLA
and some overdue whenever the demo is loaded.

Idempotent, by this rule: the demo cases are loaded once. If any case exists whose
applicant is a demo citizen and that a demo staff member opened, the demo cases count as
loaded and nothing is added (tracking codes come from a sequence, so a case has no natural
key to look up one by one). A later run with a larger ``--cases`` adds nothing either.

Office 1101 (district 1) gets about a third of the cases, cycling through every step, so
tm-1101, inspector-1101, planner-1101, followup-1101 and the district staff of districts 1
and 3 (where its parcels lie) all see full cartables.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone

from pishkhan.accounts.access import load_principal
from pishkhan.accounts.models import Citizen, User
from pishkhan.cases.actions import (
    do_claim_case,
    do_open_case,
    do_perform_action,
    do_record_plan_review,
    do_record_visit_report,
    do_save_response_draft,
    state_checklist,
)
from pishkhan.cases.calendar import calendar_for
from pishkhan.cases.holidays import load_holidays
from pishkhan.cases.models import Case, Channel, ResponseResult, WorkflowDefinition
from pishkhan.cases.responses import AnswerDraft, prefill
from pishkhan.cases.workflow import load_all_definitions
from pishkhan.catalog.models import ServiceType
from pishkhan.core import clock
from pishkhan.core.calendar import WorkingCalendar
from pishkhan.core.jalali import jalali_year
from pishkhan.demo.permits import paper_parent
from pishkhan.demo.visits import demo_answers
from pishkhan.geo.models import ConditionKind, LandUse, Parcel, ParcelCondition
from pishkhan.offices.models import Office, OfficeStatus, RoleAssignment
from pishkhan.offices.roles import Role

DEFAULT_CASES = 240
HOME_OFFICE = "1101"
HOME_SHARE = 0.35  # of the cases, at office 1101
HOME_DISTRICTS = (1, 1, 1, 3)  # where office 1101's parcels lie (1101 itself is in district 1)
CITIZEN_EVERY = 6  # every sixth case of office 1101 is the `citizen` account's own request

INQUIRY_DOCUMENTS = ["inquiry_letter", "ownership_document", "owner_id_card",
                     "renewal_dues_receipt"]  # fmt: skip
PERMIT_DOCUMENTS = ["permit_original", "owner_id_card", "renewal_dues_receipt"]
# The letters' senders (the inquiries' declared fields, cases/definitions/inquiry_*.json).
NOTARY_OFFICES = (12, 27, 45, 63, 88, 104, 151, 210)
BANK_BRANCHES = (
    ("melli", "شعبه چهارباغ (کد ۳۱۲۰)"),
    ("mellat", "شعبه میدان انقلاب (کد ۸۲۵)"),
    ("maskan", "شعبه هشت بهشت (کد ۴۴۱۰)"),
    ("tejarat", "شعبه سعادت‌آباد (کد ۲۰۳۷)"),
    ("saderat", "شعبه نظر (کد ۱۵۵۲)"),
    ("sepah", "شعبه آمادگاه (کد ۶۱۸)"),
)
# Demo cases pick parcels at random, so one parcel may get two open inquiries.
DUPLICATE_REASON = "درخواست دوم مالک دیگر همین ملک (داده نمایشی)"

# Target steps. Inquiry targets name the state the case ends in (or its path); permit
# targets start with "permit:".
INQUIRY_TARGETS = (
    "registered",
    "awaiting_documents",
    "awaiting_visit",
    "awaiting_visit:claimed",
    "plan_review",
    "district_review",
    "response_prepared",
    "response_issued",
    "rejected",
    "cancelled",
    "instant:prepared",
    "instant:issued",
)
PERMIT_TARGETS = (
    "permit:registered",
    "permit:document_check",
    "permit:awaiting_applicant",
    "permit:awaiting_visit",
    "permit:district_review",
    "permit:extended",
    "permit:rejected",
    "permit:withdrawn",
)
# Office 1101 cycles through these, so even a small load has every step there.
HOME_CYCLE = (*INQUIRY_TARGETS, "permit:document_check", "response_issued", "registered",
              "awaiting_visit",
              "permit:awaiting_visit", "plan_review", "district_review", "permit:extended",
              "response_prepared", "awaiting_visit:claimed")  # fmt: skip
TARGET_WEIGHTS: dict[str, int] = {
    "registered": 7,
    "awaiting_documents": 4,
    "awaiting_visit": 8,
    "awaiting_visit:claimed": 8,
    "plan_review": 8,
    "district_review": 8,
    "response_prepared": 6,
    "response_issued": 20,
    "rejected": 4,
    "cancelled": 4,
    "instant:prepared": 3,
    "instant:issued": 4,
    "permit:registered": 1,
    "permit:document_check": 2,
    "permit:awaiting_applicant": 1,
    "permit:awaiting_visit": 2,
    "permit:district_review": 2,
    "permit:extended": 4,
    "permit:rejected": 1,
    "permit:withdrawn": 1,
}
# Targets whose path needs two different district staff (a maker and a checker).
NEEDS_PAIR = frozenset({"response_prepared", "response_issued"})
FINAL_STATE: dict[str, str] = {
    "awaiting_visit:claimed": "awaiting_visit",
    "instant:prepared": "response_prepared",
    "instant:issued": "response_issued",
}

REASONS: dict[str, tuple[str, ...]] = {
    "request_documents": (
        "تصویر سند مالکیت خوانا نیست.",
        "فیش عوارض نوسازی سال جاری ارائه نشده است.",
        "نامه استعلام مهر دفترخانه ندارد.",
    ),
    "request_revisit": (
        "عکس نمای پشتی ملک در گزارش نیست.",
        "مساحت اعیان با نقشه تفکیکی نمی‌خواند؛ بازدید دوباره لازم است.",
    ),
    "reject": (
        "ملک در طرح تعریض معبر قرار دارد.",
        "تخلف ساختمانی رسیدگی‌نشده در کمیسیون ماده ۱۰۰ دارد.",
        "کاربری موجود با طرح تفصیلی مغایر است.",
    ),
    "cancel": ("معامله منتفی شد.", "متقاضی درخواست کتبی انصراف داد."),
    "request_more_documents": ("گزارش پیشرفت کار مهندس ناظر ارائه نشده است.",),
    "withdraw": ("متقاضی از تمدید پروانه منصرف شد.",),
}
FINDINGS = ("مطابق طرح تفصیلی", "در پهنه مسکونی؛ مغایرتی دیده نشد", "مطابق ضوابط بافت")


# --- the workflows --------------------------------------------------------------------


def load_workflows(tally: Counter[str]) -> None:
    """The workflow definitions and official holidays, as `manage.py load_workflows` loads
    them: an unchanged definition file is a no-op."""
    tally["workflow definitions"] += sum(result.created for _, result in load_all_definitions())
    tally["holidays"] += load_holidays()


# --- the plan -------------------------------------------------------------------------


@dataclass
class Step:
    """One call into the actions: `kind` is open, act, claim or visit; `actor` a key of
    the case's cast (tm, inspector, planner, maker, checker, applicant)."""

    kind: str
    actor: str
    code: str = ""
    reason: str = ""
    payload: dict[str, Any] = field(default_factory=dict)
    gap: float = 0.0  # working hours since the previous step
    violations: list[str] = field(default_factory=list)


@dataclass
class CasePlan:
    target: str
    service: str
    office: str
    parcel_id: int
    applicant_id: int
    maker: int  # index of the district staff who prepares; the other approves
    steps: list[Step]
    age: float  # working hours from the last step to the moment of loading


@dataclass
class Cast:
    """Who acts for the cases of one office and district."""

    tm: dict[str, User]
    inspector: dict[str, User]
    planner: dict[str, User]
    district: dict[int, list[User]]


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class Planner:
    """Draws the demo cases from one seeded stream and the stored demo rows."""

    def __init__(
        self,
        rng: random.Random,
        offices: Sequence[Office],
        parcels: dict[int, list[int]],
        citizens: Sequence[Citizen],
        district_staff: dict[int, list[User]],
        citizen_account: int | None,
    ) -> None:
        self.rng = rng
        self.offices = list(offices)
        self.parcels = parcels
        self.citizens = list(citizens)
        self.with_account = [c.pk for c in citizens if c.user_id is not None]
        self.pairs = sorted(n for n, staff in district_staff.items() if len(staff) >= 2)
        self.citizen_account = citizen_account

    def plan(self, count: int) -> list[CasePlan]:
        home = [o for o in self.offices if o.code == HOME_OFFICE]
        others = [o for o in self.offices if o.code != HOME_OFFICE] or home
        if not others:
            return []
        home_count = round(count * HOME_SHARE) if home else 0
        plans = []
        for k in range(count):
            if k < home_count:
                office, target = home[0], HOME_CYCLE[k % len(HOME_CYCLE)]
            else:
                office = self.rng.choices(others, weights=[o.capacity for o in others])[0]
                target = _weighted(self.rng, TARGET_WEIGHTS)
            plan = self._case(office, target, citizen=k < home_count and k % CITIZEN_EVERY == 5)
            if plan is not None:
                plans.append(plan)
        return plans

    def _parcel(self, office: Office, target: str) -> int | None:
        if office.code == HOME_OFFICE:
            number = self.rng.choice(HOME_DISTRICTS)
        else:
            number = office.district.number
        if target in NEEDS_PAIR and number not in self.pairs and self.pairs:
            number = self.rng.choice(self.pairs)  # a citizen may bring it to any office
        choices = self.parcels.get(number) or [
            p for n in (self.pairs or sorted(self.parcels)) for p in self.parcels.get(n, [])
        ]
        return self.rng.choice(choices) if choices else None

    def _applicant(self, target: str, citizen: bool) -> int:
        if citizen and self.citizen_account is not None:
            return self.citizen_account
        own = target in ("cancelled", "permit:withdrawn") and self.with_account
        if own and self.rng.random() < 0.5:
            return self.rng.choice(self.with_account)
        return self.rng.choice(self.citizens).pk

    def _case(self, office: Office, target: str, citizen: bool) -> CasePlan | None:
        parcel = self._parcel(office, target)
        if parcel is None:
            return None
        permit = target.startswith("permit:")
        service = "permit_extension" if permit else self._inquiry_service()
        steps = self._permit_steps(target) if permit else self._inquiry_steps(target)
        return CasePlan(
            target=target,
            service=service,
            office=office.code,
            parcel_id=parcel,
            applicant_id=self._applicant(target, citizen),
            maker=self.rng.randrange(2),
            steps=steps,
            age=self._age(target, steps),
        )

    def _inquiry_service(self) -> str:
        return "inquiry_notary" if self.rng.random() < 0.6 else "inquiry_bank"

    # -- pace

    def _wait(self, sla: float, late: float = 0.1) -> float:
        """Working hours spent in a state with this SLA: mostly in time, sometimes late."""
        if self.rng.random() < late:
            return sla * self.rng.uniform(1.05, 1.6)
        return max(0.25, sla * self.rng.uniform(0.1, 0.85))

    def _age(self, target: str, steps: Sequence[Step]) -> float:
        """How long ago the last step was: a closed case within the last five weeks; an
        open one fresh, nearing its SLA or overdue."""
        if target in ("response_issued", "rejected", "cancelled", "instant:issued") or (
            target in ("permit:extended", "permit:rejected", "permit:withdrawn")
        ):
            return self.rng.uniform(2, 160)
        sla = {
            "registered": 7.0,
            "district_review": 14.0,
            "plan_review": 14.0,
            "response_prepared": 7.0,
            "awaiting_visit": 21.0,
            "document_check": 14.0,
        }.get(FINAL_STATE.get(target, target).removeprefix("permit:"), 0.0)
        if not sla:  # waiting on the applicant: the clock is paused
            return self.rng.uniform(2, 40)
        if steps[-1].kind in ("claim", "visit"):
            sla *= 0.5  # part of the state's time went before the claim
        roll = self.rng.random()
        if roll < 0.5:
            return sla * self.rng.uniform(0.05, 0.6)
        if roll < 0.75:
            return sla * self.rng.uniform(0.7, 0.98)
        return sla * self.rng.uniform(1.1, 2.5)

    # -- paths

    def _reason(self, code: str) -> str:
        return self.rng.choice(REASONS[code])

    def _visit(self, steps: list[Step], claim: bool = True) -> None:
        if claim:
            steps.append(Step("claim", "inspector", gap=self.rng.uniform(0.2, 4)))
        steps.append(Step("visit", "inspector", gap=self.rng.uniform(1, 10)))
        steps.append(Step("act", "inspector", "submit_visit_report", gap=self.rng.uniform(0.3, 4)))

    def _inquiry_steps(self, target: str) -> list[Step]:
        rng = self.rng
        steps = [Step("open", "tm")]
        if target.startswith("instant:"):
            steps.append(Step("act", "tm", "instant_response", gap=self._wait(7, 0.05)))
            if target == "instant:issued":
                steps.append(Step("act", "checker", "approve_response", gap=self._wait(7)))
            return steps
        if target == "awaiting_documents" or (target != "registered" and rng.random() < 0.1):
            reason = self._reason("request_documents")
            steps.append(Step("act", "tm", "request_documents", reason, gap=self._wait(7, 0)))
            if target == "awaiting_documents":
                return steps
            steps.append(Step("act", "tm", "supply_documents", gap=rng.uniform(4, 30)))
        if target == "registered":
            return steps
        if target == "cancelled":
            if rng.random() < 0.5:
                steps.append(Step("act", "tm", "refer_to_inspector", gap=self._wait(7)))
            actor = "applicant" if rng.random() < 0.5 else "tm"
            steps.append(Step("act", actor, "cancel", self._reason("cancel"), gap=self._wait(14)))
            return steps
        steps.append(Step("act", "tm", "refer_to_inspector", gap=self._wait(7)))
        if target == "awaiting_visit":
            return steps
        if target == "awaiting_visit:claimed":
            steps.append(Step("claim", "inspector", gap=rng.uniform(0.2, 6)))
            return steps
        self._visit(steps, claim=rng.random() < 0.8)
        if rng.random() < 0.12:
            reason = self._reason("request_revisit")
            steps.append(Step("act", "planner", "request_revisit", reason, gap=self._wait(14, 0)))
            self._visit(steps)
        if target == "plan_review":
            if rng.random() < 0.4:
                steps.append(Step("claim", "planner", gap=rng.uniform(0.2, 3)))
            return steps
        if rng.random() < 0.4:
            steps.append(Step("claim", "planner", gap=rng.uniform(0.2, 3)))
        findings = {"findings": rng.choice(FINDINGS)}
        steps.append(Step("plan_review", "planner", gap=self._wait(14) * 0.8))
        steps.append(
            Step(
                "act", "planner", "complete_plan_review", payload=findings, gap=rng.uniform(0.1, 1)
            )
        )
        if target == "district_review":
            if rng.random() < 0.4:
                steps.append(Step("claim", "maker", gap=rng.uniform(0.2, 3)))
            return steps
        if target == "rejected" and rng.random() < 0.6:
            self._rejection(steps)
            return steps
        steps.append(Step("draft", "maker", gap=self._wait(14) * 0.8))
        steps.append(Step("act", "maker", "prepare_response", gap=rng.uniform(0.1, 1)))
        if target == "rejected":  # the checker turns the answer into a rejection
            reason = self._reason("reject")
            steps.append(Step("act", "checker", "prepare_rejection", reason, gap=self._wait(7)))
            steps.append(Step("act", "maker", "confirm_rejection", reason, gap=self._wait(7)))
        elif target == "response_issued":
            steps.append(Step("act", "checker", "approve_response", gap=self._wait(7)))
        return steps

    def _permit_steps(self, target: str) -> list[Step]:
        rng = self.rng
        state = target.removeprefix("permit:")
        steps = [Step("open", "tm")]
        if state == "registered":
            return steps
        if state == "withdrawn" and rng.random() < 0.5:
            steps.append(Step("act", "tm", "withdraw", self._reason("withdraw"), gap=self._wait(7)))
            return steps
        steps.append(Step("act", "tm", "send_for_document_check", gap=self._wait(7)))
        if state == "document_check":
            return steps
        if state in ("awaiting_applicant", "withdrawn") or rng.random() < 0.15:
            reason = self._reason("request_more_documents")
            steps.append(Step("act", "maker", "request_more_documents", reason, gap=self._wait(14)))
            if state == "awaiting_applicant":
                return steps
            if state == "withdrawn":
                reason = self._reason("withdraw")
                steps.append(Step("act", "tm", "withdraw", reason, gap=rng.uniform(4, 30)))
                return steps
            steps.append(Step("act", "tm", "supply_more_documents", gap=rng.uniform(4, 30)))
        if state == "rejected" and rng.random() < 0.5:
            self._rejection(steps)
            return steps
        progress = {"documents_checked": ["progress_report"]}
        steps.append(
            Step("act", "maker", "confirm_documents", payload=progress, gap=self._wait(14))
        )
        if state == "awaiting_visit":
            return steps
        self._visit(steps, claim=rng.random() < 0.8)
        if state == "district_review":
            return steps
        if state == "rejected":
            self._rejection(steps)
        else:
            steps.append(Step("act", "maker", "prepare_extension", gap=self._wait(14)))
            steps.append(Step("act", "checker", "approve_extension", gap=self._wait(7)))
        return steps

    def _rejection(self, steps: list[Step]) -> None:
        """Every final decision takes two people: one prepares the rejection, another
        confirms it."""
        reason = self._reason("reject")
        steps.append(Step("act", "maker", "prepare_rejection", reason, gap=self._wait(14)))
        steps.append(Step("act", "checker", "confirm_rejection", reason, gap=self._wait(7)))


# --- walking the plan -----------------------------------------------------------------


@dataclass
class Walker:
    """Runs each plan through the actions with the clock set to its moments."""

    calendar: WorkingCalendar
    now: dt.datetime
    cast: Cast
    offices: dict[str, Office]
    services: dict[str, ServiceType]
    parcels: dict[int, Parcel]
    citizens: dict[int, Citizen]
    flagged: set[int]  # parcels with an unresolved condition
    violations: dict[int, list[str]]  # violation titles by parcel
    # The latest visit of each parcel: when, and whether it saw no violation.
    visits: dict[int, tuple[dt.datetime, bool]] = field(default_factory=dict)
    rng: random.Random = field(default_factory=random.Random)
    letters: random.Random = field(default_factory=random.Random)  # its own stream
    tally: Counter[str] = field(default_factory=Counter)

    def moments(self, plan: CasePlan) -> list[dt.datetime]:
        times = [self.calendar.subtract(self.now, dt.timedelta(hours=plan.age))]
        for step in reversed(plan.steps[1:]):
            times.append(self.calendar.subtract(times[-1], dt.timedelta(hours=step.gap)))
        return [t.replace(second=0, microsecond=0) for t in reversed(times)]

    def actor(self, plan: CasePlan, key: str, case: Case) -> User:
        office = plan.office
        if key == "tm":
            return self.cast.tm[office]
        if key == "inspector":
            return self.cast.inspector[office]
        if key == "planner":
            return self.cast.planner[office]
        if key == "applicant":
            user = self.citizens[plan.applicant_id].user
            return user if user is not None else self.cast.tm[office]
        staff = self.cast.district[self.parcels[plan.parcel_id].district.number]
        if key == "maker" or len(staff) == 1:
            return staff[plan.maker % len(staff)]
        if case.prepared_by_id is not None:  # the checker is whoever did not prepare it
            return next(u for u in staff if u.pk != case.prepared_by_id)
        return staff[(plan.maker + 1) % len(staff)]

    def instant_parcel(self, plan: CasePlan, opened: dt.datetime) -> int | None:
        """A parcel of the case's district (or any) whose latest visit, before `opened`,
        saw no violation, and that has no unresolved condition: what the guards ask."""
        number = self.parcels[plan.parcel_id].district.number
        fit = [
            p
            for p, (seen_at, clean) in self.visits.items()
            if clean and p not in self.flagged and seen_at < opened - dt.timedelta(hours=1)
        ]
        same = [p for p in fit if self.parcels[p].district.number == number]
        choices = sorted(same or fit)
        return self.rng.choice(choices) if choices else None

    def walk(self, plan: CasePlan) -> None:
        moments = self.moments(plan)
        if plan.target.startswith("instant:"):
            parcel = self.instant_parcel(plan, moments[0])
            if parcel is None:  # nothing visited yet: the case waits for its referral
                plan.steps, moments = plan.steps[:1], moments[:1]
            else:
                plan.parcel_id = parcel
        with clock.frozen(moments[0]) as frozen:
            case = self.open(plan)
            for step, moment in zip(plan.steps[1:], moments[1:], strict=True):
                frozen.now = moment
                case = self.step(plan, case, step, moment)
        self.tally["demo cases"] += 1
        self.tally["case events"] += case.version

    def open(self, plan: CasePlan) -> Case:
        permit = plan.service == "permit_extension"
        return do_open_case(
            self.cast.tm[plan.office],
            self.services[plan.service],
            self.citizens[plan.applicant_id],
            self.parcels[plan.parcel_id],
            self.offices[plan.office],
            Channel.IN_PERSON,
            PERMIT_DOCUMENTS if permit else INQUIRY_DOCUMENTS,
            data=self.permit_parent(plan) if permit else self.letter(plan.service),
            duplicate_reason=DUPLICATE_REASON,
        )

    def permit_parent(self, plan: CasePlan) -> dict[str, Any]:
        """An extension names the permit it extends: one the district registers from
        paper for the purpose (pishkhan.demo.permits)."""
        parcel = self.parcels[plan.parcel_id]
        registrar = self.cast.district[parcel.district.number][0]
        day = timezone.localtime(clock.now()).date()
        return {"parent_permit": paper_parent(parcel, registrar, day).number}

    def letter(self, service: str) -> dict[str, Any]:
        """The notary's or bank's letter the applicant brought (the declared fields of
        the inquiry definitions), dated a few days before the case opens."""
        day = timezone.localtime(clock.now()).date() - dt.timedelta(days=self.letters.randint(0, 6))
        number = f"{jalali_year(day)}/{self.letters.randint(100, 9999)}"
        if service == "inquiry_notary":
            office = self.letters.choice(NOTARY_OFFICES)
            return {"notary_office_number": office, "letter_number": number,
                    "letter_date": day.isoformat()}  # fmt: skip
        if service == "inquiry_bank":
            bank, branch = self.letters.choice(BANK_BRANCHES)
            return {"bank": bank, "branch": branch, "letter_number": number,
                    "letter_date": day.isoformat()}  # fmt: skip
        return {}

    def step(self, plan: CasePlan, case: Case, step: Step, moment: dt.datetime) -> Case:
        user = self.actor(plan, step.actor, case)
        if step.kind == "claim":
            if case.assignee_id == user.pk:
                return case  # a send-back already gave it back to them
            return do_claim_case(user, case.pk, case.version)
        if step.kind == "visit":
            self.record_visit(plan, case, user, moment)
            case.refresh_from_db()
            return case
        if step.kind == "plan_review":
            self.record_plan_review(plan, case, user)
            case.refresh_from_db()
            return case
        if step.kind == "draft":
            do_save_response_draft(user, case.pk, case.version, demo_answer(case))
            case.refresh_from_db()
            return case
        return do_perform_action(
            user, case.pk, step.code, case.version, reason=step.reason, payload=step.payload
        )

    def record_plan_review(self, plan: CasePlan, case: Case, user: User) -> None:
        """The planner reads the parcel's plan: its zone, its use (mixed zones allow
        homes and shops), the widening its restriction records."""
        parcel = self.parcels[plan.parcel_id]
        widening = (
            ParcelCondition.objects.filter(
                parcel_id=parcel.pk, kind=ConditionKind.PLAN_RESTRICTION, resolved_at=None
            )
            .exclude(widening_m=None)
            .values_list("widening_m", flat=True)
            .first()
        )
        uses = {parcel.land_use}
        if parcel.land_use in (LandUse.MIXED, LandUse.COMMERCIAL):
            uses |= {LandUse.RESIDENTIAL, LandUse.COMMERCIAL}
        do_record_plan_review(
            user,
            case.pk,
            case.version,
            {
                "zone": parcel.plan_zone,
                "permitted_uses": sorted(uses),
                "widening_m": widening,
                "opinion": self.rng.choice(FINDINGS),
            },
        )

    def record_visit(self, plan: CasePlan, case: Case, user: User, moment: dt.datetime) -> None:
        parcel = self.parcels[plan.parcel_id]
        seen = list(self.violations.get(parcel.pk, []))
        if not seen and parcel.land_use != LandUse.VACANT and self.rng.random() < 0.06:
            seen = ["اضافه بنای خارج از پروانه"]
        land = parcel.land_area or Decimal(1)
        built = parcel.building_area or Decimal(0)
        floors = 0 if not built else max(1, min(12, round(float(built / land) / 0.6)))
        visited_at = moment - dt.timedelta(minutes=self.rng.randint(20, 120))
        known = {
            "observed_land_use": parcel.land_use,
            "built_area": str(built),
            "floors": floors,
            "floors_built": floors,
            "works_progress": self.rng.randint(30, 95),
            "notes": "بازدید میدانی انجام شد." if not seen else "تخلف در گزارش آمده است.",
        }
        checklist = state_checklist(case)
        answers, photos = demo_answers(checklist, known, seen, parcel.pk)
        do_record_visit_report(
            user, case.pk, case.version, visited_at=visited_at, answers=answers, photos=photos
        )
        latest = self.visits.get(parcel.pk)
        if latest is None or latest[0] < visited_at:
            self.visits[parcel.pk] = (visited_at, not seen)


def demo_answer(case: Case) -> AnswerDraft:
    """What the district staff write: the draft the case prefills, with the reason an
    objection needs and a condition for a parcel that owes or must give way."""
    draft = prefill(case)
    if draft.result == ResponseResult.OBJECTION:
        draft.notes = (
            "تخلف ساختمانی مشاهده‌شده پیش از هر انتقال باید در کمیسیون ماده ۱۰۰ تعیین تکلیف شود."
        )
    if draft.widening_m and draft.result == ResponseResult.NO_OBJECTION:
        draft.result = ResponseResult.CONDITIONAL
        draft.own_conditions = ["رعایت گذربندی طرح تفصیلی در هر نوسازی الزامی است."]
    if draft.result == ResponseResult.CONDITIONAL and not (
        draft.condition_codes or draft.own_conditions
    ):
        draft.own_conditions = ["پرداخت بدهی‌های ملک پیش از انتقال الزامی است."]
    return draft


# --- the data the plan reads ----------------------------------------------------------


def demo_cases_exist() -> bool:
    """The idempotency marker: a case of a demo citizen opened by a demo staff member."""
    return Case.objects.filter(
        applicant__is_demo=True, opened_by__staff_profile__is_demo=True
    ).exists()


def _cast(offices: Sequence[Office]) -> Cast:
    by_role: dict[str, dict[str, User]] = defaultdict(dict)
    district: dict[int, list[User]] = defaultdict(list)
    rows = (
        RoleAssignment.objects.filter(
            staff__is_demo=True,
            role__in=[
                Role.TECHNICAL_MANAGER,
                Role.INSPECTOR,
                Role.PLAN_REVIEWER,
                Role.DISTRICT_STAFF,
            ],
            starts_on__lte=timezone.localdate(),
        )
        .exclude(ends_on__lt=timezone.localdate())
        .select_related("staff__user", "office", "district")
        .order_by("staff__user__username")
    )
    codes = {o.code for o in offices}
    for row in rows:
        user = row.staff.user
        if row.role == Role.DISTRICT_STAFF and row.district is not None:
            district[row.district.number].append(user)
        elif row.office is not None and row.office.code in codes:
            # The office's own person (username ends with its code) before a neighbour's.
            own = user.username.endswith(row.office.code)
            if own or row.office.code not in by_role[row.role]:
                by_role[row.role][row.office.code] = user
    return Cast(
        tm=by_role[Role.TECHNICAL_MANAGER],
        inspector=by_role[Role.INSPECTOR],
        planner=by_role[Role.PLAN_REVIEWER],
        district=dict(district),
    )


def _staffed(offices: Sequence[Office], cast: Cast) -> list[Office]:
    return [
        o
        for o in offices
        if o.code in cast.tm and o.code in cast.inspector and o.code in cast.planner
    ]


def load_demo_cases(count: int = DEFAULT_CASES, seed: int = 1405) -> Counter[str]:
    """Create the demo cases unless they exist (see the module docstring); the tally."""
    tally: Counter[str] = Counter()
    if count <= 0 or demo_cases_exist():
        return tally
    services = {
        s.code: s
        for s in ServiceType.objects.filter(
            code__in=["inquiry_notary", "inquiry_bank", "permit_extension"],
            workflow_definitions__in=WorkflowDefinition.objects.filter(is_active=True),
        )
    }
    offices = list(
        Office.objects.filter(is_demo=True, status=OfficeStatus.ACTIVE)
        .select_related("district")
        .order_by("code")
    )
    cast = _cast(offices)
    offices = [o for o in _staffed(offices, cast) if cast.district.get(o.district.number)]
    parcels = {
        p.pk: p
        for p in Parcel.objects.filter(is_demo=True).select_related("district").order_by("pk")
    }
    by_district: dict[int, list[int]] = defaultdict(list)
    for parcel in sorted(parcels.values(), key=lambda p: p.renewal_code):
        if cast.district.get(parcel.district.number):
            by_district[parcel.district.number].append(parcel.pk)
    citizens = list(Citizen.objects.filter(is_demo=True).order_by("national_id"))
    if len(services) < 3 or not offices or not by_district or not citizens:
        return tally
    account = (
        Citizen.objects.filter(is_demo=True, user__username="citizen")
        .values_list("pk", flat=True)
        .first()
    )
    rng = random.Random(f"{seed}:cases")  # noqa: S311 - demo data, not secrets
    plans = Planner(rng, offices, by_district, citizens, cast.district, account).plan(count)
    open_conditions = ParcelCondition.objects.filter(is_demo=True, resolved_at__isnull=True)
    violations: dict[int, list[str]] = defaultdict(list)
    for parcel_id, title in open_conditions.filter(kind=ConditionKind.VIOLATION).values_list(
        "parcel_id", "title"
    ):
        violations[parcel_id].append(title)
    now = timezone.now()
    walker = Walker(
        calendar=calendar_for(now.date() - dt.timedelta(days=400), now.date()),
        now=now,
        cast=cast,
        offices={o.code: o for o in offices},
        services=services,
        parcels=parcels,
        citizens={c.pk: c for c in citizens},
        flagged=set(open_conditions.values_list("parcel_id", flat=True)),
        violations=violations,
        rng=random.Random(f"{seed}:case-details"),  # noqa: S311 - demo data, not secrets
        letters=random.Random(f"{seed}:letters"),  # noqa: S311 - demo data, not secrets
        tally=tally,
    )
    # Open them in the order they were opened, so tracking codes follow the calendar.
    for plan in sorted(plans, key=lambda p: walker.moments(p)[0]):
        walker.walk(plan)
    return tally


# --- the report -----------------------------------------------------------------------

REPORT_ACCOUNTS = (
    "tm-1101",
    "inspector-1101",
    "planner-1101",
    "followup-1101",
    "district-1",
    "district-1-2",
    "district-3",
    "citizen",
)
CARTABLE_ROLES = (Role.TECHNICAL_MANAGER, Role.INSPECTOR, Role.PLAN_REVIEWER,
                  Role.DISTRICT_STAFF)  # fmt: skip


def cases_by_state() -> list[tuple[str, int]]:
    """Demo cases per service and state, open states first."""
    rows = (
        Case.objects.filter(applicant__is_demo=True)
        .values_list("service_type__code", "state", "acting_role")
        .order_by()
    )
    tally: Counter[tuple[str, str, str]] = Counter(rows)
    ordered = sorted(tally.items(), key=lambda item: (item[0][0], not item[0][2], item[0][1]))
    return [(f"{service}: {state}", n) for (service, state, _), n in ordered]


def _cartable_line(user: User, now: dt.datetime) -> str | None:
    principal = load_principal(user)
    open_cases = Case.objects.filter(closed_at__isnull=True)
    if principal.citizen_id is not None and not principal.grants:
        mine = Case.objects.filter(applicant_id=principal.citizen_id)
        return f"{mine.count()} own requests ({mine.filter(closed_at__isnull=True).count()} open)"
    follow_up = principal.office_ids(Role.FOLLOW_UP_OFFICER)
    if follow_up:
        office_cases = open_cases.filter(office_id__in=follow_up)
        late = office_cases.filter(due_at__lt=now).count()
        return f"follow-up: {office_cases.count()} open cases of the office, {late} overdue"
    parts = []
    for role in CARTABLE_ROLES:
        scope = Q(office_id__in=principal.office_ids(role)) | Q(
            district_id__in=principal.district_ids(role)
        )
        if not (principal.office_ids(role) or principal.district_ids(role)):
            continue
        waiting = open_cases.filter(scope, acting_role=role)
        claimed = waiting.filter(assignee=user).count()
        pool = waiting.filter(assignee__isnull=True).count()
        late = waiting.filter(due_at__lt=now).count()
        parts.append(
            f"{waiting.count()} waiting ({claimed} claimed by them, {pool} in the pool,"
            f" {late} overdue)"
        )
    return "; ".join(parts) or None


def cases_report() -> list[str]:
    """What the command prints about the demo cases."""
    states = cases_by_state()
    if not states:
        return []
    total = sum(n for _, n in states)
    lines = ["", f"Demo cases: {total}"]
    lines += [f"  {label:<40}{n:>5}" for label, n in states]
    lines += ["", "Cartables of the demo accounts (cases waiting for their role in their scope):"]
    now = timezone.now()
    users = {u.username: u for u in User.objects.filter(username__in=REPORT_ACCOUNTS)}
    for username in REPORT_ACCOUNTS:
        user = users.get(username)
        line = _cartable_line(user, now) if user is not None else None
        if line:
            lines.append(f"  {username:<16}{line}")
    return lines
