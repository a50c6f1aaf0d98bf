"""Scans of a case's documents and photos of its visits, through the pages: who may
attach them, who may open them (a foreign user's download is a 404), what a download
response says, and that a refused or failed upload leaves no case, no report, no row and
no file."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from pishkhan.accounts.models import Citizen, User
from pishkhan.cases.actions import do_attach_document_scan, do_attach_visit_photo
from pishkhan.cases.errors import RoleNotAllowed, UploadInvalid
from pishkhan.cases.events import EventType
from pishkhan.cases.models import AttachmentKind, Case, CaseAttachment, CaseEvent, VisitReport
from pishkhan.cases.tests.authz import FILE_KIND
from pishkhan.files.models import StoredFile
from pishkhan.testing import authz
from pishkhan.testing.personas import (
    INQUIRY_DOCUMENTS,
    City,
    application_form_data,
    client_for,
    record_visit,
    walk_to,
)
from pishkhan.testing.uploads import (
    bomb_png,
    image_bytes,
    pdf_bytes,
    photo_with_gps,
    scratch_uploads,
    stored_paths,
    upload,
    zip_bytes,
)

PERSIAN = re.compile(r"[\u0600-\u06FF]")


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    return scratch_uploads(settings, tmp_path / "media")


def scan_url(case: Case) -> str:
    return reverse("cases:attach_scan", args=[case.pk])


def file_url(attachment: CaseAttachment, *, thumbnail: bool = False) -> str:
    name = "cases:file_thumbnail" if thumbnail else "cases:file"
    return reverse(name, args=[attachment.case_id, attachment.file.key])


def post_scan(user: User, case: Case, data: bytes, name: str, code: str = "inquiry_letter") -> Any:
    case.refresh_from_db()
    return client_for(user).post(
        scan_url(case),
        {"version": case.version, "document": code, "file": upload(data, name)},
    )


def attach_scan(world: City, case: Case, data: bytes | None = None) -> CaseAttachment:
    case.refresh_from_db()
    name = "سند.png" if data else "سند.pdf"
    return do_attach_document_scan(
        world.alice, case.pk, case.version, "ownership_document", upload(data or pdf_bytes(), name)
    )


def nothing_stored(media: Path) -> bool:
    return not StoredFile.objects.exists() and stored_paths(media) == []


def visit_form(case: Case, photos: list[Any]) -> dict[str, Any]:
    return {
        "version": case.version,
        "visited_on": "۱۴۰۳/۰۱/۱۵",
        "visited_time": "۱۰:۳۰",
        "field_observed_land_use": "residential",
        "field_built_area": "۱۲۰",
        "field_floors": "۲",
        "field_photos": photos,
    }


# --- scans of the documents -------------------------------------------------------------


def test_the_counter_attaches_a_scan_and_the_page_shows_it(world: City, media: Path) -> None:
    case = world.open_case()
    response = post_scan(world.alice, case, image_bytes("jpeg", size=(800, 600)), "نامه.jpg")
    assert response.status_code == 302
    attachment = CaseAttachment.objects.select_related("file").get()
    assert (attachment.kind, attachment.document_code) == ("document_scan", "inquiry_letter")
    assert attachment.file.display_name == "نامه.jpg"
    event = CaseEvent.objects.filter(case=case).order_by("-seq").first()
    assert event is not None
    assert event.action == EventType.ATTACH_DOCUMENT_SCAN
    assert event.payload["document_code"] == "inquiry_letter"
    assert "نامه" not in str(event.payload)  # the client's file name stays out of events
    page = client_for(world.alice).get(reverse("cases:detail", args=[case.pk]))
    html = page.content.decode()
    assert file_url(attachment) in html
    assert file_url(attachment, thumbnail=True) in html
    assert str(media) not in html
    assert attachment.file.storage_name not in html


def test_a_refused_scan_tells_why_in_persian_and_keeps_nothing(world: City, media: Path) -> None:
    case = world.open_case()
    version = case.version
    for data, name, said in (
        (image_bytes("png"), "letter.pdf", "پسوند"),
        (b"<html><script>alert(1)</script></html>", "letter.pdf", "فقط PDF"),
        (pdf_bytes() + zip_bytes(), "letter.pdf", "محتوای دیگری"),
        (bomb_png(), "letter.png", "ابعاد تصویر"),
    ):
        response = post_scan(world.alice, case, data, name)
        assert response.status_code == 400
        html = response.content.decode()
        assert said in html
        assert "Traceback" not in html
    case.refresh_from_db()
    assert case.version == version
    assert not CaseAttachment.objects.exists()
    assert nothing_stored(media)


def test_a_scan_needs_a_document_of_the_checklist(world: City, media: Path) -> None:
    case = world.open_case()
    response = post_scan(world.alice, case, pdf_bytes(), "a.pdf", code="../../etc")
    assert response.status_code == 400
    assert "فهرست مدارک" in response.content.decode()
    assert nothing_stored(media)


def test_an_oversize_scan_is_refused(world: City, media: Path, settings: Any) -> None:
    settings.PISHKHAN_UPLOAD_MAX_BYTES = 2000
    case = world.open_case()
    response = post_scan(world.alice, case, pdf_bytes() + b"%" * 3000, "a.pdf")
    assert response.status_code == 400
    assert "مگابایت" in response.content.decode()
    assert nothing_stored(media)


def test_a_full_disk_leaves_no_row_no_file_no_event(
    world: City, media: Path, settings: Any
) -> None:
    scratch_uploads(settings, media, "pishkhan.testing.uploads.FullDiskStorage")
    case = world.open_case()
    before = CaseEvent.objects.filter(case=case).count()
    response = post_scan(world.alice, case, pdf_bytes(), "a.pdf")
    assert response.status_code == 400
    assert "دوباره تلاش کنید" in response.content.decode()
    assert CaseEvent.objects.filter(case=case).count() == before
    assert not CaseAttachment.objects.exists()
    assert nothing_stored(media)


def test_who_may_attach_a_scan(world: City, media: Path) -> None:
    case = world.open_case()
    # another office's technical manager does not see the case at all
    assert post_scan(world.charlie, case, pdf_bytes(), "a.pdf").status_code == 404
    # an inspector of the office sees it, but scanning documents is the counter's
    response = post_scan(world.bob, case, pdf_bytes(), "a.pdf")
    assert response.status_code == 400
    with pytest.raises(RoleNotAllowed):
        do_attach_document_scan(
            world.bob, case.pk, case.version, "inquiry_letter", upload(pdf_bytes())
        )
    # the applicant neither
    assert post_scan(world.zahra, case, pdf_bytes(), "a.pdf").status_code == 400
    assert nothing_stored(media)
    page = client_for(world.bob).get(reverse("cases:detail", args=[case.pk]))
    assert not page.context["page"].can_attach_scan
    assert scan_url(case) not in page.content.decode()


def test_the_counter_still_scans_while_the_inspector_holds_the_case(
    world: City, media: Path
) -> None:
    case = walk_to(world, world.open_case(), "awaiting_visit")
    attachment = attach_scan(world, case)
    assert attachment.document_code == "ownership_document"


# --- downloads ----------------------------------------------------------------------------


def test_a_download_is_an_attachment_that_runs_nothing(world: City, media: Path) -> None:
    attachment = attach_scan(world, world.open_case())
    response = client_for(world.alice).get(file_url(attachment))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]
    assert attachment.file.storage_name not in str(response.headers)


def test_a_thumbnail_is_inline_and_a_jpeg(world: City, media: Path) -> None:
    attachment = attach_scan(world, world.open_case(), image_bytes("png", size=(1000, 500)))
    response = client_for(world.alice).get(file_url(attachment, thumbnail=True))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == "inline"
    with Image.open(io.BytesIO(b"".join(response.streaming_content))) as thumb:
        assert thumb.size == (320, 160)


def test_a_pdf_has_no_thumbnail(world: City, media: Path) -> None:
    attachment = attach_scan(world, world.open_case())
    assert client_for(world.alice).get(file_url(attachment, thumbnail=True)).status_code == 404


def test_a_foreign_users_download_is_a_404(world: City, media: Path) -> None:
    attachment = attach_scan(world, world.open_case())
    for stranger in (world.charlie, world.erin, world.yusuf):
        assert client_for(stranger).get(file_url(attachment)).status_code == 404
        assert client_for(stranger).get(file_url(attachment, thumbnail=True)).status_code == 404
    anonymous = client_for(world.alice)
    anonymous.logout()
    assert anonymous.get(file_url(attachment)).status_code == 302  # to the sign-in page


def test_a_file_is_found_only_under_its_own_case(world: City, media: Path) -> None:
    attachment = attach_scan(world, world.open_case())
    other = world.open_case()
    url = reverse("cases:file", args=[other.pk, attachment.file.key])
    assert client_for(world.alice).get(url).status_code == 404


def test_who_opens_what(world: City, media: Path) -> None:
    """Staff of the case open scans and photos; the applicant opens the scans of their
    own case, never the inspectors' photos."""
    case = walk_to(world, world.open_case(), "awaiting_visit")
    scan = attach_scan(world, case)
    case.refresh_from_db()
    response = client_for(world.bob).post(
        reverse("cases:visit", args=[case.pk]),
        visit_form(case, [upload(photo_with_gps(), "p.jpg")]),
    )
    assert response.status_code == 302, response.content.decode()
    photo = CaseAttachment.objects.get(kind=AttachmentKind.VISIT_PHOTO)
    for staff in (world.alice, world.bob, world.dave, world.sam):
        assert client_for(staff).get(file_url(scan)).status_code == 200
        assert client_for(staff).get(file_url(photo)).status_code == 200
    assert client_for(world.zahra).get(file_url(scan)).status_code == 200
    assert client_for(world.zahra).get(file_url(photo)).status_code == 404
    page = client_for(world.zahra).get(reverse("cases:detail", args=[case.pk]))
    assert file_url(photo) not in page.content.decode()


def test_a_download_takes_only_get(world: City, media: Path) -> None:
    attachment = attach_scan(world, world.open_case())
    assert client_for(world.alice).post(file_url(attachment)).status_code == 405


# --- photos of the visit --------------------------------------------------------------------


def test_the_visit_keeps_the_photos_position_as_data_not_in_the_file(
    world: City, media: Path
) -> None:
    case = walk_to(world, world.open_case(), "awaiting_visit")
    response = client_for(world.bob).post(
        reverse("cases:visit", args=[case.pk]),
        visit_form(
            case, [upload(photo_with_gps(), "IMG_1.jpg"), upload(image_bytes(), "IMG_2.png")]
        ),
    )
    assert response.status_code == 302, response.content.decode()
    report = VisitReport.objects.get(case=case)
    first, second = report.photos.select_related("file").order_by("pk")
    assert (float(first.latitude), float(first.longitude)) == pytest.approx((32.6575, 51.6775))
    assert not second.has_position
    kept = (media / first.file.storage_name).read_bytes()
    with Image.open(io.BytesIO(kept)) as image:
        assert dict(image.getexif()) == {}
    event = CaseEvent.objects.get(case=case, action=EventType.RECORD_VISIT_REPORT)
    assert event.payload["photos"] == 2
    page = client_for(world.bob).get(reverse("cases:detail", args=[case.pk]))
    assert "موقعیت عکس" in page.content.decode()


def test_a_bad_photo_leaves_no_report_and_no_file(world: City, media: Path) -> None:
    case = walk_to(world, world.open_case(), "awaiting_visit")
    version = case.version
    response = client_for(world.bob).post(
        reverse("cases:visit", args=[case.pk]),
        visit_form(case, [upload(photo_with_gps(), "ok.jpg"), upload(pdf_bytes(), "report.pdf")]),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "«report.pdf»" in html
    assert "تصویر JPEG" in html
    case.refresh_from_db()
    assert case.version == version
    assert not VisitReport.objects.filter(case=case).exists()
    assert nothing_stored(media)


def test_a_photo_is_added_to_ones_own_report_only(world: City, media: Path) -> None:
    case = walk_to(world, world.open_case(), "awaiting_visit")
    case = record_visit(world.bob, case)
    report = VisitReport.objects.get(case=case)
    attachment = do_attach_visit_photo(
        world.bob, case.pk, case.version, report.pk, upload(photo_with_gps(), "x.jpg")
    )
    assert attachment.visit_report_id == report.pk
    assert attachment.has_position
    case.refresh_from_db()
    page = client_for(world.bob).post(
        reverse("cases:attach_photo", args=[case.pk]),
        {"version": case.version, "report": report.pk, "file": upload(pdf_bytes(), "a.pdf")},
    )
    assert page.status_code == 400
    assert PERSIAN.search(page.content.decode())
    assert CaseAttachment.objects.count() == 1
    with pytest.raises(UploadInvalid):
        do_attach_visit_photo(
            world.bob, case.pk, case.version, report.pk, upload(b"<svg/>", "x.png")
        )


# --- registration with scans ------------------------------------------------------------------


def registration(world: City, **files: Any) -> dict[str, Any]:
    return {
        "service": "inquiry_notary",
        "office": world.a.office.pk,
        "national_id": "0076229645",  # a new applicant, registered with the case
        "first_name": "مریم",
        "last_name": "کاظمی",
        "mobile": "09121234567",
        "renewal_code": world.a.parcel.renewal_code,
        "documents": INQUIRY_DOCUMENTS,
        **application_form_data("inquiry_notary"),
        **files,
    }


def written() -> tuple[int, int, int, int]:
    return (
        Case.objects.count(),
        Citizen.objects.count(),
        CaseAttachment.objects.count(),
        StoredFile.objects.count(),
    )


def test_registration_stores_the_scans_with_the_case(world: City, media: Path) -> None:
    response = client_for(world.alice).post(
        "/cases/new/",
        registration(
            world,
            **{
                "scan-inquiry_letter": [upload(pdf_bytes(), "نامه.pdf")],
                "scan-owner_id_card": [
                    upload(image_bytes("jpeg"), "کارت-رو.jpg"),
                    upload(image_bytes("jpeg"), "کارت-پشت.jpg"),
                ],
            },
        ),
    )
    assert response.status_code == 302, response.content.decode()
    case = Case.objects.get()
    scans = {
        (a.document_code, a.file.display_name) for a in case.attachments.select_related("file")
    }
    assert scans == {
        ("inquiry_letter", "نامه.pdf"),
        ("owner_id_card", "کارت-رو.jpg"),
        ("owner_id_card", "کارت-پشت.jpg"),
    }
    opened = CaseEvent.objects.get(case=case, action=EventType.OPEN)
    assert opened.payload["scans"] == {"inquiry_letter": 1, "owner_id_card": 2}


def test_a_failed_scan_leaves_no_half_registered_case(world: City, media: Path) -> None:
    before = written()
    response = client_for(world.alice).post(
        "/cases/new/",
        registration(
            world,
            **{
                "scan-inquiry_letter": [upload(pdf_bytes(), "نامه.pdf")],
                "scan-owner_id_card": [upload(image_bytes("png"), "کارت.pdf")],
            },
        ),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "«کارت.pdf»" in html
    assert "پسوند" in html
    assert written() == before  # no case, no new citizen, no attachment, no stored file
    assert stored_paths(media) == []


def test_a_full_disk_at_registration_leaves_nothing(
    world: City, media: Path, settings: Any
) -> None:
    scratch_uploads(settings, media, "pishkhan.testing.uploads.ThumbnailFailsStorage")
    before = written()
    response = client_for(world.alice).post(
        "/cases/new/",
        registration(
            world,
            **{
                "scan-inquiry_letter": [upload(pdf_bytes(), "نامه.pdf")],
                "scan-owner_id_card": [upload(image_bytes("jpeg"), "کارت.jpg")],
            },
        ),
    )
    assert response.status_code == 400
    assert "دوباره تلاش کنید" in response.content.decode()
    assert written() == before
    assert stored_paths(media) == []


def test_registration_page_offers_a_scan_input_per_document(world: City) -> None:
    html = client_for(world.alice).get("/cases/new/?service=inquiry_notary").content.decode()
    assert 'enctype="multipart/form-data"' in html
    for code in INQUIRY_DOCUMENTS:
        assert f'name="scan-{code}"' in html


# --- the page's cost ------------------------------------------------------------------------


def test_the_case_pages_queries_do_not_grow_with_its_files(world: City, media: Path) -> None:
    few, many = world.open_case(), world.open_case()
    attach_scan(world, few)
    for _ in range(6):
        attach_scan(world, many, image_bytes("png"))
    client = client_for(world.alice)
    client.get(reverse("cases:detail", args=[few.pk]))  # warm the session
    counts = []
    for case in (few, many):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


# --- every person on every file route -----------------------------------------------------


def test_every_file_route_answers_each_person_as_their_scope_says(world: City, media: Path) -> None:
    """A scan and a photo of office A's case (its parcel in district A, the citizen's):
    its office's staff, district A's staff and the city roles open both; the applicant
    the scan only; everyone else gets the 404 an unknown file gets."""
    case = walk_to(world, world.open_case(), "awaiting_visit")
    scan = attach_scan(world, case, image_bytes("png"))
    case.refresh_from_db()
    case = record_visit(world.bob, case)
    report = VisitReport.objects.get(case=case)
    photo = do_attach_visit_photo(
        world.bob, case.pk, case.version, report.pk, upload(photo_with_gps(), "p.jpg")
    )
    office_a = {f"a.{role}" for role in world.a.staff}
    staff = office_a | {"a.district_staff.0", "a.district_staff.1", "supervisor", "administrator"}
    routes = authz.routes(FILE_KIND)
    assert {r.name for r in routes} == {"cases:file", "cases:file_thumbnail"}
    problems = []
    for name, user in world.everyone().items():
        client = client_for(user)
        for route in routes:
            for attachment, opens in (
                (scan, name in staff or name == "citizen"),
                (photo, name in staff),
            ):
                status = client.get(route.url(attachment)).status_code
                if status != (200 if opens else 404):
                    problems.append(f"{name} {route.name} {attachment.kind}: {status}")
            if client.get(route.missing_url()).status_code != 404:
                problems.append(f"{name} {route.name} of a file nobody has: not 404")
    assert not problems, "\n".join(problems)
