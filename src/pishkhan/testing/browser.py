"""What the browser tests share: the two sizes every staff page is held to, signing in by a
session cookie, and the page checks (axe-core, no sideways scroll on a phone)."""

from __future__ import annotations

from django.conf import settings
from django.test import Client
from playwright.sync_api import Page

from pishkhan.accounts.models import User
from pishkhan.testing.axe import assert_accessible

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
# The last few elements wider than the window: where a sideways scroll comes from.
WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().width > innerWidth)
  .slice(-3).map(e => e.tagName + '.' + e.className + '#' + e.id + ':' +
    Math.round(e.getBoundingClientRect().width))"""


def sign_in_as(page: Page, live_server: object, user: User) -> None:
    """Reuse a test client's session in the browser (the sign-in form has its own tests)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": str(live_server)}]
    )


def assert_fits(page: Page, what: str) -> None:
    """No sideways scroll: the document is no wider than the window."""
    width = page.evaluate("document.documentElement.scrollWidth")
    window = page.evaluate("innerWidth")
    assert width <= window, f"{what}: {width}px wide: {page.evaluate(WIDEST)}"


def check_page(page: Page, what: str) -> None:
    """axe-core finds no serious or critical violation, and on a phone nothing scrolls
    sideways."""
    assert_accessible(page, what)
    if page.viewport_size and page.viewport_size["width"] <= PHONE["width"]:
        assert_fits(page, what)
