"""A technical manager opens their cartable in Chromium, claims a case and sees it theirs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
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


PHONE = {"width": 390, "height": 844}


def sign_in_as(page: Page, live_server: object, user: object) -> None:
    """Reuse a test client's session in the browser (the sign-in form is tested above)."""
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": str(live_server)}]
    )


WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().width > 390)
  .slice(-3).map(e => e.tagName + '.' + e.className + '#' + e.id + ':' +
    Math.round(e.getBoundingClientRect().width))"""


def assert_fits(page: Page, what: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{what}: {width}px wide: {page.evaluate(WIDEST)}"


@pytest.mark.e2e
def test_the_lists_fit_a_390_pixel_phone(
    live_server: object, transactional_db: None, page: Page
) -> None:
    # given an office with full lists, one applicant with a long unbroken name
    world = build_city()
    long_name = world.builder.citizen(first_name="عبدالرحمن", last_name="الف" * 26)
    cases = [world.open_case(applicant=long_name)] + [world.open_case() for _ in range(26)]
    Case.objects.filter(pk__in=[c.pk for c in cases[:10]]).update(due_at=timezone.now())
    page.set_viewport_size(PHONE)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    # the technical manager's cartable, a refused filter and a search from the header
    sign_in_as(page, live_server, world.a[Role.TECHNICAL_MANAGER])
    page.goto(f"{live_server}/cases/cartable/")
    expect(page.get_by_role("heading", name="کارتابل مسئول فنی")).to_be_visible()
    assert_fits(page, "cartable")
    page.goto(f"{live_server}/cases/cartable/?date_from=1402/13/40")
    expect(page.get_by_text("این تاریخ شمسی وجود ندارد")).to_be_visible()
    assert page.evaluate("document.activeElement.name") == "date_from"  # focus on the error
    assert_fits(page, "cartable with an error")
    page.get_by_role("searchbox", name="جست‌وجوی پرونده").first.fill(long_name.national_id)
    page.get_by_role("button", name="جست‌وجو").first.click()
    expect(page.get_by_role("heading", name="نتیجه جست‌وجو")).to_be_visible()
    assert long_name.national_id not in page.url
    assert_fits(page, "search")

    # the follow-up list and the office manager's view
    sign_in_as(page, live_server, world.a[Role.FOLLOW_UP_OFFICER])
    page.goto(f"{live_server}/cases/follow-up/")
    expect(page.get_by_role("heading", name="پیگیری پرونده‌ها")).to_be_visible()
    assert_fits(page, "follow-up")
    sign_in_as(page, live_server, world.a[Role.OFFICE_MANAGER])
    page.goto(f"{live_server}/cases/office/")
    expect(page.get_by_role("heading", name="به تفکیک مرحله")).to_be_visible()
    assert_fits(page, "office manager")
    page.screenshot(path="/tmp/pishkhan-office-phone.png")  # noqa: S108
    assert errors == []


@pytest.mark.e2e
def test_the_plan_review_the_answer_and_the_letter_fit_a_390_pixel_phone(
    live_server: object, transactional_db: None, page: Page
) -> None:
    # given a case at plan review, one at district review, one issued
    world = build_city()
    at_review = world.walk_to(world.open_case(), "plan_review")
    at_district = world.walk_to(world.open_case(), "district_review")
    issued = world.walk_to(world.open_case(), "response_issued")
    page.set_viewport_size(PHONE)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    sign_in_as(page, live_server, world.a[Role.PLAN_REVIEWER])
    page.goto(f"{live_server}/cases/{at_review.pk}/")
    expect(page.get_by_role("heading", name="ثبت یافته‌های طرح تفصیلی")).to_be_visible()
    assert_fits(page, "plan review form")
    sign_in_as(page, live_server, world.a.district_staff[0])
    page.goto(f"{live_server}/cases/{at_district.pk}/")
    expect(page.get_by_role("heading", name="تهیه پیش‌نویس پاسخ")).to_be_visible()
    assert_fits(page, "answer form")
    page.screenshot(path="/tmp/pishkhan-answer-phone.png", full_page=True)  # noqa: S108
    page.goto(f"{live_server}/cases/{issued.pk}/answer/")
    expect(page.get_by_role("heading", name="پاسخ استعلام دفترخانه", exact=False)).to_be_visible()
    assert_fits(page, "the printable answer")
    assert errors == []
