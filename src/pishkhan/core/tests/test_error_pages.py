"""The 400 and 405 pages are Persian and right-to-left, like the 403, 404 and 500 pages.

This module is also the URLconf of its tests: a view that refuses a bad request, one
that allows only POST, and one that explains a 405 itself, beside the project's URLs.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.template.loader import render_to_string
from django.test import Client
from django.urls import include, path, reverse
from django.views.decorators.http import require_POST

from pishkhan.offices.roles import Role
from pishkhan.testing.personas import Builder

RTL = '<html lang="fa" dir="rtl">'


def bad(request: HttpRequest) -> HttpResponse:
    raise BadRequest("malformed")


@require_POST
def post_only(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


def explains_itself(request: HttpRequest) -> HttpResponse:
    return HttpResponseNotAllowed(["PUT"], content="own text")


urlpatterns = [
    path("test/bad/", bad),
    path("test/post-only/", post_only),
    path("test/explains-itself/", explains_itself),
    path("", include("pishkhan.urls")),
]

with_test_pages = pytest.mark.urls(__name__)


@with_test_pages
def test_a_bad_request_gets_the_persian_400(client: Client, db: None) -> None:
    response = client.get("/test/bad/")
    html = response.content.decode()
    assert response.status_code == 400
    assert RTL in html
    assert "۴۰۰" in html
    assert "درخواست نامعتبر بود" in html
    assert "Bad Request" not in html


def test_a_host_we_do_not_serve_gets_the_persian_400(client: Client, db: None) -> None:
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "درخواست نامعتبر بود" in response.content.decode()


def test_it_renders_the_400_page_without_a_request_or_a_database() -> None:
    html = render_to_string("400.html")  # Django's bad_request renders it without context
    assert RTL in html
    assert "درخواست نامعتبر بود" in html


@with_test_pages
def test_a_wrong_method_gets_the_persian_405_and_keeps_the_allow_header(
    client: Client, db: None
) -> None:
    response = client.get("/test/post-only/")
    html = response.content.decode()
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert RTL in html
    assert "۴۰۵" in html
    assert "این نشانی را نمی‌توان این‌گونه باز کرد" in html


def test_signing_out_by_get_is_a_persian_405(client: Client, city_builder: Builder) -> None:
    client.force_login(city_builder.staff(Role.SUPERVISOR).user)
    response = client.get(reverse("accounts:logout"))
    assert response.status_code == 405
    assert "POST" in response["Allow"]
    html = response.content.decode()
    assert "این نشانی را نمی‌توان این‌گونه باز کرد" in html
    assert "_auth_user_id" in client.session  # still signed in


@with_test_pages
def test_a_405_with_its_own_text_is_left_alone(client: Client, db: None) -> None:
    response = client.get("/test/explains-itself/")
    assert (response.status_code, response.content) == (405, b"own text")
