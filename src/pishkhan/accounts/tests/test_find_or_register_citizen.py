"""Finding an applicant by national ID, or registering them: two counters registering the
same new applicant at the same moment get the same citizen, never an error."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction

from pishkhan.accounts import actions
from pishkhan.accounts.actions import do_find_or_register_citizen, do_register_citizen
from pishkhan.accounts.models import Citizen

NATIONAL_ID = "0076229645"


@pytest.mark.django_db
def test_a_new_applicant_is_registered_in_one_spelling() -> None:
    citizen, created = do_find_or_register_citizen(
        "۰۰۷۶۲۲۹۶۴۵", " علي ", "كرماني", "+98 ۹۱۲ ۱۲۳ ۴۵۶۷"
    )
    assert created is True
    stored = Citizen.objects.get(pk=citizen.pk)
    assert (stored.national_id, stored.mobile) == (NATIONAL_ID, "09121234567")
    assert (stored.first_name, stored.last_name) == ("علی", "کرمانی")


@pytest.mark.django_db
def test_a_known_applicant_is_found_and_left_as_they_are() -> None:
    known = do_register_citizen(NATIONAL_ID, "زهرا", "احمدی", "09121234567")
    citizen, created = do_find_or_register_citizen("۰۰۷۶-۲۲۹۶۴۵", "دیگر", "نام", "09350000000")
    assert (citizen.pk, created) == (known.pk, False)
    assert (citizen.first_name, citizen.mobile) == ("زهرا", "09121234567")
    assert Citizen.objects.count() == 1


@pytest.mark.django_db
def test_a_bad_new_applicant_is_refused_in_persian_and_nothing_is_written() -> None:
    with pytest.raises(ValidationError) as raised:
        do_find_or_register_citizen("0076229646", "زهرا", "احمدی", "09121234567")
    assert raised.value.message_dict == {"national_id": ["رقم کنترل کد ملی درست نیست."]}
    assert not Citizen.objects.exists()


def lookup_missing_first(monkeypatch: pytest.MonkeyPatch) -> None:
    """The first look-up misses: another counter's insert lands right after it."""
    real = actions.existing_citizen
    calls: list[str] = []

    def missing_first(national_id: str) -> Citizen | None:
        calls.append(national_id)
        return None if len(calls) == 1 else real(national_id)

    monkeypatch.setattr(actions, "existing_citizen", missing_first)


@pytest.mark.django_db
def test_losing_the_race_returns_the_row_the_winner_created(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    winner = do_register_citizen(NATIONAL_ID, "زهرا", "احمدی", "09121234567")
    lookup_missing_first(monkeypatch)
    with transaction.atomic():  # the caller's transaction (opening a case) goes on
        citizen, created = do_find_or_register_citizen(NATIONAL_ID, "زهرا", "احمدی", "09121234567")
        assert Citizen.objects.count() == 1
    assert (citizen.pk, created) == (winner.pk, False)


@pytest.mark.django_db
def test_another_integrity_error_is_not_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    do_register_citizen(NATIONAL_ID, "زهرا", "احمدی", "09121234567")
    monkeypatch.setattr(actions, "existing_citizen", lambda nid: None)
    with pytest.raises(IntegrityError):
        do_find_or_register_citizen(NATIONAL_ID, "زهرا", "احمدی", "09121234567")


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in threads released together; each result is a value or an error."""
    start = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            start.wait(timeout=10)
            results[index] = call()
        except Exception as exc:
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite runs one write transaction at a time, and the in-memory test database "
    "cannot be shared by two writing threads; the lost race itself is covered on SQLite by "
    "test_losing_the_race_returns_the_row_the_winner_created.",
)
def test_two_counters_registering_one_new_applicant_at_once_get_one_citizen(
    transactional_db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    both_looked = threading.Barrier(2)
    waited = threading.local()
    real = actions.existing_citizen

    def look_then_wait(national_id: str) -> Citizen | None:
        found = real(national_id)
        if not getattr(waited, "done", False):
            waited.done = True
            both_looked.wait(timeout=10)  # both miss before either inserts
        return found

    monkeypatch.setattr(actions, "existing_citizen", look_then_wait)

    def register() -> tuple[Citizen, bool]:
        return do_find_or_register_citizen(NATIONAL_ID, "زهرا", "احمدی", "09121234567")

    results = race(register, register)

    assert all(isinstance(r, tuple) for r in results), results
    (first, first_created), (second, second_created) = results
    assert first.pk == second.pk
    assert sorted([first_created, second_created]) == [False, True]
    assert Citizen.objects.count() == 1
