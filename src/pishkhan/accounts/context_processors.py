from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from pishkhan.accounts.access import Principal, principal_for


def roles(request: HttpRequest) -> dict[str, Principal | str | None]:
    """The signed-in person's roles and scopes and the name to greet them by, for menus
    and headers; also the city's name.

    The city's name rides here because this is the project's only context processor and
    settings belong to another owner. Neither costs a query beyond the cached principal.
    """
    city_name: str = settings.PISHKHAN_CITY_NAME
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"principal": None, "person_name": None, "city_name": city_name}
    principal = principal_for(request)
    return {
        "principal": principal,
        "person_name": person_name(user.get_full_name(), user.get_username(), principal),
        "city_name": city_name,
    }


def person_name(full_name: str, username: str, principal: Principal) -> str:
    """A citizen's user name is their national ID, which a screen must never show whole."""
    if full_name:
        return full_name
    if principal.citizen_id is not None:
        return "شهروند گرامی"
    return username
