"""Inspection checklists as data (cases/checklists.py): the loader's refusals, the visit
form drawn from the declaration, the action checking the answers itself (hostile input
included), the permit extension's photos, and the migration of the old columns."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pishkhan.cases.actions import do_attach_visit_photo, do_record_visit_report
from pishkhan.cases.checklists import answer_rows, report_checklist
from pishkhan.cases.errors import ActionNotAllowed, WorkflowError
from pishkhan.cases.models import (
    CaseAttachment,
    CaseEvent,
    InquiryResponse,
    VisitReport,
    WorkflowDefinition,
)
from pishkhan.cases.workflow import (
    DEFINITIONS_DIR,
    definition_to_dict,
    parse_definition,
    publish_definition_edit,
    read_definition_file,
)
from pishkhan.core import clock
from pishkhan.offices.roles import Role
from pishkhan.testing.personas import (
    INQUIRY_VISIT,
    City,
    act,
    client_for,
    png_upload,
    record_visit,
    walk_to,
)


def one_hour_ago() -> dt.datetime:
    return clock.now() - dt.timedelta(hours=1)


def notary() -> dict[str, Any]:
    return read_definition_file(DEFINITIONS_DIR / "inquiry_notary.json")


def refusals(document: dict[str, Any]) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        parse_definition(document)
    return [e.code or "" for e in caught.value.error_list]


def messages(document: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as caught:
        parse_definition(document)
    return " ".join(caught.value.messages)


def items(document: dict[str, Any]) -> list[dict[str, Any]]:
    return document["checklists"]["site_visit"]["items"]


# --- the declaration ------------------------------------------------------------------


def test_every_definition_file_declares_the_checklist_its_visit_step_names() -> None:
    for name, checklist in (
        ("inquiry_bank", "site_visit"),
        ("permit_extension", "extension_visit"),
    ):
        spec = parse_definition(read_definition_file(DEFINITIONS_DIR / f"{name}.json"))
        assert [c.code for c in spec.checklists] == [checklist]
        assert [s.checklist for s in spec.states if s.role == "inspector"] == [checklist]


def test_a_state_naming_an_unknown_checklist_is_refused() -> None:
    document = notary()
    for state in document["states"]:
        if state["code"] == "awaiting_visit":
            state["checklist"] = "roof_visit"
    assert "unknown_checklist" in refusals(document)
    assert "unused_checklist" in refusals(document)  # site_visit is named nowhere now


def test_a_checklist_outside_the_inspector_s_step_is_refused() -> None:
    document = notary()
    document["states"][0]["checklist"] = "site_visit"
    assert "checklist_role" in refusals(document)


@pytest.mark.parametrize(
    ("change", "code", "words"),
    [
        (lambda i: i.append({"code": "x1", "label": "x", "type": "video"}), "field_type", "video"),
        (lambda i: i.append(dict(i[0])), "duplicate", "دو بار"),
        (lambda i: i.append({"code": "p2", "label": "عکس", "type": "photo", "min": 50}),
         "field_bounds", "عکس"),
        (lambda i: i.append({"code": "p3", "label": "عکس", "type": "photo", "min": 3, "max": 1}),
         "field_bounds", "min"),
        (lambda i: i.append({"code": "p4", "label": "عکس", "type": "photo", "min": 1.5}),
         "field_bounds", "عکس"),
        (lambda i: i.append({"code": "m1", "label": "چند", "type": "multichoice"}),
         "field_choices", "choices"),
        (lambda i: i[0].update(type="text", choices=[]), "checklist_reserved", "observed_land_use"),
        (lambda i: i[0].update(choices=[["castle", "قلعه"]]), "checklist_reserved", "LandUse"),
        (lambda i: i[3].update(type="text"), "checklist_reserved", "violations_observed"),
        (lambda i: i[5].update(max_length=5000), "field_bounds", "max_length"),
        (lambda i: i.append({"code": "z1", "label": "z", "type": "lines", "max_length": 301}),
         "field_bounds", "max_length"),
        (lambda i: i.append({"code": "z2", "label": "z", "type": "bool", "colour": "red"}),
         "format", "colour"),
        (lambda i: i[5].update(searchable=True), "format", "searchable"),
    ],
)  # fmt: skip
def test_bad_items_are_refused_with_a_clear_message(change: Any, code: str, words: str) -> None:
    document = notary()
    change(items(document))
    assert code in refusals(document)
    assert words in messages(document)
    assert "چک‌لیست «site_visit»" in messages(document)


def test_a_checklist_without_items_or_label_is_refused() -> None:
    document = notary()
    document["checklists"]["site_visit"] = {"label": "", "items": []}
    found = messages(document)
    assert "«label»" in found
    assert "«items»" in found


def test_photo_items_are_refused_in_registration_fields() -> None:
    document = notary()
    document["fields"].append({"code": "selfie", "label": "عکس", "type": "photo"})
    assert "field_type" in refusals(document)


def test_a_definition_without_checklists_keeps_its_checksum_shape() -> None:
    document = notary()
    del document["checklists"]
    for state in document["states"]:
        state.pop("checklist", None)
    canonical = parse_definition(document).as_dict()
    assert "checklists" not in canonical
    assert all("checklist" not in s for s in canonical["states"])


# --- the form and the action ----------------------------------------------------------


def visit_post(case: Any, **answers: Any) -> dict[str, Any]:
    return {
        "version": case.version,
        "visited_on": "۱۴۰۳/۰۱/۱۵",
        "visited_time": "۱۰:۳۰",
        **{f"field_{k}": v for k, v in answers.items()},
    }


def test_the_visit_form_is_drawn_from_the_case_s_checklist(world: City) -> None:
    case = walk_to(world, world.open_case(), "awaiting_visit")
    html = client_for(world.a[Role.INSPECTOR]).get(reverse("cases:detail", args=[case.pk]))
    text = html.content.decode()
    assert "چک‌لیست: بازدید ملک" in text
    for name in ("observed_land_use", "built_area", "floors", "violations_observed", "notes"):
        assert f'name="field_{name}"' in text
    assert 'name="field_photos"' in text
    assert 'type="file"' in text
    assert "مساحت ساخته‌شده (مترمربع)" in text


def test_the_permit_extension_visit_asks_for_its_photos(world: City) -> None:
    case = walk_to(world, world.open_case("permit_extension"), "awaiting_visit")
    inspector = world.a[Role.INSPECTOR]
    client = client_for(inspector)
    text = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'name="field_progress_photos"' in text
    assert "دست‌کم ۲ عکس" in text
    assert 'name="field_violations_observed"' in text
    assert 'type="checkbox"' in text
    answers = {
        "construction_stage": "skeleton",
        "works_progress": "۶۰",
        "floors_built": "۳",
        "conforms_to_permit": "on",
        "violations_observed": ["extra_floor"],
    }
    refused = client.post(
        reverse("cases:visit", args=[case.pk]),
        visit_post(case, **answers, progress_photos=[png_upload("a.png")]),
    )
    assert refused.status_code == 400
    assert "برای «عکس‌های پیشرفت کار» دست‌کم ۲ عکس بارگذاری کنید." in refused.content.decode()
    assert not VisitReport.objects.filter(case=case).exists()
    assert not CaseAttachment.objects.filter(case=case).exists()
    done = client.post(
        reverse("cases:visit", args=[case.pk]),
        visit_post(case, **answers, progress_photos=[png_upload("a.png"), png_upload("b.png")]),
    )
    assert done.status_code == 302
    report = VisitReport.objects.get(case=case)
    assert report.checklist == "extension_visit"
    assert report.answers == {
        "construction_stage": "skeleton",
        "works_progress": 60,
        "floors_built": 3,
        "conforms_to_permit": True,
        "violations_observed": ["extra_floor"],
    }
    assert sorted(report.photos.values_list("checklist_item", flat=True)) == [
        "progress_photos",
        "progress_photos",
    ]
    rows = {r.code: r for r in answer_rows(report_checklist(report), report.answers, {})}
    assert rows["violations_observed"].values == ("اضافه طبقه",)
    assert rows["works_progress"].text == "۶۰ درصد"
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "اضافه طبقه" in page
    assert "اسکلت" in page


def record(world: City, case: Any, answers: dict[str, Any], **more: Any) -> VisitReport:
    """The case's inspector records a visit an hour ago with these answers."""
    return do_record_visit_report(
        world.a[Role.INSPECTOR],
        case.pk,
        case.version,
        visited_at=one_hour_ago(),
        answers=answers,
        **more,
    )


@pytest.mark.parametrize(
    ("answers", "key", "words"),
    [
        ({"colour": "red"}, "__all__", "فیلدی فرستاده شده"),
        ({"observed_land_use": "castle"}, "observed_land_use", "از فهرست انتخاب کنید"),
        ({"notes": "x" * 1_000_000}, "notes", "بیش از اندازه بلند"),
        ({"notes": "a\x00b"}, "notes", "نویسه نامعتبر"),
        ({"violations_observed": ["ok", "bad\x00"]}, "violations_observed", "نویسه نامعتبر"),
        ({"violations_observed": ["x"] * 51}, "violations_observed", "سطر"),
        ({"violations_observed": [{"a": 1}]}, "violations_observed", "معتبر"),
        ({"photos": ["forged.jpg"]}, "photos", "بارگذاری کنید"),
        ({"floors": "201"}, "floors", "بیشتر از"),
    ],
)
def test_hostile_answers_are_refused_in_persian_and_nothing_is_written(
    world: City, answers: dict[str, Any], key: str, words: str
) -> None:
    case = walk_to(world, world.open_case(), "awaiting_visit")
    events = CaseEvent.objects.filter(case=case).count()
    with pytest.raises(ValidationError) as caught:
        record(world, case, INQUIRY_VISIT | answers)
    assert words in " ".join(caught.value.message_dict[key])
    assert not VisitReport.objects.filter(case=case).exists()
    assert CaseEvent.objects.filter(case=case).count() == events


def test_photos_for_an_item_the_checklist_lacks_are_refused(world: City) -> None:
    case = walk_to(world, world.open_case(), "awaiting_visit")
    with pytest.raises(ValidationError) as caught:
        record(world, case, INQUIRY_VISIT, photos={"selfie": [png_upload("s.png")]})
    assert "این چک‌لیست ندارد" in " ".join(caught.value.message_dict["__all__"])
    assert not CaseAttachment.objects.filter(case=case).exists()


def test_a_later_photo_goes_to_a_photo_item_of_the_report(world: City) -> None:
    case = walk_to(world, world.open_case(), "awaiting_visit")
    inspector = world.a[Role.INSPECTOR]
    case = record_visit(inspector, case)
    report = VisitReport.objects.get(case=case)
    with pytest.raises(ActionNotAllowed):
        do_attach_visit_photo(
            inspector, case.pk, case.version, report.pk, png_upload("x.png"), item="roof"
        )
    photo = do_attach_visit_photo(inspector, case.pk, case.version, report.pk, png_upload("x.png"))
    assert photo.checklist_item == "photos"  # the only photo item


# --- the migration of the old columns -------------------------------------------------

BEFORE = [("cases", "0010_visit_checklists")]
AFTER = [("cases", "0012_drop_visit_report_columns")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_the_columns_into_answers_and_back(city: City) -> None:
    case = walk_to(city, city.open_case(), "awaiting_visit")
    record_visit(city.a[Role.INSPECTOR], case, violations=["اضافه بنا"])
    report = VisitReport.objects.get(case=case)
    answers = copy.deepcopy(report.answers)
    stored = WorkflowDefinition.objects.get(pk=case.definition_id).checklists
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)  # back: the answers become the columns again
    old = executor.loader.project_state(BEFORE).apps.get_model("cases", "VisitReport")
    row = old.objects.get(pk=report.pk)
    assert (row.observed_land_use, row.floors, row.violations_observed) == (
        "residential",
        2,
        ["اضافه بنا"],
    )
    assert str(row.built_area) == "180.50"
    assert row.notes == "بازدید انجام شد."
    assert row.checklist == ""
    assert row.answers == {}
    # a row as the old code wrote it: photo references and no notes
    row.photo_refs, row.notes = ["visits/front.jpg"], ""
    row.save()
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)  # forward: the columns become the answers
    report = VisitReport.objects.get(pk=report.pk)
    assert report.checklist == "site_visit"
    assert report.answers == {
        **{k: v for k, v in answers.items() if k != "notes"},
        "photos": ["visits/front.jpg"],
    }
    # the declaration the migration writes is the one the inquiries' file declares
    definition = WorkflowDefinition.objects.get(pk=case.definition_id)
    assert json.dumps(definition.checklists, sort_keys=True) == json.dumps(stored, sort_keys=True)
    rows = {r.code: r.text for r in answer_rows(report_checklist(report), report.answers, {})}
    assert rows["photos"] == "۱ عکس"


# --- the findings in the answer -------------------------------------------------------


def test_the_answer_reports_the_visit_s_findings_from_its_checklist(world: City) -> None:
    first = walk_to(world, world.open_case(), "plan_review")  # the parcel was visited
    case = act(world.a[Role.TECHNICAL_MANAGER], world.open_case(), "instant_response")
    visit = InquiryResponse.objects.get(case=case).visit
    assert visit["case_id"] == first.pk
    assert visit["checklist"] == "site_visit"
    assert visit["findings"] == [
        ["کاربری مشاهده‌شده", "مسکونی"],
        ["مساحت ساخته‌شده", "۱۸۰٫۵ مترمربع"],
        ["تعداد طبقات", "۲"],
    ]  # not the photos, the violations (listed apart) nor the inspector's long notes
    page = client_for(world.a.district_staff[0]).get(reverse("cases:answer", args=[case.pk]))
    html = page.content.decode()
    assert "یافته‌های بازدید" in html
    assert "۱۸۰٫۵ مترمربع" in html
    assert "در بازدید تخلفی مشاهده نشد." in html


def test_a_recent_visit_that_found_a_violation_gives_no_instant_answer(world: City) -> None:
    case = walk_to(world, world.open_case(), "awaiting_visit")
    record_visit(world.a[Role.INSPECTOR], case, violations=["اضافه بنا"])
    with pytest.raises(WorkflowError, match="تخلف دیده شده"):
        act(world.a[Role.TECHNICAL_MANAGER], world.open_case(), "instant_response")


def test_a_case_answers_and_reads_the_checklist_of_its_own_version(world: City) -> None:
    case = walk_to(world, world.open_case(), "awaiting_visit")
    v1 = WorkflowDefinition.objects.get(pk=case.definition_id)
    document = definition_to_dict(v1)
    floors = next(i for i in items(document) if i["code"] == "floors")
    floors["label"] = "طبقات روی زمین"
    assert publish_definition_edit(v1, {"checklists": document["checklists"]}).created
    inspector = client_for(world.a[Role.INSPECTOR])
    page = inspector.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "تعداد طبقات" in page
    assert "طبقات روی زمین" not in page
    record_visit(world.a[Role.INSPECTOR], case)
    report = VisitReport.objects.get(case=case)
    labels = [r.label for r in answer_rows(report_checklist(report), report.answers, {})]
    assert "تعداد طبقات" in labels
    later = walk_to(world, world.open_case(), "awaiting_visit")
    assert later.definition_id != v1.pk
    page = inspector.get(reverse("cases:detail", args=[later.pk])).content.decode()
    assert "طبقات روی زمین" in page


def test_hostile_posts_to_the_visit_form_get_persian_messages_and_write_nothing(
    world: City,
) -> None:
    case = walk_to(world, world.open_case("permit_extension"), "awaiting_visit")
    events = CaseEvent.objects.filter(case=case).count()
    response = client_for(world.a[Role.INSPECTOR]).post(
        reverse("cases:visit", args=[case.pk]),
        visit_post(
            case,
            construction_stage="palace",  # a forged choice
            works_progress="۱۲۰",
            floors_built="x" * 1_000_000,
            violations_observed=["extra_floor", "bribe"],
            notes="a\x00b",
            colour="red",  # an item the checklist does not have: never read
        ),
    )
    html = response.content.decode()
    assert response.status_code == 400
    for message in (
        "«مرحله ساخت» را از فهرست انتخاب کنید.",
        "«پیشرفت فیزیکی کار» نباید بیشتر از ۱۰۰ درصد باشد.",
        "«طبقات ساخته‌شده» بیش از اندازه بلند است.",
        "«تخلفات مشاهده‌شده» را از فهرست انتخاب کنید.",
        "«توضیحات» نویسه نامعتبر دارد.",
        "برای «عکس‌های پیشرفت کار» دست‌کم ۲ عکس بارگذاری کنید.",
    ):
        assert message in html
    assert not VisitReport.objects.filter(case=case).exists()
    assert not CaseAttachment.objects.filter(case=case).exists()
    assert CaseEvent.objects.filter(case=case).count() == events


def test_the_inspector_s_page_queries_do_not_grow_with_the_reports(world: City) -> None:
    inspector = world.a[Role.INSPECTOR]
    few = walk_to(world, world.open_case("permit_extension"), "awaiting_visit")
    many = walk_to(world, world.open_case("permit_extension"), "awaiting_visit")
    for case, reports in ((few, 1), (many, 4)):
        for _ in range(reports):
            case = record_visit(inspector, case)
    client = client_for(inspector)
    client.get(reverse("cases:detail", args=[few.pk]))  # warm the session
    counts = []
    for case in (few, many):
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("cases:detail", args=[case.pk]))
        assert page.status_code == 200
        assert 'name="field_progress_photos"' in page.content.decode()  # the form is there
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert VisitReport.objects.filter(case=many).count() == 4
