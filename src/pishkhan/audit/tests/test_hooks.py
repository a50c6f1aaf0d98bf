"""What lands in the audit chain, in the same transaction as the change: case actions,
role assignments, sign-ins, failed sign-ins and lockouts, permission changes."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.test import Client
from django.urls import reverse

from pishkhan.accounts.models import User
from pishkhan.audit.chain import verify
from pishkhan.audit.context import acting_as
from pishkhan.audit.models import AuditRecord
from pishkhan.offices.actions import do_assign_role
from pishkhan.offices.models import RoleAssignment
from pishkhan.offices.roles import Role
from pishkhan.testing.personas import TEST_PASSWORD, Builder, City, act

LOGIN = reverse("accounts:login")


def rows(kind: str) -> list[AuditRecord]:
    return list(AuditRecord.objects.filter(kind=kind).order_by("seq"))


def test_a_case_action_writes_one_audit_row_and_a_rolled_back_one_none(city: City) -> None:
    case = city.open_case()
    assert [(r.subject_id, r.actor_id) for r in rows("case.open")] == [
        (str(case.pk), case.events.get().actor_id)
    ]
    before = AuditRecord.objects.count()
    moved = act(city.alice, case, "refer_to_inspector")
    assert AuditRecord.objects.count() == before + 1
    row = AuditRecord.objects.order_by("-seq").first()
    assert row is not None
    event = moved.events.order_by("-seq").first()
    assert event is not None
    assert (row.kind, row.subject_type, row.subject_id, row.actor_id) == (
        "case.refer_to_inspector",
        "case",
        str(case.pk),
        city.alice.pk,
    )
    assert row.summary["event_id"] == event.pk
    assert row.summary["to_state"] == moved.state

    other = city.open_case()
    before = AuditRecord.objects.count()

    def fail_after_the_action() -> None:
        with transaction.atomic():
            act(city.alice, other, "refer_to_inspector")
            assert AuditRecord.objects.count() == before + 1
            raise RuntimeError("the action's transaction fails after the event")

    with pytest.raises(RuntimeError):
        fail_after_the_action()
    assert AuditRecord.objects.count() == before
    assert verify().intact


def test_a_role_given_changed_and_removed_is_audited_with_who_did_it(
    build: Builder, city: City
) -> None:
    staff = build.staff(office=city.a.office)
    with acting_as(city.administrator.pk):
        assignment = do_assign_role(
            city.administrator,
            staff,
            Role.INSPECTOR,
            office=city.a.office,
            starts_on=city.a.office.created_at.date(),
        )
    [given] = rows("role.assigned")[-1:]
    assert (given.subject_id, given.actor_id) == (str(assignment.pk), city.administrator.pk)
    assert given.summary["role"] == Role.INSPECTOR
    assert given.summary["staff_id"] == staff.pk
    pk = assignment.pk
    RoleAssignment.objects.get(pk=pk).delete()
    [removed] = rows("role.removed")
    assert (removed.subject_id, removed.actor_id) == (str(pk), None)
    assert verify().intact


def test_a_sign_in_and_a_failed_one_are_audited_without_what_was_typed(build: Builder) -> None:
    staff = build.staff(Role.SUPERVISOR, username="maryam")
    client = Client(REMOTE_ADDR="198.51.100.20")
    client.post(LOGIN, {"username": "maryam", "password": "wrong-password"})
    client.post(LOGIN, {"username": "nobody-0076545644", "password": "wrong-password"})
    client.post(LOGIN, {"username": "maryam", "password": TEST_PASSWORD})
    failed = rows("auth.sign_in_failed")
    assert [(r.subject_type, r.subject_id) for r in failed] == [
        ("user", str(staff.user_id)),
        ("", ""),
    ]
    assert set(failed[1].summary) == {"unknown_name"}
    assert "nobody" not in str(failed[1].summary)
    [signed_in] = rows("auth.signed_in")
    assert (signed_in.actor_id, signed_in.summary) == (staff.user_id, {"staff": True})


def test_a_lockout_is_audited(build: Builder) -> None:
    staff = build.staff(Role.SUPERVISOR, username="maryam")
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": "maryam", "password": "wrong-password"})
    [locked] = rows("auth.locked_out")
    assert (locked.subject_type, locked.subject_id) == ("user", str(staff.user_id))
    assert len(rows("auth.sign_in_failed")) == settings.AXES_FAILURE_LIMIT


def test_permission_group_and_flag_changes_are_audited(city: City) -> None:
    user = User.objects.create_user("auditor-test", password=TEST_PASSWORD)
    [created] = rows("user.created")[-1:]
    assert created.summary == {"is_active": True, "is_staff": False, "is_superuser": False}
    permission = Permission.objects.get(codename="view_auditrecord")
    group = Group.objects.create(name="auditors")
    with acting_as(city.administrator.pk):
        user.user_permissions.add(permission)
        user.groups.add(group)
        group.permissions.add(permission)
        user.user_permissions.clear()
        user.is_superuser = True
        user.save()
    assert [(r.kind, r.summary) for r in AuditRecord.objects.filter(seq__gt=created.seq)] == [
        ("user.flags_changed", {"is_superuser": True}),
        ("user.user_permissions_cleared", {"ids": [permission.pk]}),
        ("group.permissions_added", {"ids": [permission.pk]}),
        ("user.groups_added", {"ids": [group.pk]}),
        ("user.user_permissions_added", {"ids": [permission.pk]}),
    ]
    assert {r.actor_id for r in AuditRecord.objects.filter(seq__gt=created.seq)} == {
        city.administrator.pk
    }
    user.save(update_fields=["last_login"])  # every sign-in does this: nothing audited
    assert not AuditRecord.objects.filter(seq__gt=created.seq + 5).exists()
