"""Every person × every registered case route × a case in every state of the inquiry
journey. A case the person may not see → 404 and nothing changed, exactly as for an id
no case has; a case they may see → a page, a redirect or a refusal (200/302/400/409),
never a 500, and a refusal changes nothing; supervisors and administrators read every
case and change none.

The routes come from the registry (pishkhan.testing.authz; the cases app registers its own
in cases/tests/authz.py): a registered route that does not resolve fails, and so does a
URL with an id that nobody registered. Who may see what is the test's own knowledge of
the people it built (the oracle's `sees`), not the engine's scope. The cases, two in
each state, are built through the real actions, each with its parcel in the district of
the other office, so everyone has foreign cases in every state and none is foreign for
one reason only:

- office A (district A), parcel in district B, another citizen's: office B, district A's
  staff and the citizen may not see it; district B's staff may;
- office B (district B), parcel in district A, the citizen's: office A, district B's
  staff and the other citizen may not see it; district A's staff may.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Count
from django.test import Client
from django.urls import reverse

from pishkhan.accounts.models import Citizen, User
from pishkhan.cases.actions import do_open_case
from pishkhan.cases.models import Case, Channel
from pishkhan.cases.tests.oracle import Oracle, Person, people_of
from pishkhan.geo.models import Parcel
from pishkhan.offices.roles import OFFICE_ROLES, Role
from pishkhan.testing import authz
from pishkhan.testing.personas import (
    DUPLICATE_REASON,
    City,
    Side,
    application_data,
    build_city,
)
from pishkhan.testing.workflows import read_definitions

SERVICE = "inquiry_notary"
ORACLE = Oracle(read_definitions())
JOURNEY = ORACLE.definitions[SERVICE]
STATES = list(JOURNEY.states)
REASON = "علت آزمایشی"
# (office, parcel's district, applicant) of each family of cases, one case per state.
FAMILIES = {
    "office_a_parcel_b": ("a", "b", "other_citizen"),
    "office_b_parcel_a": ("b", "a", "citizen"),
}
PEOPLE = [
    *(f"a.{role}" for role in sorted(OFFICE_ROLES)),
    "a.district_staff.0",
    "b.district_staff.0",
    "supervisor",
    "administrator",
    "citizen",
    "other_citizen",
]
READ_ONLY = {"supervisor", "administrator"}
INSIDER_STATUSES = {200, 302, 400, 409}


@dataclass(frozen=True)
class Spot:
    """A case as the test built it: where it is, whose it is, and its row then (every
    request's changes are rolled back, so it stays so for the whole module)."""

    case: Case
    family: str
    state: str
    office_id: int
    district_id: int  # the parcel's
    applicant_id: int
    before: tuple[Any, ...]


@dataclass
class Journey:
    world: City
    people: dict[str, Person]
    spots: list[Spot]


def snapshot(pk: int) -> tuple[Any, ...]:
    """What a refused request must leave as it was."""
    return (
        Case.objects.filter(pk=pk)
        .annotate(
            n_events=Count("events", distinct=True), n_visits=Count("visit_reports", distinct=True)
        )
        .values_list("version", "state", "assignee_id", "prepared_by_id", "n_events", "n_visits")
        .get()
    )


# --- the cases, one per state, through the real actions -------------------------------


def case_in(world: City, state: str, side: Side, parcel: Parcel, applicant: Citizen) -> Case:
    """A case of `side`'s office on `parcel`, walked through the real actions to `state`."""
    documents = sorted(JOURNEY.initial.documents_required)
    case = do_open_case(
        side[Role.TECHNICAL_MANAGER],
        world.services[SERVICE],
        applicant,
        parcel,
        side.office,
        Channel.IN_PERSON,
        documents,
        data=application_data(SERVICE),
        duplicate_reason=DUPLICATE_REASON,
    )
    return world.walk_to(case, state, side)


def build_journey() -> Journey:
    world = build_city()
    sides = {"a": world.a, "b": world.b}
    applicants = {"citizen": world.citizen, "other_citizen": world.other_citizen}
    spots = []
    for family, (office, district, applicant) in FAMILIES.items():
        for state in STATES:
            side, parcel = sides[office], sides[district].parcel
            case = case_in(world, state, side, parcel, applicants[applicant])
            spots.append(
                Spot(
                    case,
                    family,
                    state,
                    side.office.pk,
                    parcel.district_id,
                    applicants[applicant].pk,
                    snapshot(case.pk),
                )
            )
    return Journey(world, people_of(world), spots)


@pytest.fixture(scope="module")
def journey(django_db_setup: None, django_db_blocker: Any) -> Iterator[Journey]:
    """Built once for the module, inside a transaction rolled back at its end; each
    test runs in a savepoint of its own (pytest-django's `db`)."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            built = build_journey()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def quiet_refusals() -> Iterator[None]:
    """Thousands of 403/404/400 answers are the point here, not warnings to log (a
    500 still logs: it is an error)."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


# --- the registry ---------------------------------------------------------------------

ROUTES = authz.routes("case")


def test_every_registered_route_resolves() -> None:
    assert ROUTES, "the cases app registers its routes in cases/tests/authz.py"
    assert authz.unresolved() == []


def test_every_url_that_takes_an_id_is_registered() -> None:
    assert authz.unregistered() == [], "register it in the app's tests/authz.py"


def test_the_registry_sees_a_route_nobody_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    registry = authz.Registry()
    monkeypatch.setattr(authz, "REGISTRY", registry)
    monkeypatch.setattr(authz, "discover", lambda: None)
    assert "cases:detail" in authz.unregistered()
    registry.register(authz.Route("cases:gone", "case"))
    assert authz.unresolved() == ["cases:gone"]


# --- the matrix -----------------------------------------------------------------------


def client_of(user: User) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def spots_for(person: Person, route: authz.Route, journey: Journey) -> list[Spot]:
    """In every state, the cases the person may not see and those of one family they
    may (the city roles see both); behind a gate they do not pass (the same 403 for
    every id), one of each."""
    foreign = [s for s in journey.spots if not ORACLE.sees(person, s)]
    inside = next(s.family for s in journey.spots if ORACLE.sees(person, s))
    insider = [s for s in journey.spots if s.family == inside]
    if not route.passes_gate(person.roles):
        return foreign[:1] + insider[:1]
    return foreign + insider


@pytest.mark.django_db
@pytest.mark.parametrize("name", PEOPLE)
def test_every_case_route_answers_each_person_as_their_scope_says(
    journey: Journey, name: str
) -> None:
    person, user = journey.people[name], journey.world.everyone()[name]
    client, problems = client_of(user), []
    for route in ROUTES:
        gated = not route.passes_gate(person.roles)
        for i, spot in enumerate(spots_for(person, route, journey)):
            # every method on the first case, the first method on the others
            for method in route.methods if i == 0 else route.methods[:1]:
                foreign = not ORACLE.sees(person, spot)
                problems += check(client, route, method, spot, name, foreign, gated)
        case = journey.spots[0].case
        missing = authz.send(client, route, route.methods[0], route.missing_url(), case)
        if missing.status_code != (403 if gated else 404):
            problems.append(f"{route.id} of an id no case has: {missing.status_code}")
    assert not problems, f"{name}:\n" + "\n".join(problems)


def check(
    client: Client,
    route: authz.Route,
    method: str,
    spot: Spot,
    name: str,
    foreign: bool,
    gated: bool,
) -> list[str]:
    """One request; the problems it shows (none when it answered as it should)."""
    where = f"{method} {route.id} on a {spot.family} case in {spot.state}"
    with transaction.atomic():  # an insider's success is undone for the next request
        response = authz.send(client, route, method, route.url(spot.case), spot.case)
        changed = snapshot(spot.case.pk) != spot.before
        transaction.set_rollback(True)
    status = response.status_code
    if gated or foreign:
        expected = 403 if gated else 404
        if status != expected or changed:
            return [f"{where}: {status}, expected {expected}" + (" and it changed" * changed)]
        return []
    if status not in INSIDER_STATUSES:
        return [f"{where}: {status} {getattr(response, 'exc_info', '') or ''}"]
    if changed and (status != 302 or name in READ_ONLY):
        return [f"{where}: {status}, and it changed the case"]
    return []


@pytest.mark.django_db
@pytest.mark.parametrize("route", [r for r in ROUTES if r.refused_method()], ids=lambda r: r.id)
def test_a_method_a_route_does_not_take_is_a_405_and_changes_nothing(
    journey: Journey, route: authz.Route
) -> None:
    method = route.refused_method()
    assert method is not None
    client = client_of(journey.world.everyone()["b.technical_manager"])
    spot = next(s for s in journey.spots if s.family == "office_b_parcel_a")
    assert authz.send(client, route, method, route.url(spot.case), spot.case).status_code == 405
    assert snapshot(spot.case.pk) == spot.before


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.id)
def test_a_visitor_who_has_not_signed_in_is_sent_to_sign_in(
    journey: Journey, route: authz.Route
) -> None:
    client = Client(raise_request_exception=False)
    for spot in journey.spots[:: len(STATES)]:
        response = authz.send(client, route, route.methods[0], route.url(spot.case), spot.case)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
        assert snapshot(spot.case.pk) == spot.before


@pytest.mark.django_db
def test_district_staff_see_a_case_by_its_parcel_not_by_its_office(journey: Journey) -> None:
    """Office A is in district A; the parcel of this case is in district B."""
    people = journey.world.everyone()
    offices_district = client_of(people["a.district_staff.0"])
    parcels_district = client_of(people["b.district_staff.0"])
    for spot in journey.spots:
        if spot.family != "office_a_parcel_b":
            continue
        url = reverse("cases:detail", args=[spot.case.pk])
        assert offices_district.get(url).status_code == 404, spot.state
        assert parcels_district.get(url).status_code == 200, spot.state


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(READ_ONLY))
def test_city_roles_read_every_case_and_are_offered_no_action(journey: Journey, name: str) -> None:
    client = client_of(journey.world.everyone()[name])
    for spot in journey.spots:
        response = client.get(reverse("cases:detail", args=[spot.case.pk]))
        assert response.status_code == 200, spot
        page = response.context["page"]
        assert page.actions == [], spot
        assert not page.can_record_visit, spot
