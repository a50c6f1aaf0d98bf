"""In Chromium: the counter attaches a scan from the case page, its thumbnail shows, and
the case page with scans and a visit's photos fits a 390-pixel phone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from pishkhan.cases.actions import do_attach_visit_photo
from pishkhan.cases.models import CaseAttachment, VisitReport
from pishkhan.cases.tests.test_cartable_browser import PHONE, assert_fits, sign_in_as
from pishkhan.testing.personas import build_city, record_visit
from pishkhan.testing.uploads import image_bytes, photo_with_gps, scratch_uploads, upload

LOADED = "[...document.querySelectorAll('.attachments img')].every(i => i.naturalWidth > 0)"


@pytest.mark.e2e
def test_a_scan_attached_on_the_case_page_shows_and_the_page_fits_a_phone(
    live_server: object, transactional_db: None, page: Page, settings: Any, tmp_path: Path
) -> None:
    scratch_uploads(settings, tmp_path / "media")
    world = build_city()
    case = world.walk_to(world.open_case(), "awaiting_visit")
    case = record_visit(world.bob, case)
    report = VisitReport.objects.get(case=case)
    do_attach_visit_photo(
        world.bob, case.pk, case.version, report.pk, upload(photo_with_gps(), "نما.jpg")
    )
    page.set_viewport_size(PHONE)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    # the technical manager scans the ownership document at the counter
    sign_in_as(page, live_server, world.alice)
    page.goto(f"{live_server}/cases/{case.pk}/")
    scan = tmp_path / "سند-مالکیت-با-نامی-بسیار-بلند-که-در-یک-سطر-جا-نمی‌شود.png"
    scan.write_bytes(image_bytes("png", size=(1200, 1600)))
    page.get_by_label("اسکن اصل و تصویر سند مالکیت", exact=False).set_input_files(str(scan))
    page.locator("form.attach-form").filter(
        has=page.get_by_label("اسکن اصل و تصویر سند مالکیت", exact=False)
    ).get_by_role("button", name="پیوست اسکن").click()
    expect(page.get_by_text("پیوست شد")).to_be_visible()
    assert CaseAttachment.objects.filter(document_code="ownership_document").count() == 1
    expect(page.locator(".case-documents .attachments img")).to_have_count(1)
    for image in page.locator(".attachments img").all():  # lazy: each loads when seen
        image.scroll_into_view_if_needed()
        expect(image).to_be_visible()
    page.wait_for_function(LOADED)  # every thumbnail decoded: the CSP lets them load
    assert_fits(page, "case page with scans and photos")
    page.screenshot(path="/tmp/pishkhan-case-files-phone.png", full_page=True)  # noqa: S108

    assert errors == []

    # a refused scan says why in Persian, on the same page (a 400: its only console line)
    wrong = tmp_path / "letter.pdf"
    wrong.write_bytes(image_bytes("jpeg"))
    field = page.get_by_label("اسکن نامه", exact=False).first
    field.set_input_files(str(wrong))
    page.locator("form.attach-form").filter(has=field).get_by_role(
        "button", name="پیوست اسکن"
    ).click()
    expect(page.get_by_text("با محتوای آن (تصویر JPEG) یکی نیست", exact=False)).to_be_visible()
    assert_fits(page, "case page with a refused scan")
    assert [e for e in errors if "status of 400" not in e] == []
