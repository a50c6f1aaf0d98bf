"""The cases app's object routes, for the authorization matrix (pishkhan.testing.authz).

Each write posts what its page would post for someone allowed, so a hole in a scope would
really move the case: the first action out of the case's state with the inputs it asks,
a visit report, the case's version for a claim or a release, a follow-up note.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import jdatetime
from django.utils import timezone

from pishkhan.cases.models import Case, CaseAttachment, VisitReport, WorkflowAction
from pishkhan.offices.models import RoleAssignment
from pishkhan.testing.authz import MISSING_ID, Route, exempt, register
from pishkhan.testing.uploads import image_bytes, pdf_bytes, upload

KIND = "case"
FILE_KIND = "case.file"
MISSING_KEY = uuid.UUID(int=0)
REASON = "بررسی دسترسی"
# The roles whose views refuse anyone else before looking a case up (cases/views_*.py).
CARTABLE_ROLES = frozenset({"technical_manager", "inspector", "plan_reviewer", "district_staff"})
FOLLOW_UP = frozenset({"follow_up_officer"})
MANAGER = frozenset({"office_manager"})


def version(case: Case) -> dict[str, Any]:
    return {"version": str(case.version)}


def an_action(case: Case) -> dict[str, Any]:
    """The first action out of the case's state (any action of its definition when the
    state is terminal), with a reason if it asks one and the documents it needs."""
    actions = WorkflowAction.objects.filter(definition_id=case.definition_id).select_related(
        "to_state"
    )
    action = (
        actions.filter(from_state__code=case.state).order_by("position").first()
        or actions.order_by("position").first()
    )
    assert action is not None
    missing = [c for c in action.to_state.documents_required if c not in case.documents_checked]
    return {
        **version(case),
        "action": action.code,
        "reason": REASON if action.reason_required else "",
        "documents_checked": missing,
    }


def a_visit(case: Case) -> dict[str, Any]:
    yesterday = jdatetime.date.fromgregorian(date=timezone.localdate() - dt.timedelta(days=1))
    return {
        **version(case),
        "visited_on": yesterday.strftime("%Y/%m/%d"),
        "visited_time": "10:00",
        "field_observed_land_use": "residential",
        "field_built_area": "120",
        "field_floors": "2",
        "field_violations_observed": "",
        "field_photos": "front.jpg",
    }


def a_scan(case: Case) -> dict[str, Any]:
    """A scan of the case's first document, as the case page posts it."""
    document = next(iter(case.definition.documents), "none")
    return {**version(case), "document": document, "file": upload(pdf_bytes(), "scan.pdf")}


def a_photo(case: Case) -> dict[str, Any]:
    """A photo for the case's latest visit report (none yet: the action refuses)."""
    report = VisitReport.objects.filter(case=case).order_by("-pk").first()
    photo = upload(image_bytes("jpeg"), "photo.jpg")
    return {**version(case), "report": str(report.pk if report else 0), "file": photo}


def file_args(attachment: CaseAttachment) -> tuple[Any, ...]:
    return (attachment.case_id, attachment.file.key)


def a_correction(case: Case) -> dict[str, Any]:
    """Un-tick every document: a change wherever the case's step may be corrected."""
    return {**version(case), "reason": REASON}


def a_plan_review(case: Case) -> dict[str, Any]:
    return {
        **version(case),
        "zone": "R112",
        "permitted_uses": ["residential"],
        "opinion": "مطابق طرح",
    }


def an_answer(case: Case) -> dict[str, Any]:
    return {
        **version(case),
        "result": "conditional",
        "own_conditions": "رعایت گذربندی",
        "permitted_uses": ["residential"],
    }


def a_note(case: Case) -> dict[str, Any]:
    return {"text": "پیگیری تلفنی با متقاضی"}


def an_assignment(case: Case) -> dict[str, Any]:
    """A colleague holding the case's acting role at its office, as the manager's page
    offers them (any staff member when nobody holds it: the action refuses)."""
    held = RoleAssignment.objects.filter(office_id=case.office_id, role=case.acting_role).first()
    someone = held or RoleAssignment.objects.order_by("pk").first()
    assert someone is not None
    return {**version(case), "assignee": str(someone.staff.user_id), "reason": REASON}


def a_service_change(case: Case) -> dict[str, Any]:
    """Move the case to the bank inquiry (or the notary's, for a bank inquiry)."""
    other = "inquiry_notary" if case.service_type.code == "inquiry_bank" else "inquiry_bank"
    return {**version(case), "service": other, "reason": REASON}


register(
    Route("cases:detail", KIND, methods=("GET", "HEAD")),
    Route("cases:receipt", KIND, methods=("GET", "HEAD")),
    Route("cases:act", KIND, methods=("POST",), data=an_action),
    Route("cases:visit", KIND, methods=("POST",), data=a_visit),
    Route("cases:correct", KIND, methods=("POST",), data=a_correction),
    Route("cases:plan_review", KIND, methods=("POST",), data=a_plan_review),
    Route("cases:answer_draft", KIND, methods=("POST",), data=an_answer),
    Route("cases:answer", KIND, methods=("GET", "HEAD")),
    Route("cases:claim", KIND, methods=("POST",), data=version, gate=CARTABLE_ROLES),
    Route("cases:release", KIND, methods=("POST",), data=version, gate=CARTABLE_ROLES),
    Route("cases:follow_up_note", KIND, methods=("POST",), data=a_note, gate=FOLLOW_UP),
    Route("cases:assign", KIND, methods=("POST",), data=an_assignment, gate=MANAGER),
    Route("cases:change_service", KIND, methods=("GET", "HEAD", "POST"), data=a_service_change),
    Route("cases:attach_scan", KIND, methods=("POST",), data=a_scan),
    Route("cases:attach_photo", KIND, methods=("POST",), data=a_photo),
    # a case's files: their own matrix (test_attachments.py), every person on a scan
    # and a photo of a case
    Route("cases:file", FILE_KIND, args=file_args, missing_args=(MISSING_ID, MISSING_KEY)),
    Route(
        "cases:file_thumbnail",
        FILE_KIND,
        args=file_args,
        missing_args=(MISSING_ID, MISSING_KEY),
    ),
)
exempt(
    "cases:parcel",
    "a parcel's file is city data any staff role reads (role_required); the cases on it "
    "are scoped inside the page (test_parcel_file.py)",
)
