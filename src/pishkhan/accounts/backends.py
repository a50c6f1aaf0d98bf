"""Admin permissions that follow a person's roles, not hand-kept permission rows.

- administrator: every permission on Pishkhan's own apps and on users/groups;
- supervisor (the supervision unit): may view all master data, and drafts and maintains
  the municipality↔office contracts and the office staff's employment contracts.
A role grants these only while its assignment is in force (see accounts.access).

Pishkhan's own apps are read from the app registry (every installed app of the
``pishkhan`` package), so an app added later is covered without touching this module.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.auth.backends import BaseBackend
from django.contrib.auth.models import Permission

from pishkhan.accounts.access import load_principal
from pishkhan.offices.roles import Role

PROJECT_PACKAGE = __name__.partition(".")[0]  # "pishkhan"
SUPERVISOR_EDITS = {
    "offices": ("officecontract", "employmentcontract"),
}


def pishkhan_apps() -> list[str]:
    """The labels of the installed apps of this project's package."""
    return [
        config.label
        for config in apps.get_app_configs()
        if config.name.startswith(f"{PROJECT_PACKAGE}.")
    ]


def administrator_apps() -> list[str]:
    return [*pishkhan_apps(), "auth"]


def _perm_names(queryset: Any) -> set[str]:
    return {
        f"{app}.{codename}"
        for app, codename in queryset.values_list("content_type__app_label", "codename")
    }


def role_permissions(user: Any) -> set[str]:
    principal = load_principal(user)
    perms: set[str] = set()
    if principal.has_role(Role.ADMINISTRATOR):
        perms |= _perm_names(
            Permission.objects.filter(content_type__app_label__in=administrator_apps())
        )
    if principal.has_role(Role.SUPERVISOR):
        perms |= _perm_names(
            Permission.objects.filter(
                content_type__app_label__in=pishkhan_apps(), codename__startswith="view_"
            )
        )
        for app, models in SUPERVISOR_EDITS.items():
            perms |= _perm_names(
                Permission.objects.filter(
                    content_type__app_label=app, content_type__model__in=models
                ).exclude(codename__startswith="delete_")
            )
    return perms


class RolePermissionBackend(BaseBackend):
    """Answers has_perm from the user's roles; authentication stays with ModelBackend."""

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        cached = getattr(user_obj, "_pishkhan_role_perms", None)
        if cached is None:
            cached = role_permissions(user_obj)
            user_obj._pishkhan_role_perms = cached
        return cached

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return perm in self.get_all_permissions(user_obj, obj)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return any(p.startswith(f"{app_label}.") for p in self.get_all_permissions(user_obj))
