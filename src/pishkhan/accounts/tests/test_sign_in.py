"""Sign-in and sign-out: Persian page and errors, Persian digits, POST-only sign-out."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from pishkhan.offices.roles import Role
from pishkhan.testing.personas import TEST_PASSWORD, Builder

LOGIN = reverse("accounts:login")
LOGOUT = reverse("accounts:logout")
HOME = reverse("home")


def test_it_shows_a_persian_login_page(client: Client, db: None) -> None:
    response = client.get(LOGIN)

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fa" dir="rtl">' in html
    assert "نام کاربری یا کد ملی" in html
    assert "گذرواژه" in html
    assert ">ورود</button>" in html


def test_it_signs_a_staff_member_in_and_sends_them_home(
    client: Client, city_builder: Builder
) -> None:
    # given a technical manager of an office
    office = city_builder.office(city_builder.district(1))
    city_builder.staff(Role.TECHNICAL_MANAGER, office=office, username="maryam")

    # when they sign in with their user name and password
    response = client.post(LOGIN, {"username": "maryam", "password": TEST_PASSWORD})

    # then they land on the home page, signed in
    assert response.status_code == 302
    assert response["Location"] == HOME
    assert client.get(HOME).status_code == 200


def test_it_refuses_a_wrong_password_with_a_persian_error(
    client: Client, city_builder: Builder
) -> None:
    city_builder.staff(Role.SUPERVISOR, username="ali")

    response = client.post(LOGIN, {"username": "ali", "password": "not-the-password"})

    assert response.status_code == 200
    assert "نام کاربری یا گذرواژه درست نیست." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_asks_for_missing_fields_in_persian(client: Client, db: None) -> None:
    response = client.post(LOGIN, {"username": "", "password": ""})

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("این فیلد لازم است.") == 2


def test_it_accepts_a_national_id_typed_in_persian_digits(
    client: Client, city_builder: Builder
) -> None:
    # given a citizen whose user name is their national ID
    citizen = city_builder.citizen(national_id="0076229645")

    # when they type it with Persian digits
    response = client.post(LOGIN, {"username": "۰۰۷۶۲۲۹۶۴۵", "password": TEST_PASSWORD})

    # then they are signed in as that citizen
    assert response.status_code == 302
    assert citizen.user is not None
    assert client.session["_auth_user_id"] == str(citizen.user.pk)


def test_it_accepts_a_user_name_with_arabic_indic_digits(
    client: Client, city_builder: Builder
) -> None:
    city_builder.staff(Role.INSPECTOR, office=city_builder.office(city_builder.district(2)),
                       username="inspector42")  # fmt: skip

    response = client.post(LOGIN, {"username": "inspector٤٢", "password": TEST_PASSWORD})

    assert response.status_code == 302


def test_it_sends_a_signed_in_person_from_the_login_page_home(
    client: Client, city_builder: Builder
) -> None:
    client.force_login(city_builder.staff(Role.SUPERVISOR).user)

    response = client.get(LOGIN)

    assert response.status_code == 302
    assert response["Location"] == HOME


def test_it_signs_out_on_post(client: Client, city_builder: Builder) -> None:
    client.force_login(city_builder.staff(Role.SUPERVISOR).user)

    response = client.post(LOGOUT)

    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert "_auth_user_id" not in client.session


def test_it_does_not_sign_out_on_get(client: Client, city_builder: Builder) -> None:
    # given a signed-in person
    client.force_login(city_builder.staff(Role.SUPERVISOR).user)

    # when something (a link, an image) requests the sign-out URL with GET
    response = client.get(LOGOUT)

    # then nothing happens: the method is refused and the session lives on
    assert response.status_code == 405
    assert "_auth_user_id" in client.session


def test_it_has_a_sign_out_form_that_posts(client: Client, city_builder: Builder) -> None:
    client.force_login(city_builder.staff(Role.SUPERVISOR).user)

    html = client.get(HOME).content.decode()

    assert f'<form method="post" action="{LOGOUT}"' in html


def test_it_sends_an_anonymous_visitor_to_the_login_page(client: Client, db: None) -> None:
    response = client.get(HOME)

    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/"


def test_it_returns_to_the_asked_page_after_sign_in(client: Client, city_builder: Builder) -> None:
    city_builder.staff(Role.SUPERVISOR, username="nazer")

    response = client.post(
        f"{LOGIN}?next=/%3Ftab%3D1",
        {"username": "nazer", "password": TEST_PASSWORD, "next": "/?tab=1"},
    )

    assert response["Location"] == "/?tab=1"


def test_it_does_not_follow_a_next_url_to_another_site(
    client: Client, city_builder: Builder
) -> None:
    city_builder.staff(Role.SUPERVISOR, username="nazer2")

    response = client.post(
        LOGIN, {"username": "nazer2", "password": TEST_PASSWORD, "next": "https://evil.example/"}
    )

    assert response["Location"] == HOME
