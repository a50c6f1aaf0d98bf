"""The notary inquiry, all the way through the pages, one role after another: the
technical manager registers it, the inspector visits, the plan reviewer reviews, one
district staff member prepares the response and a second one approves it."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from pishkhan.cases.models import Case
from pishkhan.catalog.models import ServiceType
from pishkhan.core.digits import to_persian_digits
from pishkhan.core.jalali import format_jalali_date
from pishkhan.geo.models import ConditionKind
from pishkhan.offices.roles import Role
from pishkhan.testing.personas import TEST_PASSWORD, Builder

SHOTS = Path("/tmp")  # noqa: S108 - screenshots a person looks at after a run
PERSIAN_DATETIME = re.compile(r"[۰-۹]{4}/[۰-۹]{2}/[۰-۹]{2} [۰-۹]{2}:[۰-۹]{2}")
DOCUMENTS = [
    "نامه استعلام دفترخانه اسناد رسمی",
    "اصل و تصویر سند مالکیت",
    "اصل و تصویر کارت ملی مالک",
    "آخرین فیش عوارض نوسازی پرداخت‌شده",
]


def sign_in(browser: Browser, live_server: object, username: str, path: str) -> Page:
    """A fresh browser context (its own cookies) signed in as `username`, at `path`."""
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server}{path}")
    page.get_by_label("نام کاربری یا کد ملی").fill(username)
    page.get_by_label("گذرواژه").fill(TEST_PASSWORD)
    page.get_by_role("button", name="ورود").click()
    page.wait_for_load_state()
    page.console_errors = errors  # type: ignore[attr-defined]
    return page


def take(page: Page, label: str, action: str) -> None:
    page.get_by_role("button", name=action, exact=True).click()
    expect(page.get_by_text(f"اقدام «{action}» انجام شد.")).to_be_visible()
    assert page.console_errors == [], page.console_errors  # type: ignore[attr-defined]
    page.context.close()


@pytest.mark.e2e
def test_a_notary_inquiry_travels_through_every_cartable(
    live_server: object, transactional_db: None, browser: Browser
) -> None:
    # given an office with a contract for the notary inquiry, its people and a parcel
    city = Builder()
    city.workflow_services()
    district = city.district(5, "منطقه پنج")
    office = city.office(district, name="دفتر پیشخوان نقش جهان")
    city.contract(office, [ServiceType.objects.get(code="inquiry_notary")])
    people = {
        "tm": (Role.TECHNICAL_MANAGER, "مریم", "احمدی"),
        "inspector": (Role.INSPECTOR, "حسن", "کاظمی"),
        "reviewer": (Role.PLAN_REVIEWER, "نرگس", "صالحی"),
    }
    for username, (role, first, last) in people.items():
        city.staff(role, office=office, username=username, first_name=first, last_name=last)
    city.staff(Role.DISTRICT_STAFF, district=district, username="maker",
               first_name="رضا", last_name="نادری")  # fmt: skip
    city.staff(Role.DISTRICT_STAFF, district=district, username="checker",
               first_name="لیلا", last_name="مرادی")  # fmt: skip
    parcel = city.parcel(district)
    city.condition(parcel, kind=ConditionKind.DEBT, title="عوارض نوسازی", amount=18_733_000)
    citizen = city.citizen(with_account=False)

    # the technical manager registers the case after the document checklist
    page = sign_in(browser, live_server, "tm", "/cases/new/")
    expect(page.get_by_role("heading", name=re.compile("ثبت پرونده حضوری"))).to_be_visible()
    form = page.locator("form.case-new")  # the parcel lookup above has a renewal code too
    form.get_by_label("کد ملی متقاضی").fill(to_persian_digits(citizen.national_id))
    form.get_by_label("کد نوسازی").fill(to_persian_digits(parcel.renewal_code))
    form.get_by_label("شماره دفترخانه").fill("۱۱۲")
    form.get_by_label("شماره نامه").fill("۱۴۰۵/۴۵۲۱")
    form.get_by_label("تاریخ نامه").fill(format_jalali_date(timezone.localdate()))
    for title in DOCUMENTS:
        form.get_by_label(f"{title} (الزامی)").check()
    page.screenshot(path=str(SHOTS / "journey-1-register.png"), full_page=True)
    page.get_by_role("button", name="ثبت پرونده").click()
    case = Case.objects.get()
    code = to_persian_digits(case.tracking_code)
    expect(page.get_by_text(f"پرونده با کد رهگیری {code} ثبت شد.")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.screenshot(path=str(SHOTS / "journey-2-registered.png"), full_page=True)
    take(page, "tm", "ارجاع به کارشناس بازدید")
    case_path = f"/cases/{case.pk}/"

    # the inspector records the visit and sends the report on
    page = sign_in(browser, live_server, "inspector", case_path)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    page.get_by_label("تاریخ بازدید").fill(format_jalali_date(yesterday))
    page.get_by_label("ساعت بازدید").fill("۰۹:۳۰")
    page.get_by_label("کاربری مشاهده‌شده").select_option("residential")
    page.get_by_label("مساحت ساخته‌شده (مترمربع)").fill("۱۸۰")
    page.get_by_label("تعداد طبقات").fill("۲")
    page.get_by_label("عکس‌ها").fill("نمای ساختمان\nحیاط")
    page.get_by_role("button", name="ثبت گزارش بازدید").click()
    expect(page.get_by_text("گزارش بازدید ثبت شد.")).to_be_visible()
    page.screenshot(path=str(SHOTS / "journey-3-visit.png"), full_page=True)
    take(page, "inspector", "ارسال گزارش بازدید به طرح تفصیلی")

    # the plan reviewer, then two different district staff members
    page = sign_in(browser, live_server, "reviewer", case_path)
    plan = page.locator("form.case-plan-form")
    plan.get_by_label("مسکونی").check()
    plan.get_by_label("عرض گذربندی (متر)").fill("۶")
    plan.get_by_label("نظر کارشناس طرح تفصیلی").fill("با ضوابط پهنه مطابق است.")
    plan.get_by_role("button", name="ثبت یافته‌ها").click()
    expect(page.get_by_text("یافته‌های بررسی طرح تفصیلی ثبت شد.")).to_be_visible()
    take(page, "reviewer", "پایان بررسی طرح تفصیلی و ارسال به منطقه")
    page = sign_in(browser, live_server, "maker", case_path)
    answer = page.locator("form.case-answer-form")
    answer.get_by_label("بلامانع مشروط", exact=True).check()
    answer.get_by_label("شرط‌های دیگر").fill("پرداخت بدهی عوارض نوسازی پیش از انتقال")
    answer.get_by_role("button", name="ذخیره پیش‌نویس پاسخ").click()
    expect(page.get_by_text("پیش‌نویس پاسخ ذخیره شد", exact=False)).to_be_visible()
    expect(page.locator(".case-answer")).to_contain_text("۱۸٬۷۳۳٬۰۰۰")
    take(page, "maker", "تهیه پاسخ استعلام")
    page = sign_in(browser, live_server, "checker", case_path)
    page.get_by_role("button", name="تأیید و صدور پاسخ", exact=True).click()
    expect(page.get_by_text("اقدام «تأیید و صدور پاسخ» انجام شد.")).to_be_visible()

    # then the case page shows the final state and every step in Jalali, Persian digits
    case.refresh_from_db()
    assert case.state == "response_issued"
    expect(page.locator(".case-state .badge").first).to_have_text("پاسخ صادر شد")
    items = page.locator(".timeline-item")
    expect(items).to_have_count(9)
    for text in ["ثبت پرونده", "ارجاع به کارشناس بازدید", "ثبت گزارش بازدید",
                 "ارسال گزارش بازدید به طرح تفصیلی", "ثبت یافته‌های طرح تفصیلی",
                 "پایان بررسی طرح تفصیلی و ارسال به منطقه", "ذخیره پیش‌نویس پاسخ",
                 "تهیه پاسخ استعلام", "تأیید و صدور پاسخ"]:  # fmt: skip
        expect(items.filter(has_text=text).first).to_be_visible()
    expect(page.locator(".case-answer")).to_contain_text("پاسخ صادرشده")
    expect(page.locator(".case-answer")).to_contain_text("پرداخت بدهی عوارض نوسازی")
    for i in range(9):
        assert PERSIAN_DATETIME.search(items.nth(i).inner_text()), items.nth(i).inner_text()
    expect(page.get_by_text("لیلا مرادی").first).to_be_visible()
    expect(page.locator(".case-stints tbody tr")).to_have_count(5)
    assert not re.search(r"[0-9]", page.locator(".timeline").inner_text()), "Latin digits shown"
    assert page.console_errors == []  # type: ignore[attr-defined]
    page.screenshot(path=str(SHOTS / "journey-4-issued.png"), full_page=True)
