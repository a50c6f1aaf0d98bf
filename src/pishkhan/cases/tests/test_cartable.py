"""The cartable page: a role's open cases in the user's scope, tabs, filters, claim and
release, paging and a query count that does not grow with the cases."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pishkhan.cases.actions import do_claim_case
from pishkhan.cases.filters import url_maker
from pishkhan.cases.models import Case, CaseEvent
from pishkhan.cases.tests.conftest import listed
from pishkhan.core.jalali import format_jalali_date
from pishkhan.offices.roles import Role
from pishkhan.testing.personas import City, act, client_for, walk_to

URL = "/cases/cartable/"


def set_due(case: Case, due_at: dt.datetime | None) -> None:
    # Clock fields are written by the engine; tests move them to reach a tab.
    Case.objects.filter(pk=case.pk).update(due_at=due_at)


@pytest.fixture
def tm(world: City) -> Client:
    return client_for(world.a[Role.TECHNICAL_MANAGER])


def test_it_lists_only_the_roles_cases_in_the_users_office(world: City, tm: Client) -> None:
    mine = [world.open_case(), world.open_case()]
    world.open_case(side=world.b)  # another office
    moved = act(world.a[Role.TECHNICAL_MANAGER], world.open_case(), "refer_to_inspector")

    response = tm.get(URL)

    assert response.status_code == 200
    assert listed(response) == {c.tracking_code for c in mine}
    assert moved.tracking_code not in listed(response)
    assert 'dir="rtl"' in response.content.decode()


def test_cases_leads_to_the_cartable_keeping_the_filters(tm: Client) -> None:
    response = tm.get("/cases/", {"tab": "pool"})
    assert response.status_code == 302
    assert response["Location"] == f"{URL}?tab=pool"


def test_the_inspector_sees_the_referred_case(world: City) -> None:
    case = act(world.a[Role.TECHNICAL_MANAGER], world.open_case(), "refer_to_inspector")
    response = client_for(world.a[Role.INSPECTOR]).get(URL)
    assert listed(response) == {case.tracking_code}
    assert response.context["page"].rows[0].state_label != "awaiting_visit"  # a Persian label


def test_district_staff_see_their_districts_cases_only(world: City) -> None:
    here = walk_to(world, world.open_case(), "district_review")
    walk_to(world, world.open_case(side=world.b), "district_review", side=world.b)
    response = client_for(world.a.district_staff[0]).get(URL)
    assert listed(response) == {here.tracking_code}


def test_tabs_and_their_counts(world: City, tm: Client) -> None:
    user = world.a[Role.TECHNICAL_MANAGER]
    claimed, pool, near, late = (world.open_case() for _ in range(4))
    tm.post(reverse("cases:claim", args=[claimed.pk]), {"version": claimed.version})
    now = timezone.now()
    set_due(near, now + dt.timedelta(minutes=30))  # < 25% of the 7-hour SLA left
    set_due(late, now - dt.timedelta(hours=1))
    set_due(pool, now + dt.timedelta(days=30))
    set_due(claimed, now + dt.timedelta(days=30))

    counts = tm.get(URL).context["page"].counts
    assert counts == {"all": 4, "mine": 1, "pool": 3, "near": 1, "overdue": 1, "returned": 0}
    assert listed(tm.get(URL, {"tab": "mine"})) == {claimed.tracking_code}
    assert listed(tm.get(URL, {"tab": "pool"})) == {c.tracking_code for c in (pool, near, late)}
    assert listed(tm.get(URL, {"tab": "near"})) == {near.tracking_code}
    response = tm.get(URL, {"tab": "overdue"})
    assert listed(response) == {late.tracking_code}
    assert "گذشته از مهلت" in response.content.decode()
    assert Case.objects.get(pk=claimed.pk).assignee == user


def test_filters(world: City, tm: Client) -> None:
    notary = world.open_case()
    other = world.builder.citizen()
    bank = world.open_case("inquiry_bank", applicant=other)
    old = world.open_case()
    Case.objects.filter(pk=old.pk).update(opened_at=timezone.now() - dt.timedelta(days=40))

    by_service = tm.get(URL, {"service": world.services["inquiry_bank"].pk})
    assert listed(by_service) == {bank.tracking_code}
    assert listed(tm.get(URL, {"district": world.a.district.pk})) == {
        notary.tracking_code,
        bank.tracking_code,
        old.tracking_code,
    }
    assert listed(tm.get(URL, {"district": world.b.district.pk})) == set()
    today = format_jalali_date(timezone.localdate())  # Persian digits
    recent = tm.get(URL, {"date_from": today, "date_to": today})
    assert listed(recent) == {notary.tracking_code, bank.tracking_code}
    until = format_jalali_date(timezone.localdate() - dt.timedelta(days=30))
    assert listed(tm.get(URL, {"date_to": until})) == {old.tracking_code}
    assert listed(tm.get(URL, {"tracking_code": bank.tracking_code})) == {bank.tracking_code}
    by_nid = tm.post(URL, {"national_id": other.national_id})  # never in a URL: POST
    assert listed(by_nid) == {bank.tracking_code}
    body = by_nid.content.decode()
    table = body.split("<tbody>")[1]
    assert other.national_id not in table  # masked in the list
    # the national ID never goes into a generated link
    assert f"national_id={other.national_id}" not in body


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"date_from": "۱۴۰۲/۱۳/۴۰"}, "این تاریخ شمسی وجود ندارد"),
        ({"date_from": "دیروز"}, "سال/ماه/روز"),
        ({"date_from": "1404/05/10", "date_to": "1404/01/01"}, "نباید پیش از"),
        ({"national_id": "12345"}, "۱۰ رقم"),
        ({"tracking_code": "abc"}, "فقط از رقم"),
        ({"service": "x"}, "معتبر نیست"),
        ({"page": "zz", "tab": "nope", "role": "supervisor"}, ""),
    ],
)
def test_bad_filter_input_shows_a_persian_error(
    world: City, tm: Client, params: dict[str, str], message: str
) -> None:
    world.open_case()
    # a national ID is searched by POST only (it never goes into a URL)
    response = tm.post(URL, params) if "national_id" in params else tm.get(URL, params)
    assert response.status_code == 200
    assert message in response.content.decode()


def test_paging(world: City, tm: Client) -> None:
    cases = [world.open_case() for _ in range(27)]
    first = tm.get(URL)
    assert len(first.context["page"].rows) == 25
    second = tm.get(URL, {"page": "۲"})
    assert len(second.context["page"].rows) == 2
    beyond = tm.get(URL, {"page": "99"})
    assert beyond.status_code == 200
    assert beyond.context["page"].paging.number == 2
    shown = listed(first) | listed(second)
    assert shown == {c.tracking_code for c in cases}


def test_claim_then_release(world: City, tm: Client) -> None:
    user = world.a[Role.TECHNICAL_MANAGER]
    case = world.open_case()
    response = tm.post(reverse("cases:claim", args=[case.pk]), {"version": case.version})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.assignee, case.version) == (user, 2)
    page = tm.get(URL, {"tab": "mine"})
    assert "واگذاری به کارتابل" in page.content.decode()
    response = tm.post(reverse("cases:release", args=[case.pk]), {"version": case.version})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.assignee, case.version) == (None, 3)
    actions = list(CaseEvent.objects.filter(case=case).values_list("action", flat=True))
    assert actions == ["open", "claim", "release"]


def test_a_stale_version_loses_with_409_and_a_persian_message(world: City, tm: Client) -> None:
    case = world.open_case()
    colleague = client_for(world.a[Role.TECHNICAL_MANAGER])
    assert colleague.post(reverse("cases:claim", args=[case.pk]), {"version": 1}).status_code == 302
    response = tm.post(reverse("cases:claim", args=[case.pk]), {"version": 1})
    assert response.status_code == 409
    assert "هم‌زمان" in response.content.decode()
    assert Case.objects.get(pk=case.pk).version == 2


def test_claiming_a_case_in_hand_of_a_colleague_is_refused(world: City) -> None:
    case = world.open_case()
    first = client_for(world.a[Role.TECHNICAL_MANAGER])
    first.post(reverse("cases:claim", args=[case.pk]), {"version": 1})
    other = world.a.district_staff[0]  # a role that cannot act here
    response = client_for(other).post(reverse("cases:release", args=[case.pk]), {"version": 2})
    assert response.status_code == 400
    assert Case.objects.get(pk=case.pk).version == 2


@pytest.mark.parametrize("name", ["cases:claim", "cases:release"])
def test_a_case_of_another_office_is_a_404_and_nothing_changes(
    world: City, tm: Client, name: str
) -> None:
    foreign = world.open_case(side=world.b)
    if name == "cases:release":
        client_for(world.b[Role.TECHNICAL_MANAGER]).post(
            reverse("cases:claim", args=[foreign.pk]), {"version": 1}
        )
        foreign.refresh_from_db()
    before = (foreign.version, foreign.assignee_id)
    response = tm.post(reverse(name, args=[foreign.pk]), {"version": foreign.version})
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert (foreign.version, foreign.assignee_id) == before
    assert foreign.tracking_code not in listed(tm.get(URL))


@pytest.mark.parametrize("name", ["cases:claim", "cases:release"])
def test_get_on_a_write_url_is_a_405(world: City, tm: Client, name: str) -> None:
    case = world.open_case()
    assert tm.get(reverse(name, args=[case.pk])).status_code == 405


def test_anonymous_goes_to_sign_in(db: None) -> None:
    response = Client().get(URL)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_roles_without_a_cartable_get_a_persian_403(world: City) -> None:
    response = client_for(world.a[Role.OFFICE_MANAGER]).get(URL)
    assert response.status_code == 403
    assert "نقش شما" in response.content.decode()


def test_a_supervisor_gets_the_read_only_overview(world: City) -> None:
    world.open_case()
    world.open_case(side=world.b)
    response = client_for(world.supervisor).get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert world.a.office.name in body
    assert world.b.office.name in body
    assert "برداشتن" not in body


def test_a_follow_up_officer_views_office_cartables_without_claiming(world: City) -> None:
    case = world.open_case()
    response = client_for(world.a[Role.FOLLOW_UP_OFFICER]).get(URL)
    assert listed(response) == {case.tracking_code}
    assert response.context["page"].roles == [
        Role.TECHNICAL_MANAGER,
        Role.INSPECTOR,
        Role.PLAN_REVIEWER,
    ]
    assert "برداشتن" not in response.content.decode()


def test_dates_are_jalali_in_persian_digits(world: City, tm: Client) -> None:
    case = world.open_case()
    body = tm.get(URL).content.decode()
    assert format_jalali_date(case.opened_at) in body
    assert "<bdi>" in body


def queries_for(client: Client, params: dict[str, str] | None = None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, params or {})
    assert response.status_code == 200
    return len(captured)


def test_the_query_count_does_not_grow_with_cases_or_page_size(world: City, tm: Client) -> None:
    for _ in range(3):
        world.open_case()
    few = queries_for(tm)
    for _ in range(37):
        world.open_case("inquiry_bank")
    user = world.a[Role.TECHNICAL_MANAGER]
    for case in Case.objects.filter(office=world.a.office)[:5]:
        do_claim_case(user, case.pk, case.version)
    many = queries_for(tm)
    assert tm.get(URL).context["page"].paging.count == 2  # a full first page
    assert few == many
    assert queries_for(tm, {"tab": "mine"}) == few
    assert queries_for(tm, {"service": str(world.services["inquiry_bank"].pk)}) == few
    print("cartable queries:", few)


def test_row_links_are_what_reverse_gives() -> None:
    for name in ("cases:detail", "cases:claim", "cases:release", "cases:follow_up_note"):
        link = url_maker(name)
        for pk in (1, 42, 987654321, 10**12):
            assert link(pk) == reverse(name, args=[pk])
