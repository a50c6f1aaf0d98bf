"""Who sees which bill, and who issues and cancels them: one scoped queryset and one
answer per question, used by the pages and the actions.

- seeing: the city roles every bill; office staff the bills their office issued or of
  their office's cases; district staff the bills of their district; a citizen the bills
  they pay (and, through the case page, the bills of their own cases). A bill outside
  the scope does not exist for the caller: looking it up is a 404.
- issuing and cancelling: an office's technical manager or manager for their office,
  district staff (the calculation unit) for their district. Citizens, supervisors and
  administrators never issue or cancel.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from pishkhan.accounts.access import Principal
from pishkhan.billing.errors import BillNotIssuable
from pishkhan.billing.models import Bill
from pishkhan.cases.access import CITY_ROLES, principal_of
from pishkhan.offices.roles import OFFICE_ROLES, Role

ISSUER_OFFICE_ROLES = (Role.TECHNICAL_MANAGER, Role.OFFICE_MANAGER)
NOT_FOUND = "فیش پیدا نشد."


def bill_scope(principal: Principal) -> Q | None:
    """The bills `principal` may see as a Q; None means every bill."""
    if principal.has_role(*CITY_ROLES):
        return None
    condition = Q(pk__in=[])
    offices = sorted(principal.office_ids(*OFFICE_ROLES))
    districts = sorted(principal.district_ids(Role.DISTRICT_STAFF))
    if offices:
        condition |= Q(office_id__in=offices) | Q(case__office_id__in=offices)
    if districts:
        condition |= Q(district_id__in=districts)
    if principal.citizen_id is not None:
        condition |= Q(payer_id=principal.citizen_id) | Q(case__applicant_id=principal.citizen_id)
    return condition


def bills_visible_to(user: Any, principal: Principal | None = None) -> QuerySet[Bill]:
    principal = principal_of(user, principal)
    if principal is None:
        return Bill.objects.none()
    condition = bill_scope(principal)
    return Bill.objects.all() if condition is None else Bill.objects.filter(condition)


def access_bill_by_id(user: Any, bill_id: Any, principal: Principal | None = None) -> Bill:
    try:
        pk = int(bill_id)
    except (TypeError, ValueError):
        raise Http404(NOT_FOUND) from None
    bill = bills_visible_to(user, principal).filter(pk=pk).first()
    if bill is None:
        raise Http404(NOT_FOUND)
    return bill


def issuer_role(principal: Principal, office_id: int | None, district_id: int | None) -> str:
    """The role in which the person issues or cancels a bill of this office or district,
    or BillNotIssuable."""
    for role in ISSUER_OFFICE_ROLES:
        if office_id is not None and office_id in principal.office_ids(role):
            return role
    if district_id is not None and district_id in principal.district_ids(Role.DISTRICT_STAFF):
        return Role.DISTRICT_STAFF
    raise BillNotIssuable()


def counter_office(principal: Principal, office_id: Any) -> int:
    """The office a counter issues a parcel's or vehicle's bill at: the one named (one
    of theirs), or their only one."""
    offices = set().union(*(principal.office_ids(role) for role in ISSUER_OFFICE_ROLES))
    if office_id is None and len(offices) == 1:
        return next(iter(offices))
    try:
        chosen = int(office_id)
    except (TypeError, ValueError):
        raise BillNotIssuable("دفتری را که فیش در آن صادر می‌شود انتخاب کنید.") from None
    if chosen not in offices:
        raise BillNotIssuable()
    return chosen
