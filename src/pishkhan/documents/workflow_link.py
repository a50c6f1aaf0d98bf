"""Documents on the spine's seams (docs/seams.md): documents imports cases and registers
into its effect registry; cases never imports documents.

- effect ``issue_response_document``: after ``issue_response`` froze the answer, its
  signed PDF is issued in the approval's transaction (and rolls back with it).
"""

from __future__ import annotations

from pishkhan.cases.effects import EffectContext, effect
from pishkhan.cases.errors import WorkflowError
from pishkhan.cases.models import InquiryResponse
from pishkhan.documents.actions import issue_response_document


@effect("issue_response_document")
def issue_response_document_effect(context: EffectContext) -> None:
    response = InquiryResponse.objects.filter(
        case_id=context.case.pk, issued_at__isnull=False
    ).first()
    if response is None:
        raise WorkflowError("پاسخ این پرونده صادر نشده است؛ سند آن صادر نمی‌شود.")
    issue_response_document(response, actor_id=context.actor_id, role=context.role, now=context.now)
