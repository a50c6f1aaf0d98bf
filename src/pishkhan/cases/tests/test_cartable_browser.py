"""A technical manager opens their cartable in Chromium, claims a case and sees it theirs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from pishkhan.cases.models import Case
from pishkhan.offices.roles import Role
from pishkhan.testing.personas import TEST_PASSWORD, build_city

SCREENSHOT = Path("/tmp/pishkhan-cartable.png")  # noqa: S108


@pytest.mark.e2e
def test_a_technical_manager_claims_a_case_from_the_cartable(
    live_server: object, transactional_db: None, page: Page
) -> None:
    # given an office with a few registered cases, one overdue and one near its deadline
    world = build_city()
    manager = world.a[Role.TECHNICAL_MANAGER]
    manager.set_password(TEST_PASSWORD)
    manager.save(update_fields=["password"])
    cases = [world.open_case() for _ in range(3)] + [world.open_case("inquiry_bank")]
    now = timezone.now()
    Case.objects.filter(pk=cases[0].pk).update(due_at=now - dt.timedelta(hours=2))
    Case.objects.filter(pk=cases[1].pk).update(due_at=now + dt.timedelta(minutes=40))
    console_errors: list[str] = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)

    # when they sign in and open the cartable
    page.goto(f"{live_server}/")
    page.get_by_label("نام کاربری یا کد ملی").fill(manager.username)
    page.get_by_label("گذرواژه").fill(TEST_PASSWORD)
    page.get_by_role("button", name="ورود").click()
    page.get_by_role("link", name="کارتابل").click()

    # then the cartable is Persian, right to left, with counts and badges
    expect(page.get_by_role("heading", name="کارتابل مسئول فنی")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator(".tabs .current .count")).to_have_text("۴")
    expect(page.get_by_text("گذشته از مهلت").first).to_be_visible()

    # and claiming a case moves it to "mine"
    page.get_by_role("button", name="برداشتن").first.click()
    expect(page.get_by_text("را برداشتید")).to_be_visible()
    page.get_by_role("link", name="در دست من").click()
    expect(page.get_by_role("button", name="واگذاری به کارتابل")).to_have_count(1)
    page.get_by_role("link", name="همه").click()
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert console_errors == []
