"""Writing checked uploads, and taking them back when the transaction does not commit.

A file is written inside the caller's transaction, after every check, and its row with
it. A transaction that rolls back must take its files with it, or they would be orphans
no row names; Django has no "on rollback" hook, so the writing transaction is opened by
``atomic_with_files()``: ``transaction.atomic()`` that remembers the files written inside
it and deletes them when the block ends by an exception. ``store_upload`` refuses to run
outside one. What a crash in between leaves behind (the process killed after writing a
file and before the commit) is swept by ``manage.py sweep_upload_orphans``.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import transaction
from django.db.models import Q

from pishkhan.core import clock
from pishkhan.files.checks import ALL_KINDS, CheckedUpload, GPSPosition, check_upload
from pishkhan.files.errors import UploadFailed
from pishkhan.files.models import Kind, StoredFile

logger = logging.getLogger(__name__)

STORAGE_ALIAS = "uploads"
UPLOADS_DIR = "uploads"
THUMBNAILS_DIR = "thumbs"
PURPOSE_MAX_LENGTH = 40

_written: ContextVar[list[str] | None] = ContextVar("pishkhan_files_written", default=None)


def upload_storage() -> Storage:
    return storages[STORAGE_ALIAS]


def remove(names: Iterable[str]) -> None:
    """Delete stored files, best effort: one that cannot be deleted now is logged and
    left to the sweeper."""
    storage = upload_storage()
    for name in dict.fromkeys(names):
        try:
            storage.delete(name)
        except Exception:
            logger.exception("could not remove the stored file %s", name)


@contextmanager
def atomic_with_files(using: str | None = None) -> Iterator[None]:
    """``transaction.atomic()`` whose rollback also deletes the files stored inside it.
    Nested in another, a block that succeeds hands its files to the outer one, which
    deletes them if it rolls back in turn."""
    outer = _written.get()
    written: list[str] = []
    token = _written.set(written)
    try:
        with transaction.atomic(using=using):
            yield
    except BaseException:
        _written.reset(token)
        remove(written)
        raise
    _written.reset(token)
    if outer is not None:
        outer.extend(written)


def storage_names(key: uuid.UUID, kind: str, thumbnail: bool) -> tuple[str, str]:
    """Where a file and its thumbnail go: made of the random key alone."""
    hexed = key.hex
    name = f"{UPLOADS_DIR}/{hexed[:2]}/{hexed}.{Kind(kind).extension}"
    thumb = f"{THUMBNAILS_DIR}/{hexed[:2]}/{hexed}.jpg" if thumbnail else ""
    return name, thumb


def save_checked(user: Any, checked: CheckedUpload, *, purpose: str) -> StoredFile:
    """Write a checked upload and its row (inside ``atomic_with_files``); `user` None
    is the system. A storage that
    fails (disk full, the object store unreachable) is an UploadFailed, and whatever it
    wrote is deleted before the error leaves."""
    written = _written.get()
    if written is None:
        raise RuntimeError("save_checked runs inside files.store.atomic_with_files()")
    if not purpose or len(purpose) > PURPOSE_MAX_LENGTH:
        raise ValueError(f"purpose must be 1-{PURPOSE_MAX_LENGTH} characters")
    key = uuid.uuid4()
    name, thumb = storage_names(key, checked.kind, bool(checked.thumbnail))
    storage = upload_storage()
    mine: list[str] = []
    try:
        stored: dict[str, str] = {}
        for target, content in ((name, checked.content), (thumb, checked.thumbnail)):
            if not target:
                continue
            mine.append(target)  # a half-written file has this name too
            stored[target] = storage.save(target, ContentFile(content))
            mine.append(stored[target])
    except Exception as error:
        remove(mine)
        logger.warning("storing an upload failed: %s", type(error).__name__)
        raise UploadFailed() from error
    try:
        row = StoredFile.objects.create(
            key=key,
            purpose=purpose,
            kind=checked.kind,
            size=len(checked.content),
            sha256=checked.sha256,
            width=checked.width,
            height=checked.height,
            pages=checked.pages,
            display_name=checked.display_name,
            storage_name=stored[name],
            thumbnail_name=stored.get(thumb, ""),
            uploaded_by_id=getattr(user, "pk", None),
            uploaded_at=clock.now(),
        )
    except BaseException:
        remove(mine)
        raise
    written.extend(mine)
    return row


@dataclass(frozen=True)
class StoredUpload:
    file: StoredFile
    gps: GPSPosition | None  # the photo's EXIF position, for the caller to keep as data


def store_upload(
    user: Any, uploaded_file: Any, *, purpose: str, kinds: frozenset[str] = ALL_KINDS
) -> StoredUpload:
    """Check an upload by its content and store it under a random name, inside the
    caller's ``atomic_with_files`` block. Raises UploadRefused (with the Persian reason)
    and stores nothing when a rule refuses it."""
    checked = check_upload(uploaded_file, kinds=kinds)
    return StoredUpload(save_checked(user, checked, purpose=purpose), checked.gps)


def open_stored(name: str) -> Any:
    """The stored file for reading (a download streams it)."""
    return upload_storage().open(name, "rb")


# --- the sweeper ----------------------------------------------------------------------

SWEEP_BATCH = 500


def stored_names() -> Iterator[str]:
    """Every file under the store's folders (uploads/xx/…, thumbs/xx/…)."""
    storage = upload_storage()
    for top in (UPLOADS_DIR, THUMBNAILS_DIR):
        try:
            folders, _ = storage.listdir(top)
        except (FileNotFoundError, NotADirectoryError):
            continue
        for folder in sorted(folders):
            _, files = storage.listdir(f"{top}/{folder}")
            for name in sorted(files):
                yield f"{top}/{folder}/{name}"


def orphans(older_than: dt.timedelta) -> list[str]:
    """Stored files no row names, written before `older_than` ago (a younger one may
    belong to a transaction still running)."""
    storage = upload_storage()
    cutoff = clock.now() - older_than
    names = list(stored_names())
    known: set[str] = set()
    for start in range(0, len(names), SWEEP_BATCH):
        batch = names[start : start + SWEEP_BATCH]
        rows = StoredFile.objects.filter(
            Q(storage_name__in=batch) | Q(thumbnail_name__in=batch)
        ).values_list("storage_name", "thumbnail_name")
        known.update(name for pair in rows for name in pair if name)
    return [n for n in names if n not in known and storage.get_modified_time(n) < cutoff]


def sweep_orphans(older_than: dt.timedelta, *, dry_run: bool = False) -> list[str]:
    """Delete (or, with `dry_run`, only list) the orphans; what was found."""
    found = orphans(older_than)
    if not dry_run:
        remove(found)
    return found
