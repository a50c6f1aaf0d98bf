"""What the supervision unit and administrators may do in the admin follows their roles."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from pishkhan.accounts.backends import pishkhan_apps, role_permissions
from pishkhan.offices.actions import do_assign_role
from pishkhan.offices.models import Office, StaffMember
from pishkhan.offices.roles import Role
from pishkhan.testing.personas import Builder

pytestmark = pytest.mark.django_db


def signed_in(staff: StaffMember) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


def city_role(actions_builder: Builder, role: str, **dates: dt.date) -> StaffMember:
    staff = actions_builder.staff()
    starts_on = dates.get("starts_on", timezone.localdate())
    do_assign_role(None, staff, role, starts_on=starts_on, ends_on=dates.get("ends_on"))
    staff.user.refresh_from_db()
    return staff


def test_giving_a_city_role_opens_the_admin_site(actions_builder: Builder) -> None:
    supervisor = city_role(actions_builder, Role.SUPERVISOR)
    assert supervisor.user.is_staff
    response = signed_in(supervisor).get(reverse("admin:index"))
    assert response.status_code == 200
    assert "دفاتر پیشخوان" in response.content.decode()


def test_a_supervisor_views_offices_but_cannot_add_or_change_them(
    actions_builder: Builder,
) -> None:
    # given an office and a supervisor
    office = actions_builder.office()
    client = signed_in(city_role(actions_builder, Role.SUPERVISOR))
    # then the lists and the office page open, read-only
    assert client.get(reverse("admin:offices_office_changelist")).status_code == 200
    assert client.get(reverse("admin:offices_office_change", args=[office.pk])).status_code == 200
    assert client.get(reverse("admin:offices_office_add")).status_code == 403
    before = Office.objects.get(pk=office.pk).name
    response = client.post(
        reverse("admin:offices_office_change", args=[office.pk]), {"name": "نام دیگر"}
    )
    assert response.status_code == 403
    assert Office.objects.get(pk=office.pk).name == before


def test_a_supervisor_drafts_office_contracts(actions_builder: Builder) -> None:
    client = signed_in(city_role(actions_builder, Role.SUPERVISOR))
    assert client.get(reverse("admin:offices_officecontract_add")).status_code == 200
    assert client.get(reverse("admin:offices_employmentcontract_add")).status_code == 200
    assert client.get(reverse("admin:catalog_tariff_add")).status_code == 403


def test_an_administrator_manages_master_data_without_being_superuser(
    actions_builder: Builder,
) -> None:
    administrator = city_role(actions_builder, Role.ADMINISTRATOR)
    assert not administrator.user.is_superuser
    client = signed_in(administrator)
    for name in ("offices_office_add", "catalog_tariff_add", "geo_parcel_add", "accounts_user_add"):
        assert client.get(reverse(f"admin:{name}")).status_code == 200, name


def test_a_role_no_longer_in_force_grants_nothing(actions_builder: Builder) -> None:
    today = timezone.localdate()
    former = city_role(
        actions_builder,
        Role.SUPERVISOR,
        starts_on=today - dt.timedelta(days=400),
        ends_on=today - dt.timedelta(days=1),
    )
    assert signed_in(former).get(reverse("admin:offices_office_changelist")).status_code == 403


def test_office_staff_have_no_admin_site(actions_builder: Builder) -> None:
    office = actions_builder.office()
    staff = actions_builder.staff()
    do_assign_role(
        None, staff, Role.TECHNICAL_MANAGER, office=office, starts_on=timezone.localdate()
    )
    response = signed_in(staff).get(reverse("admin:index"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_an_administrator_may_change_every_model_of_every_pishkhan_app(
    actions_builder: Builder,
) -> None:
    # the project's apps come from the app registry, so a new app is covered too
    own = [config for config in apps.get_app_configs() if config.name.startswith("pishkhan.")]
    assert set(pishkhan_apps()) == {config.label for config in own}
    assert {"accounts", "geo", "offices", "catalog", "cases", "portal"} <= set(pishkhan_apps())
    administrator = city_role(actions_builder, Role.ADMINISTRATOR)
    perms = role_permissions(administrator.user)
    models = [model for config in own for model in config.get_models()]
    assert models
    for model in models:
        assert f"{model._meta.app_label}.change_{model._meta.model_name}" in perms
    assert "auth.change_group" in perms
    assert not any(perm.startswith("axes.") for perm in perms)
