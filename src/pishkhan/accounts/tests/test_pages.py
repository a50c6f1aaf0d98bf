"""Every page: Persian and right-to-left, strict headers, and Persian error pages.

This module is also the URLconf of its role_required tests: a page for supervisors only,
and a page that fails, mounted beside the project's own URLs.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.test import Client
from django.urls import include, path, reverse

from pishkhan.accounts.access import role_required
from pishkhan.core.middleware import CONTENT_SECURITY_POLICY
from pishkhan.offices.roles import Role
from pishkhan.testing.personas import Builder


@role_required(Role.SUPERVISOR, Role.ADMINISTRATOR)
def supervisors_only(request: HttpRequest) -> HttpResponse:
    return HttpResponse("برای ناظران")


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


urlpatterns = [
    path("test/supervisors-only/", supervisors_only),
    path("test/broken/", broken),
    path("", include("pishkhan.urls")),
]

with_test_pages = pytest.mark.urls(__name__)


def test_it_sends_the_policy_and_no_store_on_signed_in_pages(
    client: Client, city_builder: Builder
) -> None:
    client.force_login(city_builder.staff(Role.SUPERVISOR).user)

    response = client.get(reverse("home"))

    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert response["Cache-Control"] == "no-store"
    assert response["X-Frame-Options"] == "DENY"


def test_it_sends_the_policy_on_the_login_page(client: Client, db: None) -> None:
    response = client.get(reverse("accounts:login"))

    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_it_has_no_inline_script_or_style_in_its_pages(
    client: Client, city_builder: Builder
) -> None:
    office = city_builder.office(city_builder.district(1))
    staff = city_builder.staff(Role.TECHNICAL_MANAGER, office=office)
    city_builder.grant(staff, Role.SUPERVISOR)
    pages = [client.get(reverse("accounts:login")).content.decode()]
    client.force_login(staff.user)
    pages.append(client.get(reverse("home")).content.decode())

    for html in pages:
        assert "<style" not in html
        assert " style=" not in html
        for script in re.findall(r"<script\b[^>]*>(.*?)</script>", html, flags=re.S):
            assert script.strip() == ""
        assert not re.search(r"<[^>]+\son[a-z]+=", html)


def test_it_serves_the_font_from_our_own_static_files(client: Client, db: None) -> None:
    html = client.get(reverse("accounts:login")).content.decode()

    assert 'href="/static/pishkhan/fonts.css"' in html
    assert "htmx" not in html  # only a page that uses htmx loads it
    assert "//" not in "".join(re.findall(r'(?:href|src)="([^"]+)"', html))


@with_test_pages
def test_it_refuses_a_page_to_other_roles_in_persian(client: Client, city_builder: Builder) -> None:
    # given a technical manager, not a supervisor
    office = city_builder.office(city_builder.district(1))
    client.force_login(city_builder.staff(Role.TECHNICAL_MANAGER, office=office).user)

    # when they open a page for supervisors only
    response = client.get("/test/supervisors-only/")

    # then they get a Persian, right-to-left 403
    html = response.content.decode()
    assert response.status_code == 403
    assert '<html lang="fa" dir="rtl">' in html
    assert "دسترسی به این صفحه ندارید" in html
    assert "این صفحه برای نقش شما در دسترس نیست." in html
    assert response["Cache-Control"] == "no-store"


@with_test_pages
def test_it_opens_a_role_page_to_that_role(client: Client, city_builder: Builder) -> None:
    client.force_login(city_builder.staff(Role.ADMINISTRATOR).user)

    response = client.get("/test/supervisors-only/")

    assert response.status_code == 200


@with_test_pages
def test_it_refuses_a_role_page_to_a_role_that_has_ended(
    client: Client, city_builder: Builder
) -> None:
    staff = city_builder.staff(Role.INSPECTOR, office=city_builder.office(city_builder.district(1)))
    city_builder.grant(staff, Role.SUPERVISOR, ends_on=city_builder.today - dt.timedelta(days=1))
    client.force_login(staff.user)

    assert client.get("/test/supervisors-only/").status_code == 403


@with_test_pages
def test_it_sends_an_anonymous_visitor_of_a_role_page_to_sign_in(client: Client, db: None) -> None:
    response = client.get("/test/supervisors-only/")

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next=/test/supervisors-only/"


def test_it_shows_a_persian_404(client: Client, db: None) -> None:
    response = client.get("/no-such-page/")

    html = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="fa" dir="rtl">' in html
    assert "صفحه‌ای که خواستید پیدا نشد" in html


@with_test_pages
def test_it_shows_a_persian_500(db: None) -> None:
    client = Client(raise_request_exception=False)

    response = client.get("/test/broken/")

    html = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="fa" dir="rtl">' in html
    assert "خطایی در سامانه رخ داد" in html


def test_it_renders_the_500_page_without_a_request_or_a_database() -> None:
    html = render_to_string("500.html")

    assert '<html lang="fa" dir="rtl">' in html
    assert "خطایی در سامانه رخ داد" in html


def test_it_explains_a_csrf_failure_in_persian(db: None) -> None:
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("accounts:login"), {"username": "a", "password": "b"})

    html = response.content.decode()
    assert response.status_code == 403
    assert '<html lang="fa" dir="rtl">' in html
    assert "این فرم دیگر معتبر نیست" in html
