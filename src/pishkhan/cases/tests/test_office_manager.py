"""The office manager's view and do_assign_case: the office's open cases across every
step with counts per step and per person, overdue first; handing a case to a named
colleague who holds its acting role in the office today, with a reason, as an event on
the timeline; each refusal a Persian message that changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.http import Http404
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pishkhan.accounts.access import load_principal
from pishkhan.accounts.models import User
from pishkhan.cases.actions import do_assign_case, do_claim_case
from pishkhan.cases.errors import (
    ActionNotAllowed,
    ConcurrentActionError,
    ReasonRequired,
    RoleNotAllowed,
    WorkflowError,
)
from pishkhan.cases.events import EventType
from pishkhan.cases.models import Case, CaseEvent
from pishkhan.cases.permissions import case_permissions
from pishkhan.offices.roles import Role
from pishkhan.testing.personas import City, client_for, walk_to

URL = "/cases/office/"
REASON = "مرخصی همکار؛ پرونده دیر شده است"


@pytest.fixture
def manager(world: City) -> User:
    return world.a[Role.OFFICE_MANAGER]


@pytest.fixture
def colleague(world: City) -> User:
    """A second technical manager at office A."""
    return world.builder.staff(
        Role.TECHNICAL_MANAGER, office=world.a.office, first_name="رضا", last_name="همکار"
    ).user


def assign(user: User, case: Case, to: User, reason: str = REASON) -> Case:
    return do_assign_case(user, case.pk, case.version, to, reason)


def test_the_manager_hands_a_case_to_a_colleague_with_a_reason(
    world: City, manager: User, colleague: User
) -> None:
    case = world.open_case()
    do_claim_case(world.a[Role.TECHNICAL_MANAGER], case.pk, 1)
    case.refresh_from_db()

    moved = assign(manager, case, colleague)

    assert (moved.assignee_id, moved.version, moved.state) == (colleague.pk, 3, case.state)
    event = CaseEvent.objects.get(case=case, seq=3)
    assert (event.action, event.actor_id, event.actor_role) == (
        EventType.ASSIGN,
        manager.pk,
        Role.OFFICE_MANAGER,
    )
    assert event.reason == REASON
    assert event.payload["assignee_id"] == colleague.pk
    assert event.payload["previous_assignee_id"] == world.a[Role.TECHNICAL_MANAGER].pk
    # the colleague's cartable has it as theirs
    mine = client_for(colleague).get("/cases/cartable/", {"tab": "mine"})
    assert [r.case.pk for r in mine.context["page"].rows] == [case.pk]


def test_the_timeline_shows_who_got_it_and_why_to_staff_only(
    world: City, manager: User, colleague: User
) -> None:
    case = assign(manager, world.open_case(), colleague)
    staff_page = client_for(world.a[Role.TECHNICAL_MANAGER]).get(
        reverse("cases:detail", args=[case.pk])
    )
    html = staff_page.content.decode()
    assert "واگذاری پرونده به همکار" in html
    assert "واگذار شد به: رضا همکار" in html
    assert REASON in html
    applicant = client_for(world.zahra).get(reverse("cases:detail", args=[case.pk]))
    assert REASON not in applicant.content.decode()


def test_it_refuses_someone_who_is_not_the_offices_manager(world: City, colleague: User) -> None:
    case = world.open_case()
    with pytest.raises(RoleNotAllowed, match="فقط مدیر دفتر"):
        assign(world.a[Role.TECHNICAL_MANAGER], case, colleague)
    # another office's manager does not even find the case
    with pytest.raises(Http404):
        assign(world.b[Role.OFFICE_MANAGER], case, colleague)
    # and through the page: a 403 for other roles, a 404 for another office's manager
    url = reverse("cases:assign", args=[case.pk])
    data = {"version": 1, "assignee": colleague.pk, "reason": REASON}
    assert client_for(world.a[Role.TECHNICAL_MANAGER]).post(url, data).status_code == 403
    assert client_for(world.b[Role.OFFICE_MANAGER]).post(url, data).status_code == 404
    assert Case.objects.get(pk=case.pk).version == 1


def test_it_refuses_a_colleague_without_the_acting_role_in_the_office_today(
    world: City, manager: User
) -> None:
    case = world.open_case()  # waiting on a technical manager
    builder = world.builder
    former = builder.staff(None, first_name="پیشین").user
    builder.grant(
        former.staff_profile,
        Role.TECHNICAL_MANAGER,
        office=world.a.office,
        starts_on=builder.today - dt.timedelta(days=60),
        ends_on=builder.today - dt.timedelta(days=1),
    )
    for who in (world.a[Role.INSPECTOR], world.b[Role.TECHNICAL_MANAGER], former):
        with pytest.raises(RoleNotAllowed, match="نقش «مسئول فنی» را در این دفتر ندارد"):
            assign(manager, case, who)
    assert Case.objects.get(pk=case.pk).version == 1


def test_it_refuses_a_closed_case(world: City, manager: User, colleague: User) -> None:
    case = world.open_case()
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now())  # as a final step does
    with pytest.raises(ActionNotAllowed, match="بسته شده"):
        assign(manager, case, colleague)


def test_it_refuses_a_stale_version(world: City, manager: User, colleague: User) -> None:
    case = world.open_case()
    do_claim_case(world.a[Role.TECHNICAL_MANAGER], case.pk, 1)
    with pytest.raises(ConcurrentActionError):
        do_assign_case(manager, case.pk, 1, colleague, REASON)
    response = client_for(manager).post(
        reverse("cases:assign", args=[case.pk]),
        {"version": 1, "assignee": colleague.pk, "reason": REASON},
    )
    assert response.status_code == 409
    assert "هم‌زمان" in response.content.decode()
    assert Case.objects.get(pk=case.pk).assignee == world.a[Role.TECHNICAL_MANAGER]


@pytest.mark.parametrize(("reason", "error"), [("", ReasonRequired), ("x" * 501, WorkflowError)])
def test_it_needs_a_short_reason(
    world: City, manager: User, colleague: User, reason: str, error: type[Exception]
) -> None:
    case = world.open_case()
    with pytest.raises(error):
        assign(manager, case, colleague, reason)
    response = client_for(manager).post(
        reverse("cases:assign", args=[case.pk]),
        {"version": 1, "assignee": colleague.pk, "reason": reason},
    )
    assert response.status_code == 400
    assert "علت واگذاری" in response.content.decode()
    assert Case.objects.get(pk=case.pk).version == 1


def test_a_step_of_district_staff_cannot_be_handed_to_an_office_colleague(
    world: City, manager: User, colleague: User
) -> None:
    case = walk_to(world, world.open_case(), "district_review")
    with pytest.raises(ActionNotAllowed, match="در دست کارکنان دفتر نیست"):
        assign(manager, case, world.a.district_staff[0])
    principal = load_principal(manager)
    assert not case_permissions(principal, case).can_assign
    assert case_permissions(principal, world.open_case()).can_assign
    assert not case_permissions(load_principal(colleague), world.open_case()).can_assign


def test_the_page_counts_per_step_and_person_and_puts_overdue_first(
    world: City, manager: User, colleague: User
) -> None:
    late, held, plain = (world.open_case() for _ in range(3))
    at_district = walk_to(world, world.open_case(), "district_review")
    world.open_case(side=world.b)  # another office's
    Case.objects.filter(pk=late.pk).update(due_at=timezone.now() - dt.timedelta(hours=1))
    Case.objects.filter(pk=plain.pk).update(due_at=timezone.now() + dt.timedelta(days=3))
    assign(manager, Case.objects.get(pk=held.pk), colleague)

    response = client_for(manager).get(URL)

    assert response.status_code == 200
    page = response.context["page"]
    assert (page.total, page.overdue) == (4, 1)
    assert page.rows[0].case.pk == late.pk
    assert {r.case.pk for r in page.rows} == {late.pk, held.pk, plain.pk, at_district.pk}
    assert sum(t.count for t in page.per_step) == 4
    people = {t.label: t.count for t in page.per_person}
    assert people["رضا همکار"] == 1
    assert people["بدون مسئول"] == 3
    forms = {r.case.pk: r.can_assign for r in page.rows}
    assert forms[at_district.pk] is False
    assert forms[late.pk] is True
    html = response.content.decode()
    assert html.count('action="/cases/') - html.count('action="/cases/search/"') == 3
    assert "رضا همکار" in html


def test_the_page_is_for_office_managers(world: City) -> None:
    assert client_for(world.a[Role.TECHNICAL_MANAGER]).get(URL).status_code == 403
    assert client_for(world.supervisor).get(URL).status_code == 403


def queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL).status_code == 200
    return len(captured)


def test_the_query_count_does_not_grow_with_the_cases(
    world: City, manager: User, colleague: User
) -> None:
    client = client_for(manager)
    world.open_case()
    few = queries(client)
    for _ in range(30):
        case = world.open_case("inquiry_bank")
        assign(manager, case, colleague)
    walk_to(world, world.open_case(), "district_review")
    assert queries(client) == few
    print("office manager queries:", few)
