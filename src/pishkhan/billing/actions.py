"""Every write of billing: ``do_<verb>_<noun>``, each one transaction that checks role,
scope and input itself, moves a bill only by compare-and-swap on its version, writes a
``BillEvent`` and books the ledger.

- ``do_publish_rule`` / ``do_end_rule``: the finance unit's dues rules (the admin);
- ``do_register_vehicle``: a vehicle into the registry (the admin);
- ``do_issue_bill``: a bill for a parcel (renewal dues), a case (service fee, transfer
  dues) or a vehicle (tolls); ``issue_case_bills`` is what the workflow effect runs;
- ``do_cancel_bill``: cancel an unpaid bill, and re-issue it from today's rules;
- ``do_record_bill_payment``: the one way a bill becomes paid (the payment side).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone

from pishkhan.accounts.access import Principal
from pishkhan.accounts.models import Citizen
from pishkhan.billing import dues
from pishkhan.billing.access import access_bill_by_id, counter_office, issuer_role
from pishkhan.billing.errors import (
    AmountMismatch,
    BillConflict,
    BillNotCancellable,
    BillNotIssuable,
    BillNotPayable,
    InvalidBillInput,
    NothingToBill,
    ReferenceReused,
)
from pishkhan.billing.events import snapshot, write_bill_event
from pishkhan.billing.identifiers import IdentifierError, make_bill_id, make_payment_id
from pishkhan.billing.ledger import book
from pishkhan.billing.models import (
    Bill,
    BillEventKind,
    BillKind,
    BillLine,
    BillSerial,
    BillStatus,
    DuesRule,
    EntryKind,
    LedgerEntry,
    Vehicle,
)
from pishkhan.billing.vehicle_ids import normalize_vin, parse_plate
from pishkhan.cases.access import access_case_by_id, principal_of
from pishkhan.cases.models import SYSTEM, Case
from pishkhan.core import clock
from pishkhan.core.digits import normalize_persian_text, to_ascii_digits
from pishkhan.core.jalali import format_jalali_date, from_jalali, to_jalali
from pishkhan.geo.models import Parcel
from pishkhan.offices.roles import Role

REASON_MAX_LENGTH = 500
REFERENCE_MAX_LENGTH = 64
CHANNEL_MAX_LENGTH = 20


# --- rules -----------------------------------------------------------------------


def do_publish_rule(rule: DuesRule) -> DuesRule:
    """Publish a new rule (an unsaved instance) from its `valid_from`, closing the
    open-ended rule it replaces the day before. A rule never starts before the latest
    rule of its kind started, so what an old day costs never changes."""
    if not rule._state.adding:
        raise ValidationError("قاعده ثبت‌شده دوباره منتشر نمی‌شود.")
    model = type(rule)
    with transaction.atomic():
        competitors = rule.competitors().select_for_update()
        latest = competitors.order_by("-valid_from").first()
        if latest is not None and rule.valid_from <= latest.valid_from:
            started = format_jalali_date(latest.valid_from)
            raise ValidationError(
                {
                    "valid_from": f"قاعده جدید باید بعد از {started}، "
                    "تاریخ آغاز آخرین قاعده همین نوع، اجرا شود."
                }
            )
        day_before = rule.valid_from - dt.timedelta(days=1)
        for open_rule in competitors.filter(valid_until__isnull=True):
            open_rule.valid_until = day_before
            open_rule.full_clean()
            model._default_manager.filter(pk=open_rule.pk).update(
                valid_until=day_before, updated_at=timezone.now()
            )
        rule.resolution = normalize_persian_text(rule.resolution)
        rule.full_clean()
        rule.save()
    return rule


def do_end_rule(rule: DuesRule, valid_until: dt.date | None) -> DuesRule:
    """Set (or clear) the last day of a rule; nothing else of it changes."""
    model = type(rule)
    with transaction.atomic():
        current = model._default_manager.select_for_update().get(pk=rule.pk)
        current.valid_until = valid_until
        current.full_clean()
        model._default_manager.filter(pk=rule.pk).update(
            valid_until=valid_until, updated_at=timezone.now()
        )
    rule.refresh_from_db()
    return rule


# --- the vehicle registry --------------------------------------------------------


def do_register_vehicle(
    *,
    plate: str,
    vin: str,
    vehicle_class: str,
    model_year: int,
    owner: Citizen,
    toll_paid_through: int,
    is_demo: bool = False,
) -> Vehicle:
    """A vehicle into the registry; the plate and VIN are checked and stored normalised
    (a Persian ValidationError per field otherwise)."""
    errors: dict[str, list[str]] = {}
    try:
        parsed = parse_plate(plate)
    except ValidationError as error:
        errors["plate"] = error.messages
    try:
        clean_vin = normalize_vin(vin)
    except ValidationError as error:
        errors["vin"] = error.messages
    if errors:
        raise ValidationError(errors)
    vehicle = Vehicle(
        plate_two=parsed.two,
        plate_letter=parsed.letter,
        plate_three=parsed.three,
        plate_iran=parsed.iran,
        vin=clean_vin,
        vehicle_class=vehicle_class,
        model_year=model_year,
        owner=owner,
        toll_paid_through=toll_paid_through,
        is_demo=is_demo,
    )
    with transaction.atomic():
        vehicle.full_clean()
        vehicle.save()
    return vehicle


# --- issuing ---------------------------------------------------------------------


@dataclass(frozen=True)
class BillPlan:
    """A bill every rule allowed, waiting to be written."""

    kind: str
    lines: list[dues.Line]
    due_on: dt.date
    parcel: Parcel | None = None
    case: Case | None = None
    vehicle: Vehicle | None = None
    payer_id: int | None = None
    office_id: int | None = None
    district_id: int | None = None

    @property
    def total(self) -> int:
        return sum(line.amount for line in self.lines)


def due_date(issued_on: dt.date) -> dt.date:
    return issued_on + dt.timedelta(days=int(getattr(settings, "PISHKHAN_BILL_DUE_DAYS", 30)))


def renewal_due_date(lines: list[dues.Line], issued_on: dt.date) -> dt.date:
    """A bill with a discounted line is payable only until the discount ends (the last
    day of the rule's discount month)."""
    due = due_date(issued_on)
    months = [line.basis["discount_until_month"] for line in lines if line.basis.get("discount_bp")]
    if months:
        year, month = to_jalali(issued_on).year, int(months[0])
        first_after = (
            from_jalali(year + 1, 1, 1) if month == 12 else from_jalali(year, month + 1, 1)
        )
        due = min(due, first_after - dt.timedelta(days=1))
    return due


def plan_renewal(parcel: Parcel, issued_on: dt.date, case: Case | None = None) -> BillPlan:
    lines = dues.renewal_lines(parcel, issued_on)
    return BillPlan(
        kind=BillKind.RENEWAL,
        lines=lines,
        due_on=renewal_due_date(lines, issued_on),
        parcel=parcel,
        case=case,
        payer_id=case.applicant_id if case else None,
        office_id=case.office_id if case else None,
        district_id=parcel.district_id,
    )


def plan_transfer(case: Case, issued_on: dt.date) -> BillPlan | None:
    rule = dues.transfer_rule(case.service_type, issued_on)
    if rule is None or case.parcel is None:
        return None
    return BillPlan(
        kind=BillKind.TRANSFER,
        lines=[dues.transfer_line(case.parcel, rule)],
        due_on=due_date(issued_on),
        parcel=case.parcel,
        case=case,
        payer_id=case.applicant_id,
        office_id=case.office_id,
        district_id=case.district_id,
    )


def plan_service_fee(case: Case, issued_on: dt.date) -> BillPlan | None:
    line = dues.service_fee_line(case.service_type, case.parcel, issued_on)
    if line is None:
        return None
    return BillPlan(
        kind=BillKind.SERVICE,
        lines=[line],
        due_on=due_date(issued_on),
        case=case,
        payer_id=case.applicant_id,
        office_id=case.office_id,
        district_id=case.district_id,
    )


def plan_toll(vehicle: Vehicle, issued_on: dt.date, office_id: int | None) -> BillPlan:
    return BillPlan(
        kind=BillKind.TOLL,
        lines=dues.toll_lines(vehicle, issued_on),
        due_on=due_date(issued_on),
        vehicle=vehicle,
        payer_id=vehicle.owner_id,
        office_id=office_id,
    )


def next_file_code() -> int:
    """The next bill serial; the update holds the counter's row until commit."""
    BillSerial.objects.filter(pk=1).update(last=F("last") + 1)
    serial = BillSerial.objects.filter(pk=1).values_list("last", flat=True).first()
    if serial is None:  # the migration makes row 1; a database emptied by hand has none
        BillSerial.objects.create(pk=1, last=1)
        serial = 1
    return int(serial)


def company_code() -> int:
    return int(getattr(settings, "PISHKHAN_BILL_COMPANY_CODE", 431))


def write_bill(
    plan: BillPlan,
    *,
    actor_id: int | None,
    role: str,
    now: dt.datetime,
    replaces: Bill | None = None,
) -> Bill:
    """The bill, its lines, its charge in the ledger and its `issue` event (inside the
    caller's transaction)."""
    if not plan.lines or plan.total <= 0:
        raise NothingToBill()
    file_code = next_file_code()
    when = to_jalali(now)
    try:
        bill_id = make_bill_id(file_code, company_code())
        payment_id = make_payment_id(bill_id, plan.total, when.year % 10, when.month)
    except IdentifierError as error:
        raise InvalidBillInput(error.message) from None
    bill = Bill(
        file_code=file_code,
        bill_id=bill_id,
        payment_id=payment_id,
        kind=plan.kind,
        parcel=plan.parcel,
        case=plan.case,
        vehicle=plan.vehicle,
        payer_id=plan.payer_id,
        office_id=plan.office_id,
        district_id=plan.district_id,
        total=plan.total,
        due_on=plan.due_on,
        issued_at=now,
        issued_by_id=actor_id,
        issued_role=role,
        replaces=replaces,
    )
    bill.save(force_insert=True)
    BillLine.objects.bulk_create(
        BillLine(
            bill=bill,
            position=i,
            kind=line.kind,
            title=line.title,
            year=line.year,
            amount=line.amount,
            basis=line.basis,
        )
        for i, line in enumerate(plan.lines, start=1)
    )
    book(bill, EntryKind.CHARGE, bill.total, now, f"charge:{bill.pk}")
    write_bill_event(
        bill,
        BillEventKind.ISSUE,
        actor_id=actor_id,
        actor_role=role,
        at=now,
        after={
            **snapshot(bill),
            "bill_id": bill_id,
            "payment_id": payment_id,
            "lines": len(plan.lines),
            **({"replaces": replaces.pk} if replaces else {}),
        },
    )
    return bill


def lock_subject(parcel_id: int | None = None, vehicle_id: int | None = None) -> None:
    """One issuer at a time per parcel or vehicle: the years a bill covers are read and
    written under this lock, so two counters never bill one year twice."""
    if parcel_id is not None:
        Parcel.objects.select_for_update().filter(pk=parcel_id).values_list("pk").first()
    if vehicle_id is not None:
        Vehicle.objects.select_for_update().filter(pk=vehicle_id).values_list("pk").first()


def live_kinds(case: Case) -> set[str]:
    return set(Bill.objects.live().filter(case_id=case.pk).values_list("kind", flat=True))


def case_plans(case: Case, issued_on: dt.date) -> list[BillPlan]:
    """The case's bills not yet issued: its service fee, its transfer dues and the
    parcel's renewal arrears (each only once while a live bill of its kind stands)."""
    have = live_kinds(case)
    plans: list[BillPlan | None] = []
    if BillKind.SERVICE not in have:
        plans.append(plan_service_fee(case, issued_on))
    if BillKind.TRANSFER not in have:
        plans.append(plan_transfer(case, issued_on))
    if case.parcel is not None and dues.renewal_years_owed(case.parcel, to_jalali(issued_on).year):
        plans.append(plan_renewal(case.parcel, issued_on, case))
    return [p for p in plans if p is not None and p.total > 0]


def issue_case_bills(
    case: Case, *, actor_id: int | None, role: str, now: dt.datetime
) -> list[Bill]:
    """Issue what the case owes (inside the caller's transaction: the workflow effect,
    or ``do_issue_bill``). Idempotent: a bill already standing is not issued again."""
    lock_subject(parcel_id=case.parcel_id)
    today = timezone.localtime(now).date()
    return [
        write_bill(plan, actor_id=actor_id, role=role, now=now) for plan in case_plans(case, today)
    ]


def do_issue_bill(
    user: Any,
    *,
    kind: str,
    case_id: Any = None,
    parcel_id: Any = None,
    vehicle_id: Any = None,
    office_id: Any = None,
    principal: Principal | None = None,
) -> Bill:
    """Issue one bill: for a case (``service`` or ``transfer``; ``renewal`` with a case
    bills its parcel's arrears on the case), for a parcel (``renewal``) or a vehicle
    (``toll``). Staff only, for their office or district (billing.access)."""
    principal = principal_of(user, principal)
    if principal is None or principal.is_citizen:
        raise BillNotIssuable()
    if kind not in BillKind.values:
        raise InvalidBillInput("نوع فیش شناخته نیست.")
    now = clock.now()
    today = timezone.localtime(now).date()
    with transaction.atomic():
        if case_id is not None:
            plan, role = plan_for_case(user, principal, kind, case_id, today)
        elif kind == BillKind.RENEWAL and parcel_id is not None:
            plan, role = plan_for_parcel(principal, parcel_id, office_id, today)
        elif kind == BillKind.TOLL and vehicle_id is not None:
            plan, role = plan_for_vehicle(principal, vehicle_id, office_id, today)
        else:
            raise InvalidBillInput("برای این نوع فیش، پرونده، ملک یا خودرو را مشخص کنید.")
        return write_bill(plan, actor_id=user.pk, role=role, now=now)


def plan_for_case(
    user: Any, principal: Principal, kind: str, case_id: Any, today: dt.date
) -> tuple[BillPlan, str]:
    case = access_case_by_id(user, case_id, principal)
    role = issuer_role(principal, case.office_id, case.district_id)
    if not case.is_open:
        raise BillNotIssuable("پرونده بسته شده است و فیش تازه نمی‌گیرد.")
    lock_subject(parcel_id=case.parcel_id)
    if kind in (BillKind.SERVICE, BillKind.TRANSFER) and kind in live_kinds(case):
        raise NothingToBill("فیش این پرونده پیش‌تر صادر شده است؛ برای تغییر، آن را ابطال کنید.")
    planners: dict[str, Callable[[], BillPlan | None]] = {
        BillKind.SERVICE: lambda: plan_service_fee(case, today),
        BillKind.TRANSFER: lambda: plan_transfer(case, today),
        BillKind.RENEWAL: lambda: plan_renewal(case.parcel, today, case) if case.parcel else None,
    }
    if kind not in planners:
        raise InvalidBillInput("این نوع فیش برای پرونده صادر نمی‌شود.")
    plan = planners[kind]()
    if plan is None:
        raise NothingToBill("برای این پرونده قاعده یا تعرفه‌ای از این نوع در کار نیست.")
    return plan, role


def plan_for_parcel(
    principal: Principal, parcel_id: Any, office_id: Any, today: dt.date
) -> tuple[BillPlan, str]:
    parcel = Parcel.objects.filter(pk=clean_id(parcel_id)).first()
    if parcel is None:
        raise Http404("ملک پیدا نشد.")
    office: int | None = None
    if office_id is None and parcel.district_id in principal.district_ids(Role.DISTRICT_STAFF):
        role = issuer_role(principal, None, parcel.district_id)  # the calculation unit
    else:
        office = counter_office(principal, office_id)
        role = issuer_role(principal, office, None)
    lock_subject(parcel_id=parcel.pk)
    return replace(plan_renewal(parcel, today), office_id=office), role


def plan_for_vehicle(
    principal: Principal, vehicle_id: Any, office_id: Any, today: dt.date
) -> tuple[BillPlan, str]:
    vehicle = Vehicle.objects.filter(pk=clean_id(vehicle_id)).first()
    if vehicle is None:
        raise Http404("خودرو پیدا نشد.")
    office = counter_office(principal, office_id)
    role = issuer_role(principal, office, None)
    lock_subject(vehicle_id=vehicle.pk)
    return plan_toll(vehicle, today, office), role


def clean_id(raw: Any) -> int:
    try:
        value = int(to_ascii_digits(str(raw)))
    except (TypeError, ValueError):
        raise Http404("پیدا نشد.") from None
    if not 0 < value < 2**63:
        raise Http404("پیدا نشد.")
    return value


# --- cancelling ------------------------------------------------------------------


def clean_reason(reason: Any) -> str:
    if not isinstance(reason, str):
        raise InvalidBillInput("علت ابطال باید متن باشد.")
    text = " ".join(reason.split())
    if not text:
        raise InvalidBillInput("علت ابطال را بنویسید.")
    if "\x00" in text or len(text) > REASON_MAX_LENGTH:
        raise InvalidBillInput("علت ابطال حداکثر ۵۰۰ نویسه و بدون نویسه نامعتبر است.")
    return text


def replan(bill: Bill, today: dt.date) -> BillPlan | None:
    """Today's computation of what a cancelled bill billed (None when nothing is owed)."""
    if bill.kind == BillKind.TOLL and bill.vehicle is not None:
        return plan_toll(bill.vehicle, today, bill.office_id)
    if bill.kind == BillKind.RENEWAL and bill.parcel is not None:
        return replace(plan_renewal(bill.parcel, today, bill.case), office_id=bill.office_id)
    if bill.case is not None and bill.kind == BillKind.TRANSFER:
        return plan_transfer(bill.case, today)
    if bill.case is not None and bill.kind == BillKind.SERVICE:
        return plan_service_fee(bill.case, today)
    return None


def do_cancel_bill(
    user: Any,
    bill_id: Any,
    expected_version: int,
    reason: Any,
    *,
    reissue: bool = False,
    principal: Principal | None = None,
) -> tuple[Bill, Bill | None]:
    """Cancel an unpaid bill (with a reason), and with `reissue` issue in the same
    transaction a new bill of the same subject from today's rules, which names the one
    it replaces. A bill is never edited: this is how its amount changes."""
    text = clean_reason(reason)
    principal = principal_of(user, principal)
    if principal is None:
        raise BillNotIssuable("شما اجازه ابطال این فیش را ندارید.")
    now = clock.now()
    with transaction.atomic():
        bill = access_bill_by_id(user, bill_id, principal)
        try:
            role = issuer_role(principal, bill.office_id, bill.district_id)
        except BillNotIssuable:
            raise BillNotIssuable("شما اجازه ابطال این فیش را ندارید.") from None
        if bill.status != BillStatus.ISSUED:
            raise BillNotCancellable()
        moved = Bill.objects.filter(
            pk=bill.pk, status=BillStatus.ISSUED, version=expected_version
        ).update(
            status=BillStatus.CANCELLED,
            version=expected_version + 1,
            cancelled_at=now,
            cancelled_by_id=user.pk,
            cancel_reason=text,
        )
        if moved != 1:
            raise BillConflict()
        before = snapshot(bill)
        bill.refresh_from_db()
        book(bill, EntryKind.CANCEL, bill.total, now, f"cancel:{bill.pk}")
        write_bill_event(
            bill,
            BillEventKind.CANCEL,
            actor_id=user.pk,
            actor_role=role,
            at=now,
            before=before,
            after=snapshot(bill),
            reason=text,
        )
        replacement = None
        if reissue:
            lock_subject(parcel_id=bill.parcel_id, vehicle_id=bill.vehicle_id)
            plan = replan(bill, timezone.localtime(now).date())
            if plan is None or plan.total <= 0:
                raise NothingToBill("برای صدور دوباره، بدهی‌ای نمانده است.")
            replacement = write_bill(plan, actor_id=user.pk, role=role, now=now, replaces=bill)
    return bill, replacement


# --- paying: the payment side's one entry ----------------------------------------


@dataclass(frozen=True)
class PaymentRecorded:
    bill: Bill
    capture: LedgerEntry
    duplicate: bool  # True: this very payment was recorded before; nothing changed


def clean_reference(reference: Any, channel: Any) -> tuple[str, str]:
    for value, what, limit in (
        (reference, "شماره مرجع پرداخت", REFERENCE_MAX_LENGTH),
        (channel, "شیوه پرداخت", CHANNEL_MAX_LENGTH),
    ):
        if not isinstance(value, str) or not value.strip():
            raise InvalidBillInput(f"{what} را بدهید.")
        if "\x00" in value or len(value.strip()) > limit or not value.strip().isprintable():
            raise InvalidBillInput(f"{what} معتبر نیست.")
    return reference.strip(), channel.strip()


def do_record_bill_payment(
    bill_pk: int,
    *,
    amount: int,
    reference: str,
    channel: str,
    paid_at: dt.datetime | None = None,
) -> PaymentRecorded:
    """Mark a bill paid: the contract of the payment side.

    Call it only after the bank confirmed the payment (the gateway's server-side verify,
    a matched settlement-file line, a card reader's approved transaction), inside the
    transaction that records that confirmation, so both commit or neither does. The
    bill's row is locked (``select_for_update``) and moved from issued to paid by
    compare-and-swap on its version; a capture of `amount` is booked under the unique
    reference ``capture:<reference>`` and a `pay` event written, by the system actor.

    - the same bill paid again with the same reference: ``duplicate=True``, nothing
      changes (a repeated callback);
    - the bill cancelled, already paid by another reference, or `amount` not its total
      (``AmountMismatch``), or the reference used for another bill
      (``ReferenceReused``): ``BillNotPayable`` — nothing changes, and the payment side
      must reverse the money it holds.
    """
    reference, channel = clean_reference(reference, channel)
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise AmountMismatch("مبلغ پرداخت باید عدد صحیح مثبت ریال باشد.")
    moment = paid_at or clock.now()
    key = f"capture:{reference}"
    with transaction.atomic():
        bill = Bill.objects.select_for_update().filter(pk=bill_pk).first()
        if bill is None:
            raise BillNotPayable("فیش پیدا نشد.")
        earlier = LedgerEntry.objects.filter(reference=key).first()
        if earlier is not None:
            if earlier.bill_id == bill.pk and bill.status == BillStatus.PAID:
                return PaymentRecorded(bill, earlier, duplicate=True)
            raise ReferenceReused()
        if bill.status == BillStatus.CANCELLED:
            raise BillNotPayable("این فیش ابطال شده است و پرداخت نمی‌شود.")
        if bill.status == BillStatus.PAID:
            raise BillNotPayable("این فیش پیش‌تر پرداخت شده است.")
        if amount != bill.total:
            raise AmountMismatch()
        moved = Bill.objects.filter(
            pk=bill.pk, status=BillStatus.ISSUED, version=bill.version
        ).update(
            status=BillStatus.PAID,
            version=bill.version + 1,
            paid_at=moment,
            paid_channel=channel,
            paid_reference=reference,
        )
        if moved != 1:
            raise BillConflict()
        before = snapshot(bill)
        bill.refresh_from_db()
        try:
            with transaction.atomic():
                capture = book(bill, EntryKind.CAPTURE, amount, moment, key)
        except IntegrityError:
            raise ReferenceReused() from None
        write_bill_event(
            bill,
            BillEventKind.PAY,
            actor_id=None,
            actor_role=SYSTEM,
            at=moment,
            before=before,
            after={**snapshot(bill), "channel": channel, "reference": reference},
        )
    return PaymentRecorded(bill, capture, duplicate=False)
