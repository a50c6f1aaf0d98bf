from __future__ import annotations

from django.http import HttpRequest

from pishkhan.accounts.access import Principal, principal_for


def roles(request: HttpRequest) -> dict[str, Principal | None]:
    """The signed-in person's roles and scopes, for menus and headers."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"principal": None}
    return {"principal": principal_for(request)}
