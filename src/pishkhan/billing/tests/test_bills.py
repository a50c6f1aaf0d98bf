"""Bills: who issues and cancels them, immutability, re-issue, the payment contract and
the ledger that agrees with them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.http import Http404

from pishkhan.audit.chain import verify
from pishkhan.audit.models import AuditRecord
from pishkhan.billing.actions import (
    do_cancel_bill,
    do_issue_bill,
    do_record_bill_payment,
    do_register_vehicle,
)
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
from pishkhan.billing.identifiers import parse_payment_id
from pishkhan.billing.ledger import book, check_ledger
from pishkhan.billing.models import (
    Bill,
    BillEvent,
    BillKind,
    BillStatus,
    EntryKind,
    LedgerEntry,
    RenewalDuesAccount,
    VehicleClass,
)
from pishkhan.billing.tests.conftest import NOW_DAY, Rules, tehran
from pishkhan.core import clock
from pishkhan.core.jalali import from_jalali
from pishkhan.outbox.models import OutboxMessage
from pishkhan.testing.personas import City


@pytest.fixture
def renewal(city: City, rules: Rules, now: clock.FrozenClock) -> Bill:
    RenewalDuesAccount.objects.create(parcel=city.a.parcel, paid_through_year=1403)
    return do_issue_bill(city.alice, kind=BillKind.RENEWAL, parcel_id=city.a.parcel.pk)


def test_a_renewal_bill_carries_its_years_and_a_valid_pair(renewal: Bill) -> None:
    assert [(line.year, line.amount) for line in renewal.lines.all()] == [
        (1404, 18_000_000),
        (1405, 16_200_000),
    ]
    assert renewal.total == 34_200_000
    bill, payment = parse_payment_id(renewal.bill_id, renewal.payment_id)
    assert (bill.file_code, bill.company_code, bill.service_type) == (renewal.file_code, 431, 6)
    assert (payment.amount_rials, payment.year_digit, payment.period) == (34_200_000, 5, 2)
    assert renewal.due_on == NOW_DAY + dt.timedelta(days=30)


def test_a_discounted_bill_is_due_when_its_discount_ends(
    city: City, rules: Rules, now: clock.FrozenClock
) -> None:
    now.now = tehran(from_jalali(1405, 3, 20))
    bill = do_issue_bill(city.alice, kind=BillKind.RENEWAL, parcel_id=city.a.parcel.pk)
    assert bill.due_on == from_jalali(1405, 3, 31)  # the end of Khordad, not 30 days on


def test_issuing_writes_an_event_a_charge_and_an_outbox_row(renewal: Bill) -> None:
    event = BillEvent.objects.get(bill=renewal)
    assert (event.kind, event.after["total"], event.after["status"]) == (
        "issue",
        34_200_000,
        "issued",
    )
    assert LedgerEntry.objects.get(bill=renewal).kind == EntryKind.CHARGE
    # one row per receiver of bill.event: the bill's signed PDF, the case moving on
    # after a payment, the receipt after a payment
    queued = OutboxMessage.objects.filter(key=f"bill_event:{event.pk}")
    assert sorted(queued.values_list("receiver", flat=True)) == [
        "documents.bill_documents",
        "payments.case_moves_on",
        "payments.receipt_document",
    ]
    assert check_ledger().consistent


def test_issuing_and_paying_a_bill_are_in_the_audit_chain(city: City, renewal: Bill) -> None:
    do_record_bill_payment(renewal.pk, amount=34_200_000, reference="RRN-77", channel="counter")
    rows = AuditRecord.objects.filter(subject_type="bill", subject_id=str(renewal.pk))
    assert [(r.kind, r.actor_id, r.summary["status"]) for r in rows.order_by("seq")] == [
        ("bill.issue", city.alice.pk, "issued"),
        ("bill.pay", None, "paid"),  # the system actor: the bank's confirmation
    ]
    assert verify().intact


def test_years_already_billed_are_not_billed_again(city: City, renewal: Bill) -> None:
    with pytest.raises(NothingToBill):
        do_issue_bill(city.alice, kind=BillKind.RENEWAL, parcel_id=city.a.parcel.pk)


def test_an_issued_bill_is_immutable(renewal: Bill) -> None:
    renewal.total = 1_000
    with pytest.raises(ValidationError, match="ابطال"):
        renewal.save()
    with pytest.raises(ValidationError):
        renewal.lines.first().save()  # type: ignore[union-attr]
    with pytest.raises(ValidationError):
        renewal.delete()
    renewal.refresh_from_db()
    assert renewal.total == 34_200_000


@pytest.mark.parametrize("who", ["zahra", "sam", "ada", "bob", "frank"])
def test_people_who_do_not_issue_bills_are_refused(
    city: City, rules: Rules, now: object, who: str
) -> None:
    with pytest.raises(BillNotIssuable):
        do_issue_bill(getattr(city, who), kind=BillKind.RENEWAL, parcel_id=city.a.parcel.pk)
    assert not Bill.objects.exists()


def test_district_staff_issue_for_their_own_district_only(
    city: City, rules: Rules, now: object
) -> None:
    bill = do_issue_bill(city.dave, kind=BillKind.RENEWAL, parcel_id=city.a.parcel.pk)
    assert (bill.office_id, bill.district_id, bill.issued_role) == (
        None,
        city.a.district.pk,
        "district_staff",
    )
    with pytest.raises(BillNotIssuable):
        do_issue_bill(city.dave, kind=BillKind.RENEWAL, parcel_id=city.b.parcel.pk)


def test_a_case_of_another_office_is_not_found(city: City, rules: Rules, now: object) -> None:
    case = city.open_case()
    with pytest.raises(Http404):
        do_issue_bill(city.charlie, kind=BillKind.TRANSFER, case_id=case.pk)


def test_a_case_bill_is_issued_once(city: City, rules: Rules, now: object) -> None:
    case = city.open_case()
    bill = do_issue_bill(city.alice, kind=BillKind.TRANSFER, case_id=case.pk)
    assert bill.total == 60_000_000  # 2% × 12,000,000 × 250
    assert (bill.parcel_id, bill.payer_id) == (case.parcel_id, case.applicant_id)
    with pytest.raises(NothingToBill):
        do_issue_bill(city.alice, kind=BillKind.TRANSFER, case_id=case.pk)


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "gift", "parcel_id": 1},
        {"kind": BillKind.RENEWAL},
        {"kind": BillKind.TOLL, "parcel_id": 1},
        {"kind": BillKind.RENEWAL, "parcel_id": "1\x00"},
        {"kind": BillKind.RENEWAL, "parcel_id": "9" * 40},
        {"kind": BillKind.RENEWAL, "parcel_id": -5},
    ],
)
def test_forged_issue_requests_are_refused(
    city: City, rules: Rules, now: object, fields: dict[str, object]
) -> None:
    with pytest.raises((InvalidBillInput, Http404)):
        do_issue_bill(city.alice, **fields)  # type: ignore[arg-type]
    assert not Bill.objects.exists()


def test_a_vehicle_toll_bill_for_its_owner(city: City, rules: Rules, now: object) -> None:
    vehicle = do_register_vehicle(
        plate="۴۴ ج ۵۵۵ ایران ۱۳",
        vin="NAAN01CA9CE999999",
        vehicle_class=VehicleClass.PASSENGER,
        model_year=1400,
        owner=city.citizen,
        toll_paid_through=1403,
    )
    bill = do_issue_bill(city.alice, kind=BillKind.TOLL, vehicle_id=vehicle.pk)
    assert bill.total == 1_500_000 + 150_000 + 1_500_000
    assert bill.payer_id == city.citizen.pk
    assert bill.office_id == city.a.office.pk


def test_cancel_and_reissue_from_todays_rules(
    city: City, renewal: Bill, now: clock.FrozenClock
) -> None:
    now.now = now.now.replace(month=7)  # past the discount: Tir 1405
    cancelled, fresh = do_cancel_bill(
        city.alice, renewal.pk, renewal.version, "تخفیف تمام شد", reissue=True
    )
    assert cancelled.status == BillStatus.CANCELLED
    assert cancelled.cancel_reason == "تخفیف تمام شد"
    assert fresh is not None
    assert fresh.replaces_id == renewal.pk
    assert fresh.total == 36_000_000
    assert fresh.payment_id != renewal.payment_id
    assert [e.kind for e in BillEvent.objects.filter(bill=renewal)] == ["issue", "cancel"]
    report = check_ledger()
    assert report.consistent, report.problems


def test_cancelling_needs_the_version_seen_and_a_reason(city: City, renewal: Bill) -> None:
    with pytest.raises(BillConflict):
        do_cancel_bill(city.alice, renewal.pk, renewal.version + 1, "اشتباه")
    for reason in ["", "   ", "x\x00", "ب" * 501, None, 5]:
        with pytest.raises(InvalidBillInput):
            do_cancel_bill(city.alice, renewal.pk, renewal.version, reason)
    renewal.refresh_from_db()
    assert renewal.status == BillStatus.ISSUED


def test_a_foreign_bill_is_not_found_and_a_reader_cannot_cancel(city: City, renewal: Bill) -> None:
    with pytest.raises(Http404):
        do_cancel_bill(city.charlie, renewal.pk, renewal.version, "اشتباه")
    with pytest.raises(BillNotIssuable):
        do_cancel_bill(city.sam, renewal.pk, renewal.version, "اشتباه")


# --- the payment side's contract --------------------------------------------------


def test_paying_marks_the_bill_paid_once(renewal: Bill) -> None:
    first = do_record_bill_payment(
        renewal.pk, amount=34_200_000, reference="RRN-1001", channel="counter"
    )
    again = do_record_bill_payment(
        renewal.pk, amount=34_200_000, reference="RRN-1001", channel="counter"
    )
    assert (first.duplicate, again.duplicate) == (False, True)
    renewal.refresh_from_db()
    assert (renewal.status, renewal.paid_reference, renewal.version) == ("paid", "RRN-1001", 2)
    assert LedgerEntry.objects.filter(kind=EntryKind.CAPTURE).count() == 1
    event = BillEvent.objects.get(bill=renewal, kind="pay")
    assert (event.actor_id, event.actor_role, event.before["status"]) == (None, "system", "issued")
    report = check_ledger()
    assert report.consistent
    assert report.captured == report.paid == 34_200_000


@pytest.mark.parametrize(
    ("amount", "error"),
    [(34_199_000, AmountMismatch), (0, AmountMismatch), (-34_200_000, AmountMismatch),
     (10**30, AmountMismatch), (True, AmountMismatch)],
)  # fmt: skip
def test_a_payment_of_another_amount_changes_nothing(
    renewal: Bill, amount: int, error: type[Exception]
) -> None:
    with pytest.raises(error):
        do_record_bill_payment(renewal.pk, amount=amount, reference="R1", channel="online")
    renewal.refresh_from_db()
    assert renewal.status == BillStatus.ISSUED
    assert not renewal.entries.filter(kind="capture")


@pytest.mark.parametrize("reference", ["", "  ", "R\x00", "R" * 65, None, "R\n1"])
def test_a_forged_reference_is_refused(renewal: Bill, reference: object) -> None:
    with pytest.raises(InvalidBillInput):
        do_record_bill_payment(
            renewal.pk,
            amount=renewal.total,
            reference=reference,  # type: ignore[arg-type]
            channel="online",
        )


def test_a_second_payment_or_a_replayed_reference_is_refused(
    city: City, renewal: Bill, now: object
) -> None:
    do_record_bill_payment(renewal.pk, amount=renewal.total, reference="R1", channel="online")
    with pytest.raises(BillNotPayable, match="پیش‌تر"):
        do_record_bill_payment(renewal.pk, amount=renewal.total, reference="R2", channel="online")
    case = city.open_case()
    other = do_issue_bill(city.alice, kind=BillKind.TRANSFER, case_id=case.pk)
    with pytest.raises(ReferenceReused):
        do_record_bill_payment(other.pk, amount=other.total, reference="R1", channel="online")
    other.refresh_from_db()
    assert other.status == BillStatus.ISSUED
    with pytest.raises(BillNotCancellable):
        do_cancel_bill(city.alice, renewal.pk, 2, "پرداخت‌شده")


def test_a_cancelled_bill_cannot_be_paid(city: City, renewal: Bill) -> None:
    do_cancel_bill(city.alice, renewal.pk, renewal.version, "اشتباه")
    with pytest.raises(BillNotPayable, match="ابطال"):
        do_record_bill_payment(renewal.pk, amount=renewal.total, reference="R9", channel="online")


# --- the ledger's check -----------------------------------------------------------


def test_check_ledger_finds_a_capture_without_a_paid_bill(renewal: Bill) -> None:
    book(renewal, EntryKind.CAPTURE, renewal.total, clock.now(), "capture:forged")
    report = check_ledger()
    assert not report.consistent
    assert any(renewal.bill_id in p for p in report.problems)
    assert any(p.startswith("in total") for p in report.problems)
    with pytest.raises(CommandError):
        call_command("check_ledger")


def test_a_reversal_counts_against_its_captures_day(renewal: Bill, now: clock.FrozenClock) -> None:
    """A duplicate capture reversed on a later day leaves both days consistent."""
    do_record_bill_payment(renewal.pk, amount=renewal.total, reference="R1", channel="online")
    duplicate = book(renewal, EntryKind.CAPTURE, renewal.total, clock.now(), "capture:R2")
    now.advance(dt.timedelta(days=2))
    book(renewal, EntryKind.REVERSAL, renewal.total, clock.now(), "reversal:R2", reverses=duplicate)
    report = check_ledger()
    assert report.consistent, report.problems
    call_command("check_ledger")
