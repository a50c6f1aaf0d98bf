"""Reading issued documents back in tests: the stored bytes, pdftotext, pdftoppm, the
PDF's ToUnicode maps and pyHanko's validator."""

from __future__ import annotations

import io
import os
import re
import subprocess
import tempfile
from pathlib import Path

from pishkhan.documents.models import IssuedDocument
from pishkhan.documents.signing import signing_certificate
from pishkhan.documents.verify import issued_bytes

BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
ARTIFACTS = Path(os.environ.get("PISHKHAN_TEST_ARTIFACTS", tempfile.gettempdir())) / (
    "pishkhan-documents"
)


def pdf_of(document: IssuedDocument) -> bytes:
    return issued_bytes(document)


def pdftotext(pdf: bytes) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"],  # noqa: S607 - poppler-utils
        input=pdf,
        capture_output=True,
        check=True,
    )
    # poppler marks the embedded left-to-right runs (numbers) with bidi controls
    return BIDI_CONTROLS.sub("", done.stdout.decode())


def first_page_png(pdf: bytes, name: str) -> Path:
    """Page one as a PNG kept under ARTIFACTS (printed, so a run shows where)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    stem = ARTIFACTS / name
    subprocess.run(  # noqa: S603 - a fixed command line, the PDF on stdin
        ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", "-", str(stem)],  # noqa: S607
        input=pdf,
        check=True,
    )
    path = stem.with_suffix(".png")
    print(f"document page kept at {path}")
    return path


def glyphs_per_character(pdf: bytes) -> dict[str, set[int]]:
    """For each character, the glyph ids the embedded fonts map to it (ToUnicode). A
    letter drawn in several contextual forms (isolated, initial, medial, final) has
    several glyphs: that is what shaping did."""
    from pypdf import PdfReader

    mapping: dict[str, set[int]] = {}
    reader = PdfReader(io.BytesIO(pdf))
    for page in reader.pages:
        fonts = page["/Resources"]["/Font"]
        for ref in fonts.values():
            font = ref.get_object()
            if "/ToUnicode" not in font:
                continue
            cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
            for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
                for glyph, text in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                    chars = bytes.fromhex(text).decode("utf-16-be")
                    mapping.setdefault(chars, set()).add(int(glyph, 16))
    return mapping


def validate_signature(pdf: bytes):  # type: ignore[no-untyped-def]
    """pyHanko's validation of the document's one signature, trusting the city's
    certificate."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    (signature,) = reader.embedded_signatures
    context = ValidationContext(trust_roots=[signing_certificate()], allow_fetching=False)
    return validate_pdf_signature(signature, context)


def edited(pdf: bytes) -> bytes:
    """The PDF with one number of its page box changed (same length): what a forger
    who widens a page, or edits any byte of the signed range, leaves."""
    index = pdf.index(b"/MediaBox")
    box_end = pdf.index(b"]", index)
    segment = pdf[index:box_end]
    changed = segment[:-1] + (b"1" if segment[-1:] != b"1" else b"2")
    return pdf[:index] + changed + pdf[box_end:]
