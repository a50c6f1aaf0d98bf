"""The permits' pages: a permit, the permits of a case, and the permits about to
expire. Thin: parse → scoped lookup → render."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from pishkhan.accounts.access import principal_for, role_required
from pishkhan.cases.access import CITY_ROLES, access_case_by_id, cases_visible_to
from pishkhan.cases.errors import WorkflowError
from pishkhan.cases.filters import Paging, sort_columns
from pishkhan.core import clock
from pishkhan.offices.roles import Role
from pishkhan.permits.access import access_permit_by_id, permits_visible_to
from pishkhan.permits.actions import do_revoke_permit, may_revoke
from pishkhan.permits.forms import SORT_LABELS, RevokeForm, expiring_query
from pishkhan.permits.models import BuildingPermit
from pishkhan.permits.records import find_parent

EXPIRING_ROLES = (Role.DISTRICT_STAFF, *CITY_ROLES)
PAGE_SIZE = 50


@require_http_methods(["GET", "HEAD"])
@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A permit: what it allows, its validity and its history."""
    return render_permit(request, access_permit_by_id(request.user, pk, principal_for(request)))


@require_POST
@login_required
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    permit = access_permit_by_id(request.user, pk, principal_for(request))
    form = RevokeForm(request.POST)
    if not form.is_valid():
        return render_permit(request, permit, form=form, status=400)
    try:
        do_revoke_permit(
            request.user, permit.pk, form.cleaned_data["reason"], principal=principal_for(request)
        )
    except WorkflowError as error:
        return render_permit(request, permit, form=form, status=400, error=error.message)
    messages.success(request, "پروانه ابطال شد.")
    return HttpResponseRedirect(reverse("permits:detail", args=[permit.pk]))


def render_permit(
    request: HttpRequest,
    permit: BuildingPermit,
    *,
    form: RevokeForm | None = None,
    status: int = 200,
    error: str = "",
) -> HttpResponse:
    principal = principal_for(request)
    visible = permits_visible_to(request.user, principal)
    revocable = may_revoke(principal, permit)
    context = {
        "revoke_form": (form or RevokeForm()) if revocable else None,
        "error": error,
        "permit": permit,
        "today": timezone.localdate(clock.now()),
        "events": list(permit.events.select_related("case", "related").order_by("at", "pk")),
        "parent_visible": permit.parent_id is not None
        and visible.filter(pk=permit.parent_id).exists(),
        "children": list(visible.filter(parent_id=permit.pk).order_by("issued_on", "pk")),
        "case_visible": permit.case_id is not None
        and cases_visible_to(request.user, principal).filter(pk=permit.case_id).exists(),
    }
    return render(request, "permits/detail.html", context, status=status)


@require_http_methods(["GET", "HEAD"])
@login_required
def case_permits(request: HttpRequest, pk: int) -> HttpResponse:
    """The permits of a case (the case page links here): the one it names as its parent
    and those it issued. Whoever sees the case sees them."""
    principal = principal_for(request)
    case = access_case_by_id(request.user, pk, principal)
    issued = list(BuildingPermit.objects.filter(case_id=case.pk).order_by("issued_on", "pk"))
    parent = find_parent(case)
    linked = parent is not None and (
        permits_visible_to(request.user, principal).filter(pk=parent.pk).exists()
    )
    context = {"case": case, "parent": parent, "parent_linked": linked, "issued": issued}
    return render(request, "permits/case_permits.html", context)


@require_http_methods(["GET", "HEAD"])
@role_required(*EXPIRING_ROLES)
def expiring(request: HttpRequest) -> HttpResponse:
    """Permits in force whose validity ends within the chosen days, of the caller's
    districts (every district for the city roles), searchable and sortable."""
    query = expiring_query(request.GET)
    today = timezone.localdate(clock.now())
    principal = principal_for(request)
    rows = BuildingPermit.objects.expiring(today, query["days"])
    if not principal.has_role(*CITY_ROLES):
        rows = rows.filter(district_id__in=sorted(principal.district_ids(Role.DISTRICT_STAFF)))
    if query["q"]:
        q = query["q"]
        rows = rows.filter(
            Q(number__startswith=q) | Q(parcel__renewal_code=q) | Q(parcel__address__icontains=q)
        )
    paging = Paging.of(query["page"], rows.count(), PAGE_SIZE)
    sort = query["sort"]
    permits = list(
        rows.select_related("parcel", "district", "owner").order_by(sort, "pk")[
            paging.offset : paging.offset + PAGE_SIZE
        ]
    )
    kept = {"q": query["q"], "days": query["days"]}
    context = {
        "form": query["form"],
        "rows": [(p, (p.valid_until - today).days) for p in permits],
        "paging": paging,
        "page": {"paging": paging},
        "columns": sort_columns(sort, SORT_LABELS),
        "sort_base": "?" + urlencode(kept),
        "page_base": "?" + urlencode({**kept, "sort": sort}),
        "days": query["days"],
    }
    return render(request, "permits/expiring.html", context)
