"""The Jalali date picker (pishkhan/datepicker.js) in Chromium: its calendar agrees with
the server's (pishkhan.core.jalali), the month grid is usable by mouse and keyboard on
a desktop and a 390-pixel phone, and without JavaScript the text input is all there is."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from pishkhan.cases.tests.test_cartable_browser import PHONE, assert_fits, sign_in_as
from pishkhan.core.jalali import from_jalali, to_jalali
from pishkhan.offices.roles import Role
from pishkhan.testing.personas import build_city

# Around the new years of a leap year (1403, 1399) and of common ones (1404, 1402), the
# ends of the first half (31-day months) and of the second (30), the century's edges.
GREGORIAN = [
    dt.date(2024, 3, 19),
    dt.date(2024, 3, 20),
    dt.date(2024, 3, 21),
    dt.date(2025, 3, 20),
    dt.date(2025, 3, 21),
    dt.date(2026, 3, 20),
    dt.date(2026, 3, 21),
    dt.date(2021, 3, 20),
    dt.date(2021, 3, 21),
    dt.date(2024, 9, 21),
    dt.date(2024, 9, 22),
    dt.date(2024, 2, 29),
    dt.date(2000, 2, 29),
    dt.date(1980, 1, 1),
    dt.date(2030, 12, 31),
    dt.date(2025, 11, 29),
]
JALALI = [(1403, 12, 30), (1404, 12, 29), (1399, 12, 30), (1404, 1, 1), (1403, 6, 31)]
JALALI += [(1403, 7, 1), (1405, 9, 11), (1300, 1, 1), (1499, 12, 29)]


def open_cartable(page: Page, live_server: object) -> None:
    world = build_city()
    world.open_case()
    sign_in_as(page, live_server, world.a[Role.TECHNICAL_MANAGER])
    page.goto(f"{live_server}/cases/cartable/")
    expect(page.get_by_role("heading", name="کارتابل مسئول فنی")).to_be_visible()


@pytest.mark.e2e
def test_the_pickers_calendar_agrees_with_the_servers(
    live_server: object, transactional_db: None, page: Page
) -> None:
    open_cartable(page, live_server)
    days = [[d.year, d.month, d.day] for d in GREGORIAN]
    got = page.evaluate(
        "days => days.map(d => { const j = PishkhanJalali.toJalaali(d[0], d[1], d[2]);"
        " return [j.jy, j.jm, j.jd, PishkhanJalali.weekday(j.jy, j.jm, j.jd)]; })",
        days,
    )
    # Saturday is the week's first day: Python's Monday-first weekday() moved by two
    expected = [
        [j.year, j.month, j.day, (d.weekday() + 2) % 7]
        for d, j in ((d, to_jalali(d)) for d in GREGORIAN)
    ]
    assert got == expected

    back = page.evaluate(
        "days => days.map(d => { const g = PishkhanJalali.toGregorian(d[0], d[1], d[2]);"
        " return [g.gy, g.gm, g.gd]; })",
        [list(j) for j in JALALI],
    )
    assert back == [[g.year, g.month, g.day] for g in (from_jalali(*j) for j in JALALI)]

    # 1403 and 1399 are leap years (Esfand has 30 days), 1404 and 1402 are not
    lengths = page.evaluate(
        "ys => ys.map(y => [PishkhanJalali.isLeap(y), PishkhanJalali.monthLength(y, 12)])",
        [1399, 1402, 1403, 1404, 1408],
    )
    assert lengths == [[True, 30], [False, 29], [True, 30], [False, 29], [True, 30]]
    from_jalali(1403, 12, 30)
    with pytest.raises(ValueError, match="day"):
        from_jalali(1404, 12, 30)


def picker(page: Page, label: str) -> tuple[Locator, Locator, Locator]:
    """The input labelled `label`, the button beside it and its grid's dialog."""
    field = page.get_by_label(label, exact=True)
    around = page.locator(".datepicker", has=field)
    return (
        field,
        around.get_by_role("button", name="انتخاب از تقویم"),
        around.locator("[role=dialog]"),
    )


def grid_days(page: Page) -> Any:
    return page.locator(".datepicker-dialog:not([hidden]) .datepicker-day")


@pytest.mark.e2e
@pytest.mark.parametrize("size", [{"width": 1280, "height": 900}, PHONE], ids=["desktop", "phone"])
def test_a_date_is_chosen_from_the_month_grid_by_mouse_and_keyboard(
    live_server: object, transactional_db: None, page: Page, size: dict[str, int]
) -> None:
    # given the last day of 1403 (a leap year: Esfand has 30 days) in the browser
    page.clock.set_fixed_time(dt.datetime(2025, 3, 20, 12, tzinfo=dt.UTC))
    page.set_viewport_size(size)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    open_cartable(page, live_server)
    field, opener, dialog = picker(page, "از تاریخ")
    expect(opener).to_have_attribute("aria-expanded", "false")
    expect(opener).to_have_accessible_description("از تاریخ")

    # when the button beside the input opens the grid
    opener.click()
    expect(dialog).to_be_visible()
    expect(dialog).to_have_accessible_name("اسفند ۱۴۰۳")
    expect(opener).to_have_attribute("aria-expanded", "true")
    expect(dialog.get_by_role("heading")).to_have_text("اسفند ۱۴۰۳")
    expect(dialog.get_by_role("grid")).to_be_visible()
    expect(dialog.get_by_role("columnheader")).to_have_count(7)
    expect(dialog.get_by_role("columnheader").first).to_contain_text("شنبه")
    expect(grid_days(page)).to_have_count(30)
    today = dialog.locator("[aria-current='date']")
    expect(today).to_have_text("۳۰")
    expect(today).to_have_attribute("aria-label", "پنجشنبه ۳۰ اسفند ۱۴۰۳، امروز")
    expect(today).to_be_focused()
    if size == PHONE:
        assert_fits(page, "cartable with the date picker open")
        box = dialog.bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= PHONE["width"]

    # the arrow keys walk the days (left is the next day), into the next month and year
    page.keyboard.press("ArrowLeft")
    expect(dialog.get_by_role("heading")).to_have_text("فروردین ۱۴۰۴")
    expect(grid_days(page)).to_have_count(31)
    focused = dialog.locator(".datepicker-day:focus")
    expect(focused).to_have_text("۱")
    # 1 Farvardin 1404 is a Friday: the last column of the first week
    first_week = dialog.locator("tbody tr").first.locator("td")
    expect(first_week.nth(6)).to_have_text("۱")
    page.keyboard.press("ArrowDown")
    expect(focused).to_have_text("۸")
    page.keyboard.press("ArrowRight")
    expect(focused).to_have_text("۷")
    page.keyboard.press("Home")
    expect(focused).to_have_text("۲")  # Saturday 2 Farvardin
    page.keyboard.press("PageUp")
    expect(dialog.get_by_role("heading")).to_have_text("اسفند ۱۴۰۳")
    page.keyboard.press("Enter")

    # then the input holds the day in Persian digits, the grid is closed
    expect(field).to_have_value("۱۴۰۳/۱۲/۰۲")
    expect(dialog).to_be_hidden()
    expect(field).to_be_focused()

    # reopened, the grid shows the chosen day; the month buttons and Escape work
    opener.click()
    expect(dialog.get_by_role("heading")).to_have_text("اسفند ۱۴۰۳")
    expect(dialog.locator("[aria-pressed='true']")).to_have_text("۲")
    dialog.get_by_role("button", name="ماه بعد").click()
    expect(dialog.get_by_role("heading")).to_have_text("فروردین ۱۴۰۴")
    dialog.get_by_role("button", name="ماه قبل").click()
    dialog.get_by_role("button", name="ماه قبل").click()
    expect(dialog.get_by_role("heading")).to_have_text("بهمن ۱۴۰۳")
    dialog.get_by_role("button", name="پنجشنبه ۱۸ بهمن ۱۴۰۳").click()
    expect(field).to_have_value("۱۴۰۳/۱۱/۱۸")
    opener.click()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused()
    expect(field).to_have_value("۱۴۰۳/۱۱/۱۸")

    # typing still works, and the server reads what the picker wrote
    page.get_by_label("تا تاریخ", exact=True).fill("۱۴۰۴/۰۱/۱۵")
    page.locator(".filters").get_by_role("button", name="جست‌وجو").click()
    expect(page.get_by_label("از تاریخ", exact=True)).to_have_value("۱۴۰۳/۱۱/۱۸")
    expect(page.locator(".field-error")).to_have_count(0)
    assert errors == []


@pytest.mark.e2e
def test_without_javascript_the_date_is_typed(
    live_server: object, transactional_db: None, browser: Browser
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        open_cartable(page, live_server)
        expect(page.get_by_label("از تاریخ", exact=True)).to_be_editable()
        expect(page.locator(".datepicker-open")).to_have_count(0)
        page.get_by_label("از تاریخ", exact=True).fill("۱۴۰۴/۱۲/۳۰")  # 1404 is not leap
        page.locator(".filters").get_by_role("button", name="جست‌وجو").click()
        expect(page.get_by_text("این تاریخ شمسی وجود ندارد")).to_be_visible()
    finally:
        context.close()


@pytest.mark.e2e
def test_the_case_page_with_its_letter_date_and_danger_zone_fits_a_phone(
    live_server: object, transactional_db: None, page: Page
) -> None:
    # the technical manager's page of a new case: the correction of the letter's date
    # (with the picker) and the cancellation apart, confirmed
    page.clock.set_fixed_time(dt.datetime(2025, 3, 20, 12, tzinfo=dt.UTC))
    world = build_city()
    case = world.open_case()
    page.set_viewport_size(PHONE)
    sign_in_as(page, live_server, world.a[Role.TECHNICAL_MANAGER])
    page.goto(f"{live_server}/cases/{case.pk}/")
    expect(page.get_by_role("heading", name="بازگرداندن، رد یا لغو پرونده")).to_be_visible()
    assert_fits(page, "case page")
    field, opener, dialog = picker(page, "تاریخ نامه")
    expect(field).to_have_value("۱۴۰۲/۰۱/۰۲")
    opener.click()
    expect(dialog.get_by_role("heading")).to_have_text("فروردین ۱۴۰۲")
    assert_fits(page, "case page with the date picker open")
    dialog.get_by_role("button", name="پنجشنبه ۳ فروردین ۱۴۰۲").click()
    expect(field).to_have_value("۱۴۰۲/۰۱/۰۳")
    page.get_by_label("علت اصلاح (الزامی)").fill("تاریخ نامه اشتباه بود")
    page.get_by_role("button", name="ثبت اصلاح").click()
    expect(page.get_by_text("اطلاعات پرونده اصلاح شد.")).to_be_visible()
    expect(page.get_by_text("تاریخ نامه: ۱۴۰۲/۰۱/۰۲ ← تاریخ نامه: ۱۴۰۲/۰۱/۰۳")).to_be_visible()
    # the cancellation is not sent without its "I am sure"
    cancel = page.locator("form.case-action-danger").filter(has_text="انصراف متقاضی")
    cancel.get_by_label("علت (الزامی)").fill("متقاضی منصرف شد")
    cancel.get_by_role("button", name="انصراف متقاضی").click()
    expect(page.get_by_text("اقدام «انصراف متقاضی» انجام شد.")).to_have_count(0)
    cancel.get_by_label("مطمئنم").check()
    cancel.get_by_role("button", name="انصراف متقاضی").click()
    expect(page.get_by_text("اقدام «انصراف متقاضی» انجام شد.")).to_be_visible()
