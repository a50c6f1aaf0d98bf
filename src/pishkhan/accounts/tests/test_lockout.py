"""Brute-force protection: failures count per user name and client address together, and
per client address alone with a higher limit (password spraying: one password tried on
every account)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from pishkhan.offices.roles import Role
from pishkhan.testing.personas import TEST_PASSWORD, Builder

LOGIN = reverse("accounts:login")
ADMIN_LOGIN = reverse("admin:login")
LIMIT = settings.AXES_FAILURE_LIMIT
ADDRESS_LIMIT = settings.PISHKHAN_LOGIN_ADDRESS_FAILURE_LIMIT


def from_address(address: str, **headers: str) -> Client:
    return Client(REMOTE_ADDR=address, **headers)


def fail(client: Client, username: str, times: int, url: str = LOGIN) -> int:
    status = 0
    for _ in range(times):
        status = client.post(url, {"username": username, "password": "wrong-password"}).status_code
    return status


@pytest.fixture
def maryam(city_builder: Builder) -> str:
    city_builder.staff(Role.SUPERVISOR, username="maryam")
    return "maryam"


def test_too_many_failures_lock_that_name_at_that_address_in_persian(maryam: str) -> None:
    attacker = from_address("203.0.113.7")
    assert fail(attacker, maryam, LIMIT - 1) == 200
    response = attacker.post(LOGIN, {"username": maryam, "password": "wrong-password"})
    assert response.status_code == 429
    html = response.content.decode()
    assert "ورود موقتاً بسته شد" in html
    assert 'dir="rtl"' in html
    # even the right password is refused while locked
    right = attacker.post(LOGIN, {"username": maryam, "password": TEST_PASSWORD})
    assert right.status_code == 429
    assert "_auth_user_id" not in attacker.session


def test_the_same_person_elsewhere_and_others_here_still_sign_in(
    maryam: str, city_builder: Builder
) -> None:
    city_builder.staff(Role.SUPERVISOR, username="reza")
    fail(from_address("203.0.113.7"), maryam, LIMIT)
    # maryam at her own office's address is not locked out by the attacker
    assert (
        from_address("198.51.100.20")
        .post(LOGIN, {"username": maryam, "password": TEST_PASSWORD})
        .status_code
        == 302
    )
    # another person at the attacker's address is not locked either
    assert (
        from_address("203.0.113.7")
        .post(LOGIN, {"username": "reza", "password": TEST_PASSWORD})
        .status_code
        == 302
    )


def test_persian_digits_do_not_make_a_national_id_another_name(
    city_builder: Builder,
) -> None:
    city_builder.citizen(national_id="0076229645")
    client = from_address("203.0.113.9")
    fail(client, "0076229645", LIMIT - 1)
    assert fail(client, "۰۰۷۶۲۲۹۶۴۵", 1) == 429


def test_a_success_clears_the_count(maryam: str) -> None:
    client = from_address("198.51.100.20")
    fail(client, maryam, LIMIT - 1)
    assert client.post(LOGIN, {"username": maryam, "password": TEST_PASSWORD}).status_code == 302
    client.post(reverse("accounts:logout"))
    assert fail(client, maryam, LIMIT - 1) == 200


def test_the_admin_sign_in_is_protected_too(maryam: str) -> None:
    assert fail(from_address("203.0.113.7"), maryam, LIMIT, url=ADMIN_LOGIN) == 429


def test_a_forged_forwarded_header_does_not_change_the_address_without_proxies(
    maryam: str,
) -> None:
    # with no trusted proxy, X-Forwarded-For is the client's own text and is ignored
    for n in range(LIMIT):
        client = from_address("203.0.113.7", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
        status = fail(client, maryam, 1)
    assert status == 429


@override_settings(PISHKHAN_TRUSTED_PROXIES=1)
def test_behind_a_proxy_the_address_the_proxy_saw_counts(maryam: str) -> None:
    # every request comes from the proxy (10.0.0.1); the client is what it appended
    proxy = "10.0.0.1"
    attacker = from_address(proxy, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7")
    assert fail(attacker, maryam, LIMIT) == 429
    colleague = from_address(proxy, HTTP_X_FORWARDED_FOR="198.51.100.20")
    response = colleague.post(LOGIN, {"username": maryam, "password": TEST_PASSWORD})
    assert response.status_code == 302


def spray(client: Client, names: int, start: int = 0) -> list[int]:
    """One wrong password for each of `names` different user names."""
    return [fail(client, f"victim{n}", 1) for n in range(start, start + names)]


def test_the_address_limit_is_well_above_the_name_limit() -> None:
    assert LIMIT == 5
    assert 20 <= ADDRESS_LIMIT <= 30


def test_spraying_many_names_from_one_address_locks_that_address_in_persian(
    maryam: str,
) -> None:
    attacker = from_address("203.0.113.7")
    # no single name reaches its limit, so only the address limit can stop this
    assert spray(attacker, ADDRESS_LIMIT - 1) == [200] * (ADDRESS_LIMIT - 1)
    response = attacker.post(LOGIN, {"username": "victim-last", "password": "wrong-password"})
    assert response.status_code == 429
    html = response.content.decode()
    assert "ورود موقتاً بسته شد" in html
    assert "ورود از این نشانی" in html
    assert 'dir="rtl"' in html
    # every name is refused at that address now, even with the right password
    right = attacker.post(LOGIN, {"username": maryam, "password": TEST_PASSWORD})
    assert right.status_code == 429
    assert "_auth_user_id" not in attacker.session
    assert fail(attacker, "someone-new", 1, url=ADMIN_LOGIN) == 429


def test_an_address_lock_leaves_other_addresses_alone(maryam: str) -> None:
    spray(from_address("203.0.113.7"), ADDRESS_LIMIT)
    elsewhere = from_address("198.51.100.20")
    assert fail(elsewhere, "victim1", 1) == 200
    assert elsewhere.post(LOGIN, {"username": maryam, "password": TEST_PASSWORD}).status_code == 302


def test_a_success_at_the_address_does_not_clear_the_other_names_failures(
    maryam: str,
) -> None:
    # the sprayer signs in with an account of their own now and then
    attacker = from_address("203.0.113.7")
    spray(attacker, ADDRESS_LIMIT - 1)
    assert attacker.post(LOGIN, {"username": maryam, "password": TEST_PASSWORD}).status_code == 302
    attacker.post(reverse("accounts:logout"))
    assert fail(attacker, "victim-next", 1) == 429


def test_colleagues_sharing_an_address_who_sign_in_clear_their_own_failures(
    city_builder: Builder,
) -> None:
    # an office behind one address: each typo followed by a success is forgotten
    office = from_address("198.51.100.20")
    for n in range(ADDRESS_LIMIT + 2):
        name = f"colleague{n}"
        city_builder.staff(Role.SUPERVISOR, username=name)
        assert fail(office, name, 1) == 200
        assert office.post(LOGIN, {"username": name, "password": TEST_PASSWORD}).status_code == 302
        office.post(reverse("accounts:logout"))


@override_settings(PISHKHAN_LOGIN_ADDRESS_FAILURE_LIMIT=8)
def test_the_address_limit_comes_from_the_settings(maryam: str) -> None:
    attacker = from_address("203.0.113.7")
    assert spray(attacker, 7) == [200] * 7
    assert fail(attacker, "victim-8", 1) == 429
