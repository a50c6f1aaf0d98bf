"""The outbox in the admin: read-only, for seeing what was sent, what waits and why."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from pishkhan.outbox.models import DeliveryAttempt, OutboxMessage, ScheduledJob


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = ("number", "worker", "started_at", "finished_at", "outcome", "error")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnly):
    list_display = ("receiver", "key", "status", "attempts", "created_at", "delivered_at")
    list_filter = ("receiver", "topic")
    search_fields = ("key",)
    inlines = [AttemptInline]

    @admin.display(description="وضعیت")
    def status(self, obj: OutboxMessage) -> str:
        return obj.status_label


@admin.register(ScheduledJob)
class ScheduledJobAdmin(ReadOnly):
    list_display = ("name", "last_enqueued_at", "next_due_at")
