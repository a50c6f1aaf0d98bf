"""Headers Django does not set by itself, and a Persian page for a wrong method."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.template.loader import render_to_string

# Scripts and styles come only from our own origin; no inline script runs.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)


def tile_origin(url: str) -> str:
    """The origin of the map's tile server (settings.PISHKHAN_MAP_TILE_URL), or ''."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy() -> str:
    """Our own origin only; map tiles also from the city's tile server when one is set."""
    origin = tile_origin(getattr(settings, "PISHKHAN_MAP_TILE_URL", ""))
    if not origin:
        return CONTENT_SECURITY_POLICY
    return CONTENT_SECURITY_POLICY.replace("img-src 'self' data:", f"img-src 'self' data: {origin}")


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = content_security_policy()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith("/admin/"):
            # Django's admin uses inline styles and scripts in places.
            response.setdefault(
                "Content-Security-Policy",
                CONTENT_SECURITY_POLICY.replace(
                    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
                ).replace("script-src 'self'", "script-src 'self' 'unsafe-inline'"),
            )
        else:
            response.setdefault("Content-Security-Policy", self.policy)
        if request.user.is_authenticated if hasattr(request, "user") else False:
            # Pages behind sign-in hold personal data: never cache them.
            response.setdefault("Cache-Control", "no-store")
        return response


class MethodNotAllowedPageMiddleware:
    """Give an empty 405 (require_POST, require_http_methods, a class-based view's
    http_method_not_allowed) the Persian 405 page; the Allow header stays. A 405 that
    carries its own text is left alone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if isinstance(response, HttpResponseNotAllowed) and not response.content:
            response.content = render_to_string("405.html", request=request)
            response["Content-Type"] = "text/html; charset=utf-8"
        return response
