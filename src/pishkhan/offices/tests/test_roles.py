"""Who may hold which role, and where: the qualification and scope rules."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from pishkhan.accounts.models import User
from pishkhan.core.jalali import format_jalali_date
from pishkhan.offices.actions import (
    do_assign_role,
    do_create_staff_member,
    do_sign_employment_contract,
)
from pishkhan.offices.models import EmploymentContract, Office, RoleAssignment, StaffMember
from pishkhan.offices.roles import DegreeLevel, Field, Role
from pishkhan.testing.personas import Builder

START = dt.date(2024, 3, 20)
NEEDS_BACHELOR = "نقش «مسئول فنی» مدرک کارشناسی یا بالاتر لازم دارد."
NEEDS_FIELD = "نقش «مسئول فنی» مدرک در رشته معماری، شهرسازی یا عمران لازم دارد."

UNQUALIFIED = [
    pytest.param(DegreeLevel.NONE, Field.CIVIL_ENGINEERING, NEEDS_BACHELOR, id="diploma"),
    pytest.param(DegreeLevel.ASSOCIATE, Field.ARCHITECTURE, NEEDS_BACHELOR, id="associate"),
    pytest.param(DegreeLevel.MASTER, Field.OTHER, NEEDS_FIELD, id="other-field"),
]


@pytest.mark.parametrize(("degree", "field", "message"), UNQUALIFIED)
def test_it_refuses_an_unqualified_technical_manager_through_the_action(
    actions_builder: Builder, degree: int, field: str, message: str
) -> None:
    # given an office and a person without an engineering bachelor's degree
    office = actions_builder.office()
    staff = actions_builder.staff(degree_level=degree, field=field)
    # when the person is made its technical manager
    with pytest.raises(ValidationError) as raised:
        do_assign_role(None, staff, Role.TECHNICAL_MANAGER, office=office, starts_on=START)
    # then the Persian reason is given and nothing is written
    assert raised.value.message_dict == {"role": [message]}
    assert not RoleAssignment.objects.exists()


@pytest.mark.parametrize(("degree", "field", "message"), UNQUALIFIED)
def test_the_role_assignment_model_refuses_an_unqualified_technical_manager(
    actions_builder: Builder, degree: int, field: str, message: str
) -> None:
    office = actions_builder.office()
    staff = actions_builder.staff(degree_level=degree, field=field)
    assignment = RoleAssignment(
        staff=staff, role=Role.TECHNICAL_MANAGER, office=office, starts_on=START
    )
    with pytest.raises(ValidationError) as raised:
        assignment.full_clean()
    assert raised.value.message_dict["role"] == [message]


@pytest.mark.parametrize(("degree", "field", "message"), UNQUALIFIED)
def test_the_employment_contract_refuses_an_unqualified_technical_manager(
    actions_builder: Builder, degree: int, field: str, message: str
) -> None:
    office = actions_builder.office()
    staff = actions_builder.staff(degree_level=degree, field=field)
    contract = EmploymentContract(
        office=office, staff=staff, role=Role.TECHNICAL_MANAGER, number="EC-1", starts_on=START
    )
    with pytest.raises(ValidationError) as raised:
        contract.full_clean()
    assert raised.value.message_dict["role"] == [message]
    with pytest.raises(ValidationError):
        do_sign_employment_contract(
            None, office, staff, Role.TECHNICAL_MANAGER, "EC-1", starts_on=START
        )
    assert not EmploymentContract.objects.exists()


@pytest.mark.parametrize("role", [Role.TECHNICAL_MANAGER, Role.INSPECTOR, Role.PLAN_REVIEWER])
def test_it_accepts_a_bachelor_in_civil_engineering_for_engineering_roles(
    actions_builder: Builder, role: str
) -> None:
    office = actions_builder.office()
    staff = actions_builder.staff(degree_level=DegreeLevel.BACHELOR, field=Field.CIVIL_ENGINEERING)
    assignment = do_assign_role(None, staff, role, office=office, starts_on=START)
    assert assignment.pk is not None
    assert list(staff.active_roles(START)) == [assignment]


def test_an_office_manager_needs_no_degree(actions_builder: Builder) -> None:
    office = actions_builder.office()
    staff = actions_builder.staff(degree_level=DegreeLevel.NONE, field=Field.OTHER)
    assignment = do_assign_role(None, staff, Role.OFFICE_MANAGER, office=office, starts_on=START)
    assert assignment.role == Role.OFFICE_MANAGER


def test_district_staff_need_no_degree(actions_builder: Builder) -> None:
    district = actions_builder.district()
    staff = actions_builder.staff(degree_level=DegreeLevel.NONE, field=Field.OTHER)
    assignment = do_assign_role(
        None, staff, Role.DISTRICT_STAFF, district=district, starts_on=START
    )
    assert assignment.district == district


def test_it_signs_a_contract_with_a_qualified_inspector(actions_builder: Builder) -> None:
    office = actions_builder.office()
    staff = actions_builder.staff(degree_level=DegreeLevel.MASTER, field=Field.URBAN_PLANNING)
    contract = do_sign_employment_contract(
        None, office, staff, Role.INSPECTOR, "۱۴۰۳/۲۲", starts_on=START
    )
    assert contract.number == "۱۴۰۳/۲۲"
    assert contract.covers(START)


def test_it_refuses_an_office_role_without_an_office(actions_builder: Builder) -> None:
    staff = actions_builder.staff()
    with pytest.raises(ValidationError) as raised:
        do_assign_role(None, staff, Role.INSPECTOR, starts_on=START)
    assert raised.value.message_dict == {
        "office": ["این نقش در یک دفتر تعریف می‌شود؛ دفتر را انتخاب کنید."]
    }


def test_it_refuses_an_office_role_in_a_district(actions_builder: Builder) -> None:
    staff = actions_builder.staff()
    office = actions_builder.office()
    with pytest.raises(ValidationError) as raised:
        do_assign_role(
            None, staff, Role.INSPECTOR, office=office, district=office.district, starts_on=START
        )
    assert "office" in raised.value.message_dict


def test_it_refuses_a_district_role_without_a_district(actions_builder: Builder) -> None:
    staff = actions_builder.staff()
    with pytest.raises(ValidationError) as raised:
        do_assign_role(None, staff, Role.DISTRICT_STAFF, starts_on=START)
    assert raised.value.message_dict == {
        "district": ["این نقش در یک منطقه تعریف می‌شود؛ منطقه را انتخاب کنید."]
    }


def test_it_refuses_a_city_role_with_an_office(actions_builder: Builder) -> None:
    staff = actions_builder.staff()
    office = actions_builder.office()
    with pytest.raises(ValidationError) as raised:
        do_assign_role(None, staff, Role.SUPERVISOR, office=office, starts_on=START)
    assert raised.value.messages == ["این نقش برای کل شهر است؛ دفتر و منطقه را خالی بگذارید."]


def test_a_city_role_needs_no_scope(actions_builder: Builder) -> None:
    staff = actions_builder.staff()
    assignment = do_assign_role(None, staff, Role.SUPERVISOR, starts_on=START)
    assert str(assignment) == "ناظر دفاتر — کل شهر"


def test_it_refuses_an_end_before_the_start(actions_builder: Builder) -> None:
    staff = actions_builder.staff()
    with pytest.raises(ValidationError) as raised:
        do_assign_role(
            None, staff, Role.SUPERVISOR, starts_on=START, ends_on=START - dt.timedelta(days=1)
        )
    assert raised.value.message_dict == {
        "ends_on": ["تاریخ پایان نمی‌تواند پیش از تاریخ آغاز باشد."]
    }


def test_it_refuses_the_same_role_twice_in_one_period(actions_builder: Builder) -> None:
    # given an inspector of an office for the year 1403
    office = actions_builder.office()
    staff = actions_builder.staff()
    end = START + dt.timedelta(days=364)
    do_assign_role(None, staff, Role.INSPECTOR, office=office, starts_on=START, ends_on=end)
    # when the same role in the same office is given again inside that year
    with pytest.raises(ValidationError) as raised:
        do_assign_role(None, staff, Role.INSPECTOR, office=office, starts_on=end)
    # then it is refused; the following year is fine
    assert raised.value.messages == [
        "این کارمند در این دوره همین نقش را در همین دفتر یا منطقه دارد."
    ]
    do_assign_role(None, staff, Role.INSPECTOR, office=office, starts_on=end + dt.timedelta(days=1))
    assert staff.roles.count() == 2


def test_it_normalizes_persian_digits_of_a_new_staff_member(
    actions_builder: Builder,
) -> None:
    staff = do_create_staff_member(
        None,
        actions_builder.user(),
        "۰۰۷۶۲۲۹۶۴۵",
        "+98 912 123 4567",
        DegreeLevel.BACHELOR,
        Field.ARCHITECTURE,
    )
    assert (staff.national_id, staff.mobile) == ("0076229645", "09121234567")


# --- through the admin: a role typed on a new staff member's page -------------------------


def staff_add_form(
    user: User, degree: int, field: str, role: str, office: Office
) -> dict[str, object]:
    return {
        "user": user.pk,
        "national_id": "۰۰۷۶۲۲۹۶۴۵",
        "mobile": "09121234567",
        "degree_level": degree,
        "field": field,
        "roles-TOTAL_FORMS": 1,
        "roles-INITIAL_FORMS": 0,
        "roles-0-role": role,
        "roles-0-office": office.pk,
        "roles-0-starts_on": format_jalali_date(START),
        "employment_contracts-TOTAL_FORMS": 0,
        "employment_contracts-INITIAL_FORMS": 0,
    }


def test_the_admin_refuses_an_unqualified_role_on_a_new_staff_member(
    admin_client: Client, actions_builder: Builder
) -> None:
    # given a new person with a diploma typed as technical manager on the staff add page
    office = actions_builder.office()
    user = actions_builder.user()
    data = staff_add_form(
        user, DegreeLevel.NONE, Field.CIVIL_ENGINEERING, Role.TECHNICAL_MANAGER, office
    )
    # when the page is saved
    response = admin_client.post(reverse("admin:offices_staffmember_add"), data)
    # then the role row carries the Persian reason and nothing is written
    assert response.status_code == 200
    [formset] = [
        f for f in response.context["inline_admin_formsets"] if f.formset.prefix == "roles"
    ]
    assert formset.formset.errors[0]["role"] == [NEEDS_BACHELOR]
    assert not StaffMember.objects.filter(user=user).exists()


def test_the_admin_adds_a_qualified_staff_member_with_a_role(
    admin_client: Client, actions_builder: Builder
) -> None:
    office = actions_builder.office()
    user = actions_builder.user()
    data = staff_add_form(
        user, DegreeLevel.BACHELOR, Field.ARCHITECTURE, Role.TECHNICAL_MANAGER, office
    )
    response = admin_client.post(reverse("admin:offices_staffmember_add"), data)
    assert response.status_code == 302
    staff = StaffMember.objects.get(user=user)
    assert staff.national_id == "0076229645"
    assert staff.roles.get().role == Role.TECHNICAL_MANAGER
