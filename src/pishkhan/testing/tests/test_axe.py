"""The axe helper fails on a page with barriers and names them; it passes a clean one."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from pishkhan.testing.axe import assert_accessible

CLEAN = """<!doctype html><html lang="fa" dir="rtl"><head><title>صفحه</title></head>
<body><main><h1>صفحه</h1><label for="q">جست‌وجو</label><input id="q"></main></body></html>"""


@pytest.mark.e2e
def test_it_lists_every_serious_or_critical_violation(page: Page) -> None:
    page.set_content(
        '<html lang="fa"><head><title>ت</title></head><body><main>'
        '<img src="x.png"><input id="nameless">'
        '<p style="color:#bbb;background:#fff">کم‌رنگ</p></main></body></html>'
    )
    with pytest.raises(AssertionError) as failure:
        assert_accessible(page, "a page with barriers")
    message = str(failure.value)
    for rule in ("image-alt (critical)", "label (critical)", "color-contrast (serious)"):
        assert rule in message
    assert "#nameless" in message  # the element, by its selector


@pytest.mark.e2e
def test_it_passes_a_page_without_barriers(page: Page) -> None:
    page.set_content(CLEAN)
    assert_accessible(page, "a clean page")
