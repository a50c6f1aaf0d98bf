"""The audit chain in the admin: read only — nobody adds, changes or deletes a row."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from pishkhan.audit.models import AuditCheckpoint, AuditRecord
from pishkhan.core.admin_helpers import jalali_datetime, persian_code


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return {}  # no "delete selected"


@admin.register(AuditRecord)
class AuditRecordAdmin(ReadOnly):
    list_display = (
        persian_code("seq", "شماره"),
        jalali_datetime("at", "زمان"),
        "kind",
        persian_code("actor_id", "کاربر"),
        "subject_type",
        persian_code("subject_id", "شناسه موضوع"),
    )
    list_filter = ("kind", "subject_type")
    search_fields = ("=subject_id", "=actor_id", "kind")
    show_full_result_count = False  # the chain grows without end; no COUNT(*) per page
    fields = (
        "seq",
        "at",
        "kind",
        "actor_id",
        "subject_type",
        "subject_id",
        "summary",
        "prev_hash",
        "hash",
    )
    readonly_fields = fields


@admin.register(AuditCheckpoint)
class AuditCheckpointAdmin(ReadOnly):
    list_display = (
        jalali_datetime("at", "زمان"),
        persian_code("head_seq", "شماره آخرین ردیف"),
        "head_hash",
        "key_id",
    )
    fields = ("at", "head_seq", "head_hash", "key_id", "signature")
    readonly_fields = fields
