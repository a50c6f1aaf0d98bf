"""The public verification page: by serial and code or the QR code's address, rate
limited, the key facts and the status (valid, superseded by N, revoked and why), the
applicant's national ID masked, and an uploaded PDF compared byte for byte."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from pishkhan.core.digits import to_persian_digits
from pishkhan.documents.actions import do_correct_document, do_revoke_document
from pishkhan.documents.models import IssuedDocument
from pishkhan.documents.tests.helpers import edited, pdf_of
from pishkhan.testing.personas import City, act, client_for, walk_to


@pytest.fixture(autouse=True)
def fresh_limits() -> None:
    cache.clear()


@pytest.fixture
def issued(city: City) -> IssuedDocument:
    case = walk_to(city, city.open_case(), "response_prepared")
    case = act(city.dana, case, "approve_response")
    return IssuedDocument.objects.get(case=case)


def link(document: IssuedDocument, code: str | None = None) -> str:
    return reverse(
        "documents:verify_link", args=[document.serial, code or document.verification_code]
    )


def test_the_qr_address_shows_a_valid_document_with_its_key_facts(
    issued: IssuedDocument,
) -> None:
    page = Client().get(link(issued))
    assert page.status_code == 200
    html = page.content.decode()
    case = issued.case
    assert case is not None
    assert 'data-status="valid"' in html
    assert "این سند معتبر است" in html
    assert issued.serial_label in html
    assert "بلامانع مشروط" in html
    assert case.parcel is not None
    assert case.parcel.plate_label in html
    nid = case.applicant.national_id
    assert to_persian_digits(nid) not in html
    assert nid not in html
    assert to_persian_digits("******" + nid[-4:]) in html
    assert case.applicant.last_name not in html  # no more than the facts: no name
    assert "گواهی آزمایشی" in html
    assert page["Cache-Control"].startswith("max-age=0")


def test_the_form_accepts_persian_digits_and_a_grouped_code(issued: IssuedDocument) -> None:
    page = Client().get(
        reverse("documents:verify"),
        {"serial": issued.serial_label, "code": issued.code_label.lower()},
    )
    assert page.status_code == 200
    assert 'data-status="valid"' in page.content.decode()


def test_a_wrong_code_fails_like_an_unknown_serial(issued: IssuedDocument) -> None:
    wrong = ("2" if issued.verification_code[0] != "2" else "3") + issued.verification_code[1:]
    for url in (
        link(issued, wrong),
        reverse("documents:verify_link", args=["11-1300-000001", wrong]),
    ):
        page = Client().get(url)
        assert page.status_code == 404
        html = page.content.decode()
        assert "سندی با این شماره و رمز تصدیق پیدا نشد" in html
        assert "data-status" not in html


def test_a_superseded_document_names_its_successor(city: City, issued: IssuedDocument) -> None:
    new = do_correct_document(city.dave, issued, "اصلاح نام تأییدکننده")
    html = Client().get(link(issued)).content.decode()
    assert 'data-status="superseded"' in html
    assert f'سند جایگزین: شماره <bdi class="ltr">{new.serial_label}</bdi>' in html
    assert 'data-status="valid"' in Client().get(link(new)).content.decode()


def test_a_revoked_document_says_so_with_its_reason(city: City, issued: IssuedDocument) -> None:
    do_revoke_document(city.sam, issued, "صدور بر پایه سند مالکیت جعلی")
    html = Client().get(link(issued)).content.decode()
    assert 'data-status="revoked"' in html
    assert "این سند ابطال شده است" in html
    assert "صدور بر پایه سند مالکیت جعلی" in html


def test_an_uploaded_pdf_is_compared_byte_for_byte(issued: IssuedDocument) -> None:
    pdf = pdf_of(issued)
    url = reverse("documents:verify")
    fields = {"serial": issued.serial, "code": issued.verification_code}
    same = Client().post(url, {**fields, "file": SimpleUploadedFile("a.pdf", pdf)})
    assert "بایت‌به‌بایت همان سندی است" in same.content.decode()
    other = Client().post(url, {**fields, "file": SimpleUploadedFile("a.pdf", edited(pdf))})
    assert "با سند صادرشده یکی نیست" in other.content.decode()
    assert "بایت‌به‌بایت همان" not in other.content.decode()


def test_lookups_are_rate_limited_per_address(
    issued: IssuedDocument, settings: pytest.FixtureRequest
) -> None:
    settings.PISHKHAN_VERIFY_ATTEMPTS = 3  # type: ignore[attr-defined]
    client = Client()
    codes = [client.get(link(issued, "A" * 12)).status_code for _ in range(3)]
    assert codes == [404, 404, 404]
    blocked = client.get(link(issued))  # the right code, too late
    assert blocked.status_code == 429
    assert "بیش از حد مجاز" in blocked.content.decode()
    other = Client(REMOTE_ADDR="10.9.9.9").get(link(issued))
    assert other.status_code == 200


def test_bad_input_is_a_persian_message(db: None) -> None:
    page = Client().get(reverse("documents:verify"), {"serial": "", "code": "x"})
    assert page.status_code == 400
    assert "این فیلد لازم است" in page.content.decode()
    assert Client().get(reverse("documents:verify")).status_code == 200


def test_the_pdf_downloads_for_the_applicant_and_staff_only(
    city: City, issued: IssuedDocument
) -> None:
    url = reverse("documents:download", args=[issued.case_id, issued.serial])
    for person in (city.zahra, city.alice, city.dave, city.sam):
        response = client_for(person).get(url)
        assert response.status_code == 200, person
        assert b"".join(response.streaming_content) == pdf_of(issued)
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
    for outsider in (city.charlie, city.erin, city.yusuf):
        assert client_for(outsider).get(url).status_code == 404
    wrong = reverse("documents:download", args=[issued.case_id, "11-1300-000009"])
    assert client_for(city.alice).get(wrong).status_code == 404
    assert Client().get(url).status_code == 302


def test_the_answer_page_links_the_signed_pdf(city: City, issued: IssuedDocument) -> None:
    page = client_for(city.zahra).get(reverse("cases:answer", args=[issued.case_id]))
    url = reverse("documents:download", args=[issued.case_id, issued.serial])
    assert f'href="{url}"' in page.content.decode()
