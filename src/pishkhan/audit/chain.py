"""Writing, checkpointing and verifying the audit chain.

- :func:`record` / :func:`record_many` append rows **in the caller's transaction**: a
  rolled-back action leaves no audit row. Appends are serialized so the chain never
  forks: on PostgreSQL a transaction-level advisory lock (held until the caller's
  transaction ends) is taken before the head is read; SQLite runs one write transaction
  at a time already (``BEGIN IMMEDIATE``, settings.DATABASES).
- :func:`write_checkpoint` signs the head (HMAC-SHA256 with :func:`audit_key`).
- :func:`verify` walks the chain in seq order and names the first broken link, then
  checks every checkpoint's signature and that its head is still in the chain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from pishkhan.audit.context import current_actor_id
from pishkhan.audit.models import GENESIS, AuditCheckpoint, AuditRecord, utc_text
from pishkhan.core import clock
from pishkhan.core.logging import mask_text

logger = logging.getLogger("pishkhan.audit")

# pg_advisory_xact_lock key of the chain's head ("pishka" in ASCII).
HEAD_LOCK = 0x706973686B61
CURRENT: Any = object()  # actor_id default: whoever the request or acting_as() names


@dataclass(frozen=True)
class Entry:
    """One audit row to append. ``subject`` is (type, id), e.g. ("case", 42)."""

    kind: str
    subject: tuple[str, Any] | None = None
    summary: dict[str, Any] = field(default_factory=dict)
    actor_id: Any = CURRENT
    at: dt.datetime | None = None


def clean_summary(value: Any) -> Any:
    """Ids, codes and states only: strings are masked (a national ID that slips into a
    summary is stored as ******1234) and floats refused (their text is not canonical)."""
    if isinstance(value, dict):
        return {str(k): clean_summary(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_summary(v) for v in value]
    if isinstance(value, str):
        return mask_text(value)
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, dt.datetime):
        return utc_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"an audit summary holds ids, codes and dates, not {type(value).__name__}")


def lock_head() -> None:
    """Serialize appends until the current transaction ends (PostgreSQL)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [HEAD_LOCK])


def head() -> tuple[int, str]:
    last = AuditRecord.objects.order_by("-seq").values_list("seq", "hash").first()
    return last if last is not None else (0, GENESIS)


def record_many(entries: Iterable[Entry]) -> list[AuditRecord]:
    """Append the entries, in order, inside the caller's transaction."""
    entries = list(entries)
    if not entries:
        return []
    now = clock.now()
    actor = current_actor_id()
    # No savepoint: a failed append fails the caller's transaction, as the action's own
    # writes do (and an append costs its two statements, not four).
    with transaction.atomic(savepoint=False):
        lock_head()
        seq, prev = head()
        rows = []
        for entry in entries:
            seq += 1
            subject_type, subject_id = entry.subject or ("", "")
            row = AuditRecord(
                seq=seq,
                at=entry.at or now,
                kind=entry.kind,
                actor_id=actor if entry.actor_id is CURRENT else entry.actor_id,
                subject_type=subject_type,
                subject_id="" if subject_id is None else str(subject_id),
                summary=clean_summary(entry.summary),
                prev_hash=prev,
            )
            row.hash = prev = row.compute_hash()
            rows.append(row)
        if len(rows) == 1:
            rows[0].save(force_insert=True)
        else:
            AuditRecord.objects.bulk_create(rows)
    return rows


def record(
    kind: str,
    *,
    subject: tuple[str, Any] | None = None,
    summary: dict[str, Any] | None = None,
    actor_id: Any = CURRENT,
    at: dt.datetime | None = None,
) -> AuditRecord:
    """Append one row (see :func:`record_many`)."""
    return record_many([Entry(kind, subject, summary or {}, actor_id, at)])[0]


# --- the signed checkpoint -------------------------------------------------------------


def audit_key() -> bytes:
    """PISHKHAN_AUDIT_KEY, or (unset) a key derived from SECRET_KEY for this purpose."""
    configured: str = getattr(settings, "PISHKHAN_AUDIT_KEY", "") or ""
    if configured:
        return configured.encode()
    return hmac.new(
        settings.SECRET_KEY.encode(), b"pishkhan.audit.checkpoint.v1", hashlib.sha256
    ).digest()


def key_id(key: bytes) -> str:
    """A short public name of the key: which key signed a checkpoint, not the key."""
    return hashlib.sha256(b"pishkhan.audit.key-id" + key).hexdigest()[:16]


def sign(checkpoint: AuditCheckpoint, key: bytes) -> str:
    return hmac.new(key, checkpoint.signed_content(), hashlib.sha256).hexdigest()


class ChainBrokenError(Exception):
    pass


def write_checkpoint(now: dt.datetime | None = None) -> AuditCheckpoint:
    """Sign the chain's current head. Refuses (ChainBrokenError) when the rows since the
    last valid checkpoint do not verify: a signature must never bless a changed chain."""
    key = audit_key()
    with transaction.atomic():
        lock_head()
        start_seq, start_hash = trusted_start(key)
        walk = walk_chain(start_seq, start_hash)
        if walk.problem is not None:
            raise ChainBrokenError(walk.problem.english)
        checkpoint = AuditCheckpoint(
            at=now or clock.now(),
            head_seq=walk.head_seq,
            head_hash=walk.head_hash,
            key_id=key_id(key),
        )
        checkpoint.signature = sign(checkpoint, key)
        checkpoint.save(force_insert=True)
    # Also to the log, which leaves the machine: a copy of the head the database
    # cannot take back.
    logger.info(
        "audit checkpoint: head seq %s hash %s signature %s",
        checkpoint.head_seq,
        checkpoint.head_hash,
        checkpoint.signature,
    )
    return checkpoint


def trusted_start(key: bytes) -> tuple[int, str]:
    """The head named by the latest checkpoint whose signature holds and whose row is
    still in the chain, or the genesis."""
    for checkpoint in AuditCheckpoint.objects.order_by("-head_seq", "-pk")[:20]:
        if not hmac.compare_digest(checkpoint.signature, sign(checkpoint, key)):
            continue
        if checkpoint.head_seq == 0:
            return 0, GENESIS
        row = AuditRecord.objects.filter(seq=checkpoint.head_seq).first()
        if row is not None and row.hash == checkpoint.head_hash == row.compute_hash():
            return checkpoint.head_seq, checkpoint.head_hash
    return 0, GENESIS


# --- verification ----------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    code: str  # missing | broken_link | edited | bad_signature | other_key | truncated | rewritten
    seq: int | None
    persian: str
    english: str

    def __str__(self) -> str:
        return f"{self.english}\n{self.persian}"


@dataclass
class Walk:
    records: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    problem: Problem | None = None
    hashes: dict[int, str] = field(default_factory=dict)  # stored hash at watched seqs


def walk_chain(
    start_seq: int = 0, start_hash: str = GENESIS, watch: frozenset[int] = frozenset()
) -> Walk:
    """Recompute every row after `start_seq` in seq order; the first broken link."""
    walk = Walk(head_seq=start_seq, head_hash=start_hash)
    rows = AuditRecord.objects.filter(seq__gt=start_seq).order_by("seq")
    for row in rows.iterator(chunk_size=2000):
        walk.records += 1
        if row.seq in watch:
            walk.hashes[row.seq] = row.hash
        if walk.problem is None:
            walk.problem = link_problem(walk.head_seq, walk.head_hash, row)
        walk.head_seq, walk.head_hash = row.seq, row.hash
    return walk


def link_problem(prev_seq: int, prev_hash: str, row: AuditRecord) -> Problem | None:
    if row.seq != prev_seq + 1:
        gone = f"{prev_seq + 1}" if row.seq == prev_seq + 2 else f"{prev_seq + 1}–{row.seq - 1}"
        return Problem(
            "missing",
            prev_seq + 1,
            f"ردیف {gone} زنجیره حذف شده است: پس از ردیف {prev_seq} ردیف {row.seq} آمده است.",
            f"Row {gone} of the chain was deleted: row {prev_seq} is followed by row {row.seq}.",
        )
    if row.prev_hash != prev_hash:
        return Problem(
            "broken_link",
            row.seq,
            f"ردیف {row.seq} به ردیف {prev_seq} پیوند ندارد (چکیده پیشین آن یکی نیست): "
            "ردیف‌ها جابه‌جا شده‌اند یا ردیف پیش از آن بازنویسی شده است.",
            f"Row {row.seq} does not follow row {prev_seq} (its prev_hash is not that row's "
            "hash): rows were reordered, or the row before it was rewritten.",
        )
    if row.compute_hash() != row.hash:
        return Problem(
            "edited",
            row.seq,
            f"ردیف {row.seq} پس از ثبت تغییر کرده است: چکیده آن با محتوایش نمی‌خواند.",
            f"Row {row.seq} was changed after it was written: its hash does not match its content.",
        )
    return None


@dataclass
class Report:
    records: int
    head_seq: int
    checkpoints: int
    problems: list[Problem]
    latest_checkpoint: AuditCheckpoint | None

    @property
    def intact(self) -> bool:
        return not self.problems


def verify(key: bytes | None = None) -> Report:
    key = audit_key() if key is None else key
    checkpoints = list(AuditCheckpoint.objects.order_by("head_seq", "at", "pk"))
    walk = walk_chain(watch=frozenset(c.head_seq for c in checkpoints))
    problems = [walk.problem] if walk.problem else []
    problems += checkpoint_problems(checkpoints, walk, key)
    return Report(
        records=walk.records,
        head_seq=walk.head_seq,
        checkpoints=len(checkpoints),
        problems=problems,
        latest_checkpoint=max(checkpoints, key=lambda c: (c.at, c.pk), default=None),
    )


def checkpoint_problems(
    checkpoints: list[AuditCheckpoint], walk: Walk, key: bytes
) -> list[Problem]:
    problems = []
    ours = key_id(key)
    for checkpoint in checkpoints:
        when = utc_text(checkpoint.at)
        if checkpoint.key_id != ours:
            problems.append(
                Problem(
                    "other_key",
                    checkpoint.head_seq,
                    f"نقطه امضاشده {when} با کلید دیگری ({checkpoint.key_id}) امضا شده است؛ "
                    f"کلید این سامانه {ours} است (PISHKHAN_AUDIT_KEY).",
                    f"The checkpoint of {when} was signed with another key "
                    f"({checkpoint.key_id}); this server's key is {ours} (PISHKHAN_AUDIT_KEY).",
                )
            )
            continue
        if not hmac.compare_digest(checkpoint.signature, sign(checkpoint, key)):
            problems.append(
                Problem(
                    "bad_signature",
                    checkpoint.head_seq,
                    f"امضای نقطه {when} (ردیف {checkpoint.head_seq}) درست نیست: "
                    "نقطه جعل یا دست‌کاری شده است.",
                    f"The checkpoint of {when} (row {checkpoint.head_seq}) has an invalid "
                    "signature: it was forged or altered.",
                )
            )
            continue
        if checkpoint.head_seq == 0:
            continue
        stored = walk.hashes.get(checkpoint.head_seq)
        if stored is None:
            problems.append(
                Problem(
                    "truncated",
                    checkpoint.head_seq,
                    f"نقطه امضاشده {when} ردیف {checkpoint.head_seq} را آخرین ردیف زنجیره "
                    f"می‌داند، اما آن ردیف دیگر نیست (زنجیره به ردیف {walk.head_seq} ختم "
                    "می‌شود): ردیف‌هایی از انتهای زنجیره حذف شده‌اند.",
                    f"The checkpoint of {when} names row {checkpoint.head_seq} as the head, "
                    f"but that row is gone (the chain ends at row {walk.head_seq}): rows "
                    "were cut off the end of the chain.",
                )
            )
        elif stored != checkpoint.head_hash:
            problems.append(
                Problem(
                    "rewritten",
                    checkpoint.head_seq,
                    f"چکیده ردیف {checkpoint.head_seq} با نقطه امضاشده {when} نمی‌خواند: "
                    "زنجیره تا آن ردیف بازنویسی شده است.",
                    f"Row {checkpoint.head_seq}'s hash does not match the checkpoint of "
                    f"{when}: the chain was rewritten up to that row.",
                )
            )
    return problems
