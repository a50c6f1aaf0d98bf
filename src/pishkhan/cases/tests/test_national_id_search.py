"""A national ID searched on the cartable or the follow-up list never enters a URL: the
filter form posts (with CSRF), the page is rendered from the POST, tabs and pages post
it on, and every link, form target and redirect the pages generate leave it out. A
query string is what access logs keep; a posted body is not."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import reverse

from pishkhan.accounts.models import Citizen
from pishkhan.cases.models import Case
from pishkhan.cases.tests.conftest import listed
from pishkhan.core.digits import to_persian_digits
from pishkhan.offices.roles import Role
from pishkhan.testing.personas import City, client_for

CARTABLE = "/cases/cartable/"
FOLLOW_UP = "/cases/follow-up/"


def urls_in(html: str) -> Iterator[str]:
    """Every href, form action and posted `next` on a page."""
    yield from re.findall(r'(?:href|action)="([^"]*)"', html)
    yield from re.findall(r'name="next" value="([^"]*)"', html)


def assert_no_national_id_in_urls(html: str, citizen: Citizen) -> None:
    nid = citizen.national_id
    for url in urls_in(html):
        assert nid not in url, url
        assert to_persian_digits(nid) not in url, url
        assert "national_id" not in url, url


@pytest.fixture
def applicant(world: City) -> Citizen:
    return world.builder.citizen()


@pytest.fixture
def tm(world: City) -> Client:
    return client_for(world.a[Role.TECHNICAL_MANAGER])


def test_the_filter_form_posts_with_a_csrf_token(world: City, tm: Client) -> None:
    world.open_case()
    html = tm.get(CARTABLE).content.decode()
    match = re.search(r'<form([^>]*class="card filters"[^>]*)>(.*?)</form>', html, re.S)
    assert match is not None
    tag, body = match.groups()
    assert 'method="post"' in tag
    assert f'action="{CARTABLE}"' in tag
    assert 'name="csrfmiddlewaretoken"' in body


def test_a_posted_national_id_filters_the_cartable_and_stays_out_of_every_url(
    world: City, tm: Client, applicant: Citizen
) -> None:
    theirs = world.open_case(applicant=applicant)
    world.open_case()  # another applicant's
    search = {"role": Role.TECHNICAL_MANAGER, "tab": "all"}
    response = tm.post(
        CARTABLE, {**search, "national_id": to_persian_digits(applicant.national_id)}
    )
    assert response.status_code == 200
    assert listed(response) == {theirs.tracking_code}
    html = response.content.decode()
    assert_no_national_id_in_urls(html, applicant)
    # the search form shows what was searched (in a field, not a URL)
    assert 'name="national_id"' in html


def test_tabs_and_pages_post_the_national_id_on(
    world: City, tm: Client, applicant: Citizen
) -> None:
    cases = [world.open_case(applicant=applicant) for _ in range(27)]
    world.open_case()
    tm.post(reverse("cases:claim", args=[cases[0].pk]), {"version": 1})
    first = tm.post(CARTABLE, {"national_id": applicant.national_id})
    html = first.content.decode()
    assert len(first.context["page"].rows) == 25
    # the tabs and the pager are buttons of forms that post the filters, ID included
    carry = html.split('id="carry-tab"')[1].split("</form>")[0]
    assert 'method="post"' in carry
    assert f'name="national_id" value="{applicant.national_id}"' in carry
    assert 'form="carry-tab" name="tab" value="mine"' in html
    assert 'form="carry-page" name="page" value="2"' in html
    second = tm.post(CARTABLE, {"national_id": applicant.national_id, "tab": "all", "page": "2"})
    assert len(second.context["page"].rows) == 2
    assert listed(first) | listed(second) == {c.tracking_code for c in cases}
    mine = tm.post(CARTABLE, {"national_id": applicant.national_id, "tab": "mine"})
    assert listed(mine) == {cases[0].tracking_code}
    assert_no_national_id_in_urls(second.content.decode(), applicant)


def test_a_search_without_a_national_id_redirects_to_a_plain_link(world: City, tm: Client) -> None:
    service = world.services["inquiry_bank"].pk
    search = {"role": Role.TECHNICAL_MANAGER, "tab": "pool", "service": service}
    response = tm.post(CARTABLE, {**search, "national_id": "  "})
    assert response.status_code == 303
    assert response["Location"] == (
        f"{CARTABLE}?role={Role.TECHNICAL_MANAGER}&service={service}&tab=pool"
    )


def test_a_national_id_in_a_query_string_is_ignored(
    world: City, tm: Client, applicant: Citizen
) -> None:
    world.open_case(applicant=applicant)
    other = world.open_case()
    response = tm.get(CARTABLE, {"national_id": applicant.national_id})
    assert response.status_code == 200
    assert other.tracking_code in listed(response)  # not filtered by it
    html = response.content.decode()
    assert_no_national_id_in_urls(html, applicant)
    assert f'value="{applicant.national_id}"' not in html


def test_the_cases_index_redirect_drops_a_national_id(tm: Client, applicant: Citizen) -> None:
    response = tm.get("/cases/", {"tab": "pool", "national_id": applicant.national_id})
    assert response.status_code == 302
    assert response["Location"] == f"{CARTABLE}?tab=pool"
    assert tm.get("/cases/")["Location"] == CARTABLE


def test_a_bad_posted_national_id_is_a_persian_error(world: City, tm: Client) -> None:
    world.open_case()
    response = tm.post(CARTABLE, {"national_id": "12345"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "۱۰ رقم" in html
    for url in urls_in(html):
        assert "12345" not in url


def test_claiming_from_a_search_returns_without_the_national_id(
    world: City, tm: Client, applicant: Citizen
) -> None:
    case = world.open_case(applicant=applicant)
    html = tm.post(CARTABLE, {"national_id": applicant.national_id}).content.decode()
    back = re.findall(r'name="next" value="([^"]*)"', html)[0].replace("&amp;", "&")
    response = tm.post(reverse("cases:claim", args=[case.pk]), {"version": 1, "next": back})
    assert response.status_code == 302
    assert applicant.national_id not in response["Location"]
    assert Case.objects.get(pk=case.pk).assignee == world.a[Role.TECHNICAL_MANAGER]


def test_the_search_needs_a_csrf_token(world: City, applicant: Citizen) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.a[Role.TECHNICAL_MANAGER])
    assert client.post(CARTABLE, {"national_id": applicant.national_id}).status_code == 403


def test_the_follow_up_list_searches_by_post_too(world: City, applicant: Citizen) -> None:
    officer = client_for(world.a[Role.FOLLOW_UP_OFFICER])
    theirs = world.open_case(applicant=applicant)
    other = world.open_case()
    for case in (theirs, other):  # overdue, so both are on the list
        Case.objects.filter(pk=case.pk).update(due_at=case.opened_at)
    assert listed(officer.get(FOLLOW_UP)) == {theirs.tracking_code, other.tracking_code}
    response = officer.post(FOLLOW_UP, {"tab": "all", "national_id": applicant.national_id})
    assert response.status_code == 200
    assert listed(response) == {theirs.tracking_code}
    html = response.content.decode()
    assert_no_national_id_in_urls(html, applicant)
    assert 'form="carry-tab" name="tab" value="overdue"' in html
    plain = officer.post(FOLLOW_UP, {"tab": "overdue", "national_id": ""})
    assert (plain.status_code, plain["Location"]) == (303, f"{FOLLOW_UP}?tab=overdue")
