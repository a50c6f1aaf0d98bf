"""Each building-permit group walks its definition with the right roles, and its
approval's effect issues, extends or supersedes the permit record."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from pishkhan.cases.effects import EffectContext
from pishkhan.cases.errors import GuardFailed, InvalidFieldValues, WorkflowError
from pishkhan.cases.models import Case, WorkflowAction
from pishkhan.cases.workflow import DEFINITIONS_DIR, parse_definition, read_definition_file
from pishkhan.core import clock
from pishkhan.offices.roles import Role
from pishkhan.permits.models import (
    BuildingPermit,
    PermitEvent,
    PermitEventKind,
    PermitKind,
    PermitStatus,
)
from pishkhan.permits.numbers import make_permit_number
from pishkhan.permits.records import PermitRefused
from pishkhan.permits.rules import rules_of
from pishkhan.permits.workflow_hooks import record_building_permit
from pishkhan.testing.personas import PARENT_AREA, PARENT_FLOORS, City, act

ISSUING = {
    "permit_new": PermitKind.NEW,
    "permit_demolition_rebuild": PermitKind.DEMOLITION_REBUILD,
    "permit_replacement": PermitKind.REPLACEMENT,
    "permit_expansion": PermitKind.EXPANSION,
    "permit_repairs": PermitKind.REPAIRS,
}
GROUPS = [*ISSUING, "permit_extension"]


@pytest.mark.parametrize("service", GROUPS)
def test_each_definition_names_its_permit_group_and_validity(service: str) -> None:
    spec = parse_definition(read_definition_file(DEFINITIONS_DIR / f"{service}.json"))
    rules = rules_of(spec.settings)
    assert rules is not None
    approve = next(a for a in spec.actions if "record_building_permit" in a.effects)
    assert "approver_differs_from_preparer" in approve.guards
    # the groups that name a parent check it on the way to the district and at approval
    assert ("parent_permit_usable" in approve.guards) == rules.has_parent
    assert ("parent_permit" in {f.code for f in spec.fields}) == rules.has_parent


def approved(city: City, case: Case) -> Case:
    """Walk to the prepared decision, then the other district staff member approves."""
    case = city.walk_to(case, "permit_prepared" if "permit_prepared" in states(case) else
                        "extension_prepared")  # fmt: skip
    checker = next(u for u in city.a.district_staff if u.pk != case.prepared_by_id)
    code = "approve_extension" if case.service_type.code == "permit_extension" else "approve_permit"
    return act(checker, case, code)


def states(case: Case) -> set[str]:
    return set(case.definition.states.values_list("code", flat=True))


@pytest.mark.parametrize("service", ISSUING)
def test_the_approval_issues_a_numbered_permit_from_the_declared_fields(
    city: City, service: str
) -> None:
    case = approved(city, city.open_case(service))
    assert case.state == "issued"
    permit = BuildingPermit.objects.get(case=case)
    today = timezone.localdate()
    rules = rules_of(case.definition.settings)
    assert rules is not None
    assert (permit.kind, permit.status, permit.parcel_id) == (
        ISSUING[service],
        PermitStatus.VALID,
        city.a.parcel.pk,
    )
    assert (permit.issued_on, permit.valid_until) == (
        today,
        today + dt.timedelta(days=rules.valid_days),
    )
    assert permit.issued_by_id == case.approved_by_id
    assert permit.owner_id == case.applicant_id
    assert len(permit.number) == 8
    assert permit.number.isdigit()
    data = case.data
    assert permit.floors == data.get("floors", PARENT_FLOORS)
    assert permit.built_area == Decimal(str(data.get("built_area", PARENT_AREA)))
    assert list(permit.events.values_list("kind", flat=True)) == [PermitEventKind.ISSUED]


def test_numbers_count_per_jalali_year_with_a_check_digit(city: City) -> None:
    first = approved(city, city.open_case("permit_new"))
    second = approved(city, city.open_case("permit_new"))
    numbers = list(
        BuildingPermit.objects.filter(case__in=[first, second])
        .order_by("pk")
        .values_list("number", flat=True)
    )
    head, tail = numbers[0][:2], int(numbers[0][2:7])
    assert numbers[1] == make_permit_number(int("14" + head), tail + 1)


def test_an_extension_extends_the_parent_it_names(city: City) -> None:
    case = city.open_case("permit_extension")
    parent = BuildingPermit.objects.get(number=case.data["parent_permit"])
    before = parent.valid_until
    case = approved(city, case)
    assert case.state == "extended"
    parent.refresh_from_db()
    assert (parent.status, parent.extensions) == (PermitStatus.EXTENDED, 1)
    assert parent.valid_until == before + dt.timedelta(days=365)
    event = parent.events.get(kind=PermitEventKind.EXTENDED)
    assert (event.case_id, event.valid_until_before, event.valid_until_after) == (
        case.pk,
        before,
        parent.valid_until,
    )
    assert not BuildingPermit.objects.filter(case=case).exists()


def test_a_replacement_supersedes_its_parent(city: City) -> None:
    case = approved(city, city.open_case("permit_replacement"))
    new = BuildingPermit.objects.get(case=case)
    parent = new.parent
    assert parent is not None
    assert parent.status == PermitStatus.REPLACED
    assert parent.events.filter(kind=PermitEventKind.REPLACED, related=new).exists()
    # a replaced permit carries no further request
    with pytest.raises(InvalidFieldValues, match="تعویض‌شده"):
        city.open_case("permit_extension", data={"parent_permit": parent.number})


def test_an_expansion_records_the_new_floors_and_area_over_the_parent(city: City) -> None:
    case = approved(city, city.open_case("permit_expansion"))
    new = BuildingPermit.objects.get(case=case)
    assert new.parent is not None
    assert (new.parent.floors, new.parent.built_area) == (PARENT_FLOORS, PARENT_AREA)
    assert (new.floors, new.built_area) == (3, Decimal("330"))
    assert new.parent.status == PermitStatus.VALID
    assert new.parent.events.filter(kind=PermitEventKind.EXPANDED, related=new).exists()


def test_an_expansion_that_adds_nothing_is_refused_and_changes_nothing(city: City) -> None:
    parent = city.builder.paper_permit(city.a.parcel)
    data = {"parent_permit": parent.number, "floors": PARENT_FLOORS, "units": 2}
    case = city.open_case("permit_expansion", data={**data, "built_area": str(PARENT_AREA)})
    case = city.walk_to(case, "permit_prepared")
    checker = next(u for u in city.a.district_staff if u.pk != case.prepared_by_id)
    events = PermitEvent.objects.count()
    with pytest.raises(WorkflowError, match="بیشتر از پروانه پایه"):
        act(checker, case, "approve_permit")
    case.refresh_from_db()
    assert case.state == "permit_prepared"
    assert PermitEvent.objects.count() == events
    assert not BuildingPermit.objects.filter(case=case).exists()


def test_repairs_are_licensed_against_the_parent(city: City) -> None:
    case = approved(city, city.open_case("permit_repairs"))
    new = BuildingPermit.objects.get(case=case)
    assert new.parent is not None
    assert (new.floors, new.built_area) == (new.parent.floors, new.parent.built_area)
    assert new.description == "تعویض سقف و بازسازی نما"
    assert new.parent.events.filter(kind=PermitEventKind.REPAIRS, related=new).exists()


@pytest.mark.parametrize("service", GROUPS)
def test_a_decision_sent_back_is_prepared_again(city: City, service: str) -> None:
    case = city.open_case(service)
    prepared = "extension_prepared" if service == "permit_extension" else "permit_prepared"
    case = city.walk_to(case, prepared)
    checker = next(u for u in city.a.district_staff if u.pk != case.prepared_by_id)
    case = act(checker, case, "send_back_for_revision", reason="زیربنا با نقشه نمی‌خواند")
    assert (case.state, case.returned_reason) == ("district_review", "زیربنا با نقشه نمی‌خواند")
    assert not BuildingPermit.objects.filter(case=case).exists()
    case = city.walk_to(case, prepared)
    assert case.state == prepared


@pytest.mark.parametrize("service", GROUPS)
def test_a_rejection_needs_two_people_and_issues_nothing(city: City, service: str) -> None:
    case = city.walk_to(city.open_case(service), "document_check")
    maker, checker = city.a.district_staff
    case = act(maker, case, "prepare_rejection", reason="سند مالکیت معارض دارد")
    with pytest.raises(GuardFailed, match="دو نفر"):
        act(maker, case, "confirm_rejection", reason="سند مالکیت معارض دارد")
    case = act(checker, case, "confirm_rejection", reason="سند مالکیت معارض دارد")
    assert case.state == "rejected"
    assert not BuildingPermit.objects.filter(case=case).exists()


@pytest.mark.parametrize("service", GROUPS)
def test_the_applicant_may_withdraw_at_registration(city: City, service: str) -> None:
    case = city.open_case(service)
    case = act(city.citizen.user, case, "withdraw", reason="فروش ملک")  # type: ignore[arg-type]
    assert case.state == "withdrawn"


def test_only_the_office_registers_and_only_the_district_decides(city: City) -> None:
    case = city.open_case("permit_new")
    with pytest.raises(WorkflowError):
        act(city.a.district_staff[0], case, "send_for_document_check")
    case = act(city.a[Role.TECHNICAL_MANAGER], case, "send_for_document_check")
    with pytest.raises(WorkflowError):
        act(city.a[Role.TECHNICAL_MANAGER], case, "confirm_documents")


@pytest.mark.parametrize("service", ["permit_new", "permit_extension"])
def test_a_case_issues_or_extends_a_permit_only_once(city: City, service: str) -> None:
    """The effect again on an approved case (a definition edited to reach the approval
    twice) is refused: no second permit, no second extension of the parent."""
    case = approved(city, city.open_case(service))
    event = case.events.order_by("-seq").first()
    assert event is not None
    permits = BuildingPermit.objects.count()
    extended = [p.valid_until for p in BuildingPermit.objects.order_by("pk")]
    action = WorkflowAction.objects.get(definition_id=case.definition_id, code=event.action)
    context = EffectContext(
        case=case, action=action, event=event, actor_id=event.actor_id,
        role="district_staff", now=clock.now(),
    )  # fmt: skip
    with pytest.raises(PermitRefused, match="پیش‌تر"):
        record_building_permit(context)
    assert BuildingPermit.objects.count() == permits
    assert [p.valid_until for p in BuildingPermit.objects.order_by("pk")] == extended
