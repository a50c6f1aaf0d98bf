"""Staff pages across the office: the search box (every staff page's header posts to
it) and the office manager's view. Thin views: parse → access → do → respond.

A search may be a national ID, so it is only ever posted: the results page is rendered
from the POST and its pager posts the search on; a query string is ignored.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from pishkhan.accounts.access import principal_for, role_required
from pishkhan.cases.action_forms import AssignForm
from pishkhan.cases.actions import do_assign_case
from pishkhan.cases.errors import ConcurrentActionError, WorkflowError
from pishkhan.cases.manager import manager_page
from pishkhan.cases.search import SEARCH_ROLES, search_page
from pishkhan.core.digits import to_persian_digits
from pishkhan.offices.roles import Role


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(*SEARCH_ROLES)
def search(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    page = search_page(
        request.user, principal_for(request), data, data.get("page") if data else None
    )
    carry = [("q", str(data.get("q", "")))] if data and page.searched else []
    context = {
        "page": page,
        "filter_action": reverse("cases:search"),
        "carry_tab": carry,
        "carry_page": carry,
    }
    return render(request, "cases/search.html", context)


# --- the office manager's view ---------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
@role_required(Role.OFFICE_MANAGER)
def office(request: HttpRequest) -> HttpResponse:
    page = manager_page(
        request.user, principal_for(request), request.GET.get("office"), request.GET.get("page")
    )
    if page is None:  # a manager's role ended today, after the check above read it
        return render(request, "cases/office.html", {"page": None})
    base = reverse("cases:office")
    here = f"{base}?{urlencode({'office': page.office.pk, 'page': page.paging.number})}"
    context = {"page": page, "page_base": f"{base}?office={page.office.pk}", "here": here}
    return render(request, "cases/office.html", context)


@require_POST
@role_required(Role.OFFICE_MANAGER)
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    form = AssignForm(request.POST)
    valid = form.is_valid()
    back = _back(request, form.cleaned_data.get("next", ""))
    if not valid:
        return _refused(request, WorkflowError(form.first_error()), back)
    data = form.cleaned_data
    try:
        case = do_assign_case(
            request.user,
            pk,
            data["version"],
            data["assignee"],
            data["reason"],
            principal=principal_for(request),
        )
    except WorkflowError as error:
        return _refused(request, error, back)
    name = case.assignee.get_full_name() if case.assignee else ""
    code = to_persian_digits(case.tracking_code)
    messages.success(request, f"پرونده {code} به {name} واگذار شد.")
    return HttpResponseRedirect(back)


def _back(request: HttpRequest, target: str) -> str:
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("cases:office")


def _refused(request: HttpRequest, error: WorkflowError, back: str) -> HttpResponse:
    messages.error(request, error.message)
    status = 409 if isinstance(error, ConcurrentActionError) else 400
    return render(request, "cases/cartable_refused.html", {"back": back}, status=status)


urlpatterns: list[URLPattern] = [
    path("search/", search, name="search"),
    path("office/", office, name="office"),
    path("<int:pk>/assign/", assign, name="assign"),
]
