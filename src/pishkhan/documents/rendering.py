"""HTML templates to PDF with WeasyPrint: Vazirmatn, right to left, A4.

The fonts are the vendored Vazirmatn (scripts/vendor-assets, woff2) found through the
static finders and decompressed to TrueType once (fontTools and Brotli): WeasyPrint reads
woff2 too, but decompresses it on every document, which made a render 3-4 times slower.
WeasyPrint fetches nothing else: the URL fetcher answers the two font files and
``data:`` URLs and refuses every other address, so a template (or a value printed in
it) can never make the renderer reach the network or the disk.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import segno
from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

FONT_FILES = {
    "regular": "vendor/vazirmatn/fonts/webfonts/Vazirmatn-Regular.woff2",
    "bold": "vendor/vazirmatn/fonts/webfonts/Vazirmatn-Bold.woff2",
}


def as_truetype(woff2: Path) -> Path:
    """The woff2 font decompressed to TrueType once (in the temporary folder, named by
    its content): WeasyPrint would otherwise decompress it on every document, which
    takes most of a render."""
    from fontTools.ttLib import TTFont

    data = woff2.read_bytes()
    folder = Path(tempfile.gettempdir()) / f"pishkhan-fonts-{os.getuid()}"
    target = folder / f"{woff2.stem}-{hashlib.sha256(data).hexdigest()[:16]}.ttf"
    if not target.exists():
        folder.mkdir(mode=0o700, exist_ok=True)
        font = TTFont(io.BytesIO(data))
        font.flavor = None
        partial = target.with_suffix(f".{os.getpid()}.tmp")
        font.save(str(partial))
        partial.replace(target)
    return target


@cache
def font_uris() -> dict[str, str]:
    found: dict[str, str] = {}
    for weight, name in FONT_FILES.items():
        path = finders.find(name)
        if not path:
            raise ImproperlyConfigured(
                f"{name} is missing: run scripts/vendor-assets (make assets) first."
            )
        found[weight] = as_truetype(Path(str(path)).resolve()).as_uri()
    return found


@cache
def url_fetcher() -> Any:
    """WeasyPrint's fetcher, answering the font files and ``data:`` URLs only."""
    from weasyprint.urls import URLFetcher

    class FontsOnly(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:") or url in font_uris().values():
                return super().fetch(url, headers)
            raise ValueError(f"the document renderer fetches no {url[:40]!r}")

    return FontsOnly(allowed_protocols=("file", "data"), allow_redirects=False)


def qr_svg(data: str) -> SafeString:
    """The QR code of `data` as inline SVG (error correction M, no title)."""
    qr = segno.make(data, error="m", micro=False)
    out = io.BytesIO()
    qr.save(out, kind="svg", scale=4, border=2, xmldecl=False, svgns=True, nl=False)
    return mark_safe(out.getvalue().decode())  # noqa: S308 - segno's own SVG, data escaped by it


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    pages: int


def render_pdf(template: str, context: dict[str, Any]) -> Rendered:
    from weasyprint import HTML

    html = render_to_string(template, {**context, "fonts": font_uris()})
    document = HTML(string=html, url_fetcher=url_fetcher(), base_url="about:blank").render()
    return Rendered(bytes(document.write_pdf()), len(document.pages))
