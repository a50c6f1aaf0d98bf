"""Brute-force protection of sign-in (django-axes), wired to Pishkhan's rules.

Failed sign-ins are counted per user name *and* client address together, so nobody can
lock a citizen out by typing their national ID from elsewhere. After
`PISHKHAN_LOGIN_FAILURE_LIMIT` failures that pair waits `PISHKHAN_LOGIN_COOLOFF_MINUTES`;
a success clears the count. The client address is the peer's, or — behind
`PISHKHAN_TRUSTED_PROXIES` reverse proxies — the address the outermost trusted proxy saw.

One address trying a password on many names (password spraying) is stopped by a second,
higher limit: after `PISHKHAN_LOGIN_ADDRESS_FAILURE_LIMIT` failures from one address,
whatever the names, the address waits the same cool-off. A success clears only that
name's failures at that address, so an office behind one address whose people mistype
and then sign in never adds up, while a sprayer signing in with an account of their own
does not clear the names they sprayed.

Why a handler, not axes' settings alone: with `AXES_LOCKOUT_PARAMETERS =
[["username", "ip_address"], "ip_address"]` axes compares the largest of the counts with
the one `AXES_FAILURE_LIMIT` (a callable limit is not told which count it judges), so the
address would be locked after five names; and a success would delete every attempt of
the address. `AddressLimitHandler` keeps axes' per-pair bookkeeping as it is and adds the
address count beside it.
"""

from __future__ import annotations

from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from pishkhan.core.digits import to_ascii_digits, to_persian_digits

LOCKED_BY_ADDRESS = "pishkhan_locked_by_address"


def address_failures(request: HttpRequest) -> int:
    """Failed sign-ins from the request's client address within the cool-off, over
    every user name."""
    attempts = AccessAttempt.objects.filter(
        ip_address=request.axes_ip_address,  # type: ignore[attr-defined]
        attempt_time__gte=get_cool_off_threshold(request),
    )
    total: int | None = attempts.aggregate(n=Sum("failures_since_start"))["n"]
    return total or 0


class AddressLimitHandler(AxesDatabaseHandler):
    """axes' database handler (per user name and address) plus a per-address limit."""

    def address_locked(self, request: HttpRequest) -> bool:
        limit: int = settings.PISHKHAN_LOGIN_ADDRESS_FAILURE_LIMIT
        locked = address_failures(request) >= limit
        if locked:
            setattr(request, LOCKED_BY_ADDRESS, True)
        return locked

    def is_locked(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> bool:
        return bool(super().is_locked(request, credentials)) or self.address_locked(request)

    def user_login_failed(
        self,
        sender: Any,
        credentials: dict[str, Any],
        request: HttpRequest | None = None,
        **kwargs: Any,
    ) -> None:
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or getattr(request, "axes_locked_out", False):
            return
        if self.address_locked(request):
            # what axes does when the pair reaches its limit
            request.axes_locked_out = True  # type: ignore[attr-defined]
            request.axes_credentials = credentials  # type: ignore[attr-defined]
            user_locked_out.send(
                "axes",
                request=request,
                username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,  # type: ignore[attr-defined]
            )


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or the address N proxies back in X-Forwarded-For when N proxies are
    trusted. Entries a client wrote itself sit further left and are never read."""
    peer = str(request.META.get("REMOTE_ADDR") or "")
    proxies: int = getattr(settings, "PISHKHAN_TRUSTED_PROXIES", 0)
    if proxies <= 0:
        return peer
    chain = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    chain = [part for part in chain if part]
    return chain[-proxies] if len(chain) >= proxies else peer


def username_of(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str:
    """The user name as the sign-in form reads it: Persian digits and spaces do not make a
    national ID a different name to count failures against."""
    raw = (credentials or {}).get("username")
    if raw is None and request is not None:
        raw = request.POST.get("username")
    return to_ascii_digits(str(raw or "")).strip()


def locked_out(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    by_address = getattr(request, LOCKED_BY_ADDRESS, False)
    return render(
        request,
        "accounts/locked_out.html",
        {"minutes": to_persian_digits(minutes), "by_address": by_address},
        status=429,
    )
