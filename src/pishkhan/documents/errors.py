"""Refusals of the document actions: WorkflowErrors with a Persian message and a code."""

from __future__ import annotations

from pishkhan.cases.errors import WorkflowError


class DocumentNotAllowed(WorkflowError):
    code = "document_not_allowed"
    default_message = "نقش شما اجازه این اقدام را روی این سند ندارد."


class DocumentNotCurrent(WorkflowError):
    code = "document_not_current"
    default_message = "این سند پیش‌تر ابطال یا جایگزین شده است."


class DocumentReasonInvalid(WorkflowError):
    code = "invalid_input"
    default_message = "علت را بنویسید (حداکثر ۱۰۰۰ نویسه)."
