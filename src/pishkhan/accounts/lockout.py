"""Brute-force protection of sign-in (django-axes), wired to Pishkhan's rules.

Failed sign-ins are counted per user name *and* client address together, so nobody can
lock a citizen out by typing their national ID from elsewhere. After
`PISHKHAN_LOGIN_FAILURE_LIMIT` failures that pair waits `PISHKHAN_LOGIN_COOLOFF_MINUTES`;
a success clears the count. The client address is the peer's, or — behind
`PISHKHAN_TRUSTED_PROXIES` reverse proxies — the address the outermost trusted proxy saw.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from pishkhan.core.digits import to_ascii_digits, to_persian_digits


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
    return render(
        request,
        "accounts/locked_out.html",
        {"minutes": to_persian_digits(minutes)},
        status=429,
    )
