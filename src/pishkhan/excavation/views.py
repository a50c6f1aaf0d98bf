"""The excavation pages: one permit (scoped: a foreign id is a 404) and the restorations
past their permit's end date (district staff and the city roles). Thin views: parse,
look up through the caller's scope, respond; the only write is the scheduled job's."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from pishkhan.accounts.access import principal_for, role_required
from pishkhan.cases.access import CITY_ROLES
from pishkhan.core.digits import normalize_persian_text, to_ascii_digits
from pishkhan.excavation.access import access_permit_by_id, permits_visible_to
from pishkhan.excavation.models import PermitStatus
from pishkhan.excavation.workflow_link import route_view
from pishkhan.offices.roles import Role

PAGE_SIZE = 50
# sort key -> (label, ordering)
SORTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "end": ("پایان اعتبار", ("valid_until", "pk")),
    "-end": ("پایان اعتبار", ("-valid_until", "-pk")),
    "number": ("شماره مجوز", ("number",)),
    "-number": ("شماره مجوز", ("-number",)),
    "deposit": ("سپرده ترمیم", ("deposit", "pk")),
    "-deposit": ("سپرده ترمیم", ("-deposit", "-pk")),
}


@require_http_methods(["GET", "HEAD"])
@login_required
def permit_page(request: HttpRequest, pk: int) -> HttpResponse:
    permit = access_permit_by_id(principal_for(request), pk)
    context = {
        "permit": permit,
        "case": permit.case,
        "events": list(permit.events.select_related("actor").order_by("at", "pk")),
        "map_attrs": route_view(permit.route),
    }
    return render(request, "excavation/permit.html", context)


class OverdueFilter(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="جستجو")
    sort = forms.ChoiceField(required=False, choices=[(k, k) for k in SORTS])
    page = forms.IntegerField(required=False, min_value=1, max_value=10_000)


@require_http_methods(["GET", "HEAD"])
@role_required(Role.DISTRICT_STAFF, *CITY_ROLES)
def overdue_restorations(request: HttpRequest) -> HttpResponse:
    """Permits flagged overdue by the scheduled job and not restored since, searchable by
    permit number, tracking code or street, sortable by end date, number or deposit."""
    form = OverdueFilter(request.GET)
    valid = form.is_valid()
    posted: dict[str, Any] = form.cleaned_data if valid else {}
    query = normalize_persian_text(to_ascii_digits(posted.get("q") or "")).strip()
    sort = posted.get("sort") or "end"
    permits = permits_visible_to(principal_for(request)).filter(status=PermitStatus.OVERDUE)
    if query:
        permits = permits.filter(
            Q(number__icontains=query)
            | Q(case__tracking_code=query.replace(" ", ""))
            | Q(case__data__street_name__icontains=query)
        )
    permits = permits.select_related("case", "case__district", "case__office").order_by(
        *SORTS[sort][1]
    )
    page = Paginator(permits, PAGE_SIZE).get_page(posted.get("page") or 1)
    columns = {}
    for key in ("end", "number", "deposit"):
        label = SORTS[key][0]
        current = sort.lstrip("-") == key
        descending = sort.startswith("-")
        columns[key] = {
            "label": label,
            "key": f"-{key}" if current and not descending else key,
            "aria_sort": ("descending" if descending else "ascending") if current else "none",
        }
    context = {
        "form": form,
        "page": page,
        "permits": list(page.object_list),
        "query": query,
        "columns": columns,
        "sort_base": "?" + urlencode({"q": query}),
        "page_base": "?" + urlencode({"q": query, "sort": sort}),
        "error": "" if valid else "عبارت جستجو یا ترتیب معتبر نیست؛ همه موارد نشان داده شد.",
    }
    return render(request, "excavation/overdue.html", context, status=200 if valid else 400)
