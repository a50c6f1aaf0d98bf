"""A case registered under the wrong service is put right by its office's technical
manager while it is at registration: one `change_service` event with a reason, before
and after, the tracking code kept, every rule of registering the new service applied."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import Http404
from django.test import Client

from pishkhan.cases.actions import do_change_service, do_claim_case
from pishkhan.cases.errors import (
    ActionNotAllowed,
    AssignedToAnother,
    ConcurrentActionError,
    DocumentsMissing,
    DuplicateOpenCase,
    InvalidFieldValues,
    InvalidInput,
    NothingChanged,
    ReasonRequired,
    RoleNotAllowed,
    ServiceNotContracted,
)
from pishkhan.cases.models import Case, CaseEvent
from pishkhan.catalog.models import ServiceType
from pishkhan.core.digits import to_persian_digits
from pishkhan.offices.models import OfficeContract
from pishkhan.offices.roles import Role
from pishkhan.testing.personas import (
    INQUIRY_DOCUMENTS,
    City,
    application_data,
    application_form_data,
    client_for,
    walk_to,
)

WHY = "متقاضی برای وام بانکی آمده بود، نه نقل و انتقال"
BANK_DOCUMENTS = INQUIRY_DOCUMENTS


def bank() -> ServiceType:
    return ServiceType.objects.get(code="inquiry_bank")


def change(user: Any, case: Case, **overrides: Any) -> Case:
    given: dict[str, Any] = {
        "documents_checked": BANK_DOCUMENTS,
        "data": application_data("inquiry_bank"),
        **overrides,
    }
    return do_change_service(user, case.pk, case.version, bank(), WHY, **given)


def written(case: Case) -> tuple[int, int]:
    return Case.objects.get(pk=case.pk).version, CaseEvent.objects.filter(case=case).count()


def test_the_case_moves_to_the_new_service_keeping_its_tracking_code(world: City) -> None:
    case = world.open_case()
    code, opened_at = case.tracking_code, case.opened_at
    changed = change(world.alice, case)
    assert changed.tracking_code == code
    assert changed.service_type == bank()
    assert changed.definition.service_type == bank()
    assert changed.definition.is_active
    assert (changed.state, changed.version, changed.opened_at) == ("registered", 2, opened_at)
    assert changed.data == application_data("inquiry_bank")
    assert sorted(changed.documents_checked) == sorted(BANK_DOCUMENTS)
    event = CaseEvent.objects.get(case=case, seq=2)
    assert (event.action, event.actor_id, event.actor_role, event.reason) == (
        "change_service",
        world.alice.pk,
        Role.TECHNICAL_MANAGER,
        WHY,
    )
    assert event.payload["before"]["service"] == "inquiry_notary"
    assert event.payload["before"]["data"] == application_data("inquiry_notary")
    assert event.payload["after"]["service"] == "inquiry_bank"
    assert event.payload["after"]["definition_id"] == changed.definition_id


def test_the_deadlines_are_counted_again_from_the_opening(world: City) -> None:
    case = world.open_case()
    changed = change(world.alice, case)
    assert changed.due_at is not None
    assert changed.opened_at < changed.due_at


def test_the_new_service_s_rules_apply(world: City) -> None:
    case = world.open_case()
    before = written(case)
    with pytest.raises(DocumentsMissing):
        change(world.alice, case, documents_checked=["inquiry_letter"])
    with pytest.raises(InvalidFieldValues) as refused:
        change(world.alice, case, data=application_data("inquiry_notary"))
    assert refused.value.errors  # the notary's fields are not the bank's
    with pytest.raises(InvalidFieldValues):
        change(world.alice, case, data={})
    assert written(case) == before


def test_a_service_outside_the_office_s_contract_is_refused(world: City) -> None:
    case = world.open_case()
    for contract in OfficeContract.objects.filter(office=world.a.office):
        contract.services.remove(bank())
    with pytest.raises(ServiceNotContracted):
        change(world.alice, case)
    assert written(case) == (1, 1)


def test_an_open_case_of_the_new_service_on_the_parcel_needs_a_reason(world: City) -> None:
    other = world.open_case("inquiry_bank")
    case = world.open_case()
    with pytest.raises(DuplicateOpenCase, match=to_persian_digits(other.tracking_code)):
        change(world.alice, case, duplicate_reason="")
    changed = change(world.alice, case, duplicate_reason="بانک دیگری هم استعلام خواسته است")
    event = CaseEvent.objects.get(case=case, seq=2)
    assert changed.service_type == bank()
    assert event.payload["duplicate_of"] == other.tracking_code


@pytest.mark.parametrize("reason", ["", "   ", "\x00" + "ا" * 10, "ا" * 1_000_000])
def test_a_reason_is_required_and_checked(world: City, reason: str) -> None:
    case = world.open_case()
    with pytest.raises((ReasonRequired, InvalidInput)) as refused:
        do_change_service(
            world.alice,
            case.pk,
            case.version,
            bank(),
            reason,
            documents_checked=BANK_DOCUMENTS,
            data=application_data("inquiry_bank"),
        )
    assert "علت تغییر خدمت" in refused.value.message
    assert written(case) == (1, 1)


def test_the_same_service_changes_nothing(world: City) -> None:
    case = world.open_case("inquiry_bank")
    with pytest.raises(NothingChanged, match="همین خدمت"):
        change(world.alice, case)


def test_only_at_registration_and_only_by_the_office_s_technical_manager(world: City) -> None:
    case = world.open_case()
    with pytest.raises(RoleNotAllowed):
        change(world.a[Role.INSPECTOR], case)
    with pytest.raises(Http404):
        change(world.b[Role.TECHNICAL_MANAGER], case)
    moved = walk_to(world, case, "awaiting_visit")
    with pytest.raises(ActionNotAllowed, match="مرحلهٔ ثبت"):
        change(world.alice, moved)


def test_a_stale_version_and_a_colleague_s_claim_are_refused(world: City) -> None:
    case = world.open_case()
    with pytest.raises(ConcurrentActionError):
        do_change_service(
            world.alice,
            case.pk,
            case.version - 1,
            bank(),
            WHY,
            documents_checked=BANK_DOCUMENTS,
            data=application_data("inquiry_bank"),
        )
    second_tm = world.builder.staff(Role.TECHNICAL_MANAGER, office=world.a.office).user
    claimed = do_claim_case(second_tm, case.pk, case.version)
    with pytest.raises(AssignedToAnother):
        change(world.alice, claimed)


# --- the pages ------------------------------------------------------------------------


def url(case: Case) -> str:
    return f"/cases/{case.pk}/service/"


def test_the_case_page_offers_the_change_only_to_who_may_make_it(world: City) -> None:
    case = world.open_case()
    assert url(case) in client_for(world.alice).get(f"/cases/{case.pk}/").content.decode()
    inspector = client_for(world.a[Role.INSPECTOR])
    assert url(case) not in inspector.get(f"/cases/{case.pk}/").content.decode()
    refused = inspector.get(url(case))
    assert refused.status_code == 400
    assert "مسئول فنی دفتر این پرونده" in refused.content.decode()
    assert client_for(world.b[Role.TECHNICAL_MANAGER]).get(url(case)).status_code == 404


def test_the_pages_choose_the_service_and_change_it(world: City) -> None:
    case = world.open_case()
    tm: Client = client_for(world.alice)
    listing = tm.get(url(case), {"q": "بانك"})
    assert listing.status_code == 200
    assert [c.offering.service.code for c in listing.context["cards"]] == ["inquiry_bank"]
    form = tm.get(url(case), {"service": "inquiry_bank"})
    assert form.status_code == 200
    html = form.content.decode()
    assert "نام بانک" in html  # the new service's declared fields
    posted = {
        "service": "inquiry_bank",
        "version": str(case.version),
        "documents": BANK_DOCUMENTS,
        "reason": WHY,
        **application_form_data("inquiry_bank"),
    }
    done = tm.post(url(case), posted, follow=True)
    assert done.status_code == 200
    assert "خدمت پرونده به «استعلام بانک» تغییر کرد." in done.content.decode()
    assert Case.objects.get(pk=case.pk).service_type == bank()


def test_a_refused_change_shows_the_form_with_persian_messages(world: City) -> None:
    case = world.open_case()
    tm = client_for(world.alice)
    posted = {
        "service": "inquiry_bank",
        "version": str(case.version),
        "documents": ["inquiry_letter"],
        "reason": "",
        "field_bank": "no_such_bank",
    }
    refused = tm.post(url(case), posted)
    assert refused.status_code == 400
    assert "علت تغییر خدمت را بنویسید." in refused.content.decode()
    posted["reason"] = WHY
    refused = tm.post(url(case), posted)
    assert refused.status_code == 400
    assert written(case) == (1, 1)
    forged = tm.post(url(case), {**posted, "service": "permit_extension_forged"})
    assert forged.status_code == 400
    assert written(case) == (1, 1)
