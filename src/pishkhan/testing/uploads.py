"""Made-up uploads for tests: images and PDFs generated here, and the hostile ones (a
decompression bomb, polyglots, a photo carrying its GPS position in EXIF)."""

from __future__ import annotations

import errno
import io
import struct
import zipfile
import zlib
from fractions import Fraction
from pathlib import Path
from typing import Any

from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image, TiffImagePlugin
from pypdf import PdfWriter

# Isfahan's Naqsh-e Jahan square, as degrees, minutes and seconds
ISFAHAN_DMS = ((32, 39, 27.0), (51, 40, 39.0))


def image_bytes(
    kind: str = "png", size: tuple[int, int] = (64, 48), mode: str = "RGB", **save: object
) -> bytes:
    image = Image.new(mode, size, color=(30, 120, 200) if mode == "RGB" else 128)
    out = io.BytesIO()
    image.save(out, format="JPEG" if kind == "jpeg" else "PNG", **save)
    return out.getvalue()


def rationals(dms: tuple[float, float, float]) -> tuple[TiffImagePlugin.IFDRational, ...]:
    return tuple(TiffImagePlugin.IFDRational(Fraction(v).limit_denominator(1000)) for v in dms)


def photo_with_gps(
    lat: tuple[float, float, float] = ISFAHAN_DMS[0],
    lon: tuple[float, float, float] = ISFAHAN_DMS[1],
    *,
    orientation: int = 1,
    comment: bytes = b"",
) -> bytes:
    """A JPEG whose EXIF holds a GPS position (north, east), a camera make and an
    orientation, as an inspector's phone writes it."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "DemoPhone"
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: rationals(lat),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: rationals(lon),
    }
    image = Image.new("RGB", (80, 40), color=(200, 160, 90))
    out = io.BytesIO()
    extra: dict[str, object] = {"comment": comment} if comment else {}
    image.save(out, format="JPEG", exif=exif.tobytes(), **extra)
    return out.getvalue()


def pdf_bytes(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("payload.html", "<script>alert(1)</script>")
    return out.getvalue()


def bomb_png(size: tuple[int, int] = (7_000, 7_000)) -> bytes:
    """A small PNG made by Pillow (some tens of kilobytes) whose pixels, decoded, are
    more than the store's limit: 49 million by default."""
    out = io.BytesIO()
    Image.new("1", size).save(out, format="PNG")
    return out.getvalue()


def png_header_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A PNG of a hundred bytes declaring ten billion pixels: its header says so, its
    one data chunk holds almost nothing."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def upload(data: bytes, name: str = "scan.pdf", content_type: str = "") -> SimpleUploadedFile:
    """An uploaded file as a view receives it; the content type is what a browser might
    claim (nothing decides on it)."""
    return SimpleUploadedFile(name, data, content_type=content_type or "application/octet-stream")


class FullDiskStorage(FileSystemStorage):
    """A local storage whose disk fills up halfway through writing a file: half the
    bytes land, then ENOSPC (the upload-failure drill of docs/files.md)."""

    def _save(self, name: str, content: Any) -> str:
        path = Path(self.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content.read()
        path.write_bytes(data[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")


class ThumbnailFailsStorage(FileSystemStorage):
    """A local storage that writes the file and then fails on its thumbnail."""

    def save(self, name: str | None, content: Any, max_length: int | None = None) -> str:
        if name and name.startswith("thumbs/"):
            raise OSError(errno.EIO, "Input/output error")
        return super().save(name, content, max_length)


def stored_paths(root: Path) -> list[Path]:
    """Every file under a storage's folder."""
    return sorted(p for p in root.rglob("*") if p.is_file())


def scratch_uploads(settings: Any, root: Path, backend: str = "") -> Path:
    """Point the uploads storage at `root` (a test's own folder), optionally through
    another storage class (FullDiskStorage, …); the storages are rebuilt on the change."""
    settings.STORAGES = {
        **settings.STORAGES,
        "uploads": {
            "BACKEND": backend or "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    return root
