"""The counter's card reader and the bank's settlement file."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import Http404

from pishkhan.billing.ledger import check_ledger
from pishkhan.billing.models import Bill, BillStatus, EntryKind, LedgerEntry
from pishkhan.payments.actions import do_import_settlement, do_record_card_payment
from pishkhan.payments.errors import InvalidPaymentInput, PaymentRefused
from pishkhan.payments.models import LineOutcome, Payment, PaymentStatus, SettlementImport
from pishkhan.payments.tests.conftest import callback, make_bill, pay_at_bank, start
from pishkhan.testing.personas import City


def card(
    city: City, bill: Bill, user: object = None, ref: str = "123456789", **kw: object
) -> Payment:
    return do_record_card_payment(
        user or city.alice, bill.pk, terminal_reference=ref,
        masked_card=kw.pop("masked_card", "۶۰۳۷۹۹******۱۲۳۴"), **kw,
    )  # fmt: skip


def test_the_cashier_records_a_card_reader_payment(city: City, bill: Bill) -> None:
    payment = card(city, bill)
    bill.refresh_from_db()
    assert payment.status == PaymentStatus.CAPTURED
    assert payment.masked_card == "603799******1234"
    assert payment.office_id == city.a.office.pk
    assert bill.status == BillStatus.PAID
    assert bill.paid_reference == f"card_reader:office-{city.a.office.pk}:123456789"
    assert payment.events.get().actor_role == "technical_manager"
    assert check_ledger().consistent


def test_the_card_reader_refuses_what_it_must(city: City, bill: Bill) -> None:
    with pytest.raises(InvalidPaymentInput, match="پوشیده"):
        card(city, bill, masked_card="6037991234561234")  # a full card number is not kept
    with pytest.raises(InvalidPaymentInput, match="۶ تا ۲۰ رقم"):
        card(city, bill, ref="12-34")
    with pytest.raises(PaymentRefused):
        card(city, bill, user=city.bob)  # an inspector is not the cashier
    with pytest.raises(PaymentRefused):
        card(city, bill, user=city.zahra)  # the citizen
    with pytest.raises(Http404):
        card(city, bill, user=city.charlie)  # another office's bill does not exist for him
    card(city, bill)
    other = make_bill(city, 2_000_000)
    with pytest.raises(InvalidPaymentInput, match="پیش‌تر"):
        card(city, other)  # the same terminal reference again
    with pytest.raises(PaymentRefused, match="پیش‌تر پرداخت"):
        card(city, bill, ref="777777")
    assert LedgerEntry.objects.filter(kind=EntryKind.CAPTURE).count() == 1


def settlement_file(*lines: str) -> bytes:
    return ("شناسه قبض,شناسه پرداخت,مبلغ,مرجع,تاریخ\n" + "\n".join(lines) + "\n").encode()


def line(bill: Bill, reference: str, amount: int | None = None, day: str = "1405/02/10") -> str:
    total = bill.total if amount is None else amount
    return f"{bill.bill_id},{bill.payment_id},{total},{reference},{day}"


def test_a_settlement_file_is_applied_once_and_mismatches_are_reported(
    city: City, bill: Bill
) -> None:
    paid_online = make_bill(city, 2_000_000)
    payment = start(city, paid_online)
    reference = pay_at_bank(payment.token or "")
    assert callback(payment) == "captured"
    paid_by_card = make_bill(city, 3_000_000)
    card(city, paid_by_card)
    wrong = make_bill(city, 4_000_000)
    content = settlement_file(
        line(bill, "BANK-1"),
        line(paid_online, reference),  # the gateway's own payment: already recorded
        line(paid_by_card, "BANK-2"),  # paid at the counter with another reference
        line(wrong, "BANK-3", amount=4_001_000),
        "9999999999,123,1000,BANK-4,1405/02/10",  # no such bill
        f"{wrong.bill_id},{bill.payment_id},{wrong.total},BANK-5,1405/02/10",  # another's pay id
        "garbage",
    )
    result = do_import_settlement(city.ada, name="bank-1405-02-10.csv", content=content)
    assert result.fresh
    outcomes = list(result.settlement.rows.values_list("outcome", flat=True))
    assert outcomes == [
        LineOutcome.APPLIED, LineOutcome.ALREADY, LineOutcome.PAID_OTHERWISE,
        LineOutcome.AMOUNT_MISMATCH, LineOutcome.UNKNOWN_BILL, LineOutcome.UNKNOWN_BILL,
        LineOutcome.INVALID,
    ]  # fmt: skip
    settlement = result.settlement
    assert (settlement.applied, settlement.already, settlement.mismatched) == (1, 1, 5)
    assert Bill.objects.get(pk=bill.pk).status == BillStatus.PAID
    assert Bill.objects.get(pk=wrong.pk).status == BillStatus.ISSUED
    assert check_ledger().consistent

    counts = (
        Payment.objects.count(),
        LedgerEntry.objects.count(),
        SettlementImport.objects.count(),
    )
    again = do_import_settlement(city.ada, name="renamed.csv", content=content)
    assert not again.fresh
    assert again.settlement.pk == settlement.pk
    assert counts == (
        Payment.objects.count(),
        LedgerEntry.objects.count(),
        SettlementImport.objects.count(),
    )
    # the same line in another day's file is reported as recorded, not applied twice
    later = do_import_settlement(
        city.ada, name="next.csv", content=settlement_file(line(bill, "BANK-1"))
    )
    assert list(later.settlement.rows.values_list("outcome", flat=True)) == [LineOutcome.ALREADY]
    assert LedgerEntry.objects.filter(kind=EntryKind.CAPTURE).count() == 3


def test_only_the_administrator_or_the_operator_imports(
    city: City, bill: Bill, tmp_path: Path
) -> None:
    content = settlement_file(line(bill, "BANK-9"))
    with pytest.raises(PaymentRefused):
        do_import_settlement(city.alice, name="x.csv", content=content)
    path = tmp_path / "bank.csv"
    path.write_bytes(content)
    call_command("import_settlement", str(path))
    assert Bill.objects.get(pk=bill.pk).status == BillStatus.PAID
    call_command("import_settlement", str(path))  # again: nothing changes, no error
    bad = tmp_path / "bad.csv"
    bad.write_bytes(settlement_file(line(bill, "BANK-10", amount=1)))
    with pytest.raises(CommandError, match="1 lines were not applied"):
        call_command("import_settlement", str(bad))
    with pytest.raises(InvalidPaymentInput):
        do_import_settlement(None, name="x.csv", content=b"\xff\xfe")
