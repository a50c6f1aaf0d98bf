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
    """A guard of the action does not hold; ``guard`` names it (a stable code too)."""

    code = "guard_failed"
    default_message = "شرط‌های این اقدام برقرار نیست."

    def __init__(self, message: str | None = None, guard: str = "") -> None:
        super().__init__(message)
        self.guard = guard


class ReasonRequired(WorkflowError):
    code = "reason_required"
    default_message = "برای این اقدام ذکر علت لازم است."


class ConcurrentActionError(WorkflowError):
    code = "conflict"
    default_message = (
        "این پرونده هم‌زمان توسط کاربر دیگری تغییر کرده است؛ صفحه را دوباره بارگذاری کنید."
    )


class ServiceInactive(WorkflowError):
    code = "service_inactive"
    default_message = "این خدمت فعال نیست."


class OfficeNotActive(WorkflowError):
    code = "office_not_active"
    default_message = "این دفتر فعال نیست و پرونده نمی‌پذیرد."


class LicenceExpired(WorkflowError):
    code = "licence_expired"
    default_message = "پروانه فعالیت این دفتر معتبر نیست؛ دفتر پرونده تازه نمی‌پذیرد."


class ServiceNotContracted(WorkflowError):
    code = "service_not_contracted"
    default_message = "این خدمت در قرارداد جاری این دفتر با شهرداری نیست."


class InvalidInput(WorkflowError):
    """A value the action cannot take (too long, not one of the declared codes …)."""

    code = "invalid_input"
    default_message = "اطلاعات واردشده معتبر نیست."


class AnswerInvalid(InvalidInput):
    """An inquiry answer that breaks the rules of an answer; `errors` maps each field of
    the draft to its Persian message."""

    code = "answer_invalid"

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(next(iter(errors.values()), None))
        self.errors = errors


class PlanReviewInvalid(InvalidInput):
    code = "plan_review_invalid"

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(next(iter(errors.values()), None))
        self.errors = errors
