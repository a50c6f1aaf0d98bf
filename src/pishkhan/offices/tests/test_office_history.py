"""An office's changes of status, district and address are kept with who and why."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from pishkhan.accounts.models import User
from pishkhan.core.jalali import format_jalali_date
from pishkhan.offices.actions import OFFICE_CREATED_REASON, do_create_office, do_update_office
from pishkhan.offices.models import Office, OfficeChange, OfficeStatus
from pishkhan.testing.personas import Builder

REASON = "تخلف در پاسخگویی به موقع به متقاضیان"


def history(office: Office) -> list[tuple[str, str, str]]:
    """The office's changes after its creation, oldest first: (field, old, new)."""
    rows = office.changes.exclude(reason=OFFICE_CREATED_REASON).order_by("id")
    return [(row.field, row.old_value, row.new_value) for row in rows]


@pytest.fixture
def office(actions_builder: Builder) -> Office:
    return actions_builder.office(address="خیابان چهارباغ بالا، پلاک ۱۲")


def test_creating_an_office_opens_its_history(actions_builder: Builder, admin_user: User) -> None:
    district = actions_builder.district()
    created = do_create_office(admin_user, **actions_builder.office_fields(district))
    rows = created.changes.order_by("id")
    assert [(r.field, r.old_value, r.new_value) for r in rows] == [
        ("status", "", "فعال"),
        ("district", "", district.name),
        ("address", "", created.address),
    ]
    assert {r.changed_by for r in rows} == {admin_user}


def test_changing_status_and_address_writes_two_history_rows(
    office: Office, admin_user: User
) -> None:
    # when the supervisor suspends the office and corrects its address
    rows = do_update_office(
        office,
        admin_user,
        REASON,
        status=OfficeStatus.SUSPENDED,
        address="خیابان چهارباغ بالا، پلاک ۱۴",
    )
    # then two rows hold the readable old and new values, the actor and the reason
    assert len(rows) == 2
    assert history(office) == [
        ("status", "فعال", "تعلیق"),
        ("address", "خیابان چهارباغ بالا، پلاک ۱۲", "خیابان چهارباغ بالا، پلاک ۱۴"),
    ]
    changes = office.changes.exclude(reason=OFFICE_CREATED_REASON)
    assert {(c.changed_by, c.reason) for c in changes} == {(admin_user, REASON)}
    # and the caller's copy is up to date
    assert office.status == OfficeStatus.SUSPENDED


def test_moving_an_office_records_district_names(
    actions_builder: Builder, office: Office, admin_user: User
) -> None:
    old_name = office.district.name
    new_district = actions_builder.district()
    do_update_office(office, admin_user, "جابه‌جایی دفتر", district=new_district)
    assert history(office) == [("district", old_name, new_district.name)]


def test_an_unchanged_save_writes_no_history(office: Office, admin_user: User) -> None:
    rows = do_update_office(office, admin_user, "", status=office.status, address=office.address)
    assert rows == []
    assert history(office) == []


def test_an_untracked_change_writes_no_history(office: Office, admin_user: User) -> None:
    do_update_office(office, admin_user, "", capacity=55)
    assert Office.objects.get(pk=office.pk).capacity == 55
    assert history(office) == []


def test_it_refuses_a_tracked_change_without_a_reason(office: Office, admin_user: User) -> None:
    with pytest.raises(ValidationError) as raised:
        do_update_office(office, admin_user, "  ", status=OfficeStatus.CLOSED)
    assert raised.value.message_dict == {
        "reason": ["علت تغییر وضعیت، منطقه یا نشانی دفتر را بنویسید."]
    }
    assert Office.objects.get(pk=office.pk).status == OfficeStatus.ACTIVE


def test_a_failing_validation_leaves_nothing_written(office: Office, admin_user: User) -> None:
    # when a valid status change comes with an invalid phone number
    with pytest.raises(ValidationError) as raised:
        do_update_office(office, admin_user, REASON, status=OfficeStatus.CLOSED, phone="12")
    # then neither the office nor its history changed
    assert "phone" in raised.value.message_dict
    stored = Office.objects.get(pk=office.pk)
    assert (stored.status, stored.phone) == (OfficeStatus.ACTIVE, office.phone)
    assert history(office) == []


def test_a_stale_copy_does_not_write_back_old_values(office: Office, admin_user: User) -> None:
    # given a copy read before someone else changed the address
    stale = Office.objects.get(pk=office.pk)
    do_update_office(office, admin_user, REASON, address="نشانی تازه")
    # when the stale copy is used to change only the status
    do_update_office(stale, admin_user, REASON, status=OfficeStatus.SUSPENDED)
    # then the new address survives
    assert Office.objects.get(pk=office.pk).address == "نشانی تازه"


def test_it_refuses_to_change_what_an_update_may_not_touch(office: Office) -> None:
    with pytest.raises(TypeError):
        do_update_office(office, None, REASON, is_demo=True)
    with pytest.raises(TypeError):
        do_update_office(office, None, REASON, colour="blue")


# --- through the admin -----------------------------------------------------------------


def change_form_data(client: Client, url: str) -> dict[str, Any]:
    """The POST data the admin change page would send back unchanged."""
    response = client.get(url)
    assert response.status_code == 200
    form = response.context["adminform"].form
    data: dict[str, Any] = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, dt.date):
            value = format_jalali_date(value)  # what the Jalali date box shows and sends
        data[name] = "" if value is None else value
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
    return data


def test_a_change_through_the_admin_records_history(
    admin_client: Client, admin_user: User, office: Office
) -> None:
    # given the office's admin change page
    url = reverse("admin:offices_office_change", args=[office.pk])
    data = change_form_data(admin_client, url)
    # when a superuser suspends the office with a reason
    data.update(status=OfficeStatus.SUSPENDED, reason=REASON)
    response = admin_client.post(url, data)
    # then the office is saved and its history says who and why
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert history(office) == [("status", "فعال", "تعلیق")]
    change = office.changes.get(field="status", reason=REASON)
    assert change.changed_by == admin_user


def test_the_admin_asks_for_a_reason(admin_client: Client, office: Office) -> None:
    url = reverse("admin:offices_office_change", args=[office.pk])
    data = change_form_data(admin_client, url)
    data.update(status=OfficeStatus.CLOSED, reason="")
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["reason"] == [
        "علت این تغییر را بنویسید؛ در تاریخچه دفتر ثبت می‌شود."
    ]
    assert Office.objects.get(pk=office.pk).status == OfficeStatus.ACTIVE


def test_an_office_added_in_the_admin_opens_its_history(
    admin_client: Client, admin_user: User, actions_builder: Builder
) -> None:
    fields = actions_builder.office_fields(actions_builder.district())
    data = {**fields, "district": fields["district"].pk, "manager": "", "status": "active"}
    data.update({k: format_jalali_date(v) for k, v in data.items() if isinstance(v, dt.date)})
    response = admin_client.post(reverse("admin:offices_office_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    office = Office.objects.get(code=fields["code"])
    assert office.changes.filter(changed_by=admin_user).count() == len(OfficeChange.TRACKED_FIELDS)


def test_an_office_keeps_one_spelling_of_its_code_and_phone(
    actions_builder: Builder,
) -> None:
    office = actions_builder.office(code="۴۵۶۷", phone="+98 31 3625 0000")
    assert (office.code, office.phone) == ("4567", "03136250000")
    with pytest.raises(ValidationError) as raised:
        actions_builder.office(code="4567")
    assert "code" in raised.value.message_dict
