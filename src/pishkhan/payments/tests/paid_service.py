"""A test-only service whose case waits for its bills and moves on by itself when the
last one is paid (the shipped definitions are unchanged)."""

from __future__ import annotations

from pishkhan.billing.actions import do_publish_rule
from pishkhan.billing.models import TransferBasis, TransferDuesRule
from pishkhan.cases.models import Case
from pishkhan.cases.workflow import load_definition
from pishkhan.catalog.models import ServiceCategory, ServiceType
from pishkhan.core.jalali import from_jalali
from pishkhan.testing.personas import City

PAID = {
    "service": "payments_link_service",
    "title": "استعلام آزمایشی پرداخت",
    "open_roles": ["technical_manager"],
    "states": [
        {"code": "registered", "label": "ثبت‌شده", "role": "technical_manager", "initial": True},
        {"code": "awaiting_payment", "label": "در انتظار پرداخت", "role": "technical_manager"},
        {"code": "paid", "label": "پرداخت‌شده", "role": "technical_manager"},
        {"code": "done", "label": "انجام‌شده", "terminal": True},
    ],
    "actions": [
        {"code": "request_payment", "label": "صدور فیش‌ها", "from": "registered",
         "to": "awaiting_payment", "roles": ["technical_manager"],
         "effects": ["issue_case_bills"]},
        {"code": "confirm_payment", "label": "تأیید پرداخت", "from": "awaiting_payment",
         "to": "paid", "roles": ["system"], "guards": ["bills_unpaid"]},
        {"code": "recheck_payment", "label": "بررسی پرداخت", "from": "awaiting_payment",
         "to": "paid", "roles": ["technical_manager"], "guards": ["bills_unpaid"]},
        {"code": "finish", "label": "پایان کار", "from": "paid", "to": "done",
         "roles": ["technical_manager"]},
    ],
}  # fmt: skip


def paid_case(city: City) -> Case:
    """A case of the service, its bills issued (service fee and transfer dues)."""
    service = ServiceType.objects.create(
        code=PAID["service"], name=PAID["title"], category=ServiceCategory.INQUIRY
    )
    load_definition(PAID)
    city.builder.contract(city.a.office, [service])
    city.builder.tariff(service, from_jalali(1404, 1, 1), base_amount=400_000)
    do_publish_rule(
        TransferDuesRule(
            service_type=service, valid_from=from_jalali(1398, 1, 1), basis=TransferBasis.LAND,
            rate_bp=200, resolution="۱۲۳/ش", approved_on=from_jalali(1397, 12, 1),
        )
    )  # fmt: skip
    city.services[PAID["service"]] = service
    return city.open_case(PAID["service"], documents=[], data={})
