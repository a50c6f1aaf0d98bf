"""The engine is general: guards plug in by name, the system can act where a definition
says so, every action is atomic and receivers hear of it only after commit."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection

from pishkhan.cases.actions import do_open_case, do_perform_action, do_perform_system_action
from pishkhan.cases.errors import GuardFailed, RoleNotAllowed
from pishkhan.cases.guards import GuardContext, guard, unregister_guard
from pishkhan.cases.models import Case, CaseEvent, Channel
from pishkhan.cases.workflow import load_definition
from pishkhan.catalog.models import ServiceCategory, ServiceType
from pishkhan.offices.roles import Role
from pishkhan.testing.personas import City, act

AUTOMATIC = {
    "service": "engine_demo",
    "title": "خدمت آزمایشی موتور",
    "open_roles": ["technical_manager"],
    "states": [
        {
            "code": "waiting",
            "label": "در انتظار پاسخ سامانه بیرونی",
            "role": "system",
            "initial": True,
        },
        {"code": "answered", "label": "پاسخ رسید", "terminal": True},
    ],
    "actions": [
        {
            "code": "external_answer",
            "label": "ثبت پاسخ سامانه بیرونی",
            "from": "waiting",
            "to": "answered",
            "roles": ["system"],
            "guards": ["external_review_answered"],
        }
    ],
}


@pytest.fixture
def external_guard() -> Iterator[None]:
    @guard("external_review_answered")
    def answered(context: GuardContext) -> str | None:
        return None if context.payload.get("answer") else "پاسخ سامانه بیرونی نرسیده است."

    yield
    unregister_guard("external_review_answered")


def open_automatic(world: City) -> Case:
    service = ServiceType.objects.create(
        code="engine_demo",
        name="خدمت آزمایشی موتور",
        category=ServiceCategory.INQUIRY,
        requires_parcel=False,
    )
    load_definition(AUTOMATIC)
    world.builder.contract(world.a.office, [service])
    return do_open_case(
        world.a[Role.TECHNICAL_MANAGER],
        service,
        world.citizen,
        None,
        world.a.office,
        Channel.IN_PERSON,
        [],
    )


def test_a_new_guard_and_the_system_role_need_no_engine_change(
    world: City, external_guard: None
) -> None:
    case = open_automatic(world)
    assert (case.acting_role, case.parcel_id, case.district_id) == (
        "system",
        None,
        world.a.district.pk,
    )
    with pytest.raises(RoleNotAllowed):
        do_perform_action(world.a[Role.TECHNICAL_MANAGER], case.pk, "external_answer", case.version)
    with pytest.raises(GuardFailed, match="نرسیده"):
        do_perform_system_action(case.pk, "external_answer", case.version)
    case = do_perform_system_action(
        case.pk, "external_answer", case.version, payload={"answer": "ok"}
    )
    event = CaseEvent.objects.get(case=case, seq=2)
    assert (case.state, event.actor_id, event.actor_role) == ("answered", None, "system")


def test_people_actions_are_not_open_to_the_system(world: City) -> None:
    case = world.open_case()
    with pytest.raises(RoleNotAllowed):
        do_perform_system_action(case.pk, "refer_to_inspector", case.version)


def test_a_guard_name_cannot_be_registered_twice() -> None:
    with pytest.raises(ValueError, match="already registered"):
        guard("before_visit")(lambda context: None)


def test_a_failure_after_the_swap_leaves_nothing_behind(
    world: City, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = world.open_case()

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(CaseEvent, "save", broken)
    with pytest.raises(RuntimeError):
        act(world.a[Role.TECHNICAL_MANAGER], case, "refer_to_inspector")
    monkeypatch.undo()
    case.refresh_from_db()
    assert (case.state, case.version) == ("registered", 1)
    assert CaseEvent.objects.filter(case=case).count() == 1


def test_the_database_refuses_one_person_as_maker_and_checker(world: City) -> None:
    from django.db import IntegrityError, transaction

    case = world.open_case()
    user = world.a.district_staff[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(prepared_by=user, approved_by=user)


def test_an_action_costs_a_fixed_number_of_queries(
    world: City, django_assert_max_num_queries: Callable[..., Any]
) -> None:
    """Principal (2), case (1), action (1), holidays (1), swap (1), event (1), refresh (1),
    the audit chain's head and row (2; a third, its lock, on PostgreSQL) and savepoints:
    the count does not depend on how many cases, events or audit rows exist."""
    for _ in range(3):
        act(world.a[Role.TECHNICAL_MANAGER], world.open_case(), "refer_to_inspector")
    case = world.open_case()
    with django_assert_max_num_queries(15 if connection.vendor == "postgresql" else 14):
        act(world.a[Role.TECHNICAL_MANAGER], case, "refer_to_inspector")
