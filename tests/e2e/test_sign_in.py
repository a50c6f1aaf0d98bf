"""A technical manager signs in through the Persian login page and lands on their office."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from playwright.sync_api import Page, Response, expect

from pishkhan.offices.roles import Role
from pishkhan.testing.personas import TEST_PASSWORD, Builder

# A fixed, well-known path so a person can look at the page after a run.
SCREENSHOT = Path("/tmp/pishkhan-home.png")  # noqa: S108
# document.fonts.check() is also true for a family with no faces at all, so count the
# Vazirmatn faces that actually finished loading.
LOADED_VAZIRMATN_FACES = """
document.fonts.ready.then(() => [...document.fonts].filter(
    (face) => face.family.replace(/["']/g, "") === "Vazirmatn" && face.status === "loaded"
).length)
"""


@pytest.mark.e2e
def test_it_signs_a_technical_manager_in_to_a_persian_home_page(
    live_server: object, transactional_db: None, page: Page
) -> None:
    # given a technical manager of an office whose licence ended on 15 Aban 1402
    city = Builder()
    office = city.office(
        city.district(3, "منطقه سه"),
        name="دفتر پیشخوان چهارباغ",
        code="3101",
        valid_until=dt.date(2023, 11, 6),
    )
    city.contract(office, [city.service("استعلام نقل و انتقال"), city.service("گواهی پایان ساخت")])
    city.staff(Role.TECHNICAL_MANAGER, office=office, username="maryam",
               first_name="مریم", last_name="احمدی")  # fmt: skip
    city.staff(Role.INSPECTOR, office=office, first_name="حسن", last_name="کاظمی")
    responses: list[Response] = []
    page.on("response", lambda response: responses.append(response))
    console_errors: list[str] = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)

    # when they sign in through the login page
    page.goto(f"{live_server}/")
    page.get_by_label("نام کاربری یا کد ملی").fill("maryam")
    page.get_by_label("گذرواژه").fill(TEST_PASSWORD)
    page.get_by_role("button", name="ورود").click()

    # then their home page is Persian, right to left, about their office
    expect(page.get_by_role("heading", name="دفتر پیشخوان چهارباغ")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "fa")
    expect(page.get_by_text("۱۴۰۲/۰۸/۱۵").first).to_be_visible()
    expect(page.get_by_text("مریم احمدی").first).to_be_visible()
    # and the Vazirmatn font came from our own static files and is in use
    assert page.evaluate(LOADED_VAZIRMATN_FACES) > 0
    assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith("Vazirmatn")
    ours = [r for r in responses if r.url.startswith(str(live_server))]
    assert {r.status for r in ours if "/static/vendor/vazirmatn/" in r.url} == {200}
    assert any(r.url.endswith(".woff2") for r in ours)
    assert ours == responses, "every request stays on our own origin"
    # and nothing broke the Content-Security-Policy (htmx's inline styles are off)
    assert console_errors == []
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(SCREENSHOT), full_page=True)
