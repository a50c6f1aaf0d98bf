"""The workflow link: the effect that issues a case's bills on entering a state, the
guard that blocks a step while they are unpaid, and the parcel's unpaid bills as debts
of the inquiry's answer."""

from __future__ import annotations

import pytest
from django.urls import reverse

from pishkhan.accounts.access import load_principal
from pishkhan.billing.actions import do_publish_rule, do_record_bill_payment, issue_case_bills
from pishkhan.billing.models import (
    Bill,
    BillKind,
    BillStatus,
    RenewalDuesAccount,
    TransferBasis,
    TransferDuesRule,
)
from pishkhan.billing.tests.conftest import Rules
from pishkhan.billing.workflow_link import UNPAID_BILLS_REASON
from pishkhan.cases.actions import do_perform_action
from pishkhan.cases.errors import GuardFailed, WorkflowError
from pishkhan.cases.models import Case, WorkflowAction
from pishkhan.cases.permissions import case_permissions
from pishkhan.cases.responses import parcel_debts
from pishkhan.cases.workflow import load_definition
from pishkhan.catalog.models import ServiceCategory, ServiceType
from pishkhan.core import clock
from pishkhan.core.jalali import from_jalali
from pishkhan.testing.personas import City, client_for

BILLED = {
    "service": "billing_link_service",
    "title": "خدمت آزمایشی فیش",
    "open_roles": ["technical_manager"],
    "states": [
        {"code": "registered", "label": "ثبت‌شده", "role": "technical_manager", "initial": True},
        {"code": "awaiting_payment", "label": "در انتظار پرداخت", "role": "technical_manager"},
        {"code": "done", "label": "انجام‌شده", "terminal": True},
    ],
    "actions": [
        {"code": "request_payment", "label": "صدور فیش‌ها", "from": "registered",
         "to": "awaiting_payment", "roles": ["technical_manager"],
         "effects": ["issue_case_bills"]},
        {"code": "finish", "label": "پایان کار", "from": "awaiting_payment", "to": "done",
         "roles": ["technical_manager"], "guards": ["bills_unpaid"]},
    ],
}  # fmt: skip


@pytest.fixture
def billed_case(city: City, rules: Rules, now: clock.FrozenClock) -> Case:
    service = ServiceType.objects.create(
        code=BILLED["service"], name=BILLED["title"], category=ServiceCategory.INQUIRY
    )
    load_definition(BILLED)
    city.builder.contract(city.a.office, [service])
    city.builder.tariff(service, from_jalali(1404, 1, 1), base_amount=400_000)
    do_publish_rule(
        TransferDuesRule(
            service_type=service,
            valid_from=from_jalali(1398, 1, 1),
            basis=TransferBasis.LAND,
            rate_bp=200,
            resolution="۱۲۳/ش",
            approved_on=from_jalali(1397, 12, 1),
        )
    )
    city.services[BILLED["service"]] = service
    return city.open_case(BILLED["service"], documents=[], data={})


def act(city: City, case: Case, code: str) -> Case:
    return do_perform_action(city.alice, case.pk, code, case.version)


def test_entering_the_state_issues_the_cases_bills(city: City, billed_case: Case) -> None:
    case = act(city, billed_case, "request_payment")
    bills = {b.kind: b for b in Bill.objects.filter(case=case)}
    assert set(bills) == {BillKind.SERVICE, BillKind.TRANSFER, BillKind.RENEWAL}
    assert bills[BillKind.SERVICE].total == 400_000 + 1_000 * 250
    assert bills[BillKind.TRANSFER].total == 60_000_000
    assert bills[BillKind.RENEWAL].total == 16_200_000
    assert all(b.issued_by_id == city.alice.pk and b.issued_role == "technical_manager"
               for b in bills.values())  # fmt: skip
    # idempotent: the same case entering again bills nothing twice
    assert issue_case_bills(case, actor_id=None, role="system", now=clock.now()) == []


def test_the_step_is_blocked_until_every_bill_is_paid(city: City, billed_case: Case) -> None:
    case = act(city, billed_case, "request_payment")
    actions = list(
        WorkflowAction.objects.filter(definition_id=case.definition_id).select_related(
            "from_state", "to_state"
        )
    )
    answer = case_permissions(load_principal(city.alice), case, actions=actions)
    (finish,) = [o for o in answer.actions if o.action.code == "finish"]
    assert [b.code for b in finish.blocks] == ["bills_unpaid"]
    assert UNPAID_BILLS_REASON in finish.blocks[0].message
    page = client_for(city.alice).get(reverse("cases:detail", args=[case.pk]))
    assert UNPAID_BILLS_REASON in page.content.decode()
    with pytest.raises(GuardFailed) as refused:
        act(city, case, "finish")
    assert refused.value.guard == "bills_unpaid"
    for bill in Bill.objects.filter(case=case):
        do_record_bill_payment(
            bill.pk, amount=bill.total, reference=f"R{bill.pk}", channel="online"
        )
    case.refresh_from_db()
    assert act(city, case, "finish").state == "done"


def test_an_effect_that_cannot_bill_refuses_the_move(city: City, billed_case: Case) -> None:
    RenewalDuesAccount.objects.create(parcel=city.a.parcel, paid_through_year=1390)
    with pytest.raises(WorkflowError, match="۱۳۹۱"):
        act(city, billed_case, "request_payment")
    billed_case.refresh_from_db()
    assert billed_case.state == "registered"
    assert not Bill.objects.exists()


def test_the_parcels_unpaid_bills_are_its_debts(city: City, billed_case: Case) -> None:
    before = parcel_debts(city.a.parcel.pk)
    case = act(city, billed_case, "request_payment")
    debts = [d for d in parcel_debts(city.a.parcel.pk) if d.source == "bill"]
    assert len(before) == 0
    # the service fee is the case's, not the parcel's: only transfer and renewal dues
    assert sorted(d.amount for d in debts) == [16_200_000, 60_000_000]
    transfer = Bill.objects.get(case=case, kind=BillKind.TRANSFER)
    do_record_bill_payment(transfer.pk, amount=transfer.total, reference="T1", channel="counter")
    assert [d.amount for d in parcel_debts(city.a.parcel.pk)] == [16_200_000]
    assert Bill.objects.get(pk=transfer.pk).status == BillStatus.PAID
