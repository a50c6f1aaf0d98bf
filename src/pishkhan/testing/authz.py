"""The object routes of the project, for the authorization matrix.

Every URL that takes the id of an object (a case; later a bill, a document, an upload,
an API resource) is registered by the app that owns it, in its ``tests/authz.py``, which
`discover()` imports for every installed app::

    from pishkhan.testing.authz import Route, register

    register(
        Route("bills:detail", kind="bill"),  # GET and HEAD, the bill's pk
        Route("bills:pay", kind="bill", methods=("POST",), data=lambda b: {"version": b.version}),
    )

The matrix test of a kind iterates `routes(kind)`: every role on every route, with an
object of another office, district or citizen → 404 and nothing changed. Nothing is
skipped: `unresolved()` names a registered route that does not resolve, and
`unregistered()` a URL that takes a parameter and nobody registered (or `exempt`ed).

This module imports nothing of Pishkhan: the apps' registrations bring what they need.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils.module_loading import autodiscover_modules

# An id no object has (it fits a PostgreSQL integer, so the lookup runs and finds nothing).
MISSING_ID = 2_147_483_000
READS = frozenset({"GET", "HEAD", "OPTIONS"})


def _pk(obj: Any) -> tuple[Any, ...]:
    return (obj.pk,)


def _nothing(obj: Any) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Route:
    """One URL that takes an object's id, as the matrix tries it."""

    name: str  # the URL name: "cases:act"
    kind: str  # what the id names: "case", "bill", "document", "upload", "api.case" …
    methods: tuple[str, ...] = ("GET", "HEAD")  # what it answers; any other method is a 405
    # The URL's arguments for an object, and for an object that does not exist.
    args: Callable[[Any], Sequence[Any]] = _pk
    missing_args: tuple[Any, ...] = (MISSING_ID,)
    # What a write sends: well formed, as a page would post it for someone allowed (so the
    # lookup is reached and a hole would really change the object).
    data: Callable[[Any], dict[str, Any]] = _nothing
    json: bool = False  # send `data` as JSON (an API)
    # Roles the view demands before it looks anything up: everyone else gets 403, for
    # every id alike, which tells them nothing. Empty: any signed-in person reaches it.
    gate: frozenset[str] = frozenset()
    variant: str = ""  # when one URL is registered more than once (different `data`)

    @property
    def id(self) -> str:
        return f"{self.name}[{self.variant}]" if self.variant else self.name

    @property
    def writes(self) -> tuple[str, ...]:
        return tuple(m for m in self.methods if m not in READS)

    def url(self, obj: Any) -> str:
        return reverse(self.name, args=list(self.args(obj)))

    def missing_url(self) -> str:
        return reverse(self.name, args=list(self.missing_args))

    def resolves(self) -> bool:
        try:
            self.missing_url()
        except NoReverseMatch:
            return False
        return True

    def refused_method(self) -> str | None:
        """A method the route does not answer (its 405), if there is one."""
        return next((m for m in ("GET", "POST") if m not in self.methods), None)

    def passes_gate(self, roles: set[str]) -> bool:
        return not self.gate or bool(self.gate & roles)


@dataclass
class Registry:
    routes: dict[str, Route] = field(default_factory=dict)
    exempt: dict[str, str] = field(default_factory=dict)  # URL name -> why it is no object's

    def register(self, *routes: Route) -> None:
        for route in routes:
            known = self.routes.get(route.id)
            if known is not None and known != route:
                raise ValueError(f"{route.id} is registered twice, differently")
            self.routes[route.id] = route

    def of(self, kind: str | None = None) -> list[Route]:
        return [r for r in self.routes.values() if kind is None or r.kind == kind]


REGISTRY = Registry()


def register(*routes: Route) -> None:
    """Register routes (an app's tests/authz.py does, at import)."""
    REGISTRY.register(*routes)


def exempt(name: str, why: str) -> None:
    """A URL that takes a parameter that is no object's id (a token, a date …)."""
    REGISTRY.exempt[name] = why


def discover() -> None:
    """Import every installed app's tests/authz.py, so the registry is complete."""
    autodiscover_modules("tests.authz")


def routes(kind: str | None = None) -> list[Route]:
    """The registered routes (of one kind), after discovering every app's."""
    discover()
    return REGISTRY.of(kind)


def unresolved(kind: str | None = None) -> list[str]:
    """Registered routes whose name does not resolve: a renamed or removed URL."""
    return sorted(r.id for r in routes(kind) if not r.resolves())


def url_names_with_parameters(
    patterns: list[Any] | None = None, namespace: str = ""
) -> Iterator[str]:
    """Every named URL of the project whose path takes a parameter."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(p for p in (namespace, pattern.namespace or "") if p)
            yield from url_names_with_parameters(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name and pattern.pattern.converters:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def unregistered(skip_namespaces: tuple[str, ...] = ("admin",)) -> list[str]:
    """URLs that take a parameter and that no app registered or exempted."""
    known = {r.name for r in routes()} | set(REGISTRY.exempt)
    return sorted(
        name
        for name in set(url_names_with_parameters())
        if name not in known and name.split(":")[0] not in skip_namespaces
    )


def send(client: Client, route: Route, method: str, url: str, obj: Any) -> Any:
    """One request as the matrix makes it: a write carries the route's data."""
    if method in READS:
        return client.generic(method, url)
    data = route.data(obj)
    if route.json:
        return client.generic(method, url, json.dumps(data), content_type="application/json")
    if method == "POST":
        return client.post(url, data)
    form = urlencode(data, doseq=True)
    return client.generic(method, url, form, content_type="application/x-www-form-urlencoded")
