"""The payment pages: the bill page's panel, the callback over HTTP, the receipt's
scope, the settlement page and the cashier's day report with its day-close."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pishkhan.billing.models import Bill
from pishkhan.core import clock
from pishkhan.core.jalali import format_jalali_date
from pishkhan.payments.actions import do_record_card_payment
from pishkhan.payments.models import CashierDay, Payment
from pishkhan.payments.tests.conftest import pay_at_bank
from pishkhan.testing.personas import City, client_for


def test_the_bill_page_offers_what_the_person_may_do(city: City, bill: Bill) -> None:
    url = reverse("billing:bill", args=[bill.pk])
    citizen = client_for(city.zahra).get(url).content.decode()
    assert "پرداخت اینترنتی" in citizen
    assert "کارت‌خوان" not in citizen
    cashier = client_for(city.alice).get(url).content.decode()
    assert "پرداخت اینترنتی" in cashier
    assert "ثبت پرداخت با کارت‌خوان دفتر" in cashier
    assert client_for(city.charlie).get(url).status_code == 404


def test_pay_online_over_http_and_the_receipt(city: City, bill: Bill) -> None:
    client = client_for(city.zahra)
    started = client.post(reverse("payments:start", args=[bill.pk]))
    assert started.status_code == 302
    payment = Payment.objects.get(bill=bill)
    assert started["Location"] == f"/fake-bank/pay/{payment.token}/"
    reference = pay_at_bank(payment.token or "")
    forged = client.post(reverse("payments:callback"), {"token": "x" * 32, "status": "OK"})
    assert forged.status_code == 400
    assert "معتبر نیست" in forged.content.decode()
    back = client.post(
        reverse("payments:callback"),
        {"token": payment.token, "status": "OK", "ref": reference, "amount": "1"},
    )
    assert back.status_code == 303
    receipt = client.get(back["Location"]).content.decode()
    assert "رسید پرداخت" in receipt
    assert "پرداخت با موفقیت" in receipt
    assert client_for(city.yusuf).get(back["Location"]).status_code == 404
    assert client_for(city.charlie).get(back["Location"]).status_code == 404


def test_the_card_reader_form(city: City, bill: Bill) -> None:
    url = reverse("payments:card", args=[bill.pk])
    client = client_for(city.alice)
    refused = client.post(url, {"terminal_reference": "12", "masked_card": "603799******1234"})
    assert refused.status_code == 302
    assert "۶ تا ۲۰ رقم" in client.get(refused["Location"]).content.decode()
    done = client.post(url, {"terminal_reference": "123456", "masked_card": "603799******1234"})
    assert "رسید پرداخت" in client.get(done["Location"]).content.decode()


def test_the_settlement_page_is_the_administrators(city: City, bill: Bill) -> None:
    url = reverse("payments:settlement")
    assert client_for(city.alice).get(url).status_code == 404
    content = f"{bill.bill_id},{bill.payment_id},{bill.total + 1000},R1,1405/02/10\n".encode()
    upload = SimpleUploadedFile("bank.csv", content, content_type="text/csv")
    page = client_for(city.ada).post(url, {"file": upload})
    assert page.status_code == 200
    assert "مبلغ با فیش برابر نیست" in page.content.decode()


def test_the_cashiers_day_and_its_close(city: City, bill: Bill, now: clock.FrozenClock) -> None:
    do_record_card_payment(
        city.alice, bill.pk, terminal_reference="900900", masked_card="603799******1234"
    )
    today = format_jalali_date(now.now)
    client = client_for(city.alice)
    page = client.get(reverse("payments:day"), {"day": today})
    assert f'data-collected="{bill.total}"' in page.content.decode()
    refused = client.post(reverse("payments:day"), {"day": today, "office": city.a.office.pk})
    assert refused.status_code == 400  # the day has not ended
    now.now += dt.timedelta(days=1)
    closed = client.post(reverse("payments:day"), {"day": today, "office": city.a.office.pk})
    assert closed.status_code == 302
    frozen = CashierDay.objects.get(office=city.a.office)
    assert frozen.report["collected"] == bill.total
    # a payment recorded later for that day would not change the closed figures
    CashierDay.objects.filter(pk=frozen.pk).update(report={**frozen.report, "collected": 1})
    page = client.get(reverse("payments:day"), {"day": today})
    assert 'data-collected="1"' in page.content.decode()
    assert "بسته‌شده" in page.content.decode()
    assert client_for(city.bob).get(reverse("payments:day")).status_code == 404
    assert (
        client_for(city.alice)
        .get(reverse("payments:day"), {"office": city.b.office.pk})
        .status_code
        == 404
    )
