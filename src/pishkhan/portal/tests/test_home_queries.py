"""The home page of every role costs the same number of queries for 2 offices or 20."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pishkhan.accounts.models import User
from pishkhan.geo.models import District
from pishkhan.offices.models import StaffMember
from pishkhan.offices.roles import Role
from pishkhan.testing.personas import Builder

# Session, user, the principal's three lookups, and at most four for the sections.
QUERY_BUDGET = 10


class GrowingCity:
    """A city that gains offices, each with a contract, staff, parcels and conditions; the
    viewer's scope grows with it (office staff hold their role in every new office)."""

    def __init__(self, builder: Builder) -> None:
        self.builder = builder
        self.districts = [builder.district(1), builder.district(2)]
        self.services = [builder.service() for _ in range(3)]
        self.office_staff: StaffMember | None = None

    def add_offices(self, count: int) -> None:
        for i in range(count):
            district = self.districts[i % 2]
            office = self.builder.office(district)
            self.builder.contract(office, self.services)
            self.builder.staff(Role.INSPECTOR, office=office)
            self.builder.staff(Role.FOLLOW_UP_OFFICER, office=office)
            self.builder.condition(self.builder.parcel(district))
            if self.office_staff is not None:
                self.builder.grant(self.office_staff, Role.TECHNICAL_MANAGER, office=office)

    def viewer(self, role: str) -> User:
        builder = self.builder
        user: User | None
        if role == "citizen":
            user = builder.citizen().user
        elif role == Role.TECHNICAL_MANAGER:
            self.office_staff = builder.staff(role, office=builder.office(self.districts[0]))
            user = self.office_staff.user
        elif role == Role.DISTRICT_STAFF:
            staff = builder.staff(role, district=self.districts[0])
            builder.grant(staff, role, district=self.districts[1])
            user = staff.user
        else:
            user = builder.staff(role).user
        assert user is not None
        return user


def queries_for(client: Client, user: User) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "role",
    [
        Role.TECHNICAL_MANAGER,
        Role.DISTRICT_STAFF,
        Role.SUPERVISOR,
        Role.ADMINISTRATOR,
        "citizen",
    ],
)
def test_it_reads_the_home_page_in_the_same_queries_for_2_or_20_offices(
    client: Client, city_builder: Builder, role: str
) -> None:
    # given a city with 2 offices and a viewer of this role
    city = GrowingCity(city_builder)
    user = city.viewer(role)
    city.add_offices(2)
    small = queries_for(client, user)

    # when the city grows to 20 offices, with their staff, parcels and conditions
    city.add_offices(18)
    large = queries_for(client, user)

    # then the page costs the same, and stays within the budget
    assert large == small, f"{small} queries for 2 offices, {large} for 20"
    assert large <= QUERY_BUDGET


def test_it_reads_the_home_page_of_a_person_with_every_role_within_budget(
    client: Client, city_builder: Builder
) -> None:
    city = GrowingCity(city_builder)
    user = city.viewer(Role.TECHNICAL_MANAGER)
    staff = city.office_staff
    assert staff is not None
    district: District = city.districts[0]
    city_builder.grant(staff, Role.DISTRICT_STAFF, district=district)
    city_builder.grant(staff, Role.SUPERVISOR)
    city.add_offices(4)
    small = queries_for(client, user)

    city.add_offices(16)

    assert queries_for(client, user) == small
