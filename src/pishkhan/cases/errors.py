"""Domain errors of the workflow engine. Each carries a Persian message a person reads
and a stable code for pages and the API (a conflict maps to HTTP 409)."""

from __future__ import annotations


class WorkflowError(Exception):
    code = "workflow_error"
    default_message = "این اقدام انجام نشد."

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class NoActiveDefinition(WorkflowError):
    code = "no_active_definition"
    default_message = "برای این خدمت گردش کار فعالی تعریف نشده است."


class OpenNotAllowed(WorkflowError):
    code = "open_not_allowed"
    default_message = "شما اجازه ثبت این درخواست را ندارید."


class DocumentsMissing(WorkflowError):
    code = "documents_missing"
    default_message = "مدارک لازم کامل نیست."


class ActionNotAllowed(WorkflowError):
    code = "action_not_allowed"
    default_message = "این اقدام در وضعیت فعلی پرونده ممکن نیست."


class RoleNotAllowed(WorkflowError):
    code = "role_not_allowed"
    default_message = "نقش شما اجازه این اقدام را روی این پرونده ندارد."


class AssignedToAnother(WorkflowError):
    code = "assigned_to_another"
    default_message = "این پرونده در دست همکار دیگری است."


class GuardFailed(WorkflowError):
    code = "guard_failed"
    default_message = "شرط‌های این اقدام برقرار نیست."


class ReasonRequired(WorkflowError):
    code = "reason_required"
    default_message = "برای این اقدام ذکر علت لازم است."


class ConcurrentActionError(WorkflowError):
    code = "conflict"
    default_message = (
        "این پرونده هم‌زمان توسط کاربر دیگری تغییر کرده است؛ صفحه را دوباره بارگذاری کنید."
    )
