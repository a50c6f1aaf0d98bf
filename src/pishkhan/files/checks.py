"""What an upload is, decided by its content alone, and what of it may be stored.

Nothing here writes: ``check_upload`` reads the upload (never more than the size limit),
decides its kind from its bytes (PDF, JPEG or PNG; the name, its extension and the
browser's content type decide nothing), parses it whole, and returns what the store
keeps — the PDF as sent, an image re-encoded from its pixels (no EXIF, no comments, no
ICC profile, no trailing bytes), a thumbnail of an image, and the GPS position an
image's EXIF carried, as data. Every refusal is an ``UploadRefused`` with a Persian
sentence. The rules are in docs/files.md.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import unicodedata
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from PIL import ExifTags, Image, ImageOps
from pypdf import PdfReader

from pishkhan.core.digits import to_persian_digits
from pishkhan.files.errors import UploadRefused
from pishkhan.files.models import Kind

PDF_MAGIC = b"%PDF-"
JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# A ZIP reader looks for the end-of-central-directory record in the last 64 KiB (its
# comment's largest size) plus the record's own 22 bytes.
ZIP_END_SIGNATURE = b"PK\x05\x06"
ZIP_TAIL = 65_535 + 22
MARKUP = re.compile(rb"<\s*(?:!doctype|html|head|body|script|svg|iframe|object|embed)\b", re.I)
ACTIVE_PDF = re.compile(rb"/(?:JavaScript|JS|Launch|EmbeddedFiles?|RichMedia|XFA)(?![A-Za-z0-9])")
# A stream's data (compressed page content, an embedded image) is random bytes: the
# active-content names are looked for outside streams only.
STREAM = re.compile(rb"\bstream\r?\n.*?\bendstream\b", re.S)
EXTENSIONS: dict[str, str] = {
    "pdf": Kind.PDF,
    "jpg": Kind.JPEG,
    "jpeg": Kind.JPEG,
    "jpe": Kind.JPEG,
    "jfif": Kind.JPEG,
    "png": Kind.PNG,
}
PIL_FORMATS: dict[str, tuple[str, ...]] = {Kind.JPEG: ("JPEG", "MPO"), Kind.PNG: ("PNG",)}
KIND_LABELS: dict[str, str] = {
    Kind.PDF: "PDF",
    Kind.JPEG: "تصویر JPEG",
    Kind.PNG: "تصویر PNG",
}
ALL_KINDS = frozenset(Kind.values)
IMAGE_KINDS = frozenset({Kind.JPEG, Kind.PNG})
DISPLAY_NAME_MAX = 120
UNNAMED = "بی‌نام"
THUMBNAIL_SIDE = 320
JPEG_QUALITY = 88
THUMBNAIL_QUALITY = 80
# Format characters a name may keep: the zero-width non-joiner and joiner Persian uses.
# Every other control or format character (NUL, bidi overrides that turn "gpj.exe" into
# "exe.jpg" on screen) is dropped.
KEPT_FORMAT_CHARACTERS = {"\u200c", "\u200d"}


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_pixels: int
    max_side: int
    max_pdf_pages: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            max_bytes=settings.PISHKHAN_UPLOAD_MAX_BYTES,
            max_pixels=settings.PISHKHAN_UPLOAD_MAX_PIXELS,
            max_side=settings.PISHKHAN_UPLOAD_MAX_IMAGE_SIDE,
            max_pdf_pages=settings.PISHKHAN_UPLOAD_MAX_PDF_PAGES,
        )


@dataclass(frozen=True)
class GPSPosition:
    """Where a photo was taken, read from its EXIF before the EXIF is dropped."""

    latitude: Decimal
    longitude: Decimal


@dataclass(frozen=True)
class CheckedUpload:
    """An upload every rule allowed, ready to be written."""

    kind: str
    content: bytes  # what is stored: the PDF as sent, an image re-encoded
    display_name: str  # the client's name, sanitised, for people to read
    received_size: int  # the bytes the client sent
    width: int | None = None
    height: int | None = None
    pages: int | None = None
    thumbnail: bytes = b""  # a small JPEG of an image; nothing for a PDF
    gps: GPSPosition | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def content_type(self) -> str:
        return Kind(self.kind).content_type


def megabytes(size: int) -> str:
    return to_persian_digits(f"{size / (1024 * 1024):.0f}")


# --- the name -------------------------------------------------------------------------


def display_name(raw: Any) -> str:
    """The client's file name as display text: no folders, no control characters, no
    NUL, at most 120 characters (the extension kept). Never used as a path."""
    text = unicodedata.normalize("NFC", str(raw or ""))
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(
        ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in KEPT_FORMAT_CHARACTERS
    )
    text = " ".join(text.split()).lstrip(".").strip()
    if not text:
        return UNNAMED
    if len(text) <= DISPLAY_NAME_MAX:
        return text
    stem, dot, extension = text.rpartition(".")
    if dot and stem and 0 < len(extension) <= 10:
        return stem[: DISPLAY_NAME_MAX - len(extension) - 1].rstrip() + "." + extension
    return text[:DISPLAY_NAME_MAX]


def extension_of(name: str) -> str:
    """The lower-case extension of a (sanitised) name, '' when it has none."""
    stem, dot, extension = name.rpartition(".")
    return extension.lower() if dot and stem else ""


def check_extension(name: str, kind: str) -> None:
    """A name that says one type while the content is another is refused (a PNG named
    'scan.pdf', a PDF named 'photo.php'); a name with no extension says nothing."""
    extension = extension_of(name)
    if not extension or EXTENSIONS.get(extension) == kind:
        return
    shown = extension if len(extension) <= 10 and extension.isalnum() else "نامعتبر"
    raise UploadRefused(
        f"پسوند نام پرونده («{shown}») با محتوای آن ({KIND_LABELS[kind]}) یکی نیست؛ "
        "پرونده را با پسوند درست دوباره بارگذاری کنید.",
        code="type_mismatch",
    )


# --- the bytes ------------------------------------------------------------------------


def read_capped(upload: Any, max_bytes: int) -> bytes:
    """The upload's bytes, reading no more than one byte past the limit."""
    declared = getattr(upload, "size", None)
    too_big = UploadRefused(
        f"حجم پرونده بیش از {megabytes(max_bytes)} مگابایت است؛ "
        "آن را با کیفیت کمتر اسکن کنید یا در چند بخش بارگذاری کنید.",
        code="too_large",
    )
    if isinstance(declared, int) and declared > max_bytes:
        raise too_big
    chunks: list[bytes] = []
    total = 0
    source: Iterable[bytes] = upload.chunks() if hasattr(upload, "chunks") else [upload.read()]
    for chunk in source:
        total += len(chunk)
        if total > max_bytes:
            raise too_big
        chunks.append(chunk)
    data = b"".join(chunks)
    if not data:
        raise UploadRefused("پرونده خالی است.", code="empty")
    return data


def detect_kind(data: bytes) -> str:
    """The kind the first bytes say; a PDF must open with '%PDF-' at its very first byte
    (one that starts as something else, HTML say, is not taken for a PDF)."""
    if data.startswith(PDF_MAGIC):
        return Kind.PDF
    if data.startswith(JPEG_MAGIC):
        return Kind.JPEG
    if data.startswith(PNG_MAGIC):
        return Kind.PNG
    raise UploadRefused(
        "نوع این پرونده پذیرفته نیست؛ فقط PDF و تصویر JPEG یا PNG پذیرفته می‌شود.",
        code="type_not_accepted",
    )


# --- PDF ------------------------------------------------------------------------------

POLYGLOT = "این پرونده PDF محتوای دیگری (بایگانی فشرده، صفحه وب یا کد اجرایی) در خود دارد و پذیرفته نمی‌شود؛ آن را دوباره از اسکنر بگیرید."  # noqa: E501


def check_pdf_bytes(data: bytes) -> None:
    """The polyglot rule (docs/files.md): a PDF that is also a ZIP (an end-of-central-
    directory record where ZIP readers look for it), that carries HTML markup in its
    first kilobyte, or that names active content (JavaScript, launch actions, embedded
    files, rich media, XFA forms) outside its streams is refused; so is one whose
    catalog opens with an action or names scripts or embedded files (``check_pdf``)."""
    if ZIP_END_SIGNATURE in data[-ZIP_TAIL:]:
        raise UploadRefused(POLYGLOT, code="polyglot")
    if MARKUP.search(data[:1024]):
        raise UploadRefused(POLYGLOT, code="polyglot")
    if ACTIVE_PDF.search(STREAM.sub(b" ", data)):
        raise UploadRefused(POLYGLOT, code="polyglot")


def active_catalog(catalog: Any, names: Any) -> bool:
    """The document runs something when opened: additional actions, an opening action
    other than going to a page, named scripts or embedded files."""
    if "/AA" in catalog or any(key in names for key in ("/JavaScript", "/EmbeddedFiles")):
        return True
    opening = catalog.get("/OpenAction")
    action = opening.get_object() if opening is not None else None
    return isinstance(action, dict) and action.get("/S") not in (None, "/GoTo")


def check_pdf(data: bytes, limits: Limits) -> int:
    """Parse the whole PDF (its cross references, its page tree); the number of pages."""
    check_pdf_bytes(data)
    broken = UploadRefused(
        "پرونده PDF خراب است یا خوانده نمی‌شود؛ آن را دوباره اسکن و ذخیره کنید.",
        code="broken",
    )
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise UploadRefused(
                "پرونده PDF رمزدار است؛ نسخه بدون رمز آن را بارگذاری کنید.", code="encrypted"
            )
        pages = len(reader.pages)
        if pages > limits.max_pdf_pages:
            raise UploadRefused(
                f"پرونده PDF بیش از {to_persian_digits(limits.max_pdf_pages)} صفحه دارد؛ "
                "آن را در چند بخش بارگذاری کنید.",
                code="too_many_pages",
            )
        for page in reader.pages:
            _ = page.mediabox  # every page object parses
        catalog: Any = reader.trailer["/Root"].get_object()
        names: Any = catalog.get("/Names")
        if active_catalog(catalog, names.get_object() if names is not None else {}):
            raise UploadRefused(POLYGLOT, code="polyglot")
    except UploadRefused:
        raise
    except Exception:  # pypdf raises many kinds of error on a broken file
        raise broken from None
    if pages < 1:
        raise broken
    return pages


# --- images ---------------------------------------------------------------------------


def bomb(limits: Limits) -> UploadRefused:
    return UploadRefused(
        "ابعاد تصویر بیش از اندازه است (حداکثر "
        f"{to_persian_digits(limits.max_pixels // 1_000_000)} میلیون نقطه و هر ضلع "
        f"{to_persian_digits(limits.max_side)} نقطه)؛ تصویر را کوچک‌تر کنید.",
        code="too_many_pixels",
    )


def open_image(data: bytes, kind: str, limits: Limits) -> Image.Image:
    """Open, verify and decode the whole image, refusing one whose declared size breaks
    the pixel limits before a single pixel is decoded (a decompression bomb)."""
    formats = PIL_FORMATS[kind]
    broken = UploadRefused(
        "تصویر خراب است یا کامل نیست؛ آن را دوباره بگیرید یا ذخیره کنید.", code="broken"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=list(formats)) as probe:
                width, height = probe.size
                if (
                    width * height > limits.max_pixels
                    or max(width, height) > limits.max_side
                    or min(width, height) < 1
                ):
                    raise bomb(limits)
                probe.verify()
            image = Image.open(io.BytesIO(data), formats=list(formats))
            image.load()
        except UploadRefused:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise bomb(limits) from None
        except Exception:  # Pillow raises OSError, SyntaxError, ValueError … on bad data
            raise broken from None
    if image.format not in formats:
        raise broken
    return image


def rational(value: Any) -> float:
    return float(value)


def gps_position(image: Image.Image) -> GPSPosition | None:
    """The photo's position from its EXIF GPS block; None when it has none or it makes
    no sense (out of range, the 0,0 some cameras write for "unknown")."""
    try:
        block = image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        lat, lon = block.get(ExifTags.GPS.GPSLatitude), block.get(ExifTags.GPS.GPSLongitude)
        if not lat or not lon:
            return None
        values = []
        for parts, ref, negative in (
            (lat, block.get(ExifTags.GPS.GPSLatitudeRef), "S"),
            (lon, block.get(ExifTags.GPS.GPSLongitudeRef), "W"),
        ):
            d, m, s = (rational(p) for p in parts)
            value = d + m / 60 + s / 3600
            if isinstance(ref, bytes):
                ref = ref.decode("ascii", "replace")
            if str(ref or "").strip().upper() == negative:
                value = -value
            values.append(value)
    except Exception:  # a malformed GPS block is no position, not a refusal
        return None
    latitude, longitude = values
    if not all(math.isfinite(v) for v in values):
        return None
    if abs(latitude) > 90 or abs(longitude) > 180 or (latitude == 0 and longitude == 0):
        return None
    return GPSPosition(Decimal(f"{latitude:.6f}"), Decimal(f"{longitude:.6f}"))


def clean_copy(image: Image.Image, kind: str) -> Image.Image:
    """The pixels alone, turned upright by the EXIF orientation: every other piece of
    metadata (EXIF, XMP, comments, ICC profile, text chunks) is left behind."""
    upright = ImageOps.exif_transpose(image) or image
    clean = upright.copy()
    kept: dict[str | tuple[int, int], Any] = {}
    if kind == Kind.PNG and "transparency" in clean.info:
        kept["transparency"] = clean.info["transparency"]  # part of a palette's pixels
    clean.info = kept
    if kind == Kind.JPEG and clean.mode not in ("L", "RGB", "CMYK"):
        clean = clean.convert("RGB")
    return clean


def encode(image: Image.Image, kind: str) -> bytes:
    out = io.BytesIO()
    if kind == Kind.JPEG:
        image.save(out, format="JPEG", quality=JPEG_QUALITY)
    else:
        image.save(out, format="PNG", compress_level=6)
    return out.getvalue()


def thumbnail_of(image: Image.Image) -> bytes:
    """A JPEG at most 320 px on its longer side (transparency laid on white)."""
    small = image.copy()
    small.info = {}
    if small.mode in ("RGBA", "LA", "P", "PA"):
        small = small.convert("RGBA")
        background = Image.new("RGB", small.size, (255, 255, 255))
        background.paste(small, mask=small.getchannel("A"))
        small = background
    elif small.mode != "RGB":
        small = small.convert("RGB")
    small.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
    out = io.BytesIO()
    small.save(out, format="JPEG", quality=THUMBNAIL_QUALITY)
    return out.getvalue()


# --- the whole check ------------------------------------------------------------------


def check_upload(
    upload: Any, *, kinds: frozenset[str] = ALL_KINDS, limits: Limits | None = None
) -> CheckedUpload:
    """Decide whether `upload` (a Django UploadedFile or File) may be stored, and what
    of it is stored. Raises UploadRefused with the reason otherwise."""
    limits = limits or Limits.from_settings()
    name = display_name(getattr(upload, "name", ""))
    data = read_capped(upload, limits.max_bytes)
    kind = detect_kind(data)
    if kind not in kinds:
        wanted = "، ".join(KIND_LABELS[k] for k in Kind.values if k in kinds)
        raise UploadRefused(f"اینجا فقط {wanted} پذیرفته می‌شود.", code="kind_not_here")
    check_extension(name, kind)
    if kind == Kind.PDF:
        pages = check_pdf(data, limits)
        return CheckedUpload(kind, data, name, len(data), pages=pages)
    image = open_image(data, kind, limits)
    try:
        gps = gps_position(image)
        clean = clean_copy(image, kind)
        content = encode(clean, kind)
        thumbnail = thumbnail_of(clean)
    except Exception:  # a mode Pillow cannot write back: the image is not usable
        raise UploadRefused(
            "این تصویر قابل پردازش نیست؛ آن را با نرم‌افزار دیگری ذخیره و دوباره بارگذاری کنید.",
            code="broken",
        ) from None
    finally:
        image.close()
    return CheckedUpload(
        kind,
        content,
        name,
        len(data),
        width=clean.width,
        height=clean.height,
        thumbnail=thumbnail,
        gps=gps,
    )
