"""The parcel file: the parcel's cases, visits, plan reviews, answers, conditions and
certificates in time order; any staff member reads the parcel's facts, but a case of
another office or district shows only its service and dates."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pishkhan.cases.actions import do_attach_visit_photo
from pishkhan.core.digits import to_persian_digits
from pishkhan.geo.models import CertificateKind, ConditionKind, ParcelCertificate
from pishkhan.offices.roles import Role
from pishkhan.testing.personas import City, client_for, record_visit, walk_to
from pishkhan.testing.uploads import image_bytes, upload


def url(parcel_id: int) -> str:
    return f"/cases/parcels/{parcel_id}/"


def certificate(world: City, parcel_id: int, number: str) -> ParcelCertificate:
    return ParcelCertificate.objects.create(
        parcel_id=parcel_id,
        kind=CertificateKind.COMPLETION,
        number=number,
        issued_on=timezone.localdate() - dt.timedelta(days=400),
        floors=3,
    )


def test_the_file_lists_the_parcel_s_history_newest_first(world: City) -> None:
    parcel = world.a.parcel
    world.builder.condition(parcel, kind=ConditionKind.DEBT, title="عوارض نوسازی", amount=1_250_000)
    certificate(world, parcel.pk, "PK-1402-77")
    case = walk_to(world, world.open_case(), "awaiting_visit")
    case = record_visit(world.a[Role.INSPECTOR], case, violations=["اضافه طبقه"])
    response = client_for(world.alice).get(url(parcel.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert "عوارض نوسازی" in html
    assert "۱٬۲۵۰٬۰۰۰ ریال" in html
    assert to_persian_digits("PK-1402-77") in html
    assert to_persian_digits(case.tracking_code) in html
    assert f"/cases/{case.pk}/" in html
    assert "تخلفات مشاهده‌شده: اضافه طبقه" in html  # read by the report's checklist
    entries = response.context["file"].entries
    assert [e.at for e in entries] == sorted((e.at for e in entries), reverse=True)
    kinds = {e.kind for e in entries}
    assert {"case", "visit", "condition", "certificate"} <= kinds


def test_a_case_of_another_office_shows_no_tracking_code_or_link(world: City) -> None:
    parcel = world.a.parcel
    theirs = world.open_case(side=world.b, parcel=parcel)
    mine = client_for(world.alice).get(url(parcel.pk))
    html = mine.content.decode()
    assert to_persian_digits(theirs.tracking_code) not in html
    assert f"/cases/{theirs.pk}/" not in html
    assert "پرونده دفتر یا منطقه دیگر" in html
    # the parcel's district staff see it (their district's case), as does the supervisor
    for user in (world.a.district_staff[0], world.supervisor):
        seen = client_for(user).get(url(parcel.pk)).content.decode()
        assert to_persian_digits(theirs.tracking_code) in seen


def test_the_issued_answer_and_the_plan_review_are_in_the_file(world: City) -> None:
    case = walk_to(world, world.open_case(), "response_issued")
    html = client_for(world.alice).get(url(case.parcel_id)).content.decode()
    assert "صدور پاسخ استعلام" in html
    assert "بررسی طرح تفصیلی" in html
    assert "پایان پرونده" in html


def test_citizens_and_strangers_do_not_open_parcel_files(world: City) -> None:
    citizen = client_for(world.citizen.user)
    assert citizen.get(url(world.a.parcel.pk)).status_code == 403
    assert client_for(world.alice).get(url(999_999_999)).status_code == 404


def test_any_staff_role_finds_a_parcel_but_only_the_counter_registers_on_it(
    world: City,
) -> None:
    plate = str(world.a.parcel.plate_main)
    inspector = client_for(world.a[Role.INSPECTOR]).get("/cases/parcels/", {"plate": plate})
    assert inspector.status_code == 200
    html = inspector.content.decode()
    assert url(world.a.parcel.pk) in html
    assert "انتخاب این ملک برای ثبت" not in html
    counter = client_for(world.alice).get("/cases/parcels/", {"plate": plate}).content.decode()
    assert "انتخاب این ملک برای ثبت" in counter


def test_its_query_count_does_not_grow_with_the_history(world: City) -> None:
    parcel = world.a.parcel
    client = client_for(world.alice)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(parcel.pk)).status_code == 200
        return len(queries)

    record_visit(world.a[Role.INSPECTOR], walk_to(world, world.open_case(), "awaiting_visit"))
    before = count()
    for n in range(3):
        case = world.open_case("inquiry_bank" if n % 2 else "inquiry_notary")
        record_visit(world.a[Role.INSPECTOR], walk_to(world, case, "awaiting_visit"))
        world.builder.condition(parcel, title=f"تخلف {n}")
        certificate(world, parcel.pk, f"C-{n}")
    world.open_case(side=world.b, parcel=parcel)
    assert count() == before


@pytest.mark.parametrize("bad", ["0", "abc"])
def test_a_bad_id_is_a_404(world: City, bad: str) -> None:
    assert client_for(world.alice).get(f"/cases/parcels/{bad}/").status_code == 404


def test_a_visit_s_photos_show_in_the_file_of_those_who_see_its_case(world: City) -> None:
    case = walk_to(world, world.open_case(), "awaiting_visit")
    inspector = world.a[Role.INSPECTOR]
    case = record_visit(inspector, case)
    report = case.visit_reports.get()
    photo = do_attach_visit_photo(
        inspector, case.pk, case.version, report.pk, upload(image_bytes("jpeg"), "front.jpg")
    )
    thumbnail = f"/cases/{case.pk}/files/{photo.file.key}/thumbnail/"
    mine = client_for(world.alice).get(url(case.parcel_id)).content.decode()
    assert thumbnail in mine
    theirs = client_for(world.b[Role.TECHNICAL_MANAGER]).get(url(case.parcel_id))
    assert "بازدید" in theirs.content.decode()  # the visit itself is parcel data
    assert thumbnail not in theirs.content.decode()  # its photos belong to the case
