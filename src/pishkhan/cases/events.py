"""The events of a case: one vocabulary and one writer.

Every change of a case is one append-only ``CaseEvent`` whose ``seq`` is the version the
change produced. The engine's own event types are ``EventType``; a workflow action's
event is named by the action's code (data, declared in the definition), which may not
reuse an ``EventType`` value. ``write_event``/``write_events`` are the only places that
create events, and each publishes the event to the outbox (topic ``case.event``) in the
same transaction, so receivers (SMS, webhooks, statistics) never miss one, and appends
it to the audit chain (``pishkhan.audit``) in that transaction too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import models

from pishkhan.audit.chain import Entry, record_many
from pishkhan.cases.models import CaseEvent
from pishkhan.outbox.delivery import Publication, publish_many

CASE_EVENT_TOPIC = "case.event"


class EventType(models.TextChoices):
    """Events the engine writes itself (no definition action names them)."""

    OPEN = "open", "ثبت پرونده"
    CLAIM = "claim", "برداشتن پرونده از کارتابل"
    RELEASE = "release", "واگذاری پرونده به کارتابل"
    RECORD_VISIT_REPORT = "record_visit_report", "ثبت گزارش بازدید"
    RECORD_PLAN_REVIEW = "record_plan_review", "ثبت یافته‌های طرح تفصیلی"
    SAVE_RESPONSE_DRAFT = "save_response_draft", "ذخیره پیش‌نویس پاسخ"
    FOLLOW_UP_NOTE = "follow_up_note", "یادداشت پیگیری"
    CALENDAR_CHANGED = "calendar_changed", "تعطیل اعلام‌شده: مهلت‌ها جابه‌جا شد"
    CORRECT_CASE = "correct_case", "اصلاح اطلاعات پرونده"
    ASSIGN = "assign", "واگذاری پرونده به همکار (مدیر دفتر)"
    CHANGE_SERVICE = "change_service", "تغییر خدمت پرونده"
    ATTACH_DOCUMENT_SCAN = "attach_document_scan", "پیوست اسکن مدرک"
    ATTACH_VISIT_PHOTO = "attach_visit_photo", "پیوست عکس بازدید"


RESERVED_ACTIONS = frozenset(EventType.values)
# Events that record nobody holding or moving the case: a note about it, the calendar,
# a scan the counter adds to its documents (while someone else may hold the case).
NOT_PROGRESS = frozenset(
    {EventType.FOLLOW_UP_NOTE, EventType.CALENDAR_CHANGED, EventType.ATTACH_DOCUMENT_SCAN}
)
# Events only staff see: the applicant's page shows the public ones.
INTERNAL = frozenset(
    {
        EventType.FOLLOW_UP_NOTE,
        EventType.CLAIM,
        EventType.RELEASE,
        EventType.ASSIGN,
        EventType.SAVE_RESPONSE_DRAFT,
        EventType.ATTACH_VISIT_PHOTO,  # the photos are the staff's, as the visit reports
    }
)


@dataclass(frozen=True)
class NewEvent:
    case_id: int
    seq: int
    action: str
    actor_id: int | None
    actor_role: str
    from_state: str
    to_state: str
    created_at: dt.datetime
    reason: str = ""
    payload: dict[str, Any] = field(default_factory=dict)

    def row(self) -> CaseEvent:
        return CaseEvent(
            case_id=self.case_id,
            seq=self.seq,
            action=self.action,
            actor_id=self.actor_id,
            actor_role=self.actor_role,
            from_state=self.from_state,
            to_state=self.to_state,
            reason=self.reason,
            payload=self.payload,
            created_at=self.created_at,
        )


def write_event(new: NewEvent) -> CaseEvent:
    """Append one event (inside the caller's transaction) and publish it."""
    event = new.row()
    event.save(force_insert=True)
    publish_many([publication(event)])
    record_many([audit_entry(event)])
    return event


def write_events(new: list[NewEvent]) -> list[CaseEvent]:
    """Append many events in one statement (the calendar's bulk path) and publish them."""
    events = CaseEvent.objects.bulk_create([n.row() for n in new])
    publish_many([publication(e) for e in events])
    record_many([audit_entry(e) for e in events])
    return events


def audit_entry(event: CaseEvent) -> Entry:
    """The event in the audit chain: ids, the action and the states; never its reason or
    payload, which may hold what a person typed."""
    return Entry(
        kind=f"case.{event.action}",
        subject=("case", event.case_id),
        summary={
            "event_id": event.pk,
            "seq": event.seq,
            "from_state": event.from_state,
            "to_state": event.to_state,
            "actor_role": event.actor_role,
        },
        actor_id=event.actor_id,
        at=event.created_at,
    )


def publication(event: CaseEvent) -> Publication:
    return Publication(
        topic=CASE_EVENT_TOPIC,
        key=f"case_event:{event.pk}",
        payload={
            "case_id": event.case_id,
            "event_id": event.pk,
            "seq": event.seq,
            "action": event.action,
            "from_state": event.from_state,
            "to_state": event.to_state,
        },
    )
