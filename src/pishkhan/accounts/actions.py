"""Every write to citizens and accounts."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from pishkhan.accounts.models import Citizen
from pishkhan.core.digits import normalize_persian_text
from pishkhan.core.national_id import normalize_national_id
from pishkhan.core.phone import normalize_mobile


def _new_citizen(national_id: str, first_name: str, last_name: str, mobile: str) -> Citizen:
    """An unsaved citizen with every field in its one stored spelling."""
    return Citizen(
        national_id=normalize_national_id(national_id),
        first_name=normalize_persian_text(first_name),
        last_name=normalize_persian_text(last_name),
        mobile=normalize_mobile(mobile),
    )


def do_register_citizen(national_id: str, first_name: str, last_name: str, mobile: str) -> Citizen:
    """Register an applicant at a counter or online.

    Digits may be Persian or Arabic-Indic, names may hold Arabic ي/ك, a mobile may start
    with +98: everything is stored in one spelling so searches and uniqueness agree.
    """
    with transaction.atomic():
        citizen = _new_citizen(national_id, first_name, last_name, mobile)
        citizen.full_clean()
        citizen.save()
    return citizen


def existing_citizen(national_id: str) -> Citizen | None:
    """The citizen with this (normalized) national ID, if registered."""
    return Citizen.objects.filter(national_id=national_id).first()


def do_find_or_register_citizen(
    national_id: str, first_name: str, last_name: str, mobile: str, *, look_first: bool = True
) -> tuple[Citizen, bool]:
    """The applicant with this national ID, registered here first if new: (citizen,
    created). A known applicant is returned as stored (the names and mobile given are
    not applied to them).

    Two counters registering the same new applicant at the same moment both miss the
    look-up; the unique index on the national ID lets one insert win. The other's insert
    fails inside its own savepoint (the caller's transaction goes on) and it returns the
    row the winner created. Invalid data is a ValidationError with Persian messages, like
    do_register_citizen. A caller that has just looked the applicant up (the counter's
    form) passes ``look_first=False``: a registration since is a lost race like any other.
    """
    found = existing_citizen(normalize_national_id(national_id)) if look_first else None
    if found is not None:
        return found, False
    citizen = _new_citizen(national_id, first_name, last_name, mobile)
    # Uniqueness is the index's to decide: a look-up here could only race again.
    citizen.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            citizen.save(force_insert=True)
    except IntegrityError:
        winner = existing_citizen(citizen.national_id)
        if winner is None:  # some other constraint: not a lost race
            raise
        return winner, False
    return citizen, True
