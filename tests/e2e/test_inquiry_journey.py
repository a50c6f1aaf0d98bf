"""The notary inquiry, all the way through the pages, one role after another, at desktop
and phone size: the technical manager finds the parcel, records the notary's letter and
registers a second inquiry on a parcel that already has one (with the reason the warning
asks for); the inspector visits; the plan reviewer sends the case back for another visit
(the inspector sees it flagged «برگشتی» with the reason on top), then reviews the plan
with its widening; one district staff member prepares the answer with the parcel's debt
and a condition and a second one approves it; the citizen signs in and reads it."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from pishkhan.cases.actions import do_open_case
from pishkhan.cases.models import Case, Channel
from pishkhan.catalog.models import ServiceType
from pishkhan.core.digits import to_persian_digits
from pishkhan.core.jalali import format_jalali_date
from pishkhan.geo.models import ConditionKind
from pishkhan.offices.roles import Role
from pishkhan.testing.browser import DESKTOP, PHONE, assert_fits
from pishkhan.testing.personas import (
    INQUIRY_DOCUMENTS,
    TEST_PASSWORD,
    Builder,
    application_data,
)
from pishkhan.testing.uploads import image_bytes

SHOTS = Path("/tmp")  # noqa: S108 - screenshots a person looks at after a run
PERSIAN_DATETIME = re.compile(r"[۰-۹]{4}/[۰-۹]{2}/[۰-۹]{2} [۰-۹]{2}:[۰-۹]{2}")
DOCUMENTS = [
    "نامه استعلام دفترخانه اسناد رسمی",
    "اصل و تصویر سند مالکیت",
    "اصل و تصویر کارت ملی مالک",
    "آخرین فیش عوارض نوسازی پرداخت‌شده",
]
REVISIT = "عکس نمای پشتی ملک در گزارش نیست."
DUPLICATE = "استعلام قبلی برای خریدار دیگری بود و آن معامله انجام نشد."


def sign_in(
    browser: Browser, live_server: object, username: str, path: str, viewport: dict[str, int]
) -> Page:
    """A fresh browser context (its own cookies) signed in as `username`, at `path`."""
    page = browser.new_context(viewport=viewport).new_page()  # type: ignore[arg-type]
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server}{path}")
    page.get_by_label("نام کاربری یا کد ملی").fill(username)
    page.get_by_label("گذرواژه").fill(TEST_PASSWORD)
    page.get_by_role("button", name="ورود").click()
    page.wait_for_load_state()
    page.console_errors = errors  # type: ignore[attr-defined]
    return page


def fits(page: Page, what: str) -> None:
    """On the phone, no page of the journey scrolls sideways."""
    if page.viewport_size and page.viewport_size["width"] <= PHONE["width"]:
        assert_fits(page, what)


def no_errors(page: Page) -> None:
    # a refused form answers 400, which the console reports; nothing else may fail
    errors = page.console_errors  # type: ignore[attr-defined]
    assert [e for e in errors if "status of 400" not in e] == [], errors


def take(page: Page, action: str, reason: str | None = None) -> None:
    form = page.locator("form.case-action").filter(
        has=page.get_by_role("heading", name=action, exact=True)
    )
    if reason is not None:
        form.get_by_label("علت (الزامی)").fill(reason)
    confirm = form.get_by_label("مطمئنم", exact=False)
    if confirm.count():  # a send-back, a cancellation or a rejection asks to be sure
        confirm.check()
    form.get_by_role("button", name=action, exact=True).click()
    expect(page.get_by_text(f"اقدام «{action}» انجام شد.")).to_be_visible()
    no_errors(page)
    page.context.close()


def record_visit(page: Page, day: dt.date, photos: list[str]) -> None:
    """The inspector's visit form (the inquiries' checklist), with the photos they took
    (JPEGs named `photos`)."""
    page.get_by_label("تاریخ بازدید").fill(format_jalali_date(day))
    page.get_by_label("ساعت بازدید").fill("۰۹:۳۰")
    page.get_by_label("کاربری مشاهده‌شده").select_option("residential")
    page.get_by_label("مساحت ساخته‌شده (مترمربع)").fill("۱۸۰")
    page.get_by_label("تعداد طبقات").fill("۲")
    page.get_by_label("عکس‌های بازدید", exact=True).set_input_files(
        [{"name": name, "mimeType": "image/jpeg", "buffer": image_bytes("jpeg")} for name in photos]
    )
    page.get_by_role("button", name="ثبت گزارش بازدید").click()
    expect(page.get_by_text("گزارش بازدید ثبت شد.")).to_be_visible()


@pytest.mark.e2e
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_notary_inquiry_travels_through_every_cartable(
    live_server: object, transactional_db: None, browser: Browser, viewport: dict[str, int]
) -> None:
    # given an office with a contract for the notary inquiry, its people, a parcel that
    # owes its renewal dues and already has an open inquiry, and a citizen with an account
    city = Builder()
    city.workflow_services()
    district = city.district(5, "منطقه پنج")
    office = city.office(district, name="دفتر پیشخوان نقش جهان")
    notary = ServiceType.objects.get(code="inquiry_notary")
    city.contract(office, [notary])
    people = {
        "tm": (Role.TECHNICAL_MANAGER, "مریم", "احمدی"),
        "inspector": (Role.INSPECTOR, "حسن", "کاظمی"),
        "reviewer": (Role.PLAN_REVIEWER, "نرگس", "صالحی"),
    }
    staff = {
        username: city.staff(role, office=office, username=username, first_name=first,
                             last_name=last)
        for username, (role, first, last) in people.items()
    }  # fmt: skip
    city.staff(Role.DISTRICT_STAFF, district=district, username="maker",
               first_name="رضا", last_name="نادری")  # fmt: skip
    city.staff(Role.DISTRICT_STAFF, district=district, username="checker",
               first_name="لیلا", last_name="مرادی")  # fmt: skip
    parcel = city.parcel(district)
    city.condition(parcel, kind=ConditionKind.DEBT, title="عوارض نوسازی", amount=18_733_000)
    citizen = city.citizen(first_name="زهرا", last_name="رضایی")
    earlier = do_open_case(
        staff["tm"].user, notary, city.citizen(with_account=False), parcel, office,
        Channel.IN_PERSON, INQUIRY_DOCUMENTS, data=application_data("inquiry_notary"),
    )  # fmt: skip
    earlier_code = to_persian_digits(earlier.tracking_code)

    # the technical manager finds the parcel above the form: its debt and its open case
    page = sign_in(browser, live_server, "tm", "/cases/new/", viewport)
    expect(page.get_by_role("heading", name=re.compile("ثبت پرونده حضوری"))).to_be_visible()
    lookup = page.locator("section.parcel-lookup")
    lookup.get_by_label("پلاک ثبتی (اصلی/فرعی)").fill(to_persian_digits(parcel.plate_main))
    lookup.get_by_role("button", name="جستجوی ملک").click()
    match = page.locator(".parcel-match")
    expect(match).to_have_count(1)
    expect(match).to_contain_text("عوارض نوسازی")
    expect(match.locator(".parcel-cases")).to_contain_text(earlier_code)
    fits(page, "registration with the lookup's result")
    match.get_by_role("link", name="انتخاب این ملک برای ثبت").click()
    form = page.locator("form.case-new")  # the lookup has a renewal code field too
    expect(form.get_by_label("کد نوسازی")).to_have_value(parcel.renewal_code)
    expect(form.get_by_role("status")).to_contain_text("ملک برگزیده شد")

    # records the notary's letter and the checklist, and is warned of the open inquiry
    form.get_by_label("کد ملی متقاضی").fill(to_persian_digits(citizen.national_id))
    form.get_by_label("شماره دفترخانه").fill("۱۱۲")
    form.get_by_label("شماره نامه").fill("۱۴۰۵/۴۵۲۱")
    form.get_by_label("تاریخ نامه").fill(format_jalali_date(timezone.localdate()))
    for title in DOCUMENTS:
        form.get_by_label(f"{title} (الزامی)").check()
    expect(form.get_by_label("همه مدارک بالا دیده و بررسی شد")).to_be_checked()
    page.screenshot(path=str(SHOTS / "journey-1-register.png"), full_page=True)
    form.get_by_role("button", name="ثبت پرونده", exact=True).click()
    warning = page.locator(".duplicate-warning")
    expect(warning).to_contain_text(earlier_code)
    fits(page, "the duplicate warning")
    warning.get_by_label("علت ثبت پرونده دیگر برای همین ملک").fill(DUPLICATE)
    page.locator("form.case-new").get_by_role("button", name="ثبت پرونده", exact=True).click()
    case = Case.objects.exclude(pk=earlier.pk).get()
    code = to_persian_digits(case.tracking_code)
    expect(page.get_by_text(f"پرونده با کد رهگیری {code} ثبت شد.")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator(".timeline")).to_contain_text(DUPLICATE)
    assert case.data["letter_number"] == "1405/4521"
    assert case.data["notary_office_number"] == 112
    page.screenshot(path=str(SHOTS / "journey-2-registered.png"), full_page=True)
    fits(page, "the registered case")
    take(page, "ارجاع به کارشناس بازدید")
    case_path = f"/cases/{case.pk}/"

    # the inspector records the visit and sends the report on
    page = sign_in(browser, live_server, "inspector", case_path, viewport)
    record_visit(page, timezone.localdate() - dt.timedelta(days=1), ["front.jpg", "yard.jpg"])
    page.screenshot(path=str(SHOTS / "journey-3-visit.png"), full_page=True)
    take(page, "ارسال گزارش بازدید به طرح تفصیلی")

    # the plan reviewer sends it back for another visit
    page = sign_in(browser, live_server, "reviewer", case_path, viewport)
    take(page, "بازگشت برای بازدید دوباره", REVISIT)

    # the inspector finds it flagged in the cartable, the reason at the top of the case
    page = sign_in(browser, live_server, "inspector", "/cases/cartable/", viewport)
    page.get_by_role("link", name=re.compile("^برگشتی")).click()
    row = page.locator("table.cartable tbody tr").filter(has_text=code)
    expect(row.locator(".badge", has_text="برگشتی")).to_be_visible()
    expect(row).to_contain_text("حسن کاظمی")  # back to who visited, not to the pool
    fits(page, "the returned tab")
    row.get_by_role("link", name=code).click()
    notice = page.locator(".case-returned")
    expect(notice).to_contain_text(REVISIT)
    expect(notice).to_contain_text("نرگس صالحی")
    first_section = page.locator("main section").first
    expect(first_section).to_have_class(re.compile("case-returned"))
    fits(page, "the returned case")
    record_visit(page, timezone.localdate() - dt.timedelta(days=1), ["back.jpg"])
    take(page, "ارسال گزارش بازدید به طرح تفصیلی")

    # the plan reviewer records the plan with its widening
    page = sign_in(browser, live_server, "reviewer", case_path, viewport)
    plan = page.locator("form.case-plan-form")
    plan.get_by_label("مسکونی").check()
    plan.get_by_label("عرض گذربندی (متر)").fill("۶")
    plan.get_by_label("نظر کارشناس طرح تفصیلی").fill("با ضوابط پهنه مطابق است.")
    plan.get_by_role("button", name="ثبت یافته‌ها").click()
    expect(page.get_by_text("یافته‌های بررسی طرح تفصیلی ثبت شد.")).to_be_visible()
    take(page, "پایان بررسی طرح تفصیلی و ارسال به منطقه")

    # one district staff member prepares the answer: conditional, the parcel's debt in it
    page = sign_in(browser, live_server, "maker", case_path, viewport)
    answer = page.locator("form.case-answer-form")
    answer.get_by_label("بلامانع مشروط", exact=True).check()
    answer.get_by_label("شرط‌های دیگر").fill("پرداخت بدهی عوارض نوسازی پیش از انتقال")
    answer.get_by_role("button", name="ذخیره پیش‌نویس پاسخ").click()
    expect(page.get_by_text("پیش‌نویس پاسخ ذخیره شد", exact=False)).to_be_visible()
    expect(page.locator(".case-answer")).to_contain_text("۱۸٬۷۳۳٬۰۰۰")
    fits(page, "the answer's draft")
    take(page, "تهیه پاسخ استعلام")

    # and a second one approves it
    page = sign_in(browser, live_server, "checker", case_path, viewport)
    page.get_by_role("button", name="تأیید و صدور پاسخ", exact=True).click()
    expect(page.get_by_text("اقدام «تأیید و صدور پاسخ» انجام شد.")).to_be_visible()

    # then the case page shows the final state and every step in Jalali, Persian digits
    case.refresh_from_db()
    assert case.state == "response_issued"
    expect(page.locator(".case-state .badge").first).to_have_text("پاسخ صادر شد")
    steps = ["ثبت پرونده", "ارجاع به کارشناس بازدید", "ثبت گزارش بازدید",
             "ارسال گزارش بازدید به طرح تفصیلی", "بازگشت برای بازدید دوباره",
             "ثبت گزارش بازدید", "ارسال گزارش بازدید به طرح تفصیلی", "ثبت یافته‌های طرح تفصیلی",
             "پایان بررسی طرح تفصیلی و ارسال به منطقه", "ذخیره پیش‌نویس پاسخ",
             "تهیه پاسخ استعلام", "تأیید و صدور پاسخ"]  # fmt: skip
    items = page.locator(".timeline-item")
    expect(items).to_have_count(len(steps))
    for text in set(steps):
        expect(items.filter(has_text=text).first).to_be_visible()
    expect(page.locator(".case-answer")).to_contain_text("پاسخ صادرشده")
    expect(page.locator(".case-answer")).to_contain_text("پرداخت بدهی عوارض نوسازی")
    for i in range(len(steps)):
        assert PERSIAN_DATETIME.search(items.nth(i).inner_text()), items.nth(i).inner_text()
    expect(page.get_by_text("لیلا مرادی").first).to_be_visible()
    assert not re.search(r"[0-9]", page.locator(".timeline").inner_text()), "Latin digits shown"
    no_errors(page)
    fits(page, "the issued case")
    page.screenshot(path=str(SHOTS / "journey-4-issued.png"), full_page=True)
    page.context.close()

    # and the citizen signs in, finds the case on their home page and reads the answer
    page = sign_in(browser, live_server, citizen.national_id, "/", viewport)
    requests = page.locator("#requests-title").locator("..")
    expect(requests).to_contain_text(code)
    expect(requests).to_contain_text("پاسخ صادر شد")
    requests.get_by_role("link", name=code).click()
    page.get_by_role("link", name="نسخه چاپی پاسخ").click()
    expect(page.get_by_role("heading", name="پاسخ استعلام دفترخانه", exact=False)).to_be_visible()
    letter = page.locator("main")
    for text in ["بلامانع مشروط", "پرداخت بدهی عوارض نوسازی پیش از انتقال", "۱۸٬۷۳۳٬۰۰۰",
                 "۱۴۰۵/۴۵۲۱", "۱۱۲", code]:  # fmt: skip
        expect(letter).to_contain_text(text)
    fits(page, "the citizen's answer")
    no_errors(page)
    page.screenshot(path=str(SHOTS / "journey-5-citizen.png"), full_page=True)
