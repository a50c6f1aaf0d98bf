"""Issued documents: the inquiry response rendered, signed and stored at approval; its
serial and code; pdftotext reading it back as Persian; the signature validating, and
failing once the file is edited; revocation and correction."""

from __future__ import annotations

import hashlib

import pytest
from django.db import IntegrityError

from pishkhan.cases.models import Case, InquiryResponse
from pishkhan.documents.actions import do_correct_document, do_revoke_document
from pishkhan.documents.errors import (
    DocumentNotAllowed,
    DocumentNotCurrent,
    DocumentReasonInvalid,
)
from pishkhan.documents.models import (
    DocumentEvent,
    DocumentEventType,
    DocumentKind,
    IssuedDocument,
)
from pishkhan.documents.serials import (
    CODE_ALPHABET,
    make_serial,
    next_number,
    normalize_code,
    normalize_serial,
)
from pishkhan.documents.tests.helpers import (
    edited,
    first_page_png,
    glyphs_per_character,
    pdf_of,
    pdftotext,
    validate_signature,
)
from pishkhan.files.models import StoredFile
from pishkhan.files.store import stored_names
from pishkhan.testing.personas import City, act, draft_answer, walk_to


def approved_case(city: City) -> Case:
    case = walk_to(city, city.open_case(), "response_prepared")
    return act(city.dana, case, "approve_response")


@pytest.fixture
def issued(city: City) -> IssuedDocument:
    return IssuedDocument.objects.get(case=approved_case(city))


def test_the_approval_issues_one_signed_document_stored_with_its_hash(
    city: City, issued: IssuedDocument
) -> None:
    response = InquiryResponse.objects.get(case_id=issued.case_id)
    assert issued.kind == DocumentKind.INQUIRY_RESPONSE
    assert issued.response_id == response.pk
    assert issued.issued_by_id == city.dana.pk
    assert issued.serial == make_serial(DocumentKind.INQUIRY_RESPONSE, issued.year, 1)
    assert len(issued.verification_code) == 12
    assert set(issued.verification_code) <= set(CODE_ALPHABET)
    pdf = pdf_of(issued)
    assert pdf.startswith(b"%PDF-")
    assert hashlib.sha256(pdf).hexdigest() == issued.sha256 == issued.file.sha256
    assert issued.file.pages
    assert issued.file.pages >= 1
    assert issued.demo_signature
    assert "DEMO" in issued.signer
    assert list(issued.events.values_list("type", "actor")) == [
        (DocumentEventType.ISSUE, city.dana.pk)
    ]


def test_the_inquiry_response_reads_as_persian_in_order_with_joined_letters(
    city: City, issued: IssuedDocument
) -> None:
    pdf = pdf_of(issued)
    text = pdftotext(pdf)
    case = issued.case
    assert case is not None
    # Whole phrases, word after word in reading order, as pdftotext reads them back.
    # (poppler writes the lam-alef ligature «لا» backwards as «ال», so the phrases
    # asserted here avoid it; pypdf reads it right, below.)
    for phrase in (
        "شهرداری اصفهان",
        "معاونت شهرسازی و معماری",
        "در پاسخ به نامه",
        "مشخصات ملک و مالک",
        "وضعیت طرح تفصیلی",
        "رعایت ضوابط طرح تفصیلی در هر نوسازی الزامی است",
        "تصدیق اصالت سند",
        "کارشناس منطقه",
        f"{case.applicant.first_name} {case.applicant.last_name}",
    ):
        assert phrase in text, phrase
    assert issued.serial_label in text  # Persian digits
    assert f"/verify/{issued.serial}/{issued.verification_code}/" in text
    assert issued.code_label in text
    import io

    from pypdf import PdfReader

    assert "بلامانع مشروط" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    # Joined letters: «ی» and «ه» are drawn in more than one contextual form.
    glyphs = glyphs_per_character(pdf)
    assert len(glyphs.get("ی", set())) >= 2
    assert len(glyphs.get("ه", set())) >= 2
    png = first_page_png(pdf, f"inquiry-response-{issued.serial}")
    from PIL import Image

    with Image.open(png) as image:
        assert image.width < image.height  # A4, upright
        assert image.convert("L").getextrema()[0] < 64  # ink on the page


def test_the_signature_validates_and_an_edited_copy_fails(issued: IssuedDocument) -> None:
    pdf = pdf_of(issued)
    status = validate_signature(pdf)
    assert status.intact
    assert status.valid
    assert status.coverage.name == "ENTIRE_FILE"
    forged = edited(pdf)
    assert forged != pdf
    assert len(forged) == len(pdf)
    assert hashlib.sha256(forged).hexdigest() != issued.sha256
    assert not validate_signature(forged).intact


def test_serials_count_per_kind_and_year(db: None) -> None:
    assert next_number(DocumentKind.INQUIRY_RESPONSE, 1404) == 1
    assert next_number(DocumentKind.INQUIRY_RESPONSE, 1404) == 2
    assert next_number(DocumentKind.BILL, 1404) == 1
    assert next_number(DocumentKind.INQUIRY_RESPONSE, 1405) == 1
    assert make_serial(DocumentKind.INQUIRY_RESPONSE, 1404, 17) == "11-1404-000017"
    assert normalize_serial("۱۱–۱۴۰۴–۰۰۰۰۱۷") == "11-1404-000017"
    assert normalize_serial("111404000017") == "11-1404-000017"
    assert normalize_code("kvjz-2eu7 wpk۹") == "KVJZ2EU7WPK9"


def test_a_second_approval_issues_the_next_serial(city: City, issued: IssuedDocument) -> None:
    other = IssuedDocument.objects.get(case=approved_case(city))
    assert other.number == issued.number + 1
    assert other.verification_code != issued.verification_code


def test_a_document_that_cannot_be_written_takes_the_approval_and_its_file_back(
    city: City, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = walk_to(city, city.open_case(), "response_prepared")

    def broken(*args: object, **kwargs: object) -> None:
        raise IntegrityError("the database refused the row")

    before = set(stored_names())
    monkeypatch.setattr(IssuedDocument.objects, "create", broken)
    with pytest.raises(IntegrityError):
        act(city.dana, case, "approve_response")
    assert Case.objects.get(pk=case.pk).state == "response_prepared"
    assert InquiryResponse.objects.get(case=case).issued_at is None
    assert not StoredFile.objects.exists()
    assert set(stored_names()) == before  # the PDF written before the row went with it


def test_revocation_needs_the_parcels_district_or_a_supervisor_and_a_reason(
    city: City, issued: IssuedDocument
) -> None:
    for outsider in (city.erin, city.alice, city.zahra, city.ada):
        with pytest.raises(DocumentNotAllowed):
            do_revoke_document(outsider, issued, "اشتباه در پلاک")
    with pytest.raises(DocumentReasonInvalid):
        do_revoke_document(city.dave, issued, "  ")
    revoked = do_revoke_document(city.dave, issued, "اشتباه در پلاک")
    assert revoked.revoked_at is not None
    assert revoked.revoke_reason == "اشتباه در پلاک"
    assert revoked.events.filter(type=DocumentEventType.REVOKE, actor=city.dave).exists()
    with pytest.raises(DocumentNotCurrent):
        do_revoke_document(city.sam, issued, "دوباره")


def test_a_correction_supersedes_the_old_document(city: City, issued: IssuedDocument) -> None:
    with pytest.raises(DocumentNotAllowed):
        do_correct_document(city.erin, issued, "نام تأییدکننده")
    new = do_correct_document(city.sam, issued, "نام تأییدکننده")
    assert new.supersedes_id == issued.pk
    assert new.serial != issued.serial
    assert new.number == issued.number + 1
    assert "این سند جایگزین سند شماره" in pdftotext(pdf_of(new))
    assert DocumentEvent.objects.filter(document=new, type=DocumentEventType.SUPERSEDE).exists()
    with pytest.raises(DocumentNotCurrent):
        do_correct_document(city.sam, issued, "باز هم")
    first_page_png(pdf_of(new), f"inquiry-response-correction-{new.serial}")


def test_draft_answer_helper_is_used_by_walk(city: City) -> None:
    """The approval of a case whose answer another draft replaced still issues one
    document, for the answer as approved."""
    case = walk_to(city, city.open_case(), "district_review")
    case = draft_answer(city.dave, case)
    case = act(city.dave, case, "prepare_response")
    case = act(city.dana, case, "approve_response")
    assert IssuedDocument.objects.filter(case=case).count() == 1


def test_make_signing_cert_writes_a_demo_pair_and_refuses_to_overwrite(tmp_path: object) -> None:
    from pathlib import Path

    from django.core.management import CommandError, call_command

    folder = Path(str(tmp_path))
    call_command("make_signing_cert", out=str(folder))
    key = folder / "demo-signing-key.pem"
    assert key.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    assert b"BEGIN CERTIFICATE" in (folder / "demo-signing-cert.pem").read_bytes()
    with pytest.raises(CommandError):
        call_command("make_signing_cert", out=str(folder))
