"""Correcting the declared fields of a case (``Case.data``: the notary's letter number
and date …) through the corrections registry: checked by the function registration
checks them with (fields.clean_values), one ``correct_case`` event with before and after
of the fields that changed, and a form on the case page prefilled as people type."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from pishkhan.cases.actions import do_correct_case
from pishkhan.cases.errors import (
    ActionNotAllowed,
    InvalidFieldValues,
    InvalidInput,
    NothingChanged,
)
from pishkhan.cases.fields import clean_values, declared_fields
from pishkhan.cases.models import Case, CaseEvent, WorkflowDefinition
from pishkhan.cases.search import search_condition
from pishkhan.cases.workflow import publish_definition_edit
from pishkhan.testing.personas import LETTER_DATE, City, client_for, walk_to

WHY = "شماره نامه دفترخانه اشتباه ثبت شده بود"


def correct(user: Any, case: Case, **data: Any) -> Case:
    return do_correct_case(user, case.pk, case.version, reason=WHY, changes={"data": data})


def test_a_letter_correction_is_one_event_with_before_and_after_of_what_changed(
    world: City,
) -> None:
    case = world.open_case()
    before = dict(case.data)
    case = correct(world.alice, case, letter_number="۱۴۰۲/۴۵۲۲", letter_date="۱۴۰۲/۰۱/۰۳")
    assert case.data == {**before, "letter_number": "1402/4522", "letter_date": "2023-03-23"}
    assert case.version == 2
    event = CaseEvent.objects.get(case=case, seq=2)
    assert (event.action, event.actor_id, event.reason) == ("correct_case", world.alice.pk, WHY)
    change = event.payload["changes"]["data"]
    assert (change["before"], change["after"]) == (before, case.data)
    # the texts name only the fields that changed, as people read them
    assert change["before_text"] == "شماره نامه: ۱۴۰۲/۴۵۲۱؛ تاریخ نامه: ۱۴۰۲/۰۱/۰۲"
    assert change["after_text"] == "شماره نامه: ۱۴۰۲/۴۵۲۲؛ تاریخ نامه: ۱۴۰۲/۰۱/۰۳"
    # the timeline shows it, and a search finds the case by its new letter number
    page = client_for(world.alice).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "مشخصات درخواست: شماره نامه: ۱۴۰۲/۴۵۲۱؛" in page
    assert Case.objects.filter(search_condition("۱۴۰۲/۴۵۲۲"), pk=case.pk).exists()
    assert not Case.objects.filter(search_condition("۱۴۰۲/۴۵۲۱"), pk=case.pk).exists()


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ({"letter_date": "۱۴۹۹/۰۱/۰۱"}, "letter_date"),  # after the day of registration
        ({"letter_date": "۱۴۰۴/۱۲/۳۰"}, "letter_date"),  # 1404 is not a leap year
        ({"letter_date": "2023-02-30"}, "letter_date"),
        ({"notary_office_number": "۰"}, "notary_office_number"),
        ({"notary_office_number": "دوازده"}, "notary_office_number"),
        ({"letter_number": ""}, "letter_number"),  # required
        ({"letter_number": "۱" * 41}, "letter_number"),
        ({"mortgage_amount": "۱۰"}, "__all__"),  # a field the service does not declare
    ],
)
def test_a_bad_value_is_refused_as_at_registration_and_nothing_is_written(
    world: City, typed: dict[str, str], code: str
) -> None:
    case = world.open_case()
    with pytest.raises(InvalidFieldValues) as refused:
        correct(world.alice, case, **typed)
    # the same messages registration gives for the same values, on its day
    specs = declared_fields(case.definition)
    with pytest.raises(ValidationError) as at_registration:
        clean_values(specs, {**case.data, **typed}, today=timezone.localdate(case.opened_at))
    assert refused.value.errors == at_registration.value.message_dict
    assert code in refused.value.errors
    case.refresh_from_db()
    assert (case.version, CaseEvent.objects.filter(case=case).count()) == (1, 1)


def test_the_letter_dates_bound_is_the_day_of_registration(world: City) -> None:
    case = world.open_case()
    registered = timezone.localdate(case.opened_at)
    Case.objects.filter(pk=case.pk).update(opened_at=case.opened_at - dt.timedelta(days=30))
    case.refresh_from_db()
    with pytest.raises(InvalidFieldValues, match="نمی‌تواند در آینده باشد"):
        correct(world.alice, case, letter_date=registered.isoformat())
    case = correct(world.alice, case, letter_date=LETTER_DATE.replace("22", "21"))
    assert case.data["letter_date"] == "2023-03-21"


def test_an_unchanged_value_is_nothing_to_correct_and_a_bad_shape_is_refused(
    world: City,
) -> None:
    case = world.open_case()
    with pytest.raises(NothingChanged):
        correct(world.alice, case, letter_number="۱۴۰۲/۴۵۲۱")  # the same, typed in Persian
    with pytest.raises(InvalidInput, match="معتبر نیست"):
        do_correct_case(world.alice, case.pk, 1, reason=WHY, changes={"data": ["x"]})
    # a version of a service that declares no fields (and so no permit rules)
    definition = WorkflowDefinition.objects.get(service_type__code="permit_extension")
    publish_definition_edit(definition, {"fields": [], "settings": {}})
    permit = world.open_case("permit_extension", data={})
    with pytest.raises(InvalidInput, match="مشخصات درخواستی ندارد"):
        correct(world.alice, permit, letter_number="1")


def test_only_while_the_step_allows_it(world: City) -> None:
    case = walk_to(world, world.open_case(), "awaiting_visit")
    with pytest.raises(ActionNotAllowed):
        correct(world.alice, case, letter_number="1402/9")
    with pytest.raises(ActionNotAllowed):
        correct(world.bob, case, letter_number="1402/9")


def test_a_bank_letter_is_corrected_with_its_choice_of_bank(world: City) -> None:
    case = world.open_case("inquiry_bank")
    with pytest.raises(InvalidFieldValues, match="از فهرست انتخاب کنید"):
        correct(world.alice, case, bank="nowhere")
    choices = dict(next(s for s in declared_fields(case.definition) if s.code == "bank").choices)
    other = next(code for code in choices if code != case.data["bank"])
    case = correct(world.alice, case, bank=other)
    assert case.data["bank"] == other
    change = CaseEvent.objects.get(case=case, seq=2).payload["changes"]["data"]
    assert change["after_text"] == f"نام بانک: {choices[other]}"


def inputs(body: str) -> dict[str, str]:
    form = re.search(r'<form[^>]*class="case-action case-correct".*?</form>', body, re.S)
    assert form is not None
    found = re.findall(r'<input[^>]*name="(field_[a-z_]+)"[^>]*>', form[0])
    values = {}
    for name in found:
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', form[0])
        assert tag is not None
        value = re.search(r'value="([^"]*)"', tag[0])
        values[name] = value[1] if value else ""
    return values


def test_the_case_page_form_is_prefilled_as_people_type_and_posts_a_correction(
    world: City,
) -> None:
    case = world.open_case()
    client = client_for(world.alice)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert inputs(page) == {
        "field_notary_office_number": "۱۱۲",
        "field_letter_number": "۱۴۰۲/۴۵۲۱",
        "field_letter_date": "۱۴۰۲/۰۱/۰۲",
    }
    assert "pishkhan/datepicker.js" in page  # the letter's date is a date input

    url = reverse("cases:correct", args=[case.pk])
    posted = {
        "version": "1",
        "reason": WHY,
        "documents_checked": list(case.documents_checked),
        "field_notary_office_number": "۱۱۲",
        "field_letter_number": "۱۴۰۲/۴۵۲۱",
        "field_letter_date": "۱۴۰۲/۰۱/۴۰",
    }
    refused = client.post(url, posted)
    assert refused.status_code == 400
    body = refused.content.decode()
    assert 'id="id_field_letter_date-error"' in body
    assert "«تاریخ نامه»: این تاریخ شمسی وجود ندارد." in body
    assert 'value="۱۴۰۲/۰۱/۴۰"' in body  # what was typed is shown again
    assert CaseEvent.objects.filter(case=case).count() == 1

    done = client.post(url, {**posted, "field_letter_date": "۱۴۰۲/۰۱/۰۵"})
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.data["letter_date"] == "2023-03-25"
    assert case.data["letter_number"] == "1402/4521"
    change = CaseEvent.objects.get(case=case, seq=2).payload["changes"]
    assert set(change) == {"data"}  # the unchanged checklist is not a change


def test_the_page_of_a_case_past_registration_has_no_correction_form(world: City) -> None:
    case = walk_to(world, world.open_case(), "awaiting_visit")
    page = client_for(world.alice).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "case-correct" not in page
    assert "pishkhan/datepicker.js" not in page
