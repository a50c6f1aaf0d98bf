"""The personas are who the module says they are, and a case walks to every state.
The `city` and `build` fixtures are src/pishkhan/conftest.py's."""

from __future__ import annotations

import pytest

from pishkhan.accounts.access import load_principal
from pishkhan.cases.models import WorkflowDefinition
from pishkhan.offices.models import OfficeContract
from pishkhan.offices.roles import DegreeLevel, Field, Role
from pishkhan.testing.personas import Builder, City, build_city
from pishkhan.testing.workflows import read_definitions

DEFINITIONS = read_definitions()


def test_each_persona_holds_their_role_where_the_module_says(city: City) -> None:
    a, b = city.a, city.b
    expected = {
        city.alice: (Role.TECHNICAL_MANAGER, a.office.pk, None),
        city.bob: (Role.INSPECTOR, a.office.pk, None),
        city.peggy: (Role.PLAN_REVIEWER, a.office.pk, None),
        city.frank: (Role.FOLLOW_UP_OFFICER, a.office.pk, None),
        city.olivia: (Role.OFFICE_MANAGER, a.office.pk, None),
        city.charlie: (Role.TECHNICAL_MANAGER, b.office.pk, None),
        city.dave: (Role.DISTRICT_STAFF, None, a.district.pk),
        city.dana: (Role.DISTRICT_STAFF, None, a.district.pk),
        city.erin: (Role.DISTRICT_STAFF, None, b.district.pk),
        city.ezra: (Role.DISTRICT_STAFF, None, b.district.pk),
        city.sam: (Role.SUPERVISOR, None, None),
        city.ada: (Role.ADMINISTRATOR, None, None),
    }
    assert len(set(expected)) == len(expected), "one person, one persona"
    for user, (role, office, district) in expected.items():
        grants = load_principal(user).grants
        assert [(g.role, g.office_id, g.district_id) for g in grants] == [(role, office, district)]
    assert city.ada.is_staff  # the admin roles work in the admin site
    assert city.sam.is_staff
    for user, citizen in ((city.zahra, city.citizen), (city.yusuf, city.other_citizen)):
        assert load_principal(user).citizen_id == citizen.pk
        assert user.username == citizen.national_id


def test_the_city_is_ready_for_cases(city: City) -> None:
    assert city.a.district != city.b.district
    assert city.a.office.district == city.a.district
    assert city.a.parcel.district == city.a.district
    assert city.b.parcel.district == city.b.district
    for side in (city.a, city.b):
        covered = OfficeContract.objects.filter(office=side.office).values_list(
            "services__code", flat=True
        )
        assert set(covered) == set(DEFINITIONS)
    active = WorkflowDefinition.objects.filter(is_active=True)
    assert set(active.values_list("service_type__code", flat=True)) == set(DEFINITIONS)


@pytest.mark.django_db
@pytest.mark.parametrize("service", sorted(DEFINITIONS))
def test_a_case_walks_to_every_state_of_its_definition(service: str) -> None:
    city = build_city()
    for state in DEFINITIONS[service].states:
        case = city.walk_to(city.open_case(service), state)
        assert case.state == state


@pytest.mark.django_db
def test_a_case_whose_parcel_is_in_another_district_is_decided_there() -> None:
    city = build_city()
    case = city.open_case(parcel=city.b.parcel)  # office A, parcel in district B
    case = city.walk_to(case, "response_issued")
    assert (case.prepared_by, case.approved_by) == (city.erin, city.ezra)


@pytest.mark.django_db
def test_two_builders_and_two_cities_in_one_test_do_not_collide() -> None:
    first, second = build_city(), build_city()
    assert {first.a.district.number, first.b.district.number} == {71, 72}
    assert second.a.district.number not in (71, 72)
    assert Builder().office().code != Builder().office().code


def test_the_old_builders_forms_still_read(build: Builder, actions_builder: Builder) -> None:
    assert actions_builder is build
    unqualified = build.staff(DegreeLevel.NONE, Field.OTHER)  # the actions builder's form
    assert (unqualified.degree_level, unqualified.field) == (DegreeLevel.NONE, Field.OTHER)
    assert not unqualified.roles.exists()
    assert build.next() < build.serial()
    assert build.service_type().pk
