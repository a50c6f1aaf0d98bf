"""axe-core on every staff page, as the role that works on it, at desktop and phone size:
no serious or critical violation anywhere, and on the phone no sideways scroll."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from pishkhan.offices.roles import Role
from pishkhan.testing.browser import DESKTOP, PHONE, sign_in_as
from pishkhan.testing.browser import check_page as check
from pishkhan.testing.personas import act, build_city


@pytest.mark.e2e
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_every_staff_page_has_no_serious_axe_violation(
    live_server: object, transactional_db: None, page: Page, viewport: dict[str, int]
) -> None:
    # given the test city with a case in each state the pages show differently
    world = build_city()
    tm, inspector = world.a[Role.TECHNICAL_MANAGER], world.a[Role.INSPECTOR]
    registered = world.open_case()
    returned = world.walk_to(world.open_case(), "awaiting_visit")
    returned = act(inspector, returned, "return_to_registration", "نامه دفترخانه تاریخ ندارد.")
    at_visit = world.walk_to(world.open_case(), "awaiting_visit")
    permit_visit = world.walk_to(world.open_case("permit_extension"), "awaiting_visit")
    at_plan = world.walk_to(world.open_case(), "plan_review")
    at_district = world.walk_to(world.open_case(), "district_review")
    prepared = world.walk_to(world.open_case(), "response_prepared")
    issued = world.walk_to(world.open_case(), "response_issued")
    page.set_viewport_size(viewport)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    base = str(live_server)

    def visit(path: str, what: str) -> None:
        page.goto(f"{base}{path}")
        expect(page.locator("main")).to_be_visible()
        check(page, what)

    # the sign-in page, before anyone signs in
    visit("/accounts/login/", "sign-in")
    page.get_by_label("نام کاربری یا کد ملی").fill(tm.username)
    page.get_by_label("گذرواژه").fill("not the password")
    page.get_by_role("button", name="ورود").click()
    expect(page.locator(".alert, .errorlist, .field-error").first).to_be_visible()
    check(page, "sign-in refused")

    # the technical manager: home, cartable tabs, search, registration, the case page
    sign_in_as(page, live_server, tm)
    visit("/", "technical manager's home")
    for tab in ("all", "mine", "pool", "overdue", "returned"):
        visit(f"/cases/cartable/?tab={tab}", f"technical manager's cartable, tab {tab}")
    page.get_by_role("link", name="بدون مسئول").click()
    page.get_by_role("button", name="برداشتن").first.click()
    expect(page.get_by_text("را برداشتید")).to_be_visible()
    check(page, "cartable with a message")
    visit("/cases/cartable/?date_from=1402/13/40", "cartable with a filter error")
    page.get_by_role("searchbox", name="جست‌وجوی پرونده").first.fill(world.citizen.national_id)
    page.get_by_role("button", name="جست‌وجو").first.click()
    expect(page.get_by_role("heading", name="نتیجه جست‌وجو")).to_be_visible()
    check(page, "search results")
    visit("/cases/new/", "registration: the service chooser")
    visit("/cases/new/?service=inquiry_notary", "registration form")
    lookup = page.locator("section.parcel-lookup")
    lookup.get_by_label("کد نوسازی").fill(world.a.parcel.renewal_code)
    lookup.get_by_role("button", name="جستجوی ملک").click()
    expect(page.locator(".parcel-match")).to_have_count(1)
    check(page, "registration with a parcel lookup result")
    visit(
        f"/cases/parcels/?service=inquiry_notary&renewal_code={world.a.parcel.renewal_code}",
        "parcel lookup without JavaScript",
    )
    visit("/cases/new/?service=inquiry_notary", "registration form")
    form = page.locator("form.case-new")
    form.get_by_label("کد ملی متقاضی").fill(world.citizen.national_id)
    form.get_by_label("کد نوسازی").fill(world.a.parcel.renewal_code)
    form.get_by_role("button", name="ثبت پرونده").click()
    expect(page.get_by_text("پرونده ثبت نشد؛ خطاهای فرم را برطرف کنید.")).to_be_visible()
    check(page, "registration refused with field errors")
    form.get_by_label("شماره دفترخانه").fill("۱۱۲")
    form.get_by_label("شماره نامه").fill("۱۴۰۲/۴۵۲۱")
    form.get_by_label("تاریخ نامه").fill("۱۴۰۲/۰۱/۰۲")
    for box in form.locator(".checklist input[type=checkbox]").all():
        box.check()
    form.get_by_role("button", name="ثبت پرونده").click()
    expect(page.locator(".duplicate-warning")).to_be_visible()
    check(page, "registration refused: the duplicate warning")
    visit(f"/cases/{registered.pk}/", "case page at registration")
    visit(f"/cases/{registered.pk}/receipt/", "receipt")
    visit(f"/cases/{registered.pk}/receipt/?paper=80mm", "receipt, 80 mm paper")
    visit(f"/cases/{returned.pk}/", "case page of a returned case")

    # the inspector, the plan reviewer, the district staff (maker, then checker)
    sign_in_as(page, live_server, inspector)
    visit("/cases/cartable/", "inspector's cartable")
    visit(f"/cases/{at_visit.pk}/", "case page with the visit form")
    visit(f"/cases/{permit_visit.pk}/", "case page with the permit extension's checklist")
    sign_in_as(page, live_server, world.a[Role.PLAN_REVIEWER])
    visit("/cases/cartable/", "plan reviewer's cartable")
    visit(f"/cases/{at_plan.pk}/", "case page with the plan review form")
    maker, checker = world.a.district_staff
    sign_in_as(page, live_server, maker)
    visit("/", "district staff's home")
    visit("/cases/cartable/", "district staff's cartable")
    visit(f"/cases/{at_district.pk}/", "case page with the answer form")
    sign_in_as(page, live_server, checker if prepared.prepared_by_id == maker.pk else maker)
    visit(f"/cases/{prepared.pk}/", "case page awaiting approval")
    visit(f"/cases/{issued.pk}/", "case page of an issued answer")
    visit(f"/cases/{issued.pk}/answer/", "the printable answer")

    # the follow-up officer, the office manager, the supervisor and the administrator
    sign_in_as(page, live_server, world.a[Role.FOLLOW_UP_OFFICER])
    visit("/cases/follow-up/", "follow-up list")
    sign_in_as(page, live_server, world.a[Role.OFFICE_MANAGER])
    visit("/", "office manager's home")
    visit("/cases/office/", "office manager's view")
    sign_in_as(page, live_server, world.supervisor)
    visit("/", "supervisor's home")
    visit("/cases/cartable/", "supervisor's overview")
    sign_in_as(page, live_server, world.administrator)
    visit("/admin/", "the admin's index")
    visit("/admin/geo/parcel/", "the admin's parcel list")
    visit(f"/admin/offices/office/{world.a.office.pk}/change/", "the admin's office form")

    # and the citizen: their cases and the issued answer
    sign_in_as(page, live_server, world.zahra)
    visit("/", "the citizen's home")
    visit(f"/cases/{issued.pk}/answer/", "the issued answer, as the citizen")
    # (a refused form answers 400, which the console reports; nothing else may fail)
    assert [e for e in errors if "status of 400" not in e] == [], errors
