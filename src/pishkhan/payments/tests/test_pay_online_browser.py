"""In the browser: the applicant pays an inquiry's last bill online through the fake
bank's pages (card, one-time code, back to us), the receipt is shown, and the case has
moved on by itself once the worker delivers the payment's event."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from pishkhan.billing.models import Bill, BillKind, BillStatus, RenewalDuesAccount
from pishkhan.cases.actions import do_perform_action
from pishkhan.cases.models import Case
from pishkhan.core.jalali import to_jalali
from pishkhan.outbox.delivery import deliver_due
from pishkhan.payments.actions import do_record_card_payment
from pishkhan.payments.tests.conftest import CARD
from pishkhan.payments.tests.paid_service import paid_case
from pishkhan.testing.browser import PHONE, assert_fits
from pishkhan.testing.personas import TEST_PASSWORD, account, build_city


@pytest.mark.e2e
def test_an_inquirys_bill_paid_online_moves_the_case_on(
    live_server: object, transactional_db: None, page: Page
) -> None:
    city = build_city()
    year = to_jalali(timezone.localdate()).year
    RenewalDuesAccount.objects.create(parcel=city.a.parcel, paid_through_year=year)
    case = paid_case(city)
    case = do_perform_action(city.alice, case.pk, "request_payment", case.version)
    transfer = Bill.objects.get(case=case, kind=BillKind.TRANSFER)
    do_record_card_payment(
        city.alice, transfer.pk, terminal_reference="700100", masked_card="603799******1234"
    )
    fee = Bill.objects.get(case=case, kind=BillKind.SERVICE)
    citizen = account(city.citizen)
    citizen.set_password(TEST_PASSWORD)
    citizen.save(update_fields=["password"])
    deliver_due()  # the worker's round: one bill is still unpaid, the case waits
    assert Case.objects.get(pk=case.pk).state == "awaiting_payment"

    page.set_viewport_size(PHONE)
    page.goto(f"{live_server}/bills/{fee.pk}/")
    page.get_by_label("نام کاربری یا کد ملی").fill(citizen.username)
    page.get_by_label("گذرواژه").fill(TEST_PASSWORD)
    page.get_by_role("button", name="ورود").click()
    page.get_by_role("button", name="پرداخت اینترنتی").click()

    # the fake bank's pages
    expect(page.get_by_role("heading", name="اطلاعات کارت")).to_be_visible()
    assert_fits(page, "the fake bank's card form")
    page.get_by_label("شماره کارت").fill("1234 5678 9012 3456")  # fails the Luhn check
    page.get_by_label("CVV2").fill("123")
    page.get_by_label("ماه").fill("12")
    page.get_by_label("سال").fill("08")
    page.get_by_role("button", name="دریافت رمز پویا و ادامه").click()
    expect(page.get_by_text("شماره کارت معتبر نیست.")).to_be_visible()
    page.get_by_label("شماره کارت").fill(CARD)
    page.get_by_label("CVV2").fill("123")
    page.get_by_role("button", name="دریافت رمز پویا و ادامه").click()
    otp = page.locator("[data-otp]").get_attribute("data-otp") or ""
    page.get_by_label("رمز پویا (رمز دوم)").fill(otp)
    page.get_by_role("button", name="پرداخت", exact=True).click()
    expect(page.get_by_role("heading", name="پرداخت با موفقیت انجام شد.")).to_be_visible()
    page.get_by_role("button", name="بازگشت به سامانه پذیرنده").click()

    # back with us: verified server side, the receipt
    expect(page.get_by_role("heading", name="رسید پرداخت")).to_be_visible()
    expect(page.get_by_text("پرداخت با موفقیت انجام و فیش پرداخت‌شده ثبت شد.")).to_be_visible()
    expect(page.locator("[data-payment-status]")).to_have_text("پرداخت‌شده")
    assert_fits(page, "the receipt")
    assert Bill.objects.get(pk=fee.pk).status == BillStatus.PAID

    deliver_due()  # the worker's round: the last bill's payment moves the case on
    assert Case.objects.get(pk=case.pk).state == "paid"
    page.get_by_role("link", name="بازگشت به پرونده").click()
    expect(page.get_by_text("پرداخت‌شده").first).to_be_visible()
