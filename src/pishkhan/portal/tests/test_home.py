"""The home page of each role: its own data, and nothing of another office or district."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse

from pishkhan.accounts.models import User
from pishkhan.geo.models import District
from pishkhan.offices.models import Office, OfficeStatus, StaffMember
from pishkhan.offices.roles import OFFICE_ROLES, Role
from pishkhan.testing.personas import Builder

HOME = reverse("home")


@dataclass
class TwoDistricts:
    """Two districts with one office each, each office with its own contract and staff."""

    north: District
    south: District
    office_a: Office
    office_b: Office
    manager_a: StaffMember
    inspector_b: StaffMember


@pytest.fixture
def two_districts(city_builder: Builder) -> TwoDistricts:
    north = city_builder.district(3, "منطقه سه")
    south = city_builder.district(14, "منطقه چهارده")
    office_a = city_builder.office(north, name="دفتر پیشخوان چهارباغ", code="3101")
    office_b = city_builder.office(south, name="دفتر پیشخوان زینبیه", code="1401")
    city_builder.contract(office_a, [city_builder.service("استعلام نقل و انتقال")])
    city_builder.contract(office_b, [city_builder.service("گواهی پایان ساخت")])
    manager_a = city_builder.staff(
        Role.TECHNICAL_MANAGER, office=office_a, first_name="مریم", last_name="احمدی"
    )
    city_builder.staff(Role.INSPECTOR, office=office_a, first_name="حسن", last_name="کاظمی")
    inspector_b = city_builder.staff(
        Role.INSPECTOR, office=office_b, first_name="رضا", last_name="زمانی"
    )
    return TwoDistricts(north, south, office_a, office_b, manager_a, inspector_b)


def home_html(client: Client, user: User) -> str:
    client.force_login(user)
    response = client.get(HOME)
    assert response.status_code == 200
    return response.content.decode()


def visible_text(html: str) -> str:
    """The text a person reads: no tags, no attribute values, no script or style."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


# --- office roles ---------------------------------------------------------------------


def test_it_shows_the_office_card_to_its_technical_manager(
    client: Client, two_districts: TwoDistricts
) -> None:
    html = home_html(client, two_districts.manager_a.user)

    assert "دفتر پیشخوان چهارباغ" in html
    assert "<bdi>۳۱۰۱</bdi>" in html
    assert "منطقه سه" in html
    assert two_districts.office_a.address in html
    assert "<bdi>۰۳۱۳۲۲۲۰۰۰۰</bdi>" in html
    assert "فعال" in html
    # the services of its active contract and its staff with their roles
    assert "استعلام نقل و انتقال" in html
    assert "مریم احمدی" in html
    assert "حسن کاظمی" in html
    assert "کارشناس بازدید" in html


def test_it_shows_nothing_of_another_office_to_office_staff(
    client: Client, two_districts: TwoDistricts
) -> None:
    html = home_html(client, two_districts.manager_a.user)

    assert "دفتر پیشخوان زینبیه" not in html
    assert "۱۴۰۱" not in html
    assert "گواهی پایان ساخت" not in html
    assert "رضا زمانی" not in html
    assert "منطقه چهارده" not in html


@pytest.mark.parametrize("role", sorted(OFFICE_ROLES))
def test_it_shows_the_office_card_to_every_office_role(
    client: Client, city_builder: Builder, role: str
) -> None:
    office = city_builder.office(city_builder.district(5), name="دفتر پیشخوان سپاهان")
    other = city_builder.office(city_builder.district(6), name="دفتر پیشخوان جلفا")
    staff = city_builder.staff(role, office=office)

    html = home_html(client, staff.user)

    assert "دفتر پیشخوان سپاهان" in html
    assert other.name not in html


def test_it_shows_a_licence_date_in_jalali_with_persian_digits(
    client: Client, city_builder: Builder
) -> None:
    office = city_builder.office(city_builder.district(1), valid_until=dt.date(2023, 11, 6))
    staff = city_builder.staff(Role.OFFICE_MANAGER, office=office)

    html = home_html(client, staff.user)

    assert "۱۴۰۲/۰۸/۱۵" in html
    assert "2023" not in visible_text(html)
    assert "منقضی شده است" in html


def test_it_warns_when_the_licence_ends_within_sixty_days(
    client: Client, city_builder: Builder
) -> None:
    office = city_builder.office(
        city_builder.district(1), valid_until=city_builder.today + dt.timedelta(days=45)
    )
    staff = city_builder.staff(Role.TECHNICAL_MANAGER, office=office)

    html = home_html(client, staff.user)

    assert "۴۵ روز دیگر" in html
    assert "alert-warning" in html


def test_it_does_not_warn_about_a_licence_with_a_long_validity(
    client: Client, city_builder: Builder
) -> None:
    office = city_builder.office(
        city_builder.district(1), valid_until=city_builder.today + dt.timedelta(days=61)
    )
    staff = city_builder.staff(Role.TECHNICAL_MANAGER, office=office)

    html = home_html(client, staff.user)

    assert "alert-warning" not in html
    assert "alert-danger" not in html


def test_it_leaves_out_roles_that_have_ended(client: Client, city_builder: Builder) -> None:
    # given an inspector whose role in the office ended yesterday
    office = city_builder.office(city_builder.district(1))
    manager = city_builder.staff(Role.TECHNICAL_MANAGER, office=office)
    former = city_builder.staff(Role.FOLLOW_UP_OFFICER, office=city_builder.office(office.district),
                                last_name="پیشین")  # fmt: skip
    city_builder.grant(
        former, Role.INSPECTOR, office=office, ends_on=city_builder.today - dt.timedelta(days=1)
    )

    html = home_html(client, manager.user)

    assert "پیشین" not in html


def test_it_says_so_when_an_office_has_no_active_contract(
    client: Client, city_builder: Builder
) -> None:
    office = city_builder.office(city_builder.district(1))
    city_builder.contract(office, [city_builder.service("خدمت معلق")], status="suspended")
    staff = city_builder.staff(Role.TECHNICAL_MANAGER, office=office)

    html = home_html(client, staff.user)

    assert "قرارداد فعالی با شهرداری ندارد" in html
    assert "خدمت معلق" not in html


# --- district staff -------------------------------------------------------------------


def test_it_shows_district_staff_their_district(
    client: Client, city_builder: Builder, two_districts: TwoDistricts
) -> None:
    # given parcels in both districts, with open and resolved conditions
    north_parcels = [city_builder.parcel(two_districts.north) for _ in range(3)]
    city_builder.condition(north_parcels[0])
    city_builder.condition(north_parcels[1])
    city_builder.condition(north_parcels[2], resolved=True)
    for _ in range(5):
        city_builder.condition(city_builder.parcel(two_districts.south))
    staff = city_builder.staff(Role.DISTRICT_STAFF, district=two_districts.north)

    html = home_html(client, staff.user)

    assert "منطقه سه" in html
    assert "دفتر پیشخوان چهارباغ" in html
    assert "<dt>املاک ثبت‌شده</dt><dd>۳</dd>" in html
    assert "<dt>وضعیت‌های باز املاک</dt><dd>۲</dd>" in html
    # and nothing of the other district
    assert "دفتر پیشخوان زینبیه" not in html
    assert "منطقه چهارده" not in html


def test_it_shows_office_status_licence_and_capacity_to_district_staff(
    client: Client, city_builder: Builder
) -> None:
    district = city_builder.district(7)
    city_builder.office(
        district,
        name="دفتر پیشخوان نقش جهان",
        status=OfficeStatus.SUSPENDED,
        valid_until=dt.date(2023, 11, 6),
        capacity=1250,
    )
    staff = city_builder.staff(Role.DISTRICT_STAFF, district=district)

    html = home_html(client, staff.user)

    assert "دفتر پیشخوان نقش جهان" in html
    assert "تعلیق" in html
    assert "۱۴۰۲/۰۸/۱۵" in html
    assert "۱٬۲۵۰" in html


# --- supervisor and administrator -----------------------------------------------------


def test_it_shows_the_supervisor_every_office_by_district(
    client: Client, city_builder: Builder, two_districts: TwoDistricts
) -> None:
    supervisor = city_builder.staff(Role.SUPERVISOR)

    html = home_html(client, supervisor.user)

    assert "دفتر پیشخوان چهارباغ" in html
    assert "دفتر پیشخوان زینبیه" in html
    assert html.index("منطقه سه") < html.index("دفتر پیشخوان چهارباغ")
    assert html.index("منطقه چهارده") < html.index("دفتر پیشخوان زینبیه")
    # the supervision unit keeps contracts in the admin site (read-only elsewhere)
    assert "مدیریت اطلاعات پایه" in html


def test_it_counts_staff_per_role_for_the_supervisor(
    client: Client, city_builder: Builder, two_districts: TwoDistricts
) -> None:
    # given one technical manager and two inspectors (and one supervisor)
    supervisor = city_builder.staff(Role.SUPERVISOR)
    client.force_login(supervisor.user)

    response = client.get(HOME)

    (section,) = response.context["sections"]
    counts = {entry.label: entry.count for entry in section.role_counts}
    assert counts["مسئول فنی"] == 1
    assert counts["کارشناس بازدید"] == 2
    assert counts["مسئول پیگیری"] == 0
    assert counts["ناظر دفاتر"] == 1
    assert '<td>کارشناس بازدید</td><td class="num">۲</td>' in response.content.decode()


def test_it_lists_offices_whose_licence_ends_soon_for_the_supervisor(
    client: Client, city_builder: Builder
) -> None:
    district = city_builder.district(9)
    city_builder.office(
        district, name="دفتر رو به پایان", valid_until=city_builder.today + dt.timedelta(days=20)
    )
    city_builder.office(
        district, name="دفتر با اعتبار", valid_until=city_builder.today + dt.timedelta(days=200)
    )
    city_builder.office(
        district,
        name="دفتر بسته",
        status=OfficeStatus.CLOSED,
        valid_until=city_builder.today + dt.timedelta(days=10),
    )
    client.force_login(city_builder.staff(Role.SUPERVISOR).user)

    response = client.get(HOME)

    (section,) = response.context["sections"]
    assert [row.office.name for row in section.attention] == ["دفتر رو به پایان"]
    assert "۲۰ روز مانده" in response.content.decode()


def test_it_links_the_administrator_to_the_admin(
    client: Client, city_builder: Builder, two_districts: TwoDistricts
) -> None:
    administrator = city_builder.staff(Role.ADMINISTRATOR)

    html = home_html(client, administrator.user)

    assert f'href="{reverse("admin:index")}"' in html
    assert "دفتر پیشخوان چهارباغ" in html
    assert "دفتر پیشخوان زینبیه" in html


# --- citizens -------------------------------------------------------------------------


def test_it_shows_the_citizen_their_masked_identity(client: Client, city_builder: Builder) -> None:
    citizen = city_builder.citizen(national_id="0076229645", mobile="09121234567")
    assert citizen.user is not None

    html = home_html(client, citizen.user)

    assert citizen.full_name in html
    assert "******۹۶۴۵" in html
    assert "۰۹۱۲*****۶۷" in html
    assert "۰۰۷۶۲۲۹۶۴۵" not in html
    assert "0076229645" not in visible_text(html)
    assert "۰۹۱۲۱۲۳۴۵۶۷" not in html


def test_it_shows_the_citizen_a_directory_of_active_offices(
    client: Client, city_builder: Builder, two_districts: TwoDistricts
) -> None:
    city_builder.office(two_districts.north, name="دفتر تعلیق‌شده", status=OfficeStatus.SUSPENDED)
    city_builder.office(two_districts.north, name="دفتر بی‌پروانه", valid_until=dt.date(2023, 11, 6))
    citizen = city_builder.citizen()
    assert citizen.user is not None

    html = home_html(client, citizen.user)

    assert "دفتر پیشخوان چهارباغ" in html
    assert "دفتر پیشخوان زینبیه" in html
    assert html.index("منطقه سه") < html.index("منطقه چهارده")
    assert "دفتر تعلیق‌شده" not in html
    assert "دفتر بی‌پروانه" not in html
    # a citizen sees no staff
    assert "مریم احمدی" not in html


# --- several roles, no role -----------------------------------------------------------


def test_it_shows_a_section_for_each_role_family(
    client: Client, city_builder: Builder, two_districts: TwoDistricts
) -> None:
    # given the technical manager of office A who is also district staff of the south
    manager = two_districts.manager_a
    city_builder.grant(manager, Role.DISTRICT_STAFF, district=two_districts.south)
    client.force_login(manager.user)

    response = client.get(HOME)

    templates = [section.template for section in response.context["sections"]]
    assert templates == ["portal/home_office.html", "portal/home_district.html"]
    html = response.content.decode()
    assert "دفتر پیشخوان چهارباغ" in html
    assert "دفتر پیشخوان زینبیه" in html
    # office B's staff stay private to office B
    assert "رضا زمانی" not in html


def test_it_tells_a_person_without_a_role_what_to_do(client: Client, city_builder: Builder) -> None:
    user = city_builder.user(username="newcomer")

    html = home_html(client, user)

    assert "برای حساب شما هنوز نقشی ثبت نشده است" in html


@pytest.mark.parametrize(
    "role", [Role.TECHNICAL_MANAGER, Role.DISTRICT_STAFF, Role.SUPERVISOR, "citizen"]
)
def test_it_shows_every_number_and_date_in_persian_digits(
    client: Client, city_builder: Builder, two_districts: TwoDistricts, role: str
) -> None:
    city_builder.parcel(two_districts.north)
    if role == "citizen":
        user = city_builder.citizen().user
    elif role == Role.DISTRICT_STAFF:
        user = city_builder.staff(role, district=two_districts.north).user
    elif role == Role.TECHNICAL_MANAGER:
        user = city_builder.staff(role, office=two_districts.office_a).user
    else:
        user = city_builder.staff(role).user
    assert user is not None

    html = home_html(client, user)

    assert '<html lang="fa" dir="rtl">' in html
    assert not re.findall(r"[0-9]", visible_text(html))
