"""The documents panel of the bill page (billing.panels): the bill's signed PDF and, once
paid, its receipt, for whoever sees the bill; each downloads through the bill's scope."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from pishkhan.accounts.access import Principal
from pishkhan.billing.models import Bill
from pishkhan.billing.panels import bill_panel
from pishkhan.documents.models import IssuedDocument


@bill_panel("documents")
def documents_panel(
    request: HttpRequest, principal: Principal, bill: Bill
) -> dict[str, Any] | None:
    documents = list(
        IssuedDocument.objects.filter(bill_id=bill.pk).order_by("kind", "issued_at", "pk")
    )
    if not documents:
        return None
    return {"template": "documents/_bill_documents_panel.html", "documents": documents}
