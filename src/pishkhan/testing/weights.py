"""What a page weighs on first load: its HTML and every stylesheet (with the fonts its
url()s load), script and icon it links, uncompressed, each file counted once. Every page
must stay under BUDGET (200 KB); the page-weight tests of each app assert it."""

from __future__ import annotations

import re
from pathlib import Path

from django.contrib.staticfiles import finders

BUDGET = 200 * 1024


def static_size(url: str, seen: set[str]) -> int:
    """The bytes of a static file and, for a stylesheet, of what its url()s load."""
    if url in seen or not url.startswith("/static/"):
        return 0
    seen.add(url)
    found = finders.find(url.removeprefix("/static/").split("?")[0])
    assert found, url
    path = Path(str(found))
    size = path.stat().st_size
    if path.suffix == ".css":
        for ref in re.findall(r"url\([\"']?([^\"')]+)[\"']?\)", path.read_text()):
            target = (Path(url).parent / ref).as_posix()
            parts: list[str] = []
            for part in target.split("/"):
                if part == "..":
                    parts.pop()
                elif part != ".":
                    parts.append(part)
            size += static_size("/".join(parts), seen)
    return size


def page_weight(html: str) -> int:
    """The page and everything it loads (stylesheets, their fonts, scripts, icon)."""
    seen: set[str] = set()
    refs = re.findall(r'<(?:link|script)[^>]*(?:href|src)="(/static/[^"]+)"', html)
    return len(html.encode()) + sum(static_size(ref, seen) for ref in refs)
