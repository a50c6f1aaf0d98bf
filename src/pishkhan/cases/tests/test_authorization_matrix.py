"""Every role × every case URL × a case of ANOTHER office and district → 404, nothing
changed. A case in scope is readable; supervisors read but never act."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from pishkhan.accounts.models import User
from pishkhan.cases.models import Case, CaseEvent, VisitReport
from pishkhan.cases.tests.conftest import World, walk_to
from pishkhan.offices.roles import Role

# (URL name, method, form data) of every URL that takes a case id; other engineers'
# routes are included when they exist.
CASE_URLS: list[tuple[str, str, dict[str, str]]] = [
    ("cases:detail", "get", {}),
    ("cases:act", "post", {"action": "refer_to_inspector"}),
    ("cases:act", "post", {"action": "submit_visit_report"}),
    ("cases:act", "post", {"action": "cancel", "reason": "آزمون"}),
    ("cases:visit", "post", {"visited_on": "۱۴۰۳/۰۱/۱۵", "visited_time": "۱۰:۰۰",
                             "observed_land_use": "residential", "built_area": "۱۰۰",
                             "floors": "۱"}),
    ("cases:claim", "post", {}),
    ("cases:release", "post", {}),
    ("cases:follow_up_note", "post", {"text": "پیگیری تلفنی"}),
]  # fmt: skip

OURS = {"cases:detail", "cases:act", "cases:visit"}

# Everyone of side A, the two city roles and the citizens; none of them may see side B.
PEOPLE = [
    "a.office_manager",
    "a.technical_manager",
    "a.inspector",
    "a.follow_up_officer",
    "a.plan_reviewer",
    "a.district_staff.0",
    "a.district_staff.1",
    "other_citizen",
]


def url_of(name: str, pk: int) -> str | None:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return None


def state_of(case: Case) -> tuple[int, str, int | None, int, int]:
    case.refresh_from_db()
    events = CaseEvent.objects.filter(case=case).count()
    reports = VisitReport.objects.filter(case=case).count()
    return case.version, case.state, case.assignee_id, events, reports


def request(client: Client, method: str, url: str, data: dict[str, str], case: Case) -> int:
    if method == "get":
        return client.get(url).status_code
    return client.post(url, {"version": str(case.version), **data}).status_code


@pytest.fixture
def foreign_cases(world: World) -> list[Case]:
    """Cases of office B in district B, one waiting for each side-B step."""
    side = world.b
    return [
        walk_to(world, world.open_case(side=side), state, side=side)
        for state in ("registered", "awaiting_visit")
    ]


@pytest.mark.parametrize("person", PEOPLE)
def test_every_case_url_is_a_404_for_a_foreign_case(
    world: World, foreign_cases: list[Case], person: str
) -> None:
    user: User = world.everyone()[person]
    client = Client()
    client.force_login(user)
    checked = 0
    for case in foreign_cases:
        for name, method, data in CASE_URLS:
            url = url_of(name, case.pk)
            if url is None:
                continue
            before = state_of(case)
            status = request(client, method, url, data, case)
            if status == 403 and name not in OURS:
                # The cartable routes refuse a role they do not serve before any lookup:
                # the same 403 for a case id that does not exist leaks nothing.
                missing = url_of(name, 999_999)
                assert missing is not None
                assert request(client, method, missing, data, case) == 403, (person, name)
            else:
                assert status == 404, (person, name, data, status)
            assert state_of(case) == before, (person, name, data)
            checked += 1
    assert checked >= 2 * 5


def test_an_unknown_case_id_is_a_404(world: World) -> None:
    client = Client()
    client.force_login(world.a[Role.TECHNICAL_MANAGER])
    assert client.get(reverse("cases:detail", args=[999_999])).status_code == 404


def test_another_citizens_case_is_a_404_but_ones_own_is_readable(world: World) -> None:
    case = world.open_case()  # world.citizen's case at office A
    own, other = Client(), Client()
    own.force_login(world.everyone()["citizen"])
    other.force_login(world.everyone()["other_citizen"])
    assert own.get(reverse("cases:detail", args=[case.pk])).status_code == 200
    assert other.get(reverse("cases:detail", args=[case.pk])).status_code == 404


@pytest.mark.parametrize("person", ["supervisor", "administrator"])
def test_city_roles_read_every_case_but_every_write_is_refused(
    world: World, foreign_cases: list[Case], person: str
) -> None:
    client = Client()
    client.force_login(world.everyone()[person])
    for case in foreign_cases:
        response = client.get(reverse("cases:detail", args=[case.pk]))
        assert response.status_code == 200
        assert response.context["page"].actions == []
        assert not response.context["page"].can_record_visit
        for name, method, data in CASE_URLS:
            url = url_of(name, case.pk)
            if url is None or method == "get":
                continue
            before = state_of(case)
            status = request(client, method, url, data, case)
            assert status in (400, 403), (person, name, data, status)
            assert state_of(case) == before, (person, name)


@pytest.mark.parametrize("name", ["cases:act", "cases:visit", "cases:claim", "cases:release"])
def test_post_only_case_urls_answer_get_with_405(
    world: World, foreign_cases: list[Case], name: str
) -> None:
    client = Client()
    client.force_login(world.b[Role.TECHNICAL_MANAGER])
    case = foreign_cases[0]
    url = url_of(name, case.pk)
    if url is None:
        pytest.skip(f"{name} does not exist")
    before = state_of(case)
    assert client.get(url).status_code == 405
    assert state_of(case) == before
