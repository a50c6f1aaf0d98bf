"""Finding the parcel before registering (/cases/parcels/): by plate, postal code,
renewal code or address words; each match with its open conditions, the caller's own
open and recent cases, a count of the others and the last visit; choosing one fills the
registration form. The same page works without JavaScript and as an htmx fragment."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pishkhan.core.digits import to_persian_digits
from pishkhan.geo.models import ConditionKind, Parcel
from pishkhan.testing.personas import City, client_for

URL = "/cases/parcels/"


@pytest.fixture
def target(city: City) -> Parcel:
    """A parcel with a debt, a violation, a plan restriction, one case of office A that
    reached a visit and one open case of office B."""
    parcel = city.builder.parcel(
        city.a.district,
        plate_main=48213,
        plate_sub=7,
        postal_code="8174673111",
        address="خیابان چهارباغ بالا، کوچه گلستان، پلاک ۱۲",
    )
    builder = city.builder
    builder.condition(parcel, kind=ConditionKind.DEBT, title="عوارض نوسازی", amount=12_500_000)
    builder.condition(parcel)
    builder.condition(
        parcel,
        kind=ConditionKind.PLAN_RESTRICTION,
        title="تعریض گذر",
        widening_m=Decimal("2.5"),
    )
    builder.condition(parcel, resolved=True, title="تخلف رفع‌شده")
    ours = city.open_case(parcel=parcel)
    city.walk_to(ours, "plan_review")
    city.open_case(side=city.b, parcel=parcel)
    return parcel


def search(city: City, **query: Any) -> Any:
    return client_for(city.alice).get(URL, query)


def found(response: Any) -> list[Parcel]:
    return [m.parcel for m in response.context["result"].matches]


@pytest.mark.parametrize(
    "query",
    [
        {"plate": "۴۸۲"},
        {"plate": "48213/7"},
        {"plate": "۴۸۲۱۳ / ۷"},
        {"postal_code": "۸۱۷۴۶-۷۳۱۱۱"},
        {"renewal_code": "RENEWAL"},
        {"address": "چهارباغ گلستان"},
        {"address": "كوچه گلستان"},  # an Arabic kaf typed
    ],
)
def test_it_finds_the_parcel_by_each_identifier(
    city: City, target: Parcel, query: dict[str, str]
) -> None:
    if query.get("renewal_code") == "RENEWAL":
        query = {"renewal_code": to_persian_digits(target.renewal_code)}
    response = search(city, **query)
    assert response.status_code == 200
    assert found(response) == [target]


def test_a_wrong_sub_plate_or_other_words_find_nothing(city: City, target: Parcel) -> None:
    assert found(search(city, plate="48213/8")) == []
    assert found(search(city, address="چهارباغ نظر")) == []
    assert "ملکی با این مشخصات پیدا نشد." in search(city, plate="99999999").content.decode()


def test_a_match_shows_conditions_cases_and_the_last_visit(city: City, target: Parcel) -> None:
    page = search(city, plate="48213").content.decode()
    assert "۱۲٬۵۰۰٬۰۰۰ ریال" in page
    assert "تخلف ساختمانی" in page
    assert "عقب‌نشینی ۲٫۵۰ متر" in page
    assert "تخلف رفع‌شده" not in page
    ours = target.cases.get(office=city.a.office)
    assert to_persian_digits(ours.tracking_code) in page
    assert "بررسی طرح تفصیلی" in page  # the state's label
    assert "بازدیدی ثبت نشده است" not in page


def test_only_the_callers_cases_are_listed_the_others_counted(city: City, target: Parcel) -> None:
    theirs = target.cases.get(office=city.b.office)
    page = search(city, plate="48213").content.decode()
    assert to_persian_digits(theirs.tracking_code) not in page
    assert "۱ پرونده باز دیگر در دفاتر دیگر" in page
    charlie = client_for(city.charlie).get(URL, {"plate": "48213"}).content.decode()
    assert to_persian_digits(theirs.tracking_code) in charlie
    ours = target.cases.get(office=city.a.office)
    assert to_persian_digits(ours.tracking_code) not in charlie


def test_choosing_a_parcel_fills_the_registration(city: City, target: Parcel) -> None:
    response = search(city, plate="48213", service="inquiry_bank")
    choose = reverse("cases:new") + f"?service=inquiry_bank&amp;renewal_code={target.renewal_code}"
    assert choose in response.content.decode()
    form = client_for(city.alice).get(
        reverse("cases:new"), {"service": "inquiry_bank", "renewal_code": target.renewal_code}
    )
    assert f'value="{target.renewal_code}"' in form.content.decode()
    forged = client_for(city.alice).get(
        reverse("cases:new"), {"service": "inquiry_bank", "renewal_code": "<script>"}
    )
    assert "&lt;script&gt;" not in forged.content.decode()


def test_htmx_gets_only_the_results(city: City, target: Parcel) -> None:
    response = client_for(city.alice).get(URL, {"plate": "48213"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="parcel-results"')
    assert "<html" not in body
    refused = client_for(city.alice).get(URL, {"plate": "x"}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 200  # htmx swaps only a 200
    assert "پلاک را به شکل" in refused.content.decode()


def test_the_registration_page_offers_the_lookup(city: City) -> None:
    page = client_for(city.alice).get("/cases/new/?service=inquiry_notary").content.decode()
    assert 'hx-get="/cases/parcels/"' in page
    assert 'action="/cases/parcels/"' in page  # and without JavaScript


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({}, None),
        ({"plate": ""}, "پلاک، کد پستی، کد نوسازی یا نشانی ملک را وارد کنید"),
        ({"plate": "12a"}, "پلاک را به شکل"),
        ({"postal_code": "81a"}, "کد پستی فقط رقم است."),
        ({"renewal_code": "1;drop"}, "کد نوسازی فقط رقم و خط تیره است."),
        ({"address": "ا"}, "دست‌کم دو حرف"),
        ({"address": "x\x00y"}, "کاراکترهای تهی مجاز نیستند."),
        ({"address": "x" * 1_000_000}, "نشانی حداکثر ۱۲۰ نویسه است."),
    ],
)
def test_bad_input_gets_a_persian_message(city: City, query: dict[str, str], message: str) -> None:
    response = search(city, **query)
    if message is None:
        assert response.status_code == 200
        assert response.context["result"] is None
        return
    assert response.status_code == 400
    assert message in response.content.decode()


def test_staff_look_up_parcels_and_citizens_do_not(city: City) -> None:
    """Parcels are city data: any staff role finds them (the parcel file), only the
    technical manager is offered to register on one; a citizen gets a 403."""
    for user in (city.bob, city.dave, city.sam):
        response = client_for(user).get(URL, {"plate": "1"})
        assert response.status_code == 200
        assert "انتخاب این ملک برای ثبت" not in response.content.decode()
    assert client_for(city.zahra).get(URL, {"plate": "1"}).status_code == 403


def test_the_query_count_does_not_grow_with_the_matches(city: City, target: Parcel) -> None:
    client = client_for(city.alice)
    client.get(URL, {"plate": "48213"})  # warm the session

    def count(query: dict[str, str]) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(URL, query)
        return len(captured), len(response.context["result"].matches)

    one = count({"plate": "48213"})
    for n in range(4):
        parcel = city.builder.parcel(city.a.district, plate_main=48213_0 + n)
        city.builder.condition(parcel)
        city.open_case(parcel=parcel)
        city.open_case(side=city.b, parcel=parcel)
    many = count({"plate": "48213"})
    assert (one[1], many[1]) == (1, 5)
    assert many[0] == one[0], (one, many)
