"""Search across the office: one posted box finds a case in the caller's staff scope by
tracking code (or its last digits), national ID, plate or applicant name, at any step,
open or closed; never a case of another office or district; never a national ID in a
URL; a query count that does not grow with the rows."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from pishkhan.accounts.models import Citizen
from pishkhan.cases.models import Case
from pishkhan.cases.tests.conftest import listed
from pishkhan.core.digits import to_persian_digits
from pishkhan.offices.roles import Role
from pishkhan.testing.personas import City, client_for, walk_to

URL = "/cases/search/"


def found(client: Client, text: str) -> set[str]:
    response = client.post(URL, {"q": text})
    assert response.status_code == 200
    return listed(response)


@pytest.fixture
def tm(world: City) -> Client:
    return client_for(world.a[Role.TECHNICAL_MANAGER])


@pytest.fixture
def applicant(world: City) -> Citizen:
    return world.builder.citizen(first_name="علی", last_name="کریمی")


def identifiers(case: Case) -> list[str]:
    parcel = case.parcel
    assert parcel is not None
    return [
        case.tracking_code,
        case.tracking_code[-4:],
        case.applicant.national_id,
        f"{parcel.plate_main}/{parcel.plate_sub}",
        case.applicant.last_name,
        to_persian_digits(case.data["letter_number"]),  # the notary's letter
    ]


def test_it_finds_a_case_by_each_identifier(world: City, tm: Client, applicant: Citizen) -> None:
    case = world.open_case(applicant=applicant)
    world.open_case()
    for text in identifiers(case):
        assert case.tracking_code in found(tm, text), text
    # Persian digits, the last digits alone, the plate's main number alone
    assert case.tracking_code in found(tm, to_persian_digits(case.tracking_code))
    assert found(tm, to_persian_digits(case.tracking_code[-5:])) >= {case.tracking_code}
    assert case.parcel is not None
    assert case.tracking_code in found(tm, to_persian_digits(case.parcel.plate_main))


def test_names_match_across_arabic_and_persian_letters(world: City, tm: Client) -> None:
    citizen = world.builder.citizen(first_name="یاسر", last_name="کاظمی")
    case = world.open_case(applicant=citizen)
    world.open_case()
    assert found(tm, "كاظمي") == {case.tracking_code}  # Arabic kaf and yeh
    assert found(tm, "یاسر  کاظمی") == {case.tracking_code}
    assert found(tm, "کاظمی رضا") == set()  # every word must match


def test_it_finds_closed_cases_and_cases_at_any_step(world: City, tm: Client) -> None:
    at_district = walk_to(world, world.open_case(), "district_review")
    closed = world.open_case()
    # closed, as a final step leaves it
    Case.objects.filter(pk=closed.pk).update(closed_at=closed.opened_at)
    assert found(tm, at_district.tracking_code) == {at_district.tracking_code}
    response = tm.post(URL, {"q": closed.tracking_code})
    assert listed(response) == {closed.tracking_code}
    assert "بسته" in response.content.decode()


@pytest.mark.parametrize("who", ["office_a_tm", "district_a"])
def test_a_case_of_another_office_or_district_is_never_found(world: City, who: str) -> None:
    client = client_for(
        world.a[Role.TECHNICAL_MANAGER] if who == "office_a_tm" else world.a.district_staff[0]
    )
    foreign_applicant = world.builder.citizen(first_name="مهسا", last_name="بیگانه")
    foreign = world.open_case(side=world.b, applicant=foreign_applicant)
    for text in identifiers(foreign):
        assert foreign.tracking_code not in found(client, text), text
    # the same case is found by its own office's staff and by the city roles
    for insider in (world.b[Role.TECHNICAL_MANAGER], world.b.district_staff[0], world.supervisor):
        assert found(client_for(insider), foreign.tracking_code) == {foreign.tracking_code}


def test_district_staff_find_their_districts_cases(world: City) -> None:
    case = world.open_case()
    assert found(client_for(world.a.district_staff[0]), case.tracking_code) == {case.tracking_code}


def test_a_staff_members_own_request_elsewhere_is_not_searched(world: City) -> None:
    """The search is staff work: a colleague at office B who applied at office A as a
    citizen sees that case on their own pages, not in the office search."""
    charlie = world.b[Role.TECHNICAL_MANAGER]
    citizen = world.builder.citizen(with_account=False)
    citizen.user = charlie
    citizen.save(update_fields=["user", "updated_at"])
    mine = world.open_case(applicant=citizen)
    assert found(client_for(charlie), mine.tracking_code) == set()


def test_the_national_id_never_enters_a_url(world: City, tm: Client, applicant: Citizen) -> None:
    cases = [world.open_case(applicant=applicant) for _ in range(27)]
    response = tm.post(URL, {"q": applicant.national_id})
    html = response.content.decode()
    assert len(response.context["page"].rows) == 25
    for url in re.findall(r'(?:href|action)="([^"]*)"', html):
        assert applicant.national_id not in url
    assert 'form="carry-page" name="page" value="2"' in html
    second = tm.post(URL, {"q": applicant.national_id, "page": "۲"})
    assert listed(response) | listed(second) == {c.tracking_code for c in cases}
    # newest first
    rows = [r.case for r in response.context["page"].rows]
    assert rows == sorted(rows, key=lambda c: (c.opened_at, c.pk), reverse=True)
    # a query string is never searched
    assert tm.get(URL, {"q": applicant.national_id}).context["page"].rows == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "را بنویسید"),
        ("علی 12", "فقط رقم"),
        ("x" * 81, "۸۰"),  # Django's own message, in Persian digits
    ],
)
def test_bad_input_is_a_persian_message(tm: Client, text: str, message: str) -> None:
    response = tm.post(URL, {"q": text})
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_q_helptext id_q_error"' in html
    assert 'id="id_q_error"' in html
    assert response.context["page"].rows == []


def test_the_header_of_every_staff_page_posts_to_the_search(world: City, tm: Client) -> None:
    for url in ("/", "/cases/cartable/", URL):
        html = tm.get(url).content.decode()
        form = re.search(r'<form method="post" action="/cases/search/"[^>]*role="search"', html)
        assert form, url
    assert client_for(world.zahra).get(URL).status_code == 403


def test_the_query_count_does_not_grow_with_the_rows(world: City, tm: Client) -> None:
    world.open_case()
    parcel = world.a.parcel
    plate = f"{parcel.plate_main}/{parcel.plate_sub}"  # every case of office A's parcel

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            response = tm.post(URL, {"q": plate})
        assert response.status_code == 200
        return len(captured), len(response.context["page"].rows)

    few, one = queries()
    for _ in range(30):
        world.open_case("inquiry_bank")
    many, rows = queries()
    assert (one, rows) == (1, 25)
    assert many == few
    print("search queries:", few)
