"""Sign-ins, lockouts and permission changes in the audit chain (signals, connected by
AccountsConfig.ready()).

- signed in / signed out / a failed sign-in / a lockout (django-axes): the account's id
  when the name is one; a name that is no account is kept only as a keyed fingerprint
  (HMAC with the audit key), so repeated tries can be told apart without storing what
  someone typed (a mistyped password, a national ID);
- a user created, or a change of ``is_active``/``is_staff``/``is_superuser``;
- groups and permissions added to or removed from a user, and a group's permissions.

The client address is not recorded here; django-axes keeps it with the attempts.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.http import HttpRequest

from pishkhan.accounts.lockout import username_of
from pishkhan.audit.chain import audit_key, record

FLAGS = ("is_active", "is_staff", "is_superuser")
M2M_ACTIONS = {"post_add": "added", "post_remove": "removed", "pre_clear": "cleared"}


def account_id(username: str) -> int | None:
    User = get_user_model()
    pk = User._default_manager.filter(**{User.USERNAME_FIELD: username}).values_list(
        "pk", flat=True
    )
    return next(iter(pk), None)


def who(username: str) -> tuple[tuple[str, Any] | None, dict[str, Any]]:
    """The subject and summary naming an account without personal data."""
    pk = account_id(username) if username else None
    if pk is not None:
        return ("user", pk), {}
    fingerprint = hmac.new(audit_key(), username.encode(), hashlib.sha256).hexdigest()[:16]
    return None, {"unknown_name": fingerprint}


def signed_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    record(
        "auth.signed_in",
        subject=("user", user.pk),
        summary={"staff": bool(user.is_staff)},
        actor_id=user.pk,
    )


def signed_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record("auth.signed_out", subject=("user", user.pk), actor_id=user.pk)


def sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    subject, summary = who(username_of(request, credentials))
    record("auth.sign_in_failed", subject=subject, summary=summary, actor_id=None)


def locked_out(
    sender: Any, request: HttpRequest | None = None, username: str | None = None, **kwargs: Any
) -> None:
    subject, summary = who(username_of(request, {"username": username}))
    record("auth.locked_out", subject=subject, summary=summary, actor_id=None)


def flags_before(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    if kwargs.get("raw") or instance._state.adding or instance.pk is None:
        return
    if update_fields is not None and not set(update_fields) & set(FLAGS):
        return  # e.g. last_login on every sign-in: no read
    old = sender._default_manager.filter(pk=instance.pk).values(*FLAGS).first()
    if old is not None:
        changes = {f: getattr(instance, f) for f in FLAGS if old[f] != getattr(instance, f)}
        instance._audit_flag_changes = changes


def flags_after(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    if created:
        record(
            "user.created",
            subject=("user", instance.pk),
            summary={f: bool(getattr(instance, f)) for f in FLAGS},
        )
        return
    changes = instance.__dict__.pop("_audit_flag_changes", None)
    if changes:
        record("user.flags_changed", subject=("user", instance.pk), summary=changes)


def m2m(field: str, owner: str) -> Any:
    def changed(
        sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any
    ) -> None:
        verb = M2M_ACTIONS.get(action)
        if verb is None:
            return
        if action == "pre_clear" and reverse:  # group.user_set.clear()
            record(
                f"{owner}.{field}_cleared",
                subject=(type(instance)._meta.model_name or "", instance.pk),
            )
            return
        if action == "pre_clear":
            ids = sorted(getattr(instance, field).values_list("pk", flat=True))
        else:
            ids = sorted(pk_set or ())
        if not ids:
            return
        if reverse:  # group.user_set.add(user) / permission.group_set.remove(group)
            for pk in ids:
                record(
                    f"{owner}.{field}_{verb}",
                    subject=(owner, pk),
                    summary={"ids": [instance.pk]},
                )
            return
        record(f"{owner}.{field}_{verb}", subject=(owner, instance.pk), summary={"ids": ids})

    return changed


def connect() -> None:
    User = get_user_model()
    user_logged_in.connect(signed_in, dispatch_uid="audit.signed_in")
    user_logged_out.connect(signed_out, dispatch_uid="audit.signed_out")
    user_login_failed.connect(sign_in_failed, dispatch_uid="audit.sign_in_failed")
    user_locked_out.connect(locked_out, dispatch_uid="audit.locked_out")
    pre_save.connect(flags_before, sender=User, dispatch_uid="audit.flags_before")
    post_save.connect(flags_after, sender=User, dispatch_uid="audit.flags_after")
    for through, field, owner, uid in (
        (User.groups.through, "groups", "user", "audit.user_groups"),
        (User.user_permissions.through, "user_permissions", "user", "audit.user_perms"),
        (Group.permissions.through, "permissions", "group", "audit.group_perms"),
    ):
        m2m_changed.connect(m2m(field, owner), sender=through, weak=False, dispatch_uid=uid)
