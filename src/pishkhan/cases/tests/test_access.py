"""Scopes: who sees which case, and the authorization matrix (foreign case → 404)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone

from pishkhan.accounts.models import User
from pishkhan.cases.access import access_case_by_id, cases_visible_to
from pishkhan.cases.actions import (
    do_claim_case,
    do_perform_action,
    do_record_visit_report,
    do_release_case,
)
from pishkhan.cases.errors import RoleNotAllowed, WorkflowError
from pishkhan.cases.models import Case, CaseEvent, VisitReport
from pishkhan.cases.workflow import DEFINITIONS_DIR, read_definition_file
from pishkhan.offices.roles import Role
from pishkhan.testing.personas import INQUIRY_VISIT, City, act, walk_to

NOTARY = read_definition_file(DEFINITIONS_DIR / "inquiry_notary.json")


def snapshot(case: Case) -> tuple[Any, ...]:
    case.refresh_from_db()
    return (
        case.state,
        case.version,
        case.assignee_id,
        case.prepared_by_id,
        case.approved_by_id,
        CaseEvent.objects.filter(case=case).count(),
        VisitReport.objects.filter(case=case).count(),
    )


def reach(world: City, state: str) -> Case:
    """A fresh notary case of office A in `state`."""
    case = world.open_case()
    if state == "awaiting_documents":
        return act(world.a[Role.TECHNICAL_MANAGER], case, "request_documents", reason="ناخوانا")
    return walk_to(world, case, state)


def every_write(user: User, case: Case) -> list[Any]:
    """Every write a person could try on a case, as calls to make."""
    codes = {a["code"] for a in NOTARY["actions"]}
    calls: list[Any] = [
        lambda code=code: do_perform_action(user, case.pk, code, case.version, reason="علت")
        for code in sorted(codes)
    ]
    calls += [
        lambda: do_claim_case(user, case.pk, case.version),
        lambda: do_release_case(user, case.pk, case.version),
        lambda: do_record_visit_report(
            user,
            case.pk,
            case.version,
            visited_at=timezone.now() - dt.timedelta(hours=1),
            answers=dict(INQUIRY_VISIT),
        ),
    ]
    return calls


# --- visibility -----------------------------------------------------------------------


def test_each_role_sees_its_scope(world: City) -> None:
    case_a, case_b = world.open_case(side=world.a), world.open_case(side=world.b)
    mine = world.open_case(side=world.b, applicant=world.other_citizen)
    expected = {
        "a.technical_manager": {case_a},
        "a.inspector": {case_a},
        "a.plan_reviewer": {case_a},
        "a.follow_up_officer": {case_a},
        "a.office_manager": {case_a},
        "a.district_staff.0": {case_a},
        "b.inspector": {case_b, mine},
        "b.district_staff.1": {case_b, mine},
        "supervisor": {case_a, case_b, mine},
        "administrator": {case_a, case_b, mine},
        "citizen": {case_a, case_b},
        "other_citizen": {mine},
    }
    people = world.everyone()
    for name, cases in expected.items():
        assert set(cases_visible_to(people[name])) == cases, name


def test_nobody_signed_out_or_inactive_sees_anything(world: City) -> None:
    case = world.open_case()
    assert not cases_visible_to(AnonymousUser()).exists()
    tm = world.a[Role.TECHNICAL_MANAGER]
    tm.is_active = False
    tm.save(update_fields=["is_active"])
    with pytest.raises(Http404):
        access_case_by_id(tm, case.pk)


def test_district_staff_follow_the_parcel_not_the_office(world: City) -> None:
    from pishkhan.cases.actions import do_open_case
    from pishkhan.cases.models import Channel
    from pishkhan.testing.personas import INQUIRY_DOCUMENTS, application_data

    # office A registers an inquiry about a parcel in district B
    case = do_open_case(
        world.a[Role.TECHNICAL_MANAGER],
        world.services["inquiry_notary"],
        world.citizen,
        world.b.parcel,
        world.a.office,
        Channel.IN_PERSON,
        INQUIRY_DOCUMENTS,
        data=application_data("inquiry_notary"),
    )
    assert case.district_id == world.b.district.pk
    assert access_case_by_id(world.b.district_staff[0], case.pk) == case
    assert access_case_by_id(world.a[Role.INSPECTOR], case.pk) == case
    with pytest.raises(Http404):
        access_case_by_id(world.a.district_staff[0], case.pk)


@pytest.mark.parametrize("bad_id", ["abc", None, "", "1; DROP TABLE", -1, 10**12])
def test_a_malformed_or_missing_id_is_a_404(world: City, bad_id: Any) -> None:
    with pytest.raises(Http404):
        access_case_by_id(world.supervisor, bad_id)


# --- the authorization matrix ---------------------------------------------------------

FOREIGN = [
    "b.office_manager",
    "b.technical_manager",
    "b.inspector",
    "b.follow_up_officer",
    "b.plan_reviewer",
    "b.district_staff.0",
    "other_citizen",
]


@pytest.mark.parametrize(
    "state", ["registered", "awaiting_visit", "plan_review", "district_review", "response_prepared"]
)
def test_every_role_of_another_office_or_district_gets_404_and_changes_nothing(
    world: City, state: str
) -> None:
    case = reach(world, state)
    before = snapshot(case)
    people = world.everyone()
    for name in FOREIGN:
        user = people[name]
        with pytest.raises(Http404):
            access_case_by_id(user, case.pk)
        for call in every_write(user, case):
            with pytest.raises(Http404):
                call()
        assert snapshot(case) == before, name


@pytest.mark.parametrize(
    "state", ["registered", "awaiting_visit", "district_review", "response_prepared"]
)
def test_supervisors_and_administrators_see_but_cannot_act(world: City, state: str) -> None:
    case = reach(world, state)
    before = snapshot(case)
    for user in (world.supervisor, world.administrator):
        assert access_case_by_id(user, case.pk) == case
        for call in every_write(user, case):
            with pytest.raises(WorkflowError):
                call()
    assert snapshot(case) == before


# --- every wrong role refused ---------------------------------------------------------


def allowed(name: str, roles: list[str]) -> bool:
    """Is the person called `name` (see City.everyone) one the action's roles name, for a
    case of office A in district A by `citizen`?"""
    if name == "citizen":
        return "applicant" in roles
    side, _, rest = name.partition(".")
    role = rest.split(".")[0]
    return side == "a" and role in roles


ACTIONS = [
    (a["code"], source, a["roles"])
    for a in NOTARY["actions"]
    for source in ([a["from"]] if isinstance(a["from"], str) else a["from"])
]


@pytest.mark.parametrize(
    ("code", "source", "roles"), ACTIONS, ids=[f"{c}@{s}" for c, s, _ in ACTIONS]
)
def test_every_wrong_role_is_refused(world: City, code: str, source: str, roles: list[str]) -> None:
    case = reach(world, source)
    before = snapshot(case)
    wrong = {n: u for n, u in world.everyone().items() if not allowed(n, roles)}
    assert len(wrong) >= 14
    for name, user in wrong.items():
        with pytest.raises((RoleNotAllowed, Http404)):
            do_perform_action(user, case.pk, code, case.version, reason="علت")
        assert snapshot(case) == before, name
