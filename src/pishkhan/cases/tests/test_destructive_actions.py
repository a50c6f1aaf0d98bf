"""Destructive actions (a cancellation, a rejection, a send-back): marked in the
definition, shown apart in a danger style, and taken only once confirmed — the server
refuses an unconfirmed one, so two clicks by accident never reject a case."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from pishkhan.cases.actions import do_perform_action
from pishkhan.cases.errors import ConfirmationRequired
from pishkhan.cases.models import Case, CaseEvent, WorkflowAction
from pishkhan.cases.workflow import DEFINITIONS_DIR, parse_definition, read_definition_file
from pishkhan.offices.roles import Role
from pishkhan.testing.personas import City, client_for, walk_to

WHY = "متقاضی منصرف شد"


def loader_codes(data: dict[str, Any]) -> set[str]:
    with pytest.raises(ValidationError) as caught:
        parse_definition(data)
    return {e.code for e in caught.value.error_list if e.code}


def test_the_definitions_mark_their_cancellations_and_rejections() -> None:
    marked: set[tuple[str, str]] = set()
    for name in ("inquiry_notary.json", "inquiry_bank.json", "permit_extension.json"):
        spec = parse_definition(read_definition_file(DEFINITIONS_DIR / name))
        marked |= {(spec.service, a.code) for a in spec.actions if a.destructive}
    assert marked == {
        (service, code)
        for service in ("inquiry_notary", "inquiry_bank")
        for code in ("cancel", "prepare_rejection", "confirm_rejection")
    } | {
        ("permit_extension", "withdraw"),
        ("permit_extension", "prepare_rejection"),
        ("permit_extension", "confirm_rejection"),
    }


def test_the_loader_refuses_a_destructive_action_without_a_reason_or_a_bad_flag() -> None:
    data = read_definition_file(DEFINITIONS_DIR / "inquiry_notary.json")
    refer = next(a for a in data["actions"] if a["code"] == "refer_to_inspector")
    refer["destructive"] = True
    assert loader_codes(data) == {"destructive_without_reason"}
    refer["destructive"] = "yes"
    assert loader_codes(data) == {"format"}
    refer["destructive"] = False
    parse_definition(data)


def test_a_definition_without_destructive_actions_keeps_its_checksum() -> None:
    """The key is left out of the canonical document when false, so a version stored
    before it existed still matches its file."""
    data = read_definition_file(DEFINITIONS_DIR / "inquiry_notary.json")
    spec = parse_definition(data)
    actions = spec.as_dict()["actions"]
    assert [a["code"] for a in actions if "destructive" in a] == [
        "cancel",
        "cancel",
        "cancel",
        "prepare_rejection",
        "prepare_rejection",
        "confirm_rejection",
    ]
    for action in data["actions"]:
        action.pop("destructive", None)
    unmarked = parse_definition(data).as_dict()["actions"]
    assert all("destructive" not in a for a in unmarked)


def test_a_send_back_is_destructive_and_a_forward_action_is_not(world: City) -> None:
    case = world.open_case()
    by_code = {a.code: a for a in WorkflowAction.objects.filter(definition=case.definition)}
    assert by_code["cancel"].is_destructive
    assert by_code["confirm_rejection"].is_destructive
    assert by_code["send_back_for_revision"].is_destructive  # send_back, no key needed
    assert not by_code["send_back_for_revision"].destructive
    assert not by_code["refer_to_inspector"].is_destructive
    assert not by_code["approve_response"].is_destructive


def test_an_unconfirmed_destructive_action_is_refused_and_nothing_changes(world: City) -> None:
    case = world.open_case()
    with pytest.raises(ConfirmationRequired, match="مطمئنم"):
        do_perform_action(world.alice, case.pk, "cancel", case.version, WHY, confirmed=False)
    case.refresh_from_db()
    assert (case.state, case.version) == ("registered", 1)
    # a forward action needs no confirmation; a confirmed destructive one is taken
    moved = do_perform_action(world.alice, case.pk, "refer_to_inspector", 1, confirmed=False)
    assert moved.state == "awaiting_visit"
    back = do_perform_action(
        world.bob, case.pk, "return_to_registration", 2, "نشانی نادرست", confirmed=True
    )
    assert back.state == "registered"


def post(user: Any, case: Case, **data: str) -> Any:
    return client_for(user).post(
        reverse("cases:act", args=[case.pk]), {"version": str(case.version), **data}
    )


def test_the_page_refuses_a_destructive_action_without_its_checkbox(world: City) -> None:
    case = world.open_case()
    refused = post(world.alice, case, action="cancel", reason=WHY)
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "«انصراف متقاضی» پرونده را برمی‌گرداند یا به پایان می‌رساند" in body
    assert f">{WHY}</textarea>" in body  # what was typed is not lost
    case.refresh_from_db()
    assert (case.state, CaseEvent.objects.filter(case=case).count()) == ("registered", 1)

    done = post(world.alice, case, action="cancel", reason=WHY, confirmed="1")
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.state == "cancelled"


def forms_of(body: str) -> dict[str, str]:
    """Each action form of the page by its action code."""
    found = re.findall(r'<form[^>]*class="case-action[^"]*"[^>]*>.*?</form>', body, re.S)
    codes = [re.search(r'name="action" value="([a-z_]+)"', f) for f in found]
    return {code[1]: f for code, f in zip(codes, found, strict=True) if code}


def test_destructive_actions_are_shown_apart_in_red_with_a_required_confirmation(
    world: City,
) -> None:
    case = world.open_case()
    body = client_for(world.alice).get(reverse("cases:detail", args=[case.pk])).content.decode()
    forms = forms_of(body)
    assert {"refer_to_inspector", "request_documents", "cancel"} <= set(forms)
    cancel = forms["cancel"]
    assert "case-action-danger" in cancel
    assert re.search(
        r'<input type="checkbox" id="confirm-\d+" name="confirmed" value="1" required>', cancel
    )
    assert 'class="button danger"' in cancel
    for code in ("refer_to_inspector", "request_documents"):
        assert "case-action-danger" not in forms[code]
        assert 'name="confirmed"' not in forms[code]
    # the danger zone comes after every forward action, under its own heading
    zone = body.index('id="case-danger-title"')
    assert body.index('value="refer_to_inspector"') < zone < body.index('value="cancel"')

    # a send-back is in the danger zone too; the forward action is not
    at_district = walk_to(world, world.open_case(), "district_review")
    page = client_for(world.dave).get(reverse("cases:detail", args=[at_district.pk]))
    body = page.content.decode()
    zone = body.index('id="case-danger-title"')
    assert body.index('value="send_back_to_plan_review"') > zone
    assert body.index('value="prepare_rejection"') > zone


def test_a_page_without_destructive_actions_has_no_danger_zone(world: City) -> None:
    case = walk_to(world, world.open_case(), "awaiting_visit")
    other = client_for(world.a[Role.FOLLOW_UP_OFFICER])
    body = other.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "case-danger-title" not in body
