"""In the browser: the revenue page at desktop and phone size, as the supervisor (every
office) and as an office manager, with axe-core and no sideways scroll on the phone."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from pishkhan.billing.actions import BillPlan, do_record_bill_payment, write_bill
from pishkhan.billing.dues import Line
from pishkhan.billing.models import BillKind, LineKind
from pishkhan.testing.browser import DESKTOP, PHONE, check_page, sign_in_as
from pishkhan.testing.personas import build_city


@pytest.mark.e2e
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_revenue_page_reads_on_a_phone(
    live_server: object, transactional_db: None, page: Page, viewport: dict[str, int]
) -> None:
    city = build_city()
    for i, side in enumerate((city.a, city.b, city.a)):
        plan = BillPlan(
            kind=BillKind.RENEWAL,
            lines=[Line(LineKind.RENEWAL_YEAR, "عوارض", 123_456_000),
                   Line(LineKind.LATE_FEE, "دیرکرد", 9_870_000)],
            due_on=timezone.localdate(),
            parcel=side.parcel,
            payer_id=city.citizen.pk,
            office_id=side.office.pk,
            district_id=side.district.pk,
        )  # fmt: skip
        bill = write_bill(plan, actor_id=None, role="technical_manager", now=timezone.now())
        do_record_bill_payment(bill.pk, amount=bill.total, reference=f"B{i}", channel="online")
    page.set_viewport_size(viewport)
    for user, offices in ((city.sam, 2), (city.olivia, 1)):
        sign_in_as(page, live_server, user)
        page.goto(f"{live_server}/")
        page.get_by_role("link", name="درآمد").click()
        expect(page.get_by_role("heading", name="درآمد به تفکیک دفتر، خدمت و ماه")).to_be_visible()
        expect(page.locator("section.card h2[id^=office-]")).to_have_count(offices)
        check_page(page, f"revenue page as {user.username}")
        page.get_by_label("از تاریخ").fill("1405/13/40")
        page.get_by_role("button", name="نمایش").click()
        expect(page.locator(".field-error").first).to_be_visible()
        check_page(page, "revenue page with an error")
