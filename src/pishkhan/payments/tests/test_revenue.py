"""Revenue by office, service and Jalali month: the figures against the ledger, the
scope of each role, the page, its exports and its query count."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from pishkhan.accounts.access import load_principal
from pishkhan.billing.actions import BillPlan, do_record_bill_payment, write_bill
from pishkhan.billing.dues import Line
from pishkhan.billing.ledger import book, check_ledger
from pishkhan.billing.models import Bill, BillKind, BillStatus, EntryKind, LedgerEntry, LineKind
from pishkhan.billing.tests.conftest import tehran
from pishkhan.core import clock
from pishkhan.core.jalali import from_jalali, jalali_year_bounds, to_jalali
from pishkhan.payments.revenue import (
    Filters,
    Revenue,
    months_between,
    revenue_report,
    revenue_scope,
)
from pishkhan.testing.personas import City, Side, client_for
from pishkhan.testing.weights import BUDGET, page_weight

URL = "/payments/revenue/"
YEAR = jalali_year_bounds(1405)


def issue(
    city: City,
    side: Side | None,
    lines: list[tuple[str, int]],
    kind: str = BillKind.SERVICE,
    case: object = None,
) -> Bill:
    """A bill of `side`'s office (None: issued by district A, no office)."""
    district = (side or city.a).district
    plan = BillPlan(
        kind=kind,
        lines=[Line(k, "ردیف", amount) for k, amount in lines],
        due_on=clock.now().date() + dt.timedelta(days=30),
        parcel=None if case is not None else (side or city.a).parcel,
        case=case,  # type: ignore[arg-type]
        payer_id=city.citizen.pk,
        office_id=side.office.pk if side is not None else None,
        district_id=district.pk,
    )
    return write_bill(plan, actor_id=city.alice.pk, role="technical_manager", now=clock.now())


def pay(bill: Bill, reference: str) -> None:
    do_record_bill_payment(bill.pk, amount=bill.total, reference=reference, channel="online")


def at(frozen: clock.FrozenClock, month: int, day: int) -> None:
    frozen.advance(tehran(from_jalali(1405, month, day)) - frozen.now)


@pytest.fixture
def money(city: City, now: clock.FrozenClock) -> dict[str, Bill]:
    """Ordibehesht 1405: office A's case bill (fee + transfer dues) and office B's
    renewal bill paid, office A's parcel bill left unpaid. Khordad: office A's renewal
    bill paid, captured twice by mistake, the duplicate reversed in Tir; a bill issued
    by district A (no office) paid."""
    case = city.open_case()
    bills = {
        "case_a": issue(city, city.a, [(LineKind.SERVICE_FEE, 1_000_000),
                                       (LineKind.TRANSFER, 2_000_000)], case=case),
        "renewal_b": issue(city, city.b, [(LineKind.RENEWAL_YEAR, 5_000_000)], BillKind.RENEWAL),
        "unpaid_a": issue(city, city.a, [(LineKind.SERVICE_FEE, 7_000_000)]),
    }  # fmt: skip
    pay(bills["case_a"], "R-A1")
    now.advance(dt.timedelta(days=3))
    pay(bills["renewal_b"], "R-B1")
    at(now, 3, 5)
    renewal_a = issue(
        city, city.a,
        [(LineKind.RENEWAL_YEAR, 3_000_000), (LineKind.LATE_FEE, 400_000)], BillKind.RENEWAL,
    )  # fmt: skip
    pay(renewal_a, "R-A2")
    duplicate = book(renewal_a, EntryKind.CAPTURE, renewal_a.total, clock.now(), "capture:R-A3")
    district = issue(city, None, [(LineKind.RENEWAL_YEAR, 2_000_000)], BillKind.RENEWAL)
    pay(district, "R-D1")
    at(now, 4, 2)
    book(renewal_a, EntryKind.REVERSAL, renewal_a.total, clock.now(), "reversal:R-A3",
         reverses=duplicate)  # fmt: skip
    return {**bills, "renewal_a": renewal_a, "district": district}


def city_report(first: dt.date = YEAR[0], last: dt.date = YEAR[1], **filters: int) -> Revenue:
    return revenue_report(Q_ALL, first, last, Filters(**filters))


Q_ALL = Q()  # the city roles' scope: everything


def test_the_months_of_a_range_are_jalali_and_clipped() -> None:
    months = months_between(from_jalali(1405, 1, 20), from_jalali(1405, 3, 2))
    assert [(m.year, m.month) for m in months] == [(1405, 1), (1405, 2), (1405, 3)]
    assert months[0].start == from_jalali(1405, 1, 20)
    assert months[1].start == from_jalali(1405, 2, 1)
    assert months[2].end == from_jalali(1405, 3, 3)
    assert months[1].label == "اردیبهشت ۱۴۰۵"
    assert len(months_between(*YEAR)) == 12
    assert [m.month for m in months_between(from_jalali(1404, 12, 1), from_jalali(1405, 1, 1))] == [
        12,
        1,
    ]


def test_the_totals_equal_the_ledgers(money: dict[str, Bill]) -> None:
    ledger = check_ledger()
    assert ledger.consistent, ledger.problems
    report = city_report()
    assert (
        report.total.captured
        == ledger.captured
        == 3_000_000 + 5_000_000 + 3_400_000 * 2 + 2_000_000
    )
    assert report.total.reversed == ledger.reversed == 3_400_000
    assert report.total.net == ledger.paid
    assert report.total.captured_count == 5
    assert report.total.reversed_count == 1
    # per month: the ledger's per-day invariant summed over the month's days
    paid: dict[tuple[int, int], int] = defaultdict(int)
    for bill in Bill.objects.filter(status=BillStatus.PAID):
        j = to_jalali(bill.paid_at)  # type: ignore[arg-type]
        paid[(j.year, j.month)] += bill.total
    shown = {(m.year, m.month): f.net for m, f in report.by_month if f.net}
    assert shown == dict(paid) == {(1405, 2): 8_000_000, (1405, 3): 5_400_000}
    # the reversal booked in Tir counts against the capture's month, Khordad
    khordad = dict((m.month, f) for m, f in report.by_month)[3]
    assert (khordad.captured_count, khordad.reversed_count) == (3, 1)
    assert dict((m.month, f.reversed) for m, f in report.by_month)[4] == 0


def test_offices_services_and_line_kinds(city: City, money: dict[str, Bill]) -> None:
    report = city_report()
    by_name = {block.name: block for block in report.offices}
    office_a = by_name[city.a.office.name]
    assert office_a.total.net == 3_000_000 + 3_400_000
    services = {line.service: line for line in office_a.lines}
    assert services[city.services["inquiry_notary"].name].total.captured == 3_000_000
    renewal = services["عوارض نوسازی (بدون پرونده)"]
    assert [(m.month, f.captured, f.reversed) for m, f in renewal.months] == [
        (3, 6_800_000, 3_400_000)
    ]
    assert by_name[city.b.office.name].total.net == 5_000_000
    assert by_name[f"{city.a.district.name} — بدون دفتر"].total.net == 2_000_000
    assert sum(block.total.net for block in report.offices) == report.total.net
    kinds = {label: f for label, f in report.by_line_kind}
    assert kinds["هزینه خدمت"].net == 1_000_000
    assert kinds["عوارض نقل و انتقال"].net == 2_000_000
    assert kinds["عوارض نوسازی سال"].net == 5_000_000 + 3_000_000 + 2_000_000
    assert kinds["جریمه دیرکرد"].captured == 800_000
    assert kinds["جریمه دیرکرد"].reversed == 400_000
    assert sum(f.net for f in kinds.values()) == report.total.net
    service_id = city.services["inquiry_notary"].pk
    assert city_report(service_id=service_id).total.net == 3_000_000
    assert city_report(office_id=city.b.office.pk).total.net == 5_000_000
    assert (
        city_report(district_id=city.a.district.pk).total.net == 3_000_000 + 3_400_000 + 2_000_000
    )
    ordibehesht = from_jalali(1405, 2, 1), from_jalali(1405, 2, 31)
    assert city_report(*ordibehesht).total.net == 8_000_000


def scope_net(user: object) -> int | None:
    scope = revenue_scope(load_principal(user))
    if scope is None:
        return None
    return revenue_report(scope, *YEAR, Filters()).total.net


def test_who_sees_which_revenue(city: City, money: dict[str, Bill]) -> None:
    everything = 8_000_000 + 5_400_000
    assert scope_net(city.sam) == scope_net(city.ada) == everything
    assert scope_net(city.dave) == 3_000_000 + 3_400_000 + 2_000_000  # district A
    assert scope_net(city.erin) == 5_000_000  # district B
    assert scope_net(city.olivia) == 3_000_000 + 3_400_000  # office A's bills
    for nobody in (city.alice, city.bob, city.charlie, city.zahra):
        assert scope_net(nobody) is None


def test_the_page_and_its_menu_link(city: City, money: dict[str, Bill]) -> None:
    page = client_for(city.olivia).get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'href="{reverse("payments:revenue")}">درآمد</a>' in html
    assert f'data-net="{3_000_000 + 3_400_000}"' in html
    assert city.a.office.name in html
    assert city.b.office.name not in html
    assert "۶٬۴۰۰٬۰۰۰ ریال" in html
    assert "اردیبهشت ۱۴۰۵" in html
    assert "data-datepicker" in html
    for nobody in (city.alice, city.zahra):
        assert client_for(nobody).get(URL).status_code == 404
        assert "درآمد</a>" not in client_for(nobody).get("/").content.decode()
    month = client_for(city.sam).get(URL, {"year": "1405", "month": "3"}).content.decode()
    assert f'data-net="{5_400_000}"' in month
    ranged = client_for(city.sam).get(URL, {"date_from": "۱۴۰۵/۰۲/۰۱", "date_to": "۱۴۰۵/۰۲/۱۲"})
    assert f'data-net="{3_000_000}"' in ranged.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"year": "abc"}, "گزینه انتخاب‌شده معتبر نیست."),
        ({"month": "13"}, "گزینه انتخاب‌شده معتبر نیست."),
        ({"date_from": "1405/13/40"}, "ماه"),
        ({"date_from": "۱۴۰۵/۰۳/۰۱", "date_to": "۱۴۰۵/۰۱/۰۱"}, "نباید پیش از"),
        ({"date_from": "۱۴۰۰/۰۱/۰۱", "date_to": "۱۴۰۵/۰۱/۰۱"}, "حداکثر ۳۶ ماه"),
        ({"date_from": "\x00" * 10}, "تاریخ"),
        ({"date_from": "1" * 100_000}, "تاریخ را به شکل"),
    ],
)
def test_bad_input_is_a_persian_message(
    city: City, money: dict[str, Bill], query: dict[str, str], message: str
) -> None:
    page = client_for(city.sam).get(URL, query)
    assert page.status_code == 400
    assert message in page.content.decode()


def test_a_foreign_office_or_export_is_refused(city: City, money: dict[str, Bill]) -> None:
    client = client_for(city.olivia)
    page = client.get(URL, {"office": str(city.b.office.pk)})
    assert page.status_code == 400
    assert "گزینه انتخاب‌شده معتبر نیست." in page.content.decode()
    assert client.get(URL, {"office": str(city.b.office.pk), "export": "xlsx"}).status_code == 400
    assert client.get(URL, {"export": "pdf"}).status_code == 404
    assert client.get(URL, {"export": "csv", "table": "x"}).status_code == 404
    assert client_for(city.alice).get(URL, {"export": "xlsx"}).status_code == 404


def test_the_excel_export_within_the_scope(city: City, money: dict[str, Bill]) -> None:
    response = client_for(city.olivia).get(URL, {"year": "1405", "export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    assert sheet.sheet_view.rightToLeft
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "درآمد به تفکیک دفتر، خدمت و ماه"
    assert rows[1][0].startswith("دوره: ۱۴۰۵/۰۱/۰۱ تا ۱۴۰۵/۱۲/۲۹")
    header = rows.index(["منطقه", "دفتر", "خدمت", "ماه", "تعداد دریافت", "دریافت (ریال)",
                         "تعداد برگشت", "برگشت (ریال)", "خالص (ریال)"])  # fmt: skip
    body = rows[header + 1 :]
    assert all(city.b.office.name not in row for row in body)
    assert [city.a.district.name, city.a.office.name, "عوارض نوسازی (بدون پرونده)",
            "خرداد ۱۴۰۵", 2, 6_800_000, 1, 3_400_000, 3_400_000] in body  # fmt: skip
    assert body[-1] == ["همه", "همه دفترها", "همه خدمات", "جمع دوره", 3, 9_800_000, 1,
                        3_400_000, 6_400_000]  # fmt: skip
    kinds = client_for(city.sam).get(URL, {"export": "xlsx", "table": "kinds"})
    kind_rows = [[c.value for c in row] for row in load_workbook(io.BytesIO(kinds.content))
                 .active.iter_rows()]  # type: ignore[union-attr]  # fmt: skip
    assert ["جریمه دیرکرد", 800_000, 400_000, 400_000] in kind_rows
    assert kind_rows[-1] == ["جمع", 16_800_000, 3_400_000, 13_400_000]


def test_the_csv_export(city: City, money: dict[str, Bill]) -> None:
    response = client_for(city.dave).get(URL, {"export": "csv"})
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[-1] == ["همه", "همه دفترها", "همه خدمات", "جمع دوره", "4", "11800000", "1",
                        "3400000", "8400000"]  # fmt: skip
    assert any(row[1] == f"{city.a.district.name} — بدون دفتر" for row in rows[5:])


def test_the_query_count_does_not_grow(city: City, now: clock.FrozenClock) -> None:
    client = client_for(city.sam)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    def add(n: int, offset: int) -> None:
        for i in range(n):
            side = city.a if i % 2 else city.b
            bill = issue(city, side, [(LineKind.SERVICE_FEE, 1_000_000), (LineKind.TOLL_YEAR,
                                                                          1_000)])  # fmt: skip
            pay(bill, f"Q{offset + i}")
            now.advance(dt.timedelta(days=9))

    add(2, 0)
    small = queries()
    add(12, 100)
    assert LedgerEntry.objects.filter(kind=EntryKind.CAPTURE).count() == 14
    assert queries() == small
    with CaptureQueriesContext(connection) as captured:
        client.get(URL, {"export": "xlsx"})
    assert len(captured) == small


def test_the_page_is_under_200_kb_with_what_it_loads(city: City, money: dict[str, Bill]) -> None:
    html = client_for(city.sam).get(URL).content.decode()
    assert page_weight(html) < BUDGET
