"""A bill and its receipt as signed documents: issued by the worker from billing's
events, once each; a cancelled bill's document revoked; downloads through the bill's
scope; the verification page shows the bill's facts."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from pishkhan.billing.actions import do_cancel_bill
from pishkhan.billing.models import Bill
from pishkhan.core.digits import to_persian_digits
from pishkhan.documents.bills import bill_draft, issue_bill_document, issue_once, load_bill
from pishkhan.documents.models import DocumentKind, IssuedDocument
from pishkhan.documents.tests.helpers import first_page_png, pdf_of, pdftotext, validate_signature
from pishkhan.outbox.delivery import deliver_due
from pishkhan.payments.actions import do_record_card_payment
from pishkhan.testing.personas import City, client_for

ZWNJ = "\u200c"


def documents_of(bill: Bill, kind: str) -> list[IssuedDocument]:
    return list(IssuedDocument.objects.filter(bill=bill, kind=kind))


def test_an_issued_bill_gets_one_signed_pdf_from_the_worker(city: City, bill: Bill) -> None:
    assert documents_of(bill, DocumentKind.BILL) == []  # not in the issuing transaction
    deliver_due()
    [document] = documents_of(bill, DocumentKind.BILL)
    assert document.case_id is None
    assert document.issued_by is None  # the system
    assert document.serial.startswith("21-")
    pdf = pdf_of(document)
    assert validate_signature(pdf).intact
    text = pdftotext(pdf)
    assert "فیش هزینه خدمت" in text
    assert "شناسه قبض" in text
    assert "شناسه پرداخت" in text
    assert to_persian_digits("1,250,000").replace(",", "٬") in text
    assert city.citizen.national_id not in text  # masked
    first_page_png(pdf, f"bill-{document.serial}")
    assert document.facts["bill_id"] == to_persian_digits(bill.bill_id)
    # a redelivered event, or the receiver run again, issues nothing more
    assert issue_bill_document(bill.pk) is None
    assert len(documents_of(bill, DocumentKind.BILL)) == 1


def test_a_paid_bill_gets_a_receipt_with_its_payment(city: City, bill: Bill) -> None:
    deliver_due()
    do_record_card_payment(
        city.alice, bill.pk, terminal_reference="448812", masked_card="603799******1234"
    )
    assert documents_of(bill, DocumentKind.RECEIPT) == []
    deliver_due()
    [receipt] = documents_of(bill, DocumentKind.RECEIPT)
    assert receipt.serial.startswith("22-")
    text = pdftotext(pdf_of(receipt)).replace(ZWNJ, "")  # pdftotext drops the joiner
    assert "رسید پرداخت" in text
    assert "کارت‌خوان دفتر".replace(ZWNJ, "") in text
    assert to_persian_digits("448812") in text
    assert validate_signature(pdf_of(receipt)).intact
    first_page_png(pdf_of(receipt), f"receipt-{receipt.serial}")
    page = Client().get(
        reverse("documents:verify_link", args=[receipt.serial, receipt.verification_code])
    )
    body = page.content.decode()
    assert page.status_code == 200
    assert "این سند معتبر است" in body
    assert "کارت‌خوان دفتر" in body
    assert to_persian_digits(bill.bill_id) in body
    assert city.citizen.national_id not in body


def test_a_cancelled_bills_document_is_revoked_and_says_so(city: City, bill: Bill) -> None:
    deliver_due()
    [document] = documents_of(bill, DocumentKind.BILL)
    do_cancel_bill(city.alice, bill.pk, bill.version, "مبلغ اشتباه محاسبه شد")
    deliver_due()
    document.refresh_from_db()
    assert document.revoked_at is not None
    assert "مبلغ اشتباه" not in document.revoke_reason  # the staff's reason stays internal
    assert document.events.filter(type="revoke", actor__isnull=True).exists()
    page = Client().get(
        reverse("documents:verify_link", args=[document.serial, document.verification_code])
    )
    assert "این سند ابطال شده است" in page.content.decode()


def test_the_bill_pdf_downloads_for_who_sees_the_bill_only(city: City, bill: Bill) -> None:
    deliver_due()
    [document] = documents_of(bill, DocumentKind.BILL)
    url = reverse("documents:bill_download", args=[bill.pk, document.serial])
    for person in (city.zahra, city.alice, city.dave, city.sam):
        response = client_for(person).get(url)
        assert response.status_code == 200, person
        assert b"".join(response.streaming_content) == pdf_of(document)
        assert response["Content-Type"] == "application/pdf"
    for outsider in (city.charlie, city.erin, city.yusuf):
        assert client_for(outsider).get(url).status_code == 404, outsider
    wrong = reverse("documents:bill_download", args=[bill.pk, "21-1300-000009"])
    assert client_for(city.alice).get(wrong).status_code == 404
    assert Client().get(url).status_code == 302
    page = client_for(city.zahra).get(reverse("billing:bill", args=[bill.pk]))
    assert f'href="{url}"' in page.content.decode()


def test_a_bill_cancelled_while_its_pdf_was_drawn_gets_no_document(city: City, bill: Bill) -> None:
    """The issue re-reads the bill locked: a cancellation that came first wins."""
    loaded = load_bill(bill.pk)
    assert loaded is not None
    draft = bill_draft(loaded)  # drawn while the bill was issued
    do_cancel_bill(city.alice, bill.pk, bill.version, "مبلغ اشتباه محاسبه شد")
    assert issue_once(draft) is None
    assert documents_of(bill, DocumentKind.BILL) == []
