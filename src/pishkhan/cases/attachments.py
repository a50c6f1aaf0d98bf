"""A case's scans and photos: the checks the actions run on an upload before their
transaction, and the rows they write inside it (through the file store, pishkhan.files).

The store decides what a file is and refuses what it must (files/checks.py); here a
refusal becomes the case's own error (UploadInvalid, an InvalidInput the pages show),
named by the file's name so a registration with several scans says which one failed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from pishkhan.cases.errors import InvalidInput, UploadInvalid
from pishkhan.cases.models import AttachmentKind, Case, CaseAttachment, VisitReport
from pishkhan.core import clock
from pishkhan.core.digits import to_persian_digits
from pishkhan.files.checks import (
    ALL_KINDS,
    IMAGE_KINDS,
    CheckedUpload,
    check_upload,
    display_name,
)
from pishkhan.files.errors import UploadRefused
from pishkhan.files.store import save_checked

SCAN_KINDS = ALL_KINDS  # a document is scanned to PDF or photographed
PHOTO_KINDS = IMAGE_KINDS
PHOTOS_PER_VISIT_MAX = 20
SCANS_PER_REQUEST_MAX = 20


def refusal(name: str, error: UploadRefused) -> UploadInvalid:
    return UploadInvalid(f"«{name}»: {error.message}", reason=error.code)


def checked_upload(uploaded: Any, kinds: frozenset[str]) -> CheckedUpload:
    """The store's check of one upload, refused as the case's error."""
    if uploaded is None or not hasattr(uploaded, "chunks"):
        raise InvalidInput("پرونده‌ای برای بارگذاری انتخاب نشده است.")
    try:
        return check_upload(uploaded, kinds=kinds)
    except UploadRefused as error:
        raise refusal(display_name(getattr(uploaded, "name", "")), error) from None


def checked_photos(photos: Sequence[Any]) -> list[CheckedUpload]:
    if len(photos) > PHOTOS_PER_VISIT_MAX:
        raise InvalidInput(
            f"در هر بار حداکثر {to_persian_digits(PHOTOS_PER_VISIT_MAX)} عکس پذیرفته می‌شود."
        )
    return [checked_upload(photo, PHOTO_KINDS) for photo in photos]


@dataclass(frozen=True)
class CheckedScan:
    document_code: str
    upload: CheckedUpload


def checked_scans(documents: Mapping[str, str], scans: Any) -> list[CheckedScan]:
    """Scans per document code of the definition's checklist, each checked."""
    if not scans:
        return []
    if not isinstance(scans, Mapping):
        raise InvalidInput("اسکن مدارک شناخته نیست.")
    items = [(code, f) for code, files in scans.items() for f in (files or ())]
    if len(items) > SCANS_PER_REQUEST_MAX:
        raise InvalidInput(
            f"در هر بار حداکثر {to_persian_digits(SCANS_PER_REQUEST_MAX)} اسکن پذیرفته می‌شود."
        )
    unknown = [code for code, _ in items if code not in documents]
    if unknown:
        raise InvalidInput("این مدرک در فهرست مدارک این خدمت نیست.")
    return [CheckedScan(code, checked_upload(f, SCAN_KINDS)) for code, f in items]


def document_code_of(case: Case, code: Any) -> str:
    if not isinstance(code, str) or code not in case.definition.documents:
        raise InvalidInput("این مدرک در فهرست مدارک این خدمت نیست.")
    return code


def check_room(case: Case, adding: int) -> None:
    """A case holds at most PISHKHAN_UPLOAD_MAX_FILES_PER_CASE files."""
    limit = settings.PISHKHAN_UPLOAD_MAX_FILES_PER_CASE
    if CaseAttachment.objects.filter(case_id=case.pk).count() + adding > limit:
        raise InvalidInput(f"این پرونده بیش از {to_persian_digits(limit)} پیوست نمی‌پذیرد.")


def attach(
    user: Any,
    case: Case,
    checked: CheckedUpload,
    kind: str,
    *,
    document_code: str = "",
    visit_report: VisitReport | None = None,
    checklist_item: str = "",
) -> CaseAttachment:
    """Store a checked upload and attach it (inside the action's atomic_with_files)."""
    try:
        stored = save_checked(user, checked, purpose=kind)
    except UploadRefused as error:
        raise refusal(checked.display_name, error) from None
    gps = checked.gps if kind == AttachmentKind.VISIT_PHOTO else None
    return CaseAttachment.objects.create(
        case=case,
        file=stored,
        kind=kind,
        document_code=document_code,
        visit_report=visit_report,
        checklist_item=checklist_item,
        latitude=gps.latitude if gps else None,
        longitude=gps.longitude if gps else None,
        attached_by_id=user.pk,
        attached_at=clock.now(),
    )
