"""Domain errors of the workflow engine. Each carries a Persian message a person reads
and a stable code for pages and the API (a conflict maps to HTTP 409)."""

from __future__ import annotations

from pishkhan.core.digits import to_persian_digits


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


class ConfirmationRequired(WorkflowError):
    """A destructive action (WorkflowAction.is_destructive) posted without its
    confirmation: two clicks by accident never reject or send back a case."""

    code = "confirmation_required"
    default_message = (
        "این اقدام پرونده را برمی‌گرداند یا به پایان می‌رساند؛ برای انجام آن کادر "
        "«مطمئنم» را علامت بزنید و دوباره بفرستید."
    )


class ReasonRequired(WorkflowError):
    code = "reason_required"
    default_message = "برای این اقدام ذکر علت لازم است."


class NothingChanged(WorkflowError):
    code = "nothing_changed"
    default_message = "چیزی تغییر نکرده است."


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


class InvalidFieldValues(InvalidInput):
    """Declared application fields (cases/fields.py) refused; ``errors`` maps each field
    code (``__all__`` for the whole) to its Persian messages."""

    code = "invalid_field_values"
    default_message = "مشخصات درخواست کامل یا درست نیست."

    def __init__(self, errors: dict[str, list[str]]) -> None:
        first = [m for messages in errors.values() for m in messages][:3]
        super().__init__(f"{self.default_message} {' '.join(first)}".strip())
        self.errors = errors


class DuplicateOpenCase(WorkflowError):
    """The parcel has an open case of the same service; the counter must say why it
    registers another (``duplicate_reason``). ``tracking_code`` is the open case's, when
    the caller may see it (else empty: another office's case is named by no code)."""

    code = "duplicate_open_case"
    default_message = "برای این ملک پرونده بازی از همین خدمت هست."

    def __init__(self, tracking_code: str = "") -> None:
        if tracking_code:
            message = (
                f"برای این ملک پرونده باز {to_persian_digits(tracking_code)} از همین خدمت "
                "هست؛ اگر باید پرونده دیگری ثبت شود، علت آن را بنویسید."
            )
        else:
            message = (
                "برای این ملک پرونده بازی از همین خدمت در دفتر دیگری هست؛ اگر باید پرونده "
                "دیگری ثبت شود، علت آن را بنویسید."
            )
        super().__init__(message)
        self.tracking_code = tracking_code


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


class UploadInvalid(InvalidInput):
    """A scan or photo the file store refused or could not write (files.errors): the
    store's Persian reason, after the file's name; `reason` is the store's own code."""

    code = "upload_invalid"

    def __init__(self, message: str, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason
