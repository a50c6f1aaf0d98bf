"""Definitions are data: loaded from files, validated as a graph, versioned by content."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from pishkhan.cases.errors import ReasonRequired
from pishkhan.cases.models import WorkflowAction, WorkflowDefinition
from pishkhan.cases.workflow import (
    DEFINITIONS_DIR,
    definition_files,
    definition_to_dict,
    load_definition,
    parse_definition,
    publish_definition_edit,
    read_definition_file,
)
from pishkhan.offices.roles import Role
from pishkhan.testing.personas import SERVICES, City, act, walk_to, workflow_service


def notary() -> dict[str, Any]:
    return read_definition_file(DEFINITIONS_DIR / "inquiry_notary.json")


def codes_of(data: dict[str, Any]) -> set[str]:
    with pytest.raises(ValidationError) as caught:
        parse_definition(data)
    return {error.code for error in caught.value.error_list if error.code}


def state(data: dict[str, Any], code: str) -> dict[str, Any]:
    return next(s for s in data["states"] if s["code"] == code)


def action(data: dict[str, Any], code: str) -> dict[str, Any]:
    return next(a for a in data["actions"] if a["code"] == code)


@pytest.mark.parametrize("name", [p.name for p in definition_files()])
def test_every_shipped_definition_is_valid(name: str) -> None:
    spec = parse_definition(read_definition_file(DEFINITIONS_DIR / name))
    assert spec.service in SERVICES


def test_an_unreachable_state_is_refused() -> None:
    data = notary()
    data["states"].append({"code": "limbo", "label": "برزخ", "terminal": True})
    assert codes_of(data) == {"unreachable"}


def test_a_dead_end_is_refused() -> None:
    data = notary()
    data["actions"] = [a for a in data["actions"] if a["from"] != "plan_review"]
    assert "dead_end" in codes_of(data)


def test_an_unknown_state_is_refused() -> None:
    data = notary()
    action(data, "refer_to_inspector")["to"] = "nowhere"
    assert "unknown_state" in codes_of(data)
    data = notary()
    action(data, "refer_to_inspector")["from"] = "nowhere"
    assert "unknown_state" in codes_of(data)


def test_an_unknown_role_is_refused() -> None:
    data = notary()
    action(data, "refer_to_inspector")["roles"] = ["janitor"]
    assert "unknown_role" in codes_of(data)
    data = notary()
    state(data, "plan_review")["role"] = "mayor"
    assert "unknown_role" in codes_of(data)


def test_a_read_only_role_cannot_be_given_an_action() -> None:
    data = notary()
    action(data, "approve_response")["roles"] = [Role.SUPERVISOR]
    assert "read_only_role" in codes_of(data)


def test_an_unregistered_guard_is_refused() -> None:
    data = notary()
    action(data, "approve_response")["guards"] = ["moon_is_full"]
    assert codes_of(data) == {"unknown_guard"}


def test_two_initial_states_are_refused() -> None:
    data = notary()
    state(data, "plan_review")["initial"] = True
    assert "initial_count" in codes_of(data)
    data = notary()
    state(data, "registered")["initial"] = False
    assert "initial_count" in codes_of(data)


def test_a_definition_without_an_end_is_refused() -> None:
    data = notary()
    for s in data["states"]:
        s["terminal"] = False
    assert "no_terminal" in codes_of(data)


def test_entering_a_pause_needs_a_reason() -> None:
    data = notary()
    action(data, "request_documents")["reason_required"] = False
    assert codes_of(data) == {"pause_without_reason"}


def test_an_undeclared_document_is_refused() -> None:
    data = notary()
    state(data, "registered")["documents_required"].append("birth_certificate")
    assert codes_of(data) == {"unknown_document"}


def test_a_state_its_acting_role_cannot_leave_is_refused() -> None:
    data = notary()
    state(data, "plan_review")["role"] = Role.INSPECTOR
    assert codes_of(data) == {"acting_role_cannot_act"}


def test_every_problem_is_listed_at_once_in_persian() -> None:
    data = notary()
    action(data, "refer_to_inspector")["to"] = "nowhere"
    action(data, "approve_response")["guards"] = ["moon_is_full"]
    with pytest.raises(ValidationError) as caught:
        parse_definition(data)
    messages = caught.value.messages
    assert any("nowhere" in m and "تعریف نشده" in m for m in messages)
    assert any("moon_is_full" in m and "ثبت نشده" in m for m in messages)


@pytest.mark.parametrize("broken", [[], "x", {"service": "inquiry_notary"}])
def test_malformed_documents_are_refused(broken: Any) -> None:
    with pytest.raises(ValidationError):
        parse_definition(broken)


# --- loading and versions -------------------------------------------------------------


@pytest.mark.django_db
def test_loading_an_unchanged_file_is_a_no_op() -> None:
    workflow_service("inquiry_notary")
    path = DEFINITIONS_DIR / "inquiry_notary.json"
    first = load_definition(path)
    again = load_definition(path)
    assert first.created
    assert not again.created
    assert again.definition.pk == first.definition.pk
    assert first.definition.loaded_from == str(path)
    assert WorkflowDefinition.objects.count() == 1


@pytest.mark.django_db
def test_a_definition_for_an_unknown_service_is_refused() -> None:
    with pytest.raises(ValidationError, match="unknown service"):
        load_definition(DEFINITIONS_DIR / "inquiry_notary.json")


@pytest.mark.django_db
def test_a_stored_version_reads_back_as_its_document() -> None:
    workflow_service("inquiry_notary")
    stored = load_definition(notary()).definition
    assert not load_definition(definition_to_dict(stored)).created
    assert WorkflowAction.objects.filter(definition=stored, code="cancel").count() == 3


def test_a_changed_file_is_a_new_version_and_open_cases_keep_theirs(
    world: City, tmp_path: Path
) -> None:
    # given a case opened on version 1
    old_case = world.open_case()
    v1 = old_case.definition
    # when the file changes: plan review now needs a reason to finish
    data = notary()
    action(data, "complete_plan_review")["reason_required"] = True
    path = tmp_path / "inquiry_notary.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = load_definition(path)
    # then version 2 takes new cases and version 1 still runs the old one
    v1.refresh_from_db()
    assert result.created
    assert result.definition.version == 2
    assert result.definition.is_active
    assert not v1.is_active
    new_case = world.open_case()
    assert new_case.definition_id == result.definition.pk
    old_case = walk_to(world, old_case, "district_review")
    assert old_case.definition_id == v1.pk
    new_case = walk_to(world, new_case, "plan_review")
    with pytest.raises(ReasonRequired):
        act(world.a[Role.PLAN_REVIEWER], new_case, "complete_plan_review")


def test_an_edit_publishes_a_new_version(world: City) -> None:
    v1 = world.services["inquiry_bank"].workflow_definitions.get(is_active=True)
    settings = {"instant_response_max_visit_age_days": 90}
    v2 = publish_definition_edit(v1, {"settings": settings}).definition
    assert (v2.version, v2.settings, v2.is_active) == (2, settings, True)
    assert definition_to_dict(v1)["settings"] != settings
    broken = copy.deepcopy(definition_to_dict(v2))
    broken["states"] = broken["states"][:3]
    with pytest.raises(ValidationError):
        publish_definition_edit(v2, {"states": broken["states"]})
    assert WorkflowDefinition.objects.get(pk=v2.pk).is_active


@pytest.mark.django_db
def test_the_command_loads_every_file_and_the_holidays() -> None:
    for code in SERVICES:
        workflow_service(code)
    call_command("load_workflows")
    assert set(WorkflowDefinition.objects.values_list("service_type__code", flat=True)) == set(
        SERVICES
    )
    call_command("load_workflows")
    assert WorkflowDefinition.objects.count() == len(SERVICES)


def test_a_definition_must_agree_with_the_catalogs_checklist(world: City) -> None:
    service = world.services["inquiry_notary"]
    service.documents.create(title="نامه استعلام دفترخانه اسناد رسمی", is_mandatory=True)
    service.documents.create(title="وکالت‌نامه رسمی", is_mandatory=True)  # never required
    document = read_definition_file(DEFINITIONS_DIR / "inquiry_notary.json")
    document["documents"]["owner_id_card"] = "مدرکی که کاتالوگ ندارد"
    with pytest.raises(ValidationError) as refused:
        load_definition({**document, "sla_hours": 71})
    codes = {e.code for e in refused.value.error_list}
    assert {"document_not_in_catalog", "mandatory_document_unused"} <= codes


def test_the_shipped_inquiry_definitions_share_one_base() -> None:
    notary = read_definition_file(DEFINITIONS_DIR / "inquiry_notary.json")
    bank = read_definition_file(DEFINITIONS_DIR / "inquiry_bank.json")
    differs = {k for k in notary if notary[k] != bank[k]}
    assert differs == {"service", "title", "documents", "settings", "fields"}
    # the answer of each serves its own purpose, on the base's instant-answer rules
    assert notary["settings"]["response"]["valid_for"] != bank["settings"]["response"]["valid_for"]
    assert notary["settings"]["instant_certificate"] == bank["settings"]["instant_certificate"]
    assert notary["documents"].keys() == bank["documents"].keys()
