"""Every write to citizens and accounts."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from pishkhan.accounts.models import Citizen
from pishkhan.core.digits import normalize_persian_text
from pishkhan.core.national_id import normalize_national_id
from pishkhan.core.phone import normalize_mobile


def do_register_citizen(national_id: str, first_name: str, last_name: str, mobile: str) -> Citizen:
    """Register an applicant at a counter or online.

    Digits may be Persian or Arabic-Indic, names may hold Arabic ي/ك, a mobile may start
    with +98: everything is stored in one spelling so searches and uniqueness agree.
    """
    with transaction.atomic():
        citizen = Citizen(
            national_id=normalize_national_id(national_id),
            first_name=normalize_persian_text(first_name),
            last_name=normalize_persian_text(last_name),
            mobile=normalize_mobile(mobile),
        )
        citizen.full_clean()
        citizen.save()
    return citizen


def do_find_or_register_citizen(
    national_id: str, first_name: str, last_name: str, mobile: str
) -> tuple[Citizen, bool]:
    """The citizen with this national ID, or a new one registered with these details;
    the flag says whether it was created. Two counters registering the same new
    applicant at once both get the one row: the loser of the insert race reads it."""
    normalized = normalize_national_id(national_id)
    existing = Citizen.objects.filter(national_id=normalized).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return do_register_citizen(national_id, first_name, last_name, mobile), True
    except IntegrityError:
        return Citizen.objects.get(national_id=normalized), False
