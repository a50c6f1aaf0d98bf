"""The bill pages: reachable from the case page by whoever sees the case, a foreign bill
a 404, Persian digits and Jalali dates, the cancel form only for who may cancel."""

from __future__ import annotations

import pytest
from django.urls import reverse

from pishkhan.billing.actions import do_issue_bill
from pishkhan.billing.models import Bill, BillKind, BillStatus
from pishkhan.billing.tests.conftest import Rules
from pishkhan.cases.models import Case
from pishkhan.testing.personas import City, client_for


@pytest.fixture
def case_and_bill(city: City, rules: Rules, now: object) -> tuple[Case, Bill]:
    case = city.open_case()
    return case, do_issue_bill(city.alice, kind=BillKind.TRANSFER, case_id=case.pk)


def test_the_case_page_links_to_its_bills(city: City, case_and_bill: tuple[Case, Bill]) -> None:
    case, bill = case_and_bill
    page = client_for(city.alice).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert reverse("billing:case_bills", args=[case.pk]) in page
    listing = client_for(city.alice).get(reverse("billing:case_bills", args=[case.pk]))
    assert listing.status_code == 200
    assert reverse("billing:bill", args=[bill.pk]) in listing.content.decode()
    assert "۶۰٬۰۰۰٬۰۰۰ ریال" in listing.content.decode()


@pytest.mark.parametrize("who", ["alice", "dave", "sam", "zahra"])
def test_the_bill_page_for_those_who_see_the_case(
    city: City, case_and_bill: tuple[Case, Bill], who: str
) -> None:
    _, bill = case_and_bill
    response = client_for(getattr(city, who)).get(reverse("billing:bill", args=[bill.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'data-bill-id="{bill.bill_id}"' in html
    assert f'data-payment-id="{bill.payment_id}"' in html
    assert "اردیبهشت ۱۴۰۵" in html or "خرداد ۱۴۰۵" in html  # the due date, Jalali
    assert "۶۰٬۰۰۰٬۰۰۰ ریال" in html
    assert ("ابطال فیش" in html) == (
        who in ("alice", "dave")
    )  # the issuers of its office, district


@pytest.mark.parametrize("who", ["charlie", "erin", "yusuf"])
def test_a_foreign_bill_is_a_404(city: City, case_and_bill: tuple[Case, Bill], who: str) -> None:
    case, bill = case_and_bill
    client = client_for(getattr(city, who))
    assert client.get(reverse("billing:bill", args=[bill.pk])).status_code == 404
    assert client.get(reverse("billing:case_bills", args=[case.pk])).status_code == 404
    assert (
        client.post(
            reverse("billing:cancel", args=[bill.pk]), {"version": 1, "reason": "x"}
        ).status_code
        == 404
    )


def test_cancelling_from_the_page(city: City, case_and_bill: tuple[Case, Bill]) -> None:
    _, bill = case_and_bill
    client = client_for(city.alice)
    url = reverse("billing:cancel", args=[bill.pk])
    bad = client.post(url, {"version": 1, "reason": "علت\x00"})
    assert bad.status_code == 400
    assert "Traceback" not in bad.content.decode()
    stale = client.post(url, {"version": 7, "reason": "اشتباه"})
    assert stale.status_code == 409
    done = client.post(url, {"version": 1, "reason": "اشتباه در مساحت", "reissue": "on"})
    assert done.status_code == 302
    bill.refresh_from_db()
    assert bill.status == BillStatus.CANCELLED
    fresh = Bill.objects.get(replaces=bill)
    assert done["Location"] == reverse("billing:bill", args=[fresh.pk])
    assert client.get(url).status_code == 405


def test_a_reader_cannot_cancel(city: City, case_and_bill: tuple[Case, Bill]) -> None:
    _, bill = case_and_bill
    response = client_for(city.sam).post(
        reverse("billing:cancel", args=[bill.pk]), {"version": 1, "reason": "اشتباه"}
    )
    assert response.status_code == 400
    assert "اجازه" in response.content.decode()
    bill.refresh_from_db()
    assert bill.status == BillStatus.ISSUED
