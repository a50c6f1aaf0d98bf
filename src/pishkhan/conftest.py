"""Fixtures shared by the tests of every app under src/pishkhan.

Each block below belongs to one area; add yours in its own clearly named block.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.utils import timezone

from pishkhan.accounts.actions import do_register_citizen
from pishkhan.accounts.models import Citizen, User
from pishkhan.catalog.actions import do_publish_tariff
from pishkhan.catalog.models import ServiceCategory, ServiceType, Tariff
from pishkhan.core.digits import to_persian_digits
from pishkhan.core.national_id import national_id_check_digit
from pishkhan.geo.models import ConditionKind, District, LandUse, Parcel, ParcelCondition
from pishkhan.offices.actions import do_assign_role, do_create_office, do_create_staff_member
from pishkhan.offices.models import (
    ContractStatus,
    Office,
    OfficeContract,
    OfficeStatus,
    RoleAssignment,
    StaffMember,
)
from pishkhan.offices.roles import DegreeLevel, Field

# --- actions and admin: rows written through the do_* actions ------------------------
# Used by the tests of the actions, the office history, tariffs and the admin.


class ActionsBuilder:
    """Valid rows for the actions and admin tests, written through the do_* actions where
    one exists (offices, staff, tariffs, citizens) and with full_clean() otherwise."""

    def __init__(self) -> None:
        self.today = timezone.localdate()
        self._serial = itertools.count(1)

    def serial(self) -> int:
        return next(self._serial)

    def national_id(self) -> str:
        body = f"47{self.serial():07d}"
        return body + str(national_id_check_digit(body))

    def district(self, number: int | None = None) -> District:
        number = number or 60 + self.serial()
        district = District(
            number=number,
            name=f"منطقه آزمایشی {to_persian_digits(number)}",
            center_lat=Decimal("32.650000"),
            center_lng=Decimal("51.670000"),
            radius_km=Decimal("3"),
        )
        district.full_clean()
        district.save()
        return district

    def user(self, **fields: str) -> User:
        serial = self.serial()
        names = {"first_name": "علی", "last_name": f"کارمند {to_persian_digits(serial)}"}
        return User.objects.create_user(username=f"actions{serial}", **{**names, **fields})

    def staff(
        self, degree_level: int = DegreeLevel.BACHELOR, field: str = Field.CIVIL_ENGINEERING
    ) -> StaffMember:
        serial = self.serial()
        return do_create_staff_member(
            None, self.user(), self.national_id(), f"0935{serial:07d}", degree_level, field
        )

    def office_fields(self, district: District, **overrides: object) -> dict[str, object]:
        serial = self.serial()
        return {
            "code": f"{7000 + serial}",
            "name": f"دفتر آزمایشی {to_persian_digits(serial)}",
            "district": district,
            "address": f"خیابان نظر، پلاک {to_persian_digits(serial)}",
            "lat": Decimal("32.640000"),
            "lng": Decimal("51.660000"),
            "phone": "03136250000",
            "cra_licence_number": f"CRA-T-{serial}",
            "cra_licence_valid_from": self.today - dt.timedelta(days=365),
            "cra_licence_valid_until": self.today + dt.timedelta(days=365),
            "capacity": 30,
            **overrides,
        }

    def office(self, district: District | None = None, **overrides: object) -> Office:
        fields = self.office_fields(district or self.district(), **overrides)
        return do_create_office(None, **fields)

    def parcel(self, district: District) -> Parcel:
        serial = self.serial()
        parcel = Parcel(
            registration_section=14,
            plate_main=5000 + serial,
            renewal_code=f"{district.number}-{serial}-2-0-0",
            district=district,
            address=f"خیابان سعادت‌آباد، پلاک {to_persian_digits(serial)}",
            lat=Decimal("32.640000"),
            lng=Decimal("51.660000"),
            land_area=Decimal("180.50"),
            land_use=LandUse.COMMERCIAL,
            plan_zone="M212",
            zone_price=9_500_000,
        )
        parcel.full_clean()
        parcel.save()
        return parcel

    def service_type(self) -> ServiceType:
        serial = self.serial()
        service = ServiceType(
            code=f"actions_service_{serial}",
            name=f"استعلام آزمایشی {to_persian_digits(serial)}",
            category=ServiceCategory.INQUIRY,
        )
        service.full_clean()
        service.save()
        return service

    def tariff(
        self, service: ServiceType, valid_from: dt.date, base_amount: int = 500_000
    ) -> Tariff:
        return do_publish_tariff(
            service, base_amount, 1_000, valid_from, "مصوبه ۱۲۳/آزمایشی", valid_from
        )

    def citizen(self) -> Citizen:
        serial = self.serial()
        return do_register_citizen(
            self.national_id(), "رضا", f"شهروند {to_persian_digits(serial)}", f"0936{serial:07d}"
        )


@pytest.fixture
def actions_builder(db: None) -> ActionsBuilder:
    """Rows built through the do_* actions (see ActionsBuilder)."""
    return ActionsBuilder()


# --- places and people: districts, offices, staff with roles, citizens ----------------
# Used by the accounts tests (sign-in, home pages) and the browser tests in tests/e2e.

TEST_PASSWORD = "a-long-test-passphrase-۱۴۰۲"  # noqa: S105 - a test account's password
_serial = itertools.count(1)


def valid_national_id(serial: int) -> str:
    """A national ID that passes the check-digit rule, distinct for each serial."""
    body = f"31{serial:07d}"
    return body + str(national_id_check_digit(body))


class CityBuilder:
    """Small, valid rows for tests, written through the do_* actions where one exists
    (offices, staff, roles, citizens) and with full_clean() otherwise."""

    def __init__(self) -> None:
        self.today = timezone.localdate()

    def next(self) -> int:
        return next(_serial)

    def district(self, number: int | None = None, name: str | None = None) -> District:
        number = number if number is not None else self.next() % 90 + 1
        district = District(
            number=number,
            name=name or f"منطقه {to_persian_digits(number)}",
            center_lat=Decimal("32.650000"),
            center_lng=Decimal("51.670000"),
            radius_km=Decimal("2.5"),
        )
        district.full_clean()
        district.save()
        return district

    def office(
        self,
        district: District,
        *,
        name: str | None = None,
        code: str | None = None,
        status: str = OfficeStatus.ACTIVE,
        valid_until: dt.date | None = None,
        capacity: int = 40,
    ) -> Office:
        serial = self.next()
        valid_until = valid_until or self.today + dt.timedelta(days=365)
        return do_create_office(
            None,
            code=code or f"{1000 + serial}",
            name=name or f"دفتر پیشخوان شماره {to_persian_digits(serial)}",
            district=district,
            address=f"خیابان چهارباغ، کوچه {to_persian_digits(serial)}",
            lat=Decimal("32.650000"),
            lng=Decimal("51.670000"),
            phone="03132220000",
            cra_licence_number=f"CRA-{serial}",
            cra_licence_valid_from=valid_until - dt.timedelta(days=3 * 365),
            cra_licence_valid_until=valid_until,
            status=status,
            capacity=capacity,
        )

    def service(self, name: str | None = None) -> ServiceType:
        serial = self.next()
        service = ServiceType(
            code=f"service_{serial}",
            name=name or f"خدمت آزمایشی {to_persian_digits(serial)}",
            category=ServiceCategory.INQUIRY,
        )
        service.full_clean()
        service.save()
        return service

    def contract(
        self,
        office: Office,
        services: list[ServiceType],
        *,
        status: str = ContractStatus.ACTIVE,
    ) -> OfficeContract:
        serial = self.next()
        contract = OfficeContract(
            office=office,
            number=f"QN-{serial}",
            signed_on=self.today - dt.timedelta(days=60),
            starts_on=self.today - dt.timedelta(days=30),
            ends_on=self.today + dt.timedelta(days=335),
            status=status,
        )
        contract.full_clean()
        contract.save()
        contract.services.set(services)
        return contract

    def user(
        self, *, username: str | None = None, first_name: str = "", last_name: str = ""
    ) -> User:
        return User.objects.create_user(
            username=username or f"user{self.next()}",
            password=TEST_PASSWORD,
            first_name=first_name,
            last_name=last_name,
        )

    def staff(
        self,
        role: str,
        *,
        office: Office | None = None,
        district: District | None = None,
        username: str | None = None,
        first_name: str = "مریم",
        last_name: str | None = None,
    ) -> StaffMember:
        """A staff member holding `role` (in force since a month ago) in its scope."""
        serial = self.next()
        user = self.user(
            username=username,
            first_name=first_name,
            last_name=last_name or f"کارمند {to_persian_digits(serial)}",
        )
        staff = do_create_staff_member(
            None, user, valid_national_id(serial), f"0912{serial:07d}", DegreeLevel.MASTER,
            Field.ARCHITECTURE,
        )  # fmt: skip
        self.grant(staff, role, office=office, district=district)
        return staff

    def grant(
        self,
        staff: StaffMember,
        role: str,
        *,
        office: Office | None = None,
        district: District | None = None,
        ends_on: dt.date | None = None,
    ) -> RoleAssignment:
        return do_assign_role(
            None,
            staff,
            role,
            office=office,
            district=district,
            starts_on=self.today - dt.timedelta(days=30),
            ends_on=ends_on,
        )

    def citizen(
        self,
        *,
        national_id: str | None = None,
        mobile: str | None = None,
        with_account: bool = True,
    ) -> Citizen:
        """A citizen; with an account, its user name is the national ID."""
        serial = self.next()
        national_id = national_id or valid_national_id(serial)
        citizen = do_register_citizen(
            national_id,
            "زهرا",
            f"شهروند {to_persian_digits(serial)}",
            mobile or f"0913{serial:07d}",
        )
        if with_account:
            # No action links an account yet; a citizen's user name is their national ID.
            citizen.user = self.user(username=citizen.national_id)
            citizen.save(update_fields=["user", "updated_at"])
        return citizen

    def parcel(self, district: District) -> Parcel:
        serial = self.next()
        parcel = Parcel(
            registration_section=5,
            plate_main=serial,
            plate_sub=0,
            renewal_code=f"{district.number % 100}-{serial % 10000}-1-0-0",
            district=district,
            address=f"خیابان هشت بهشت، پلاک {to_persian_digits(serial)}",
            lat=Decimal("32.650000"),
            lng=Decimal("51.670000"),
            land_area=Decimal("250"),
            land_use=LandUse.RESIDENTIAL,
            plan_zone="R112",
            zone_price=12_000_000,
        )
        parcel.full_clean()
        parcel.save()
        return parcel

    def condition(self, parcel: Parcel, *, resolved: bool = False) -> ParcelCondition:
        condition = ParcelCondition(
            parcel=parcel,
            kind=ConditionKind.VIOLATION,
            title="اضافه بنای بدون پروانه",
            recorded_on=self.today - dt.timedelta(days=10),
            resolved_at=timezone.now() if resolved else None,
        )
        condition.full_clean()
        condition.save()
        return condition


@pytest.fixture
def city_builder(db: None) -> CityBuilder:
    """Districts, offices, staff with roles and citizens, built valid (see CityBuilder)."""
    return CityBuilder()
