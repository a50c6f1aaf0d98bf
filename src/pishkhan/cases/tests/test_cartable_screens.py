"""Screens fit for a working day: sortable columns (whitelisted keys, a bad one falls back
quietly), filter errors that show the error and no list, Persian digits in every form
message (Django's own too), aria-describedby pointing at real ids, and every staff page
under 200 KB on first load with everything it loads (docs/performance.md)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from pishkhan.cases.models import Case, WorkflowDefinition
from pishkhan.cases.tests.conftest import listed
from pishkhan.offices.roles import Role
from pishkhan.testing.personas import City, client_for
from pishkhan.testing.weights import BUDGET, page_weight

CARTABLE = "/cases/cartable/"
FOLLOW_UP = "/cases/follow-up/"


@pytest.fixture
def tm(world: City) -> Client:
    return client_for(world.a[Role.TECHNICAL_MANAGER])


def rows_of(response: object) -> list[Case]:
    return [row.case for row in response.context["page"].rows]  # type: ignore[attr-defined]


def test_the_cartable_sorts_by_each_whitelisted_column(world: City, tm: Client) -> None:
    cases = [world.open_case() for _ in range(3)]
    now = timezone.now()
    for i, case in enumerate(cases):  # due dates the other way round from opening
        Case.objects.filter(pk=case.pk).update(due_at=now + dt.timedelta(days=3 - i))
    by_due = rows_of(tm.get(CARTABLE))
    assert [c.pk for c in by_due] == [c.pk for c in reversed(cases)]
    assert [c.pk for c in rows_of(tm.get(CARTABLE, {"sort": "-due"}))] == [c.pk for c in cases]
    assert [c.pk for c in rows_of(tm.get(CARTABLE, {"sort": "opened"}))] == [c.pk for c in cases]
    newest = rows_of(tm.get(CARTABLE, {"sort": "-opened"}))
    assert [c.pk for c in newest] == [c.pk for c in reversed(cases)]
    codes = [c.tracking_code for c in rows_of(tm.get(CARTABLE, {"sort": "-code"}))]
    assert codes == sorted(codes, reverse=True)
    assert tm.get(CARTABLE, {"sort": "state"}).status_code == 200


@pytest.mark.parametrize("bad", ["nope", "due_at", "-pk", "applicant__national_id", ""])
def test_a_bad_sort_key_falls_back_to_the_deadline(world: City, tm: Client, bad: str) -> None:
    world.open_case()
    response = tm.get(CARTABLE, {"sort": bad})
    assert response.status_code == 200
    assert response.context["page"].sort == "due"


def test_the_column_headers_are_sort_links_that_keep_the_filters(world: City, tm: Client) -> None:
    world.open_case()
    service = world.services["inquiry_notary"].pk
    html = tm.get(CARTABLE, {"service": service, "sort": "opened"}).content.decode()
    assert '<th scope="col" aria-sort="ascending"><a href=' in html
    assert f"service={service}&amp;tab=all&amp;sort=-opened" in html
    assert f"service={service}&amp;tab=all&amp;sort=due" in html
    # a national-ID search sorts by posting it on, never by a link
    applicant = world.builder.citizen()
    world.open_case(applicant=applicant)
    posted = tm.post(CARTABLE, {"national_id": applicant.national_id, "sort": "code"})
    body = posted.content.decode()
    assert 'form="carry-sort" name="sort" value="-code"' in body
    assert applicant.national_id not in "".join(re.findall(r'href="([^"]*)"', body))


def test_the_follow_up_list_sorts_too(world: City) -> None:
    officer = client_for(world.a[Role.FOLLOW_UP_OFFICER])
    cases = [world.open_case() for _ in range(2)]
    for case in cases:
        Case.objects.filter(pk=case.pk).update(due_at=case.opened_at)
    newest = rows_of(officer.get(FOLLOW_UP, {"sort": "-opened"}))
    assert [c.pk for c in newest] == [c.pk for c in reversed(cases)]
    assert officer.get(FOLLOW_UP, {"sort": "zzz"}).status_code == 200


@pytest.mark.parametrize("url", [CARTABLE, FOLLOW_UP])
def test_a_filter_error_shows_the_error_and_no_list(world: City, url: str) -> None:
    client = client_for(world.a[Role.FOLLOW_UP_OFFICER])
    case = world.open_case()
    Case.objects.filter(pk=case.pk).update(due_at=case.opened_at)
    assert listed(client.get(url)) == {case.tracking_code}
    response = client.get(url, {"date_from": "۱۴۰۲/۱۳/۴۰"})
    assert response.status_code == 200
    assert listed(response) == set()
    html = response.content.decode()
    assert "این تاریخ شمسی وجود ندارد" in html
    assert "فهرست پس از اصلاح فیلترها نشان داده می‌شود" in html
    assert case.tracking_code not in html


def test_invalid_fields_point_at_their_error_and_hint(world: City, tm: Client) -> None:
    html = tm.get(CARTABLE, {"date_to": "دیروز"}).content.decode()
    field = re.search(r'<input[^>]*name="date_to"[^>]*>', html)
    assert field is not None
    assert 'aria-invalid="true"' in field.group(0)
    described = re.search(r'aria-describedby="([^"]+)"', field.group(0))
    assert described is not None
    ids = described.group(1).split()
    assert ids == ["id_date_to_helptext", "id_date_to_error"]
    for element_id in ids:
        assert f'id="{element_id}"' in html
    assert "۱۴۰۵/۰۹/۱۱" in html  # the format hint and placeholder
    assert "pishkhan/forms.js" in html


def test_djangos_own_messages_come_in_persian_digits(world: City, tm: Client) -> None:
    html = tm.get(CARTABLE, {"tracking_code": "1" * 31}).content.decode()
    error = re.search(r'<p class="field-error" id="id_tracking_code_error">([^<]*)</p>', html)
    assert error is not None
    assert "۳۰" in error.group(1)
    assert not re.search(r"[0-9]", error.group(1))


def test_every_staff_page_is_under_200_kb_with_what_it_loads(world: City) -> None:
    applicant = world.builder.citizen(first_name="سارا", last_name="نمونه")
    cases = [world.open_case(applicant=applicant) for _ in range(26)]
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(due_at=cases[0].opened_at)
    pages = {
        "cartable": (world.a[Role.TECHNICAL_MANAGER], "get", CARTABLE, {}),
        "follow-up": (world.a[Role.FOLLOW_UP_OFFICER], "get", FOLLOW_UP, {}),
        "search": (world.a[Role.TECHNICAL_MANAGER], "post", "/cases/search/", {"q": "نمونه"}),
        "manager": (world.a[Role.OFFICE_MANAGER], "get", "/cases/office/", {}),
        "case": (
            world.a[Role.TECHNICAL_MANAGER],
            "get",
            reverse("cases:detail", args=[cases[0].pk]),
            {},
        ),
    }
    for name, (user, method, url, data) in pages.items():
        response = getattr(client_for(user), method)(url, data)
        assert response.status_code == 200, name
        html = response.content.decode()
        assert "htmx" not in html, name
        weight = page_weight(html)
        size = len(html.encode()) / 1024
        print(f"page weight {name}: {size:.1f} KB html, {weight / 1024:.1f} KB all")
        assert weight < BUDGET, (name, weight)


def test_the_registration_page_of_every_service_is_under_200_kb(world: City) -> None:
    """The counter's registration page with what it loads (fonts, styles, htmx for the
    parcel search, the date picker, a service's own script such as the route editor)."""
    codes = sorted(
        WorkflowDefinition.objects.filter(is_active=True).values_list(
            "service_type__code", flat=True
        )
    )
    assert len(codes) >= 9
    client = client_for(world.a[Role.TECHNICAL_MANAGER])
    for code in ["", *codes]:
        response = client.get("/cases/new/", {"service": code} if code else {})
        assert response.status_code == 200, code
        weight = page_weight(response.content.decode())
        print(f"page weight registration {code or '(choose)'}: {weight / 1024:.1f} KB all")
        assert weight < BUDGET, (code, weight)
