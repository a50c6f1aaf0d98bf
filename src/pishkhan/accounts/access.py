"""Who is asking: a signed-in user's roles and scopes, resolved once per request.

Every page and, later, every scoped queryset starts from a Principal, so "what may this
person see" has one answer.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from pishkhan.offices.roles import Role


@dataclass(frozen=True)
class Grant:
    role: str
    office_id: int | None
    district_id: int | None

    @property
    def label(self) -> str:
        return str(Role(self.role).label)


@dataclass
class Principal:
    user_id: int
    staff_id: int | None = None
    citizen_id: int | None = None
    grants: list[Grant] = field(default_factory=list)

    @property
    def is_citizen(self) -> bool:
        return self.citizen_id is not None and not self.grants

    def has_role(self, *roles: str) -> bool:
        return any(g.role in roles for g in self.grants)

    def roles(self) -> list[str]:
        order = [str(r) for r in Role]
        return sorted({g.role for g in self.grants}, key=order.index)

    def role_labels(self) -> list[str]:
        """Persian names of the roles held, each once, in the order of `Role`."""
        return [str(Role(role).label) for role in self.roles()]

    def office_ids(self, *roles: str) -> set[int]:
        return {g.office_id for g in self.grants if g.office_id and (not roles or g.role in roles)}

    def district_ids(self, *roles: str) -> set[int]:
        return {
            g.district_id for g in self.grants if g.district_id and (not roles or g.role in roles)
        }

    @property
    def primary_role(self) -> str | None:
        roles = self.roles()
        return roles[0] if roles else None


def load_principal(user: Any) -> Principal:
    """Read the user's staff roles in force today and their citizen record, in two
    queries: the ids of both profiles in one, the roles in the other."""
    from pishkhan.offices.models import RoleAssignment

    today = timezone.localdate()
    ids = (
        get_user_model()
        ._default_manager.filter(pk=user.pk)
        .values_list("staff_profile__id", "citizen__id")
        .first()
    )
    staff_id, citizen_id = ids if ids else (None, None)
    grants: list[Grant] = []
    if staff_id is not None:
        grants = [
            Grant(role=r.role, office_id=r.office_id, district_id=r.district_id)
            for r in RoleAssignment.objects.in_force(today)
            .filter(staff_id=staff_id)
            .only("role", "office_id", "district_id")
        ]
    return Principal(user_id=user.pk, staff_id=staff_id, citizen_id=citizen_id, grants=grants)


def principal_for(request: HttpRequest) -> Principal:
    cached = getattr(request, "_pishkhan_principal", None)
    if cached is None:
        cached = load_principal(request.user)
        request._pishkhan_principal = cached  # type: ignore[attr-defined]
    return cached


def role_required(
    *roles: str,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Only signed-in people holding one of `roles` (in force today) reach the view."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not principal_for(request).has_role(*roles):
                raise PermissionDenied("این صفحه برای نقش شما در دسترس نیست.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
