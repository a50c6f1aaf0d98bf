"""Which cases a person may see: one scoped queryset, used by every page and endpoint.

- office roles: the cases of their office(s);
- district staff: the cases of their district(s);
- supervisor and administrator: every case, read-only (no definition lets them act);
- a citizen: their own cases.
A case outside the scope does not exist for the caller: looking it up is a 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from pishkhan.accounts.access import Principal, load_principal
from pishkhan.cases.models import Case
from pishkhan.offices.roles import OFFICE_ROLES, ROLE_SCOPE, Role, Scope

CITY_ROLES = tuple(str(r) for r, scope in ROLE_SCOPE.items() if scope == Scope.CITY)
NOT_FOUND = "پرونده پیدا نشد."


def principal_of(user: Any, principal: Principal | None = None) -> Principal | None:
    """The caller's principal, or None for an anonymous or inactive user."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return principal or load_principal(user)


def scope_condition(principal: Principal) -> Q | None:
    """The cases `principal` may see as a Q; None means every case; an empty Q nothing."""
    if principal.has_role(*CITY_ROLES):
        return None
    parts: list[Q] = []
    offices = principal.office_ids(*OFFICE_ROLES)
    districts = principal.district_ids(Role.DISTRICT_STAFF)
    if offices:
        parts.append(Q(office_id__in=sorted(offices)))
    if districts:
        parts.append(Q(district_id__in=sorted(districts)))
    if principal.citizen_id is not None:
        parts.append(Q(applicant_id=principal.citizen_id))
    condition = Q(pk__in=[])
    for part in parts:
        condition |= part
    return condition


def cases_visible_to(user: Any, principal: Principal | None = None) -> QuerySet[Case]:
    principal = principal_of(user, principal)
    if principal is None:
        return Case.objects.none()
    condition = scope_condition(principal)
    return Case.objects.all() if condition is None else Case.objects.filter(condition)


def access_case_by_id(user: Any, case_id: Any, principal: Principal | None = None) -> Case:
    """The case with this id if the caller may see it; Http404 otherwise."""
    try:
        pk = int(case_id)
    except (TypeError, ValueError):
        raise Http404(NOT_FOUND) from None
    case = cases_visible_to(user, principal).select_related("definition").filter(pk=pk).first()
    if case is None:
        raise Http404(NOT_FOUND)
    return case
