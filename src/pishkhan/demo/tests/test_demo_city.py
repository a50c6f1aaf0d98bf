"""The demo city: the article's counts, valid people, places inside their districts, the
reference catalog, and a second load that changes nothing."""

from __future__ import annotations

import math
import re
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db.models import Count, Max, Model
from django.test import RequestFactory
from django.utils import timezone

from pishkhan.accounts.models import Citizen, User
from pishkhan.catalog.models import DocumentRequirement, ServiceType, Tariff
from pishkhan.catalog.reference import load_reference_catalog
from pishkhan.core.national_id import is_valid_national_id
from pishkhan.core.phone import validate_mobile, validate_phone
from pishkhan.core.postal import validate_postal_code
from pishkhan.demo.accounts import DEMO_PASSWORD, DEMO_USERNAMES
from pishkhan.demo.city import LoadResult, load_demo_city
from pishkhan.demo.common import stream
from pishkhan.demo.geo import ParcelMaker
from pishkhan.demo.offices import plan_offices
from pishkhan.geo.models import District, Parcel, ParcelCondition
from pishkhan.offices.models import (
    EmploymentContract,
    Office,
    OfficeContract,
    OfficeStatus,
    RoleAssignment,
    StaffMember,
)
from pishkhan.offices.roles import ENGINEERING_FIELDS, DegreeLevel, Role

PARCELS = 150
CITIZENS = 30

REFERENCE_CODES = (
    "inquiry_notary",
    "inquiry_bank",
    "inquiry_excavation",
    "certificate_structural_frame",
    "certificate_completion",
    "permit_building",
    "permit_new",
    "permit_demolition_rebuild",
    "permit_extension",
    "permit_replacement",
    "permit_expansion",
    "permit_repairs",
    "bill_renewal_dues",
    "toll_vehicle_annual",
)
PERMIT_GROUPS = REFERENCE_CODES[6:12]
DEMO_MODELS: tuple[type[Model], ...] = (
    District,
    Office,
    OfficeContract,
    StaffMember,
    EmploymentContract,
    Citizen,
    Parcel,
    ParcelCondition,
)
COUNTED_MODELS: tuple[type[Model], ...] = (
    *DEMO_MODELS,
    User,
    RoleAssignment,
    ServiceType,
    DocumentRequirement,
    Tariff,
)


@pytest.fixture
def demo_city(db: None) -> LoadResult:
    return load_demo_city(parcels=PARCELS, citizens=CITIZENS)


def counts() -> dict[str, int]:
    return {model.__name__: model._default_manager.count() for model in COUNTED_MODELS}


def staff_count(role: str) -> int:
    return RoleAssignment.objects.filter(role=role).values("staff").distinct().count()


def distance_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance (haversine) on a 6371 km sphere."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def inside_its_district(place: Parcel | Office) -> bool:
    district = place.district
    distance = distance_km(
        float(place.lat), float(place.lng), float(district.center_lat), float(district.center_lng)
    )
    return distance <= float(district.radius_km)


# --- the city ----------------------------------------------------------------------------


def test_it_has_the_articles_districts_offices_and_engineers(demo_city: LoadResult) -> None:
    assert District.objects.count() == 15
    assert Office.objects.count() == 35
    assert staff_count(Role.INSPECTOR) == 22
    assert staff_count(Role.TECHNICAL_MANAGER) == 32
    assert staff_count(Role.FOLLOW_UP_OFFICER) == 11
    assert staff_count(Role.OFFICE_MANAGER) == 35
    assert staff_count(Role.ADMINISTRATOR) == 1
    assert 2 <= staff_count(Role.SUPERVISOR) <= 3
    assert staff_count(Role.PLAN_REVIEWER) >= 2
    assert Parcel.objects.count() == PARCELS
    assert Citizen.objects.count() == CITIZENS


def test_offices_follow_demand_and_a_few_are_suspended(demo_city: LoadResult) -> None:
    per_district = dict(District.objects.annotate(n=Count("offices")).values_list("number", "n"))
    assert min(per_district.values()) >= 1
    assert max(per_district.values()) >= 3
    assert per_district[3] >= per_district[15]
    suspended = Office.objects.filter(status=OfficeStatus.SUSPENDED).count()
    assert 1 <= suspended <= 5
    assert Office.objects.get(code="1101").status == OfficeStatus.ACTIVE


def test_every_office_has_a_manager_and_a_contract_for_the_whole_catalog(
    demo_city: LoadResult,
) -> None:
    catalog = set(ServiceType.objects.filter(code__in=REFERENCE_CODES).values_list("pk", flat=True))
    for office in Office.objects.select_related("manager"):
        assert office.manager is not None
        assert office.manager.roles.filter(role=Role.OFFICE_MANAGER, office=office).exists()
        contract = office.contracts.get()
        assert set(contract.services.values_list("pk", flat=True)) == catalog


def test_every_active_office_is_staffed_for_the_whole_workflow(demo_city: LoadResult) -> None:
    needed = {Role.TECHNICAL_MANAGER, Role.INSPECTOR, Role.PLAN_REVIEWER}
    for office in Office.objects.filter(status=OfficeStatus.ACTIVE):
        roles = set(office.role_assignments.values_list("role", flat=True))
        assert needed <= roles, office.code
    for district in District.objects.all():
        # two people, so that one prepares a response and another approves it
        district_staff = district.role_assignments.filter(role=Role.DISTRICT_STAFF)
        assert district_staff.values("staff").distinct().count() >= 2, district.number


def test_office_engineers_are_qualified_and_under_contract(demo_city: LoadResult) -> None:
    engineering = (
        Role.TECHNICAL_MANAGER,
        Role.INSPECTOR,
        Role.FOLLOW_UP_OFFICER,
        Role.PLAN_REVIEWER,
    )
    assignments = RoleAssignment.objects.filter(role__in=engineering).select_related("staff")
    assert assignments.exists()
    for assignment in assignments:
        assert assignment.staff.degree_level >= DegreeLevel.BACHELOR
        assert assignment.staff.field in ENGINEERING_FIELDS
        assert EmploymentContract.objects.filter(
            staff=assignment.staff, office=assignment.office, role=assignment.role
        ).exists()


def test_people_have_valid_national_ids_and_mobiles(demo_city: LoadResult) -> None:
    people = [*StaffMember.objects.all(), *Citizen.objects.all()]
    for person in people:
        assert is_valid_national_id(person.national_id), person.national_id
        validate_mobile(person.mobile)
    for office in Office.objects.all():
        validate_phone(office.phone)
        assert office.phone.startswith("031")


def test_only_the_administrator_and_supervisors_are_django_staff(demo_city: LoadResult) -> None:
    city_roles = {Role.ADMINISTRATOR, Role.SUPERVISOR}
    for member in StaffMember.objects.select_related("user").prefetch_related("roles"):
        roles = {r.role for r in member.roles.all()}
        assert member.user.is_staff == bool(roles & city_roles), member.user.username
    assert list(User.objects.filter(is_superuser=True).values_list("username", flat=True)) == [
        "admin"
    ]


def test_offices_and_parcels_lie_within_their_districts(demo_city: LoadResult) -> None:
    for office in Office.objects.select_related("district"):
        assert inside_its_district(office), office.code
    for parcel in Parcel.objects.select_related("district"):
        assert inside_its_district(parcel), parcel.renewal_code


def test_parcels_carry_well_formed_unique_codes(demo_city: LoadResult) -> None:
    renewal = re.compile(r"^\d{1,2}-\d{1,4}-\d{1,4}-\d{1,3}-\d{1,3}$")
    for parcel in Parcel.objects.select_related("district"):
        assert renewal.match(parcel.renewal_code)
        assert parcel.renewal_code.split("-")[0] == str(parcel.district.number)
        if parcel.postal_code is not None:
            validate_postal_code(parcel.postal_code)
        assert parcel.land_area > 0
        assert parcel.zone_price > 0
    kinds = set(ParcelCondition.objects.values_list("kind", flat=True))
    assert kinds == {"debt", "violation", "plan_restriction"}


def test_every_demo_row_is_marked_as_demo(demo_city: LoadResult) -> None:
    for model in DEMO_MODELS:
        assert model._default_manager.exists(), model.__name__
        assert not model._default_manager.filter(is_demo=False).exists(), model.__name__


# --- idempotent and deterministic --------------------------------------------------------


def test_loading_twice_changes_nothing(demo_city: LoadResult) -> None:
    before = counts()
    last_change = {m.__name__: m._default_manager.aggregate(t=Max("updated_at"))["t"] for m in (
        Office, StaffMember, Parcel, ServiceType
    )}  # fmt: skip
    again = load_demo_city(parcels=PARCELS, citizens=CITIZENS)
    assert not again.changed
    assert counts() == before
    for model in (Office, StaffMember, Parcel, ServiceType):
        latest = model._default_manager.aggregate(t=Max("updated_at"))["t"]
        assert latest == last_change[model.__name__]


def test_more_parcels_later_only_adds_the_new_ones(db: None) -> None:
    load_demo_city(parcels=40, citizens=CITIZENS)
    first = set(Parcel.objects.values_list("renewal_code", flat=True))
    result = load_demo_city(parcels=60, citizens=CITIZENS)
    assert result.created == {
        "parcels": 20,
        "parcel conditions": result.created["parcel conditions"],
    }
    assert first < set(Parcel.objects.values_list("renewal_code", flat=True))
    assert Parcel.objects.count() == 60


def test_the_plan_is_the_same_every_time() -> None:
    assert plan_offices(stream(1405, "offices")) == plan_offices(stream(1405, "offices"))
    districts = {n: District(number=n) for n in range(1, 16)}
    few = ParcelMaker(stream(1405, "parcels"), districts).make(30)
    many = ParcelMaker(stream(1405, "parcels"), districts).make(60)
    assert [d.parcel.renewal_code for d in few] == [d.parcel.renewal_code for d in many[:30]]


# --- the reference catalog ---------------------------------------------------------------


def test_the_reference_catalog_covers_every_service(demo_city: LoadResult) -> None:
    today = timezone.localdate()
    services = {s.code: s for s in ServiceType.objects.filter(code__in=REFERENCE_CODES)}
    assert set(services) == set(REFERENCE_CODES)
    for code, service in services.items():
        assert service.documents.exists(), code
        assert service.tariff_on(today) is not None, code
        assert service.tariffs.filter(valid_until__isnull=False).exists(), code
    for code in PERMIT_GROUPS:
        assert services[code].parent == services["permit_building"]
    assert services["toll_vehicle_annual"].requires_parcel is False
    assert services["inquiry_notary"].requires_visit is True


def test_the_reference_catalog_loads_idempotently_and_keeps_admin_rows(db: None) -> None:
    assert load_reference_catalog() > 0
    notary = ServiceType.objects.get(code="inquiry_notary")
    extra = ServiceType.objects.create(code="admin_added", name="خدمت افزوده", category="inquiry")
    DocumentRequirement.objects.create(service_type=notary, title="گواهی افزوده مدیر")
    before = counts()
    assert load_reference_catalog() == 0
    assert counts() == before
    assert ServiceType.objects.filter(pk=extra.pk).exists()


def test_the_reference_catalog_restores_a_changed_reference_field(db: None) -> None:
    load_reference_catalog()
    ServiceType.objects.filter(code="inquiry_bank").update(name="نام دیگر", is_active=False)
    assert load_reference_catalog() == 1
    bank = ServiceType.objects.get(code="inquiry_bank")
    assert bank.name == "استعلام بانک"
    assert bank.is_active is False  # switching a service off is the city's decision


# --- the command -------------------------------------------------------------------------


def run_command() -> str:
    out = StringIO()
    call_command("load_demo_city", "--parcels", "50", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_the_printed_accounts_sign_in_with_the_demo_password() -> None:
    output = run_command()
    assert DEMO_PASSWORD in output
    for username in DEMO_USERNAMES:
        assert re.search(rf"^\s+{re.escape(username)}\s", output, re.MULTILINE), username
        request = RequestFactory().post("/accounts/login/")
        signed_in = authenticate(request, username=username, password=DEMO_PASSWORD)
        assert signed_in is not None, username
    assert "(!)" not in output
    assert Parcel.objects.count() == 50


@pytest.mark.django_db
def test_running_the_command_again_says_it_is_already_loaded() -> None:
    run_command()
    before = counts()
    output = run_command()
    assert "already loaded" in output
    assert "tm-1101" in output
    assert counts() == before
