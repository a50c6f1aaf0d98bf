"""What the public verification page answers: is this serial and code a document the
city issued, is it still in force, and is an uploaded file byte for byte that one.

Only what the document prints, and less: the facts frozen at issue (the applicant's
national ID masked), never a name or an address the page has not been given.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.utils import timezone

from pishkhan.core.jalali import format_jalali_date, format_jalali_datetime
from pishkhan.documents.models import IssuedDocument
from pishkhan.documents.serials import is_well_formed, normalize_code, normalize_serial
from pishkhan.files.store import open_stored

UPLOAD_MAX_BYTES = 20 * 1024 * 1024


class Status:
    VALID = "valid"
    EXPIRED = "expired"
    SUPERSEDED = "superseded"
    REVOKED = "revoked"


STATUS_LABELS = {
    Status.VALID: "معتبر",
    Status.EXPIRED: "صادرشده؛ مدت اعتبار آن گذشته است",
    Status.SUPERSEDED: "جایگزین‌شده",
    Status.REVOKED: "ابطال‌شده",
}


def find_document(serial: str, code: str) -> IssuedDocument | None:
    """The document with this serial if the code is its code; None otherwise (a wrong
    code and an unknown serial answer alike)."""
    serial, code = normalize_serial(serial), normalize_code(code)
    if not is_well_formed(serial, code):
        return None
    document = IssuedDocument.objects.filter(serial=serial).first()
    if document is None or not secrets.compare_digest(document.verification_code, code):
        return None
    return document


@dataclass(frozen=True)
class Verdict:
    document: IssuedDocument
    status: str
    status_label: str
    successor_serial: str  # the serial of the document that superseded it (Persian digits)
    revoked_on: str
    issued_on: str
    facts: dict[str, Any]


def verdict(document: IssuedDocument, today: dt.date | None = None) -> Verdict:
    today = today or timezone.localdate()
    successor = IssuedDocument.objects.filter(supersedes_id=document.pk).first()
    valid_until = document.facts.get("valid_until")
    if document.revoked_at is not None:
        status = Status.REVOKED
    elif successor is not None:
        status = Status.SUPERSEDED
    elif valid_until and dt.date.fromisoformat(valid_until) < today:
        status = Status.EXPIRED
    else:
        status = Status.VALID
    return Verdict(
        document=document,
        status=status,
        status_label=STATUS_LABELS[status],
        successor_serial=successor.serial_label if successor else "",
        revoked_on=format_jalali_datetime(document.revoked_at) if document.revoked_at else "",
        issued_on=format_jalali_date(timezone.localtime(document.issued_at).date(), "long"),
        facts=document.facts,
    )


def sha256_of_upload(uploaded: Any) -> str | None:
    """The SHA-256 of an uploaded file, or None when it is larger than any document."""
    digest = hashlib.sha256()
    size = 0
    for chunk in uploaded.chunks():
        size += len(chunk)
        if size > UPLOAD_MAX_BYTES:
            return None
        digest.update(chunk)
    return digest.hexdigest()


def issued_bytes(document: IssuedDocument) -> bytes:
    with open_stored(document.file.storage_name) as handle:
        return bytes(handle.read())


# --- the rate limit ------------------------------------------------------------------


def over_limit(key: str, attempts: int, window_seconds: int) -> bool:
    """Count one attempt of `key` in the current window; True when it is over
    `attempts`. A fixed window in Django's cache (docs/documents.md: a shared cache in
    production, or each worker counts on its own)."""
    bucket = f"documents:verify:{key}:{int(timezone.now().timestamp()) // window_seconds}"
    if cache.add(bucket, 1, timeout=window_seconds):
        return attempts < 1
    try:
        count = cache.incr(bucket)
    except ValueError:  # expired between add and incr
        cache.add(bucket, 1, timeout=window_seconds)
        count = 1
    return count > attempts
