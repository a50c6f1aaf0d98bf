"""A notary reads the QR code's address off an issued response on a phone and sees the
document valid, with its key facts."""

from __future__ import annotations

import re

import pytest
from django.test import override_settings
from playwright.sync_api import Page, expect

from pishkhan.documents.models import IssuedDocument
from pishkhan.documents.tests.helpers import pdf_of, pdftotext
from pishkhan.testing.browser import PHONE, check_page
from pishkhan.testing.personas import act, build_city, walk_to


@pytest.mark.e2e
def test_a_notary_opens_the_qr_address_on_a_phone_and_sees_it_valid(
    live_server: object, transactional_db: None, page: Page
) -> None:
    # given a response approved while the public address is this server's
    with override_settings(PISHKHAN_PUBLIC_URL=str(live_server)):
        city = build_city()
        case = act(
            city.dana, walk_to(city, city.open_case(), "response_prepared"), "approve_response"
        )
    document = IssuedDocument.objects.get(case=case)
    # the address printed under the QR code, as the notary's phone reads it
    printed = re.search(r"http://\S+/verify/\S+/", pdftotext(pdf_of(document)))
    assert printed is not None

    # when the notary, signed in nowhere, opens it on a phone
    page.set_viewport_size(PHONE)
    page.goto(printed.group(0))

    # then the page says valid, with the key facts and nothing personal beyond them
    expect(page.get_by_role("heading", name="این سند معتبر است")).to_be_visible()
    facts = page.locator(".verdict")
    expect(facts).to_contain_text(document.serial_label)
    expect(facts).to_contain_text("بلامانع مشروط")
    assert case.parcel is not None
    expect(facts).to_contain_text(case.parcel.plate_label)
    expect(facts).to_contain_text("******")
    expect(facts).not_to_contain_text(case.applicant.last_name)
    check_page(page, "verification page (phone)")
    page.screenshot(path="/tmp/pishkhan-documents-verify-phone.png", full_page=True)  # noqa: S108
