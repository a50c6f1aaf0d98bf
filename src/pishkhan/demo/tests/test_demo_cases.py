"""Demo cases: built through the real actions, at every step for office 1101, backdated on
the working calendar, and loaded once."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, F
from django.utils import timezone

from pishkhan.accounts.models import User
from pishkhan.cases.access import cases_visible_to
from pishkhan.cases.models import Case, CaseEvent, Holiday, VisitReport, WorkflowDefinition
from pishkhan.demo.city import LoadResult, load_demo_city
from pishkhan.demo.excavation import PLANS as EXCAVATION_PLANS
from pishkhan.offices.roles import Role

PARCELS = 150
CITIZENS = 30
CASES = 60

MAIN_STEPS = {
    "registered",
    "awaiting_documents",
    "awaiting_visit",
    "plan_review",
    "district_review",
    "response_prepared",
    "response_issued",
    "rejected",
    "cancelled",
}


@pytest.fixture
def demo_cases(db: None) -> LoadResult:
    return load_demo_city(parcels=PARCELS, citizens=CITIZENS, cases=CASES)


def home_cases() -> list[Case]:
    return list(Case.objects.filter(office__code="1101"))


def snapshot() -> tuple[int, int, int, list[tuple[int, int]]]:
    versions = list(Case.objects.order_by("pk").values_list("pk", "version"))
    return Case.objects.count(), CaseEvent.objects.count(), VisitReport.objects.count(), versions


def test_the_city_has_its_workflows_and_holidays(demo_cases: LoadResult) -> None:
    active = WorkflowDefinition.objects.filter(is_active=True)
    assert set(active.values_list("service_type__code", flat=True)) == {
        "inquiry_notary",
        "inquiry_bank",
        "permit_extension",
        "permit_new",
        "permit_demolition_rebuild",
        "permit_replacement",
        "permit_expansion",
        "permit_repairs",
        "inquiry_excavation",
    }
    assert Holiday.objects.exists()
    assert demo_cases.created["demo cases"] == CASES


def test_office_1101_has_cases_at_every_main_step(demo_cases: LoadResult) -> None:
    cases = home_cases()
    assert {c.state for c in cases} >= MAIN_STEPS
    waiting = [c for c in cases if c.state == "awaiting_visit"]
    assert any(c.assignee_id for c in waiting), "a visit claimed by the inspector"
    assert any(c.assignee_id is None for c in waiting), "a visit in the inspectors' pool"
    paused = [c for c in cases if c.state == "awaiting_documents"]
    assert all(c.sla_paused_at is not None and c.pause_reason for c in paused)
    assert CaseEvent.objects.filter(case__office__code="1101", action="instant_response").exists()
    assert {c.service_type.code for c in cases} == {
        "inquiry_notary",
        "inquiry_bank",
        "permit_extension",
        # the permit groups' cases of pishkhan.demo.permits
        "permit_new",
        "permit_demolition_rebuild",
        "permit_replacement",
        "permit_expansion",
        "permit_repairs",
        "inquiry_excavation",  # demo/excavation.py's
    }
    assert len({c.office_id for c in Case.objects.all()}) > 5


CARTABLES = (
    ("tm-1101", Role.TECHNICAL_MANAGER),
    ("inspector-1101", Role.INSPECTOR),
    ("planner-1101", Role.PLAN_REVIEWER),
    ("district-1", Role.DISTRICT_STAFF),
    ("district-3", Role.DISTRICT_STAFF),
)


def test_the_demo_accounts_see_cases_in_their_cartables(demo_cases: LoadResult) -> None:
    for username, role in CARTABLES:
        user = User.objects.get(username=username)
        waiting = cases_visible_to(user).filter(closed_at__isnull=True, acting_role=role)
        assert waiting.exists(), username
    followup = User.objects.get(username="followup-1101")
    assert cases_visible_to(followup).filter(closed_at__isnull=True).count() >= 10
    assert cases_visible_to(User.objects.get(username="citizen")).exists()


def test_every_version_matches_its_events(demo_cases: LoadResult) -> None:
    cases = Case.objects.annotate(events_count=Count("events"))
    for case in cases:
        assert case.version == case.events_count, case.tracking_code
        seqs = list(case.events.order_by("seq").values_list("seq", "created_at"))
        assert [seq for seq, _ in seqs] == list(range(1, case.version + 1))
        times = [at for _, at in seqs]
        assert times == sorted(times), case.tracking_code
        last = case.events.order_by("-seq").first()
        assert last is not None
        assert last.to_state == case.state


def test_every_issued_response_was_approved_by_a_second_person(demo_cases: LoadResult) -> None:
    issued = Case.objects.filter(state="response_issued")
    assert issued.exists()
    assert not issued.filter(prepared_by__isnull=True).exists()
    assert not issued.filter(approved_by__isnull=True).exists()
    assert not issued.filter(prepared_by=F("approved_by")).exists()


def test_the_cases_are_backdated_and_some_are_overdue(demo_cases: LoadResult) -> None:
    now = timezone.now()
    assert not CaseEvent.objects.filter(created_at__gt=now).exists()
    oldest = Case.objects.order_by("opened_at").values_list("opened_at", flat=True).first()
    assert oldest is not None
    assert oldest < now - dt.timedelta(days=7)
    running = Case.objects.filter(closed_at__isnull=True, due_at__isnull=False)
    assert running.filter(due_at__lt=now).exists(), "some cases are overdue"
    assert running.filter(due_at__gte=now).exists(), "some are still in time"
    assert not Case.objects.filter(closed_at__isnull=False, due_at__isnull=False).exists()


def test_a_second_load_creates_no_cases_or_events(demo_cases: LoadResult) -> None:
    before = snapshot()
    again = load_demo_city(parcels=PARCELS, citizens=CITIZENS, cases=CASES * 2)
    assert not again.changed
    assert snapshot() == before


def test_the_command_prints_the_cases_and_the_cartables(db: None) -> None:
    out = StringIO()
    call_command("load_demo_city", "--parcels", "80", "--cases", "25", stdout=out)
    output = out.getvalue()
    assert "25 demo cases" in output
    assert f"Demo cases: {25 + len(EXCAVATION_PLANS)}" in output  # with the excavations
    assert "Cartables of the demo accounts" in output
    assert "tm-1101" in output
    again = StringIO()
    call_command("load_demo_city", "--parcels", "80", "--cases", "25", stdout=again)
    assert "already loaded" in again.getvalue()
    assert Case.objects.count() == 25 + len(EXCAVATION_PLANS)


def test_no_cases_without_the_option(db: None) -> None:
    load_demo_city(parcels=20, citizens=5)
    assert not Case.objects.exists()
