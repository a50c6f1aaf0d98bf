"""Declared application fields: a definition's "fields" are checked when it loads, stored
on its version, and every posted value is validated by one function (cases/fields.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from pishkhan.cases.fields import (
    FieldSpec,
    clean_values,
    declared_fields,
    display_rows,
    parse_fields,
    searchable_fields,
)
from pishkhan.cases.models import WorkflowDefinition
from pishkhan.cases.workflow import (
    DEFINITIONS_DIR,
    definition_to_dict,
    load_definition,
    parse_definition,
    publish_definition_edit,
    read_definition_file,
)
from pishkhan.testing.personas import City

TODAY = dt.date(2026, 12, 2)  # ۱۴۰۵/۰۹/۱۱


def notary() -> dict[str, Any]:
    return read_definition_file(DEFINITIONS_DIR / "inquiry_notary.json")


def codes_of(fields: Any) -> set[str]:
    data = {**notary(), "fields": fields}
    with pytest.raises(ValidationError) as caught:
        parse_definition(data)
    return {error.code for error in caught.value.error_list if error.code}


def spec(**kw: Any) -> FieldSpec:
    specs, problems = parse_fields([{"code": "ff", "label": "فیلد", **kw}])
    assert not problems, problems
    return specs[0]


def clean(field: FieldSpec, value: Any) -> Any:
    return clean_values([field], {field.code: value}, today=TODAY).get(field.code)


def refusal(field: FieldSpec, value: Any) -> str:
    with pytest.raises(ValidationError) as caught:
        clean_values([field], {field.code: value}, today=TODAY)
    return " ".join(caught.value.message_dict[field.code])


# --- the declaration at load ------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ([{"code": "x1", "label": "ا", "type": "money"}], "field_type"),
        ([{"code": "x1", "label": "ا", "type": "text"}] * 2, "duplicate"),
        ([{"code": "X-1", "label": "ا", "type": "text"}], "bad_code"),
        ([{"code": "x1", "label": "ا", "type": "integer", "min": 5, "max": 1}], "field_bounds"),
        ([{"code": "x1", "label": "ا", "type": "integer", "min": "a"}], "field_bounds"),
        ([{"code": "x1", "label": "ا", "type": "integer", "min": 1.5}], "field_bounds"),
        ([{"code": "x1", "label": "ا", "type": "text", "max": 3}], "field_bounds"),
        ([{"code": "x1", "label": "ا", "type": "text", "max_length": 0}], "field_bounds"),
        ([{"code": "x1", "label": "ا", "type": "text", "max_length": 10**6}], "field_bounds"),
        ([{"code": "x1", "label": "ا", "type": "date", "min": "1405/01/01"}], "field_bounds"),
        (
            [{"code": "x1", "label": "ا", "type": "date", "min": "2030-01-01", "max": "today"}],
            "field_bounds",
        ),
        ([{"code": "x1", "label": "ا", "type": "choice"}], "field_choices"),
        (
            [{"code": "x1", "label": "ا", "type": "choice", "choices": [["a", "ب"]] * 2}],
            "field_choices",
        ),
        ([{"code": "x1", "label": "ا", "type": "text", "choices": [["a", "ب"]]}], "field_choices"),
        ([{"code": "x1", "label": "", "type": "text"}], "format"),
        ([{"code": "x1", "label": "ا", "type": "text", "requried": True}], "format"),
        ([{"code": "x1", "label": "ا", "type": "text", "required": "yes"}], "format"),
        ({"code": "x1"}, "format"),
        (["x1"], "format"),
    ],
)
def test_a_bad_declaration_is_refused_at_load(fields: Any, code: str) -> None:
    assert code in codes_of(fields)


def test_every_field_problem_is_listed_in_persian() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_definition(
            {
                **notary(),
                "fields": [
                    {"code": "a1", "label": "ا", "type": "money"},
                    {"code": "b1", "label": "ب", "type": "integer", "min": 9, "max": 1},
                ],
            }
        )
    messages = [e.message for e in caught.value.error_list]
    assert any("a1" in m and "نوع" in m for m in messages)
    assert any("b1" in m and "بزرگ‌تر" in m for m in messages)


def test_the_fields_are_stored_on_the_version_and_read_back(world: City) -> None:
    definition = WorkflowDefinition.objects.get(service_type__code="inquiry_notary", is_active=True)
    assert [f.code for f in declared_fields(definition)] == [
        "notary_office_number",
        "letter_number",
        "letter_date",
    ]
    document = definition_to_dict(definition)
    assert document["fields"][1]["searchable"] is True
    assert load_definition(document).created is False  # the canonical document round-trips


def test_a_definition_without_fields_keeps_its_checksum(world: City) -> None:
    permit = WorkflowDefinition.objects.get(service_type__code="permit_extension")
    bare = publish_definition_edit(permit, {"fields": [], "settings": {}}).definition
    assert "fields" not in definition_to_dict(bare)
    assert bare.fields == []
    assert parse_definition(definition_to_dict(bare)).checksum == bare.checksum


def test_the_letter_number_is_searchable_in_both_inquiries(world: City) -> None:
    for code in ("inquiry_notary", "inquiry_bank"):
        definition = WorkflowDefinition.objects.get(service_type__code=code, is_active=True)
        assert [f.code for f in searchable_fields(definition)] == ["letter_number"]


def test_an_edit_of_the_fields_is_a_new_version(world: City) -> None:
    definition = WorkflowDefinition.objects.get(service_type__code="inquiry_notary")
    fields = definition_to_dict(definition)["fields"][:1]
    edited = publish_definition_edit(definition, {"fields": fields}).definition
    assert edited.version == definition.version + 1
    assert [f.code for f in declared_fields(edited)] == ["notary_office_number"]
    assert len(declared_fields(definition)) == 3  # the old version keeps its own


# --- posted values ----------------------------------------------------------------------


def test_text_is_normalised_to_ascii_digits_and_persian_letters() -> None:
    assert clean(spec(type="text", max_length=40), "  ۱۲۳/ك/٤٥  ") == "123/ک/45"


def test_text_longer_than_declared_is_refused() -> None:
    assert "۴۰" in refusal(spec(type="text", max_length=40), "x" * 41)


@pytest.mark.parametrize("kind", ["text", "integer", "decimal", "date", "choice", "bool"])
def test_hostile_input_gets_a_persian_message(kind: str) -> None:
    extra: dict[str, Any] = {"choices": [["a1", "الف"]]} if kind == "choice" else {}
    field = spec(type=kind, **extra)
    for hostile in ("12\x0034", "۱" * 1_000_000, {"a": 1}, ["1"], 1.5j):
        message = refusal(field, hostile)
        assert "«فیلد»" in message


def test_a_required_field_must_be_given() -> None:
    assert "وارد کنید" in refusal(spec(type="text", required=True), "  ")
    assert "وارد کنید" in refusal(spec(type="integer", required=True), None)


def test_an_empty_optional_field_is_not_stored() -> None:
    assert clean_values([spec(type="integer")], {"ff": ""}, today=TODAY) == {}


def test_integers_accept_persian_digits_and_separators_within_bounds() -> None:
    field = spec(type="integer", min=1, max=99999, unit="عدد")
    assert clean(field, "۱۲٬۳۴۵") == 12345
    assert clean(field, 7) == 7
    assert "کمتر از ۱" in refusal(field, "0")
    assert "بیشتر از ۹۹۹۹۹" in refusal(field, "100000")
    assert "عدد صحیح" in refusal(field, "12.5")
    assert "عدد صحیح" in refusal(field, True)


def test_decimals_are_stored_as_exact_strings() -> None:
    field = spec(type="decimal", min=0, max=1000, unit="متر")
    assert clean(field, "۱۲٫۵۰") == "12.5"
    assert clean(field, 3) == "3"
    assert "بیشتر از ۱۰۰۰ متر" in refusal(field, "1000.5")
    assert "اعشار" in refusal(field, "1.23456")


def test_dates_are_read_jalali_and_stored_iso() -> None:
    field = spec(type="date", max="today")
    assert clean(field, "۱۴۰۵/۰۹/۱۱") == "2026-12-02"
    assert clean(field, "1405-9-1") == "2026-11-22"
    assert clean(field, "2026-11-22") == "2026-11-22"  # what is stored reads again
    assert "آینده" in refusal(field, "۱۴۰۵/۰۹/۱۲")
    assert "شمسی" in refusal(field, "2026/11/22")
    assert "وجود ندارد" in refusal(field, "۱۴۰۵/۰۷/۳۱")


def test_choices_take_only_declared_codes() -> None:
    field = spec(type="choice", choices=[["melli", "بانک ملی ایران"]])
    assert clean(field, "melli") == "melli"
    assert "از فهرست" in refusal(field, "unknown")


def test_a_bool_is_a_checkbox() -> None:
    assert clean(spec(type="bool"), "on") is True
    assert clean(spec(type="bool"), None) is False
    assert "تأیید" in refusal(spec(type="bool", required=True), "")


def test_an_unknown_field_code_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        clean_values([spec(type="text")], {"ff": "x", "forged": "y"}, today=TODAY)
    assert "ندارد" in caught.value.message_dict["__all__"][0]


@pytest.mark.parametrize("posted", ["ff=x", ["ff"], {str(i): i for i in range(100)}])
def test_a_malformed_whole_is_refused(posted: Any) -> None:
    with pytest.raises(ValidationError):
        clean_values([spec(type="text")], posted, today=TODAY)


def test_values_are_shown_in_persian() -> None:
    specs, _ = parse_fields(
        [
            {"code": "n1", "label": "شماره", "type": "integer", "unit": "عدد"},
            {"code": "d1", "label": "تاریخ", "type": "date"},
            {"code": "c1", "label": "بانک", "type": "choice", "choices": [["melli", "ملی"]]},
            {"code": "b1", "label": "فوری", "type": "bool"},
            {"code": "t1", "label": "خالی", "type": "text"},
        ]
    )
    data = {"n1": 12345, "d1": "2026-12-02", "c1": "melli", "b1": True}
    rows = [(r.label, r.text) for r in display_rows(specs, data)]
    assert rows == [
        ("شماره", "۱۲٬۳۴۵ عدد"),
        ("تاریخ", "۱۴۰۵/۰۹/۱۱"),
        ("بانک", "ملی"),
        ("فوری", "بله"),
    ]
