"""Which building permits a person may see: one scoped queryset for every page.

- city roles (supervisor, administrator): every permit;
- district staff: the permits of their district(s);
- anyone else: the permits issued by a case they may see (an office's staff, the
  applicant).
A permit outside the scope does not exist for the caller: looking it up is a 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from pishkhan.accounts.access import Principal
from pishkhan.cases.access import principal_of, scope_condition
from pishkhan.cases.models import Case
from pishkhan.offices.roles import Role
from pishkhan.permits.models import BuildingPermit

NOT_FOUND = "پروانه پیدا نشد."


def permit_scope(principal: Principal) -> Q | None:
    """The permits `principal` may see as a Q; None means all of them."""
    cases = scope_condition(principal)
    if cases is None:
        return None
    condition = Q(case_id__in=Case.objects.filter(cases).values("pk"))
    districts = principal.district_ids(Role.DISTRICT_STAFF)
    if districts:
        condition |= Q(district_id__in=sorted(districts))
    return condition


def permits_visible_to(user: Any, principal: Principal | None = None) -> QuerySet[BuildingPermit]:
    principal = principal_of(user, principal)
    if principal is None:
        return BuildingPermit.objects.none()
    condition = permit_scope(principal)
    rows = BuildingPermit.objects.all()
    return rows if condition is None else rows.filter(condition)


def access_permit_by_id(
    user: Any, permit_id: Any, principal: Principal | None = None
) -> BuildingPermit:
    """The permit with this id if the caller may see it; Http404 otherwise."""
    try:
        pk = int(permit_id)
    except (TypeError, ValueError):
        raise Http404(NOT_FOUND) from None
    permit = (
        permits_visible_to(user, principal)
        .select_related("parcel", "district", "owner", "case", "parent", "issued_by")
        .filter(pk=pk)
        .first()
    )
    if permit is None:
        raise Http404(NOT_FOUND)
    return permit
