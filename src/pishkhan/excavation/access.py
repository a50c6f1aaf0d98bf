"""Which excavation permits a person may see: those of the cases they may see
(cases/access.py). A permit outside the scope does not exist for the caller: a 404."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from pishkhan.accounts.access import Principal
from pishkhan.cases.access import scope_condition
from pishkhan.cases.models import Case
from pishkhan.excavation.models import ExcavationPermit

NOT_FOUND = "مجوز حفاری پیدا نشد."


def permits_visible_to(principal: Principal | None) -> QuerySet[ExcavationPermit]:
    if principal is None:
        return ExcavationPermit.objects.none()
    condition = scope_condition(principal)
    permits = ExcavationPermit.objects.all()
    if condition is None:
        return permits
    return permits.filter(case__in=Case.objects.filter(condition).values("pk"))


def access_permit_by_id(principal: Principal | None, permit_id: Any) -> ExcavationPermit:
    try:
        pk = int(permit_id)
    except (TypeError, ValueError):
        raise Http404(NOT_FOUND) from None
    permit = (
        permits_visible_to(principal)
        .select_related("case", "case__district", "case__office", "case__parcel", "rate")
        .filter(pk=pk)
        .first()
    )
    if permit is None:
        raise Http404(NOT_FOUND)
    return permit
