"""The file store: what it accepts, what it refuses (in Persian), what it keeps of an
upload, and that a refused or failed upload leaves neither a row nor a file."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from PIL import ExifTags, Image

from pishkhan.files.checks import IMAGE_KINDS, check_upload, display_name
from pishkhan.files.errors import UploadFailed, UploadRefused
from pishkhan.files.models import StoredFile
from pishkhan.files.store import atomic_with_files, open_stored, store_upload
from pishkhan.testing.uploads import (
    bomb_png,
    image_bytes,
    pdf_bytes,
    photo_with_gps,
    png_header_bomb,
    stored_paths,
    upload,
    zip_bytes,
)

PERSIAN = re.compile(r"[\u0600-\u06FF]")
RANDOM_NAME = re.compile(r"^(uploads|thumbs)/[0-9a-f]{2}/[0-9a-f]{32}\.(pdf|jpg|png)$")


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    """The uploads storage on a folder of this test alone."""
    root = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "uploads": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    return root


@pytest.fixture
def user(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user(username="counter", password="x" * 20)


def store(user: Any, data: bytes, name: str, **kwargs: Any) -> Any:
    with atomic_with_files():
        return store_upload(user, upload(data, name), purpose="test", **kwargs)


def refused(user: Any, data: bytes, name: str, **kwargs: Any) -> UploadRefused:
    with pytest.raises(UploadRefused) as caught:
        store(user, data, name, **kwargs)
    assert PERSIAN.search(caught.value.message), caught.value.message
    return caught.value


def nothing_stored(media: Path) -> bool:
    return not StoredFile.objects.exists() and stored_paths(media) == []


# --- what is accepted -----------------------------------------------------------------


@pytest.mark.django_db
def test_a_pdf_is_stored_as_sent_under_a_random_name(user: Any, media: Path) -> None:
    data = pdf_bytes(pages=2)
    stored = store(user, data, "پروانه ساختمان.pdf").file
    assert (stored.kind, stored.pages, stored.size) == ("pdf", 2, len(data))
    assert stored.display_name == "پروانه ساختمان.pdf"
    assert RANDOM_NAME.match(stored.storage_name)
    assert stored.key.hex in stored.storage_name
    assert stored.thumbnail_name == ""
    assert (media / stored.storage_name).read_bytes() == data
    assert stored.uploaded_by == user


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "name"), [("jpeg", "photo.JPG"), ("png", "plan.png")])
def test_an_image_is_re_encoded_with_a_thumbnail(
    user: Any, media: Path, kind: str, name: str
) -> None:
    stored = store(user, image_bytes(kind, size=(900, 600)), name).file
    assert (stored.kind, stored.width, stored.height) == (kind, 900, 600)
    with Image.open(media / stored.storage_name) as image:
        assert image.format == ("JPEG" if kind == "jpeg" else "PNG")
    with Image.open(media / stored.thumbnail_name) as thumb:
        assert (thumb.format, max(thumb.size)) == ("JPEG", 320)
    assert all(RANDOM_NAME.match(str(p.relative_to(media))) for p in stored_paths(media))


@pytest.mark.django_db
def test_the_name_decides_nothing_when_it_has_no_extension(user: Any, media: Path) -> None:
    assert store(user, pdf_bytes(), "scan").file.kind == "pdf"
    assert store(user, image_bytes("png"), "IMG_0001").file.kind == "png"


@pytest.mark.django_db
def test_a_stored_file_reads_back(user: Any, media: Path) -> None:
    stored = store(user, pdf_bytes(), "a.pdf").file
    with open_stored(stored.storage_name) as handle:
        assert handle.read().startswith(b"%PDF-")


# --- the type is the content's --------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "name"),
    [
        (image_bytes("png"), "scan.pdf"),  # a PNG that calls itself a PDF
        (pdf_bytes(), "photo.jpg"),  # a PDF that calls itself a JPEG
        (image_bytes("jpeg"), "photo.png"),
        (image_bytes("png"), "shell.php"),
        (pdf_bytes(), "page.html"),
    ],
)
def test_a_name_that_disagrees_with_the_content_is_refused(
    user: Any, media: Path, data: bytes, name: str
) -> None:
    error = refused(user, data, name)
    assert error.code == "type_mismatch"
    assert "پسوند" in error.message
    assert nothing_stored(media)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data",
    [
        b"<html><body>hello</body></html>",
        b"GIF89a" + b"\x00" * 32,
        b"PK\x03\x04" + b"\x00" * 32,
        b"MZ\x90\x00" + b"\x00" * 32,  # a Windows program
        b"%!PS-Adobe-3.0\n",
    ],
)
def test_anything_but_pdf_jpeg_png_is_refused_whatever_its_name(
    user: Any, media: Path, data: bytes
) -> None:
    error = refused(user, data, "scan.pdf")
    assert error.code == "type_not_accepted"
    assert nothing_stored(media)


@pytest.mark.django_db
def test_the_declared_content_type_decides_nothing(user: Any, media: Path) -> None:
    with pytest.raises(UploadRefused), atomic_with_files():
        store_upload(user, upload(b"<script>x</script>", "a.png", "image/png"), purpose="test")
    with atomic_with_files():
        stored = store_upload(user, upload(pdf_bytes(), "a.pdf", "text/html"), purpose="test").file
    assert stored.content_type == "application/pdf"


@pytest.mark.django_db
def test_a_place_for_photos_takes_no_pdf(user: Any, media: Path) -> None:
    error = refused(user, pdf_bytes(), "a.pdf", kinds=IMAGE_KINDS)
    assert error.code == "kind_not_here"
    assert nothing_stored(media)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data",
    [
        pdf_bytes()[:200],  # cut short
        b"%PDF-1.7\n" + b"\x00garbage" * 100,
        image_bytes("png")[:60],
        image_bytes("jpeg")[:100],
    ],
)
def test_a_broken_file_is_refused(user: Any, media: Path, data: bytes) -> None:
    assert refused(user, data, "x").code == "broken"
    assert nothing_stored(media)


# --- size and pixels ------------------------------------------------------------------


@pytest.mark.django_db
def test_an_oversize_file_is_refused(user: Any, media: Path, settings: Any) -> None:
    settings.PISHKHAN_UPLOAD_MAX_BYTES = 1000
    error = refused(user, pdf_bytes() + b"%" * 1000, "big.pdf")
    assert error.code == "too_large"
    assert "مگابایت" in error.message
    assert nothing_stored(media)


def test_the_size_limit_reads_no_more_than_one_chunk_past_it() -> None:
    class Endless:
        name = "endless.pdf"
        size = None
        served = 0

        def chunks(self) -> Any:
            while True:
                self.served += 1
                yield b"%PDF-" + b"0" * 65_531

    endless = Endless()
    with pytest.raises(UploadRefused):
        check_upload(endless)
    assert endless.served == 10 * 16 + 1  # 10 MB in 64 KiB chunks, and the one over


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data",
    [
        bomb_png(),  # 7000 x 7000 from Pillow, a few kilobytes
        png_header_bomb(),  # a header claiming ten billion pixels
        bomb_png((1, 20_000)),  # a side longer than any photo's
    ],
    ids=["pillow-bomb", "header-bomb", "long-side"],
)
def test_a_decompression_bomb_is_refused(user: Any, media: Path, data: bytes) -> None:
    assert len(data) < 100_000
    error = refused(user, data, "bomb.png")
    assert error.code == "too_many_pixels"
    assert nothing_stored(media)


# --- names ----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("../../etc/passwd.png", "passwd.png"),
        ("..\\..\\windows\\system32\\x.png", "x.png"),
        ("/var/www/html/.htaccess.png", "htaccess.png"),
        ("scan\x00.php.png", "scan.php.png"),
        ("evil\u202egnp.exe.png", "evilgnp.exe.png"),  # a right-to-left override dropped
        ("نقشه\u200cها.png", "نقشه\u200cها.png"),  # the zero-width non-joiner kept
    ],
)
def test_a_path_in_the_name_is_only_display_text(
    user: Any, media: Path, name: str, shown: str
) -> None:
    stored = store(user, image_bytes("png"), name).file
    assert stored.display_name == shown
    assert RANDOM_NAME.match(stored.storage_name)
    assert all(p.is_relative_to(media) for p in stored_paths(media))
    assert not Path("/etc/passwd.png").exists()


def test_a_megabyte_name_becomes_a_short_display_name() -> None:
    shown = display_name("الف" * 500_000 + ".pdf")
    assert len(shown) == 120
    assert shown.endswith(".pdf")
    assert display_name("\x00\x00") == display_name("") == "بی‌نام"
    assert display_name("a" * 1_000_000) == "a" * 120


@pytest.mark.django_db
def test_a_file_with_a_megabyte_name_is_stored(user: Any, media: Path) -> None:
    stored = check_upload(upload(pdf_bytes(), "x" * 1_000_000 + ".pdf"))
    assert len(stored.display_name) <= 120
    assert stored.display_name.endswith(".pdf")


# --- polyglots ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data",
    [
        pdf_bytes() + zip_bytes(),  # a PDF that is also a ZIP
        pdf_bytes().replace(b"%PDF-1.3", b"%PDF-1.3\n<html><script>alert(1)</script>", 1),
        pdf_bytes().replace(
            b"/Type /Catalog",
            b"/Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >>",
            1,
        ),
        pdf_bytes().replace(b"/Type /Catalog", b"/Type /Catalog /AA << >>", 1),
    ],
    ids=["pdf+zip", "pdf+html", "pdf+javascript", "pdf+additional-actions"],
)
def test_a_polyglot_pdf_is_refused(user: Any, media: Path, data: bytes) -> None:
    assert data.startswith(b"%PDF-")
    error = refused(user, data, "scan.pdf")
    assert error.code == "polyglot"
    assert nothing_stored(media)


@pytest.mark.django_db
def test_html_before_the_pdf_header_is_no_pdf(user: Any, media: Path) -> None:
    assert refused(user, b"<html>" + pdf_bytes(), "scan.pdf").code == "type_not_accepted"


@pytest.mark.django_db
def test_a_polyglot_image_is_stored_as_its_pixels_only(user: Any, media: Path) -> None:
    hidden = zip_bytes()
    stored = store(user, image_bytes("png") + hidden, "plan.png").file
    content = (media / stored.storage_name).read_bytes()
    assert b"PK\x05\x06" not in content
    assert b"<script>" not in content
    with Image.open(io.BytesIO(content)) as image:
        image.load()


# --- EXIF -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_exif_gps_is_stripped_from_the_file_and_returned_as_data(user: Any, media: Path) -> None:
    sent = photo_with_gps(comment=b"inspector's phone")
    with Image.open(io.BytesIO(sent)) as original:
        assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the photo carries it
    with atomic_with_files():
        result = store_upload(user, upload(sent, "IMG_2041.jpg"), purpose="visit_photo")
    assert result.gps is not None
    assert (float(result.gps.latitude), float(result.gps.longitude)) == pytest.approx(
        (32.6575, 51.6775), abs=1e-4
    )
    for name in (result.file.storage_name, result.file.thumbnail_name):
        kept = (media / name).read_bytes()
        assert not [word for word in (b"Exif", b"DemoPhone", b"inspector") if word in kept]
        with Image.open(io.BytesIO(kept)) as image:
            assert dict(image.getexif()) == {}
            assert not {"comment", "icc_profile", "exif"} & set(image.info)


@pytest.mark.django_db
def test_the_exif_orientation_is_applied_before_it_is_dropped(user: Any, media: Path) -> None:
    sent = photo_with_gps(orientation=6)  # "rotate 90°": the 80 x 40 photo stands upright
    stored = store(user, sent, "tall.jpg").file
    assert (stored.width, stored.height) == (40, 80)


@pytest.mark.django_db
def test_a_photo_without_gps_gives_no_position(user: Any, media: Path) -> None:
    with atomic_with_files():
        result = store_upload(user, upload(image_bytes("jpeg"), "a.jpg"), purpose="p")
    assert result.gps is None


@pytest.mark.django_db
def test_a_zero_or_out_of_range_position_is_no_position(user: Any, media: Path) -> None:
    for lat, lon in (((0, 0, 0), (0, 0, 0)), ((95, 0, 0), (51, 0, 0))):
        with atomic_with_files():
            result = store_upload(user, upload(photo_with_gps(lat, lon), "a.jpg"), purpose="p")
        assert result.gps is None


# --- nothing left behind --------------------------------------------------------------


@pytest.mark.django_db
def test_a_full_disk_leaves_neither_row_nor_half_a_file(
    user: Any, media: Path, settings: Any
) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "uploads": {
            "BACKEND": "pishkhan.testing.uploads.FullDiskStorage",
            "OPTIONS": {"location": str(media)},
        },
    }
    with pytest.raises(UploadFailed) as caught:
        store(user, pdf_bytes(), "a.pdf")
    assert "دوباره تلاش کنید" in caught.value.message
    assert nothing_stored(media)


@pytest.mark.django_db
def test_a_failed_thumbnail_takes_the_written_file_back(
    user: Any, media: Path, settings: Any
) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "uploads": {
            "BACKEND": "pishkhan.testing.uploads.ThumbnailFailsStorage",
            "OPTIONS": {"location": str(media)},
        },
    }
    with pytest.raises(UploadFailed):
        store(user, image_bytes("jpeg"), "a.jpg")
    assert nothing_stored(media)


@pytest.mark.django_db
def test_a_rollback_after_storing_removes_the_files(user: Any, media: Path) -> None:
    seen: list[int] = []

    def action() -> None:
        with atomic_with_files():
            store_upload(user, upload(image_bytes("png"), "a.png"), purpose="p")
            store_upload(user, upload(pdf_bytes(), "b.pdf"), purpose="p")
            seen.append(len(stored_paths(media)))  # two files and a thumbnail, for now
            raise RuntimeError("a later step of the action failed")

    with pytest.raises(RuntimeError, match="later step"):
        action()
    assert seen == [3]
    assert nothing_stored(media)


@pytest.mark.django_db
def test_a_refusal_of_the_second_file_takes_the_first_back(user: Any, media: Path) -> None:
    def action() -> None:
        with atomic_with_files():
            store_upload(user, upload(pdf_bytes(), "ok.pdf"), purpose="p")
            store_upload(user, upload(image_bytes("png"), "wrong.pdf"), purpose="p")

    with pytest.raises(UploadRefused):
        action()
    assert nothing_stored(media)


@pytest.mark.django_db
def test_an_inner_block_that_commits_is_taken_back_by_the_outer_rollback(
    user: Any, media: Path
) -> None:
    def action() -> None:
        with atomic_with_files():
            with atomic_with_files():
                store_upload(user, upload(pdf_bytes(), "a.pdf"), purpose="p")
            raise RuntimeError("the outer block fails")

    with pytest.raises(RuntimeError, match="outer"):
        action()
    assert nothing_stored(media)


@pytest.mark.django_db
def test_a_committed_upload_stays(user: Any, media: Path) -> None:
    stored = store(user, pdf_bytes(), "a.pdf").file
    assert StoredFile.objects.filter(pk=stored.pk).exists()
    assert stored_paths(media) == [media / stored.storage_name]


@pytest.mark.django_db
def test_storing_outside_atomic_with_files_is_a_programming_error(user: Any, media: Path) -> None:
    with pytest.raises(RuntimeError, match="atomic_with_files"), transaction.atomic():
        store_upload(user, upload(pdf_bytes(), "a.pdf"), purpose="p")
    assert nothing_stored(media)
