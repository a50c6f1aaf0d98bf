"""Assigning from the case page: the office manager hands a case to a named colleague,
with a reason, right where they read it; the form shows only where the permission
answer allows, and a refused or foreign post writes nothing."""

from __future__ import annotations

import re

from django.urls import reverse

from pishkhan.accounts.models import User
from pishkhan.cases.events import EventType
from pishkhan.cases.models import Case, CaseEvent
from pishkhan.offices.roles import Role
from pishkhan.testing.personas import City, client_for, walk_to

REASON = "مسئول فنی در مرخصی است"


def page_of(user: User, case: Case) -> str:
    response = client_for(user).get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


def assign_form(body: str) -> str | None:
    found = re.search(r'<form[^>]*class="case-action case-assign".*?</form>', body, re.S)
    return found[0] if found else None


def second_technical_manager(world: City) -> User:
    return world.builder.staff(
        Role.TECHNICAL_MANAGER, office=world.a.office, first_name="رضا", last_name="همکار"
    ).user


def post_assign(user: User, case: Case, assignee: User | int, reason: str = REASON) -> object:
    target = assignee if isinstance(assignee, int) else assignee.pk
    return client_for(user).post(
        reverse("cases:assign", args=[case.pk]),
        {
            "version": case.version,
            "assignee": target,
            "reason": reason,
            "next": reverse("cases:detail", args=[case.pk]),
        },
    )


def test_the_manager_assigns_from_the_case_page_and_comes_back_to_it(world: City) -> None:
    case = world.open_case()
    reza = second_technical_manager(world)
    form = assign_form(page_of(world.olivia, case))
    assert form is not None
    # the colleagues holding the step's role in the office today, by name
    options = re.findall(r'<option value="(\d+)"[^>]*>([^<]+)</option>', form)
    assert {int(pk) for pk, _ in options} == {world.alice.pk, reza.pk}
    assert "همکار" in dict(options)[str(reza.pk)]
    assert 'name="reason" maxlength="500" required' in form

    client = client_for(world.olivia)
    url = reverse("cases:detail", args=[case.pk])
    data = {"version": case.version, "assignee": reza.pk, "reason": REASON, "next": url}
    response = client.post(reverse("cases:assign", args=[case.pk]), data)
    assert response.status_code == 302
    assert response["Location"] == url
    case.refresh_from_db()
    assert case.assignee_id == reza.pk
    event = CaseEvent.objects.get(case=case, seq=case.version)
    assert (event.action, event.actor_id, event.reason) == (
        EventType.ASSIGN,
        world.olivia.pk,
        REASON,
    )
    assert event.payload["assignee_id"] == reza.pk

    # the page now says who holds it, and the manager may hand it on again
    body = client.get(url).content.decode()
    assert "به رضا همکار واگذار شد" in body
    again = assign_form(body)
    assert again is not None
    assert f'<option value="{reza.pk}" selected>' in again


def test_the_form_shows_only_where_the_permission_answer_allows(world: City) -> None:
    case = world.open_case()
    # staff who are not the office manager never see it
    for user in (world.alice, world.bob, world.frank, world.dave):
        assert assign_form(page_of(user, case)) is None
    # nor the manager, once the case is at a district step or closed
    at_district = walk_to(world, world.open_case(), "district_review")
    assert assign_form(page_of(world.olivia, at_district)) is None
    issued = walk_to(world, world.open_case(), "response_issued")
    assert assign_form(page_of(world.olivia, issued)) is None


def test_a_step_nobody_in_the_office_holds_says_so(world: City) -> None:
    case = walk_to(world, world.open_case(), "plan_review")
    world.a[Role.PLAN_REVIEWER].is_active = False
    world.a[Role.PLAN_REVIEWER].save(update_fields=["is_active"])
    form = assign_form(page_of(world.olivia, case))
    assert form is not None
    assert "امروز همکاری با نقش «کارشناس طرح تفصیلی» در این دفتر نیست." in form
    assert "<select" not in form


def test_a_refused_assignment_writes_nothing(world: City) -> None:
    case = world.open_case()
    before = CaseEvent.objects.filter(case=case).count()
    # a colleague without the step's role, a missing reason, a stranger's post
    assert post_assign(world.olivia, case, world.bob).status_code == 400  # type: ignore[attr-defined]
    refused = post_assign(world.olivia, case, world.alice, reason="")
    assert refused.status_code == 400  # type: ignore[attr-defined]
    assert "علت واگذاری را بنویسید." in refused.content.decode()  # type: ignore[attr-defined]
    assert post_assign(world.alice, case, world.alice).status_code == 403  # type: ignore[attr-defined]
    case.refresh_from_db()
    assert (case.assignee_id, CaseEvent.objects.filter(case=case).count()) == (None, before)


def test_a_foreign_case_is_not_found(world: City) -> None:
    theirs = world.open_case(side=world.b)
    other_manager = world.b[Role.OFFICE_MANAGER]
    assert post_assign(world.olivia, theirs, world.b[Role.TECHNICAL_MANAGER]).status_code == 404  # type: ignore[attr-defined]
    response = client_for(world.olivia).get(reverse("cases:detail", args=[theirs.pk]))
    assert response.status_code == 404
    assert assign_form(page_of(other_manager, theirs)) is not None
    theirs.refresh_from_db()
    assert theirs.assignee_id is None
