"""The audit chain's rows: append-only, each one's hash covering the one before.

``AuditRecord`` rows are written only by :func:`pishkhan.audit.chain.record_many`;
``AuditCheckpoint`` rows only by :func:`pishkhan.audit.chain.write_checkpoint`. Neither
is ever changed or deleted: ``save()`` of a stored row, ``delete()`` and the queryset's
``update()``/``delete()`` raise here, and on PostgreSQL a trigger refuses UPDATE,
DELETE and TRUNCATE (migration 0002). docs/audit.md has the whole design.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.db import models

GENESIS = "0" * 64  # the prev_hash of the first row


class AuditImmutableError(Exception):
    """An attempt to change or delete an audit row."""

    def __init__(self) -> None:
        super().__init__("سابقه حسابرسی تغییر نمی‌کند و حذف نمی‌شود (audit rows are append-only).")


def canonical(data: dict[str, Any]) -> bytes:
    """One byte string per value: sorted keys, no spaces, UTF-8 (jsonb reorders keys)."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def utc_text(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class AppendOnlyQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> int:
        raise AuditImmutableError

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditImmutableError


class AppendOnly(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditImmutableError
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditImmutableError


class AuditRecord(AppendOnly):
    """One security-relevant event. Personal data never goes beyond ids: the summary's
    strings are masked (national IDs, mobiles, card numbers) when they are written."""

    seq = models.PositiveBigIntegerField("شماره", unique=True)
    at = models.DateTimeField("زمان")
    kind = models.CharField("رویداد", max_length=80)
    actor_id = models.BigIntegerField("شناسه کاربر انجام‌دهنده", null=True, blank=True)
    subject_type = models.CharField("نوع موضوع", max_length=40, blank=True)
    subject_id = models.CharField("شناسه موضوع", max_length=64, blank=True)
    summary = models.JSONField("خلاصه", default=dict)
    prev_hash = models.CharField("چکیده ردیف پیشین", max_length=64)
    hash = models.CharField("چکیده", max_length=64)

    class Meta:
        verbose_name = "رویداد حسابرسی"
        verbose_name_plural = "زنجیره حسابرسی"
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id"], name="audit_subject"),
            models.Index(fields=["kind", "at"], name="audit_kind_at"),
        ]

    def __str__(self) -> str:
        return f"{self.seq} {self.kind}"

    def content(self) -> dict[str, Any]:
        """What the hash covers: every field but the hash itself, prev_hash included."""
        return {
            "seq": self.seq,
            "at": utc_text(self.at),
            "kind": self.kind,
            "actor_id": self.actor_id,
            "subject_type": self.subject_type,
            "subject_id": self.subject_id,
            "summary": self.summary,
            "prev_hash": self.prev_hash,
        }

    def compute_hash(self) -> str:
        return hashlib.sha256(canonical(self.content())).hexdigest()


class AuditCheckpoint(AppendOnly):
    """The chain's head at a moment, signed with the audit key (HMAC-SHA256): rows cut
    off the end of the chain after it (truncation) no longer match a signed head."""

    at = models.DateTimeField("زمان")
    head_seq = models.PositiveBigIntegerField("شماره آخرین ردیف")
    head_hash = models.CharField("چکیده آخرین ردیف", max_length=64)
    key_id = models.CharField("شناسه کلید", max_length=16)
    signature = models.CharField("امضا", max_length=64)

    class Meta:
        verbose_name = "نقطه امضاشده زنجیره"
        verbose_name_plural = "نقاط امضاشده زنجیره"
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.head_seq} @ {utc_text(self.at)}"

    def signed_content(self) -> bytes:
        return canonical(
            {"at": utc_text(self.at), "head_seq": self.head_seq, "head_hash": self.head_hash}
        )
