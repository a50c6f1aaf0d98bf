"""Choosing the service at registration: the office's services searched in Persian as
people type it (partial words, with or without the zero-width non-joiner, Arabic ي/ك),
each shown with its documents and today's fee before the form starts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pishkhan.catalog.models import ServiceType
from pishkhan.core.digits import matches_words, search_key
from pishkhan.offices.roles import Role
from pishkhan.testing.personas import SERVICES, City, client_for

URL = "/cases/new/"


@pytest.fixture
def tm(world: City) -> Client:
    return client_for(world.a[Role.TECHNICAL_MANAGER])


def offered(response: object) -> set[str]:
    return {card.offering.service.code for card in response.context["cards"]}  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("پایانکار", "گواهی پایان‌کار"),  # no ZWNJ typed, one in the name
        ("پایان‌کار", "گواهی پایان کار"),  # a ZWNJ typed, a space in the name
        ("پايان كار", "گواهی پایان‌کار"),  # Arabic ي and ك
        ("سفتکاری", "گواهی سفت‌کاری"),
        ("گواهی  پایان", "گواهی پایان ساخت"),  # partial, extra spaces
        ("۱۲", "ماده 12"),  # Persian digits find ASCII ones
    ],
)
def test_words_match_as_people_type_them(query: str, text: str) -> None:
    assert matches_words(query, text)


def test_every_word_must_match_and_marks_never_count() -> None:
    assert not matches_words("پایان تمدید", "گواهی پایان کار")
    assert search_key("\u200fپایان\u200c\u0640کار\u064e") == "پایانکار"
    assert matches_words("", "anything")


def test_the_office_s_services_are_listed_with_their_documents_and_fee(
    world: City, tm: Client
) -> None:
    notary = ServiceType.objects.get(code="inquiry_notary")
    world.builder.tariff(notary, timezone.localdate() - dt.timedelta(days=10), 750_000)
    response = tm.get(URL)
    assert response.status_code == 200
    assert offered(response) == set(SERVICES)
    html = response.content.decode()
    assert "۷۵۰٬۰۰۰ ریال" in html
    assert "به‌علاوهٔ ۱٬۰۰۰ ریال برای هر مترمربع عرصه" in html
    assert "نامه استعلام دفترخانه اسناد رسمی <strong>(الزامی)</strong>" in html
    assert "تعرفهٔ جاری ثبت نشده است" in html  # the bank inquiry has none
    assert "?service=inquiry_notary" in html


PERMIT_GROUPS = {code for code in SERVICES if code.startswith("permit_")}


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ("دفترخانه", {"inquiry_notary"}),
        ("دفتر خانه", {"inquiry_notary"}),
        ("استعلام", {"inquiry_notary", "inquiry_bank", "inquiry_excavation"}),
        ("بانك", {"inquiry_bank"}),  # Arabic ك
        ("تمديد", {"permit_extension"}),  # Arabic ي
        ("پروانه ساختمانی", PERMIT_GROUPS),  # every group's name or checklist says it
        ("پروانهساختمانی", PERMIT_GROUPS),
        ("حفاری", {"inquiry_excavation"}),
    ],
)
def test_a_search_narrows_the_list(world: City, tm: Client, query: str, codes: set[str]) -> None:
    response = tm.get(URL, {"q": query})
    assert response.status_code == 200
    assert offered(response) == codes
    if not codes:
        assert "خدمتی با این عبارت یافت نشد" in response.content.decode()


@pytest.mark.parametrize("query", ["\x00", "ا" * 1_000_000])
def test_hostile_searches_get_a_persian_message(world: City, tm: Client, query: str) -> None:
    response = tm.get(URL, {"q": query})
    assert response.status_code == 400
    html = response.content.decode()
    assert "عبارت جست‌وجو" in html
    assert offered(response) == set()


def test_a_service_the_office_does_not_offer_shows_the_list(world: City, tm: Client) -> None:
    response = tm.get(URL, {"service": "no_such_service"})
    assert response.status_code == 400
    assert "این خدمت برای دفتر شما قابل ثبت نیست" in response.content.decode()
    assert offered(response) == set(SERVICES)


def test_choosing_a_service_opens_its_form(world: City, tm: Client) -> None:
    response = tm.get(URL, {"service": "inquiry_bank"})
    assert response.status_code == 200
    assert response.templates[0].name == "cases/new.html"


def test_the_list_costs_the_same_queries_however_many_tariffs_exist(
    world: City, tm: Client
) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert tm.get(URL).status_code == 200
        return len(queries)

    before = count()
    today = timezone.localdate()
    for code in ("inquiry_notary", "inquiry_bank", "permit_extension"):
        world.builder.tariff(ServiceType.objects.get(code=code), today - dt.timedelta(days=3))
    assert count() == before
