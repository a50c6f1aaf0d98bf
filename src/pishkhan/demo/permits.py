"""The demo city's building permits (pishkhan.permits), through the real actions.

District 1's staff register six permits the city issued on paper before Pishkhan on
demo parcels of district 1 (two already lapsed, two ending within the month, two well
in force); the expiry job then marks the lapsed ones expired. Office 1101 registers a
case of each permit group: a new-construction permit walked to its issue (a permit
numbered by Pishkhan), and open cases of demolition and rebuild, replacement,
expansion, repairs and extension at different steps, the groups naming one of the
paper permits as their parent.

Loaded once: when a demo case of the new-construction permit exists, nothing is added.
The extension cases of :mod:`pishkhan.demo.cases` get their parent from
:func:`paper_parent`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from pishkhan.accounts.models import Citizen, User
from pishkhan.cases.actions import (
    do_open_case,
    do_perform_action,
    do_record_visit_report,
    state_checklist,
)
from pishkhan.cases.models import Case, Channel, WorkflowAction, WorkflowDefinition
from pishkhan.catalog.models import ServiceType
from pishkhan.core import clock
from pishkhan.demo.visits import demo_answers
from pishkhan.geo.models import LandUse, Parcel
from pishkhan.offices.models import Office, RoleAssignment
from pishkhan.offices.roles import Role
from pishkhan.permits.actions import PaperPermit, do_expire_lapsed_permits, do_record_paper_permit
from pishkhan.permits.models import BuildingPermit

HOME_OFFICE = "1101"
HOME_DISTRICT = 1
# (days from today its validity ends, floors, built area): two lapsed, two ending soon
PAPER_PERMITS = (
    (-40, 2, 180),
    (-12, 3, 260),
    (9, 2, 210),
    (24, 4, 420),
    (200, 3, 300),
    (380, 5, 600),
)
FIELDS: dict[str, dict[str, Any]] = {
    "permit_new": {"land_use": "residential", "floors": 4, "units": 4, "built_area": "520"},
    "permit_demolition_rebuild": {
        "land_use": "residential",
        "floors": 5,
        "units": 5,
        "built_area": "640",
    },
    "permit_replacement": {"land_use": "mixed", "floors": 3, "units": 3, "built_area": "320"},
    "permit_expansion": {"floors": 5, "units": 5, "built_area": "560"},
    "permit_repairs": {"description": "تعویض سقف شیروانی و بازسازی نمای خیابان"},
    "permit_extension": {},
}
REGISTRATION = {
    "permit_new": ["deed", "owner_id_card", "renewal_dues_receipt"],
    "permit_demolition_rebuild": ["deed", "owner_id_card", "safe_demolition_pledge"],
    "permit_replacement": ["previous_permit", "deed", "owner_id_card"],
    "permit_expansion": ["completion_certificate", "deed", "owner_id_card"],
    "permit_repairs": ["repairs_description", "deed_copy", "owner_id_card"],
    "permit_extension": ["permit_original", "owner_id_card", "renewal_dues_receipt"],
}
# (service, the step it is left at, the paper permit it names by index)
CASES = (
    ("permit_new", "issued", None),
    ("permit_new", "registered", None),
    ("permit_demolition_rebuild", "document_check", None),
    ("permit_replacement", "awaiting_visit", 4),
    ("permit_expansion", "district_review", 5),
    ("permit_repairs", "permit_prepared", 4),
    ("permit_extension", "registered", 2),
    ("permit_extension", "document_check", 3),
)
# The main way through every permit group's definition: (who, action) to leave a state.
FORWARD = {
    "registered": ("tm", "send_for_document_check"),
    "document_check": ("maker", "confirm_documents"),
    "awaiting_visit": ("inspector", "submit_visit_report"),
    "district_review": ("maker", "prepare"),
    "permit_prepared": ("checker", "approve_permit"),
    "extension_prepared": ("checker", "approve_extension"),
}

# What the demo inspector finds on a permit group's visit (the items the demo knows; the
# rest get a plain answer, demo.cases.demo_answers)
PERMIT_VISIT: dict[str, Any] = {
    "observed_land_use": LandUse.RESIDENTIAL,
    "site_status": "old_building",
    "land_area_measured": "240",
    "existing_floors": 2,
    "existing_built_area": "200",
    "floors_built": 2,
    "works_progress": 60,
    "construction_stage": "skeleton",
    "structure_type": "concrete",
    "conforms_to_permit": True,
    "notes": "بازدید از محل انجام شد.",
}


@dataclass
class Cast:
    tm: User
    inspector: User
    district: list[User]  # the maker first, the checker second


def paper_parent(parcel: Parcel, registrar: User, on: dt.date) -> BuildingPermit:
    """A paper permit of `parcel`, registered by `registrar` (district staff), ending a
    month after `on`: the parent a demo extension case names."""
    return do_record_paper_permit(
        registrar,
        parcel.pk,
        PaperPermit(
            land_use=LandUse.RESIDENTIAL,
            floors=2,
            units=2,
            built_area=Decimal("200"),
            issued_on=on - dt.timedelta(days=700),
            valid_until=on + dt.timedelta(days=30),
            paper_number=f"{parcel.renewal_code[-4:]}/ع",
        ),
    )


def demo_permits_exist() -> bool:
    return Case.objects.filter(service_type__code="permit_new", applicant__is_demo=True).exists()


def _cast() -> Cast | None:
    office = Office.objects.filter(code=HOME_OFFICE, is_demo=True).first()
    if office is None:
        return None
    staff = RoleAssignment.objects.filter(office=office).select_related("staff__user")
    tm = staff.filter(role=Role.TECHNICAL_MANAGER).order_by("pk").first()
    inspector = staff.filter(role=Role.INSPECTOR).order_by("pk").first()
    district = [
        r.staff.user
        for r in RoleAssignment.objects.filter(
            role=Role.DISTRICT_STAFF, district__number=HOME_DISTRICT, staff__is_demo=True
        )
        .select_related("staff__user")
        .order_by("staff__user__username")
    ]
    if tm is None or inspector is None or len(district) < 2:
        return None
    return Cast(tm=tm.staff.user, inspector=inspector.staff.user, district=district[:2])


def load_demo_permits(tally: Counter[str]) -> None:
    """The permits and permit cases of the module docstring, once."""
    cast = _cast()
    services = {
        s.code: s
        for s in ServiceType.objects.filter(
            code__in=list(FIELDS),
            workflow_definitions__in=WorkflowDefinition.objects.filter(is_active=True),
        )
    }
    parcels = list(
        Parcel.objects.filter(is_demo=True, district__number=HOME_DISTRICT).order_by("pk")[:16]
    )
    citizens = list(Citizen.objects.filter(is_demo=True).order_by("national_id")[:8])
    if cast is None or len(services) < len(FIELDS) or len(parcels) < 14 or not citizens:
        return
    if demo_permits_exist():
        return
    office = Office.objects.get(code=HOME_OFFICE)
    today = timezone.localdate()
    papers = [
        do_record_paper_permit(
            cast.district[0],
            parcel.pk,
            PaperPermit(
                land_use=LandUse.RESIDENTIAL,
                floors=floors,
                units=floors,
                built_area=Decimal(area),
                issued_on=today + dt.timedelta(days=until - 730),
                valid_until=today + dt.timedelta(days=until),
                paper_number=f"{1398 + i}/{3100 + i}",
            ),
        )
        for i, ((until, floors, area), parcel) in enumerate(
            zip(PAPER_PERMITS, parcels, strict=False)
        )
    ]
    tally["paper permits"] += len(papers)
    tally["permits expired"] += do_expire_lapsed_permits()
    for i, (service, target, parent) in enumerate(CASES):
        parcel = papers[parent].parcel if parent is not None else parcels[8 + i]
        data = dict(FIELDS[service])
        if parent is not None:
            data["parent_permit"] = papers[parent].number
        case = do_open_case(
            cast.tm,
            services[service],
            citizens[i % len(citizens)],
            parcel,
            office,
            Channel.IN_PERSON,
            REGISTRATION[service],
            data=data,
            duplicate_reason="درخواست دیگری از همین مالک روی همین ملک",
        )
        walk(case, target, cast)
        tally["permit cases"] += 1
    tally["permits issued"] += BuildingPermit.objects.filter(case__office=office).count()


def walk(case: Case, target: str, cast: Cast) -> Case:
    """Take the definition's main way to `target`, recording the visit where it waits."""
    while case.state != target:
        who, code = FORWARD[case.state]
        if code == "prepare":
            extension = case.service_type.code == "permit_extension"
            code = "prepare_extension" if extension else "prepare_permit"
        if case.state == "awaiting_visit":
            answers, photos = demo_answers(
                state_checklist(case), PERMIT_VISIT, [], case.parcel_id or 0
            )
            do_record_visit_report(
                cast.inspector,
                case.pk,
                case.version,
                visited_at=clock.now() - dt.timedelta(hours=2),
                answers=answers,
                photos=photos,
            )
            case.refresh_from_db()
        maker, checker = cast.district
        user = {"tm": cast.tm, "inspector": cast.inspector, "checker": checker}.get(who, maker)
        action = WorkflowAction.objects.select_related("to_state").get(
            definition_id=case.definition_id, code=code, from_state__code=case.state
        )
        required = action.to_state.documents_required
        missing = sorted(set(required) - set(case.documents_checked))
        payload = {"documents_checked": missing} if missing else {}
        case = do_perform_action(user, case.pk, code, case.version, payload=payload)
    return case
