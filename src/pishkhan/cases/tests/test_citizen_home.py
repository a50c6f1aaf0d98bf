"""The citizen's home page lists their own requests, with tracking codes and states."""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pishkhan.accounts.models import User
from pishkhan.core.digits import to_persian_digits
from pishkhan.offices.roles import Role
from pishkhan.testing.personas import City, act


def home_of(user: User | None) -> tuple[str, int]:
    assert user is not None
    client = Client()
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_a_citizen_sees_their_requests_and_what_waits_on_them(world: City) -> None:
    waiting = world.open_case()
    sent = act(world.a[Role.TECHNICAL_MANAGER], world.open_case(), "refer_to_inspector")
    asked = act(
        world.a[Role.TECHNICAL_MANAGER],
        world.open_case(),
        "request_documents",
        reason="تصویر سند مالکیت خوانا نیست.",
    )
    foreign = world.open_case(applicant=world.other_citizen)

    html, _ = home_of(world.citizen.user)

    for case in (waiting, sent, asked):
        assert to_persian_digits(case.tracking_code) in html
        assert reverse("cases:detail", args=[case.pk]) in html
    assert to_persian_digits(foreign.tracking_code) not in html
    assert "در انتظار بازدید" in html  # the referred case's state, by its label
    assert html.count("منتظر اقدام شما") == 1  # only the case asking for documents


def test_the_requests_cost_the_same_queries_for_one_or_many(world: City) -> None:
    world.open_case()
    _, one = home_of(world.citizen.user)
    for _ in range(6):
        world.open_case(service="inquiry_bank")
    _, many = home_of(world.citizen.user)
    assert one == many


def test_a_citizen_without_requests_is_told_how_to_make_one(world: City) -> None:
    html, _ = home_of(world.other_citizen.user)
    assert "هنوز درخواستی به نام شما ثبت نشده است" in html
