"""Who is acting, for audit rows written where the caller does not say (a signal on a
role assignment saved from the admin, a permission added to a user).

``AuditActorMiddleware`` remembers the request for its duration; the actor is read from
it only when a row is written, so a request that audits nothing costs no session lookup.
Commands and tasks that act for someone wrap their work in ``acting_as(user_id)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest, HttpResponse

_request: ContextVar[HttpRequest | None] = ContextVar("pishkhan_audit_request", default=None)
_actor: ContextVar[int | None] = ContextVar("pishkhan_audit_actor", default=None)


def current_actor_id() -> int | None:
    actor = _actor.get()
    if actor is not None:
        return actor
    request = _request.get()
    user: Any = getattr(request, "user", None) if request is not None else None
    if user is not None and user.is_authenticated:
        return int(user.pk)
    return None


@contextmanager
def acting_as(user_id: int | None) -> Iterator[None]:
    token = _actor.set(user_id)
    try:
        yield
    finally:
        _actor.reset(token)


class AuditActorMiddleware:
    """Placed after AuthenticationMiddleware (settings.MIDDLEWARE)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)
