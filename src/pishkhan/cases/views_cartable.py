"""Cartable and follow-up pages (see cases/cartable.py for the queries).

Thin views: parse the request, look the case up through the caller's scope (inside the
do_* actions), act, respond. A refused action re-renders a short page with the Persian
message: 409 for a conflict (someone changed the case first), 400 otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from pishkhan.accounts.access import principal_for, role_required
from pishkhan.cases import cartable as queries
from pishkhan.cases.action_forms import FollowUpNoteForm, ReassignForm
from pishkhan.cases.actions import do_add_follow_up_note, do_claim_case, do_release_case
from pishkhan.cases.errors import ConcurrentActionError, WorkflowError
from pishkhan.cases.filters import DEFAULT_SORT, CaseFilterForm, sort_key
from pishkhan.cases.follow_up import follow_up_page
from pishkhan.cases.overview import overview
from pishkhan.core.digits import to_persian_digits
from pishkhan.offices.roles import Role

CARTABLE_VIEWERS = (*queries.CARTABLE_ROLES, Role.FOLLOW_UP_OFFICER, *queries.OVERVIEW_ROLES)


def _choice(value: str | None, allowed: list[str], default: str) -> str:
    return value if value in allowed else default


@require_http_methods(["GET", "POST"])
@role_required(*CARTABLE_VIEWERS)
def cartable(request: HttpRequest) -> HttpResponse:
    principal = principal_for(request)
    roles = queries.cartable_roles(principal)
    if not roles:
        rows, total, overdue = overview()
        context = {"rows": rows, "total": total, "overdue": overdue}
        return render(request, "cases/cartable_overview.html", context)
    source = _source(request)
    role = _choice(source.get("role"), roles, roles[0])
    tab = _choice(source.get("tab"), list(queries.CARTABLE_TABS), "all")
    sort = sort_key(source.get("sort"))
    base = reverse("cases:cartable")
    if _plain_search(request):
        filters = CaseFilterForm.params_of(request.POST)
        return _see(base, {"role": role, **filters, "tab": tab, **_sorted(sort)})
    page = queries.cartable_page(
        request.user, principal, role, tab, _filters(request), source.get("page"), sort
    )
    links = _links(base, {"role": role, **page.form.link_params()}, tab, sort)
    carry = _carry(request, page.form, {"role": role}, tab, sort)
    hidden = [("role", role), ("tab", tab), *_sorted(sort).items()]
    context = {"page": page, "hidden_fields": hidden, "filter_action": base, **links, **carry}
    return render(request, "cases/cartable.html", context)


@require_http_methods(["GET", "POST"])
@role_required(Role.FOLLOW_UP_OFFICER)
def follow_up(request: HttpRequest) -> HttpResponse:
    principal = principal_for(request)
    source = _source(request)
    tab = _choice(source.get("tab"), list(queries.FOLLOW_UP_TABS), "all")
    sort = sort_key(source.get("sort"))
    base = reverse("cases:follow_up")
    if _plain_search(request):
        filters = CaseFilterForm.params_of(request.POST)
        return _see(base, {**filters, "tab": tab, **_sorted(sort)})
    page = follow_up_page(request.user, principal, tab, _filters(request), source.get("page"), sort)
    links = _links(base, page.form.link_params(), tab, sort)
    carry = _carry(request, page.form, {}, tab, sort)
    hidden = [("tab", tab), *_sorted(sort).items()]
    context = {"page": page, "hidden_fields": hidden, "filter_action": base, **links}
    return render(request, "cases/follow_up.html", {**context, **carry})


# --- searching by national ID, which never enters a URL -------------------------------
# The filter form posts. A POST without a national ID is answered with a redirect to the
# plain link of its filters (a page one can reload and bookmark); a POST with one renders
# the page from the POST, and its tabs and pager are buttons of forms that post the
# filters on. A national ID in a query string (an old bookmark) is ignored.


@require_http_methods(["GET", "HEAD"])
def index(request: HttpRequest) -> HttpResponse:
    """/cases/ (where the README and bookmarks point): the cartable, keeping the query
    string but any national ID."""
    target = reverse("cases:cartable")
    data = request.GET.copy()
    data.pop("national_id", None)
    return HttpResponseRedirect(f"{target}?{data.urlencode()}" if data else target)


def _source(request: HttpRequest) -> QueryDict:
    return request.POST if request.method == "POST" else request.GET


def _plain_search(request: HttpRequest) -> bool:
    return request.method == "POST" and not CaseFilterForm.searches_national_id(request.POST)


def _filters(request: HttpRequest) -> QueryDict | None:
    """The filter data: the POST, or the query string without any national ID."""
    if request.method == "POST":
        return request.POST
    data = request.GET.copy()
    data.pop("national_id", None)
    return data or None


def _see(base: str, params: dict[str, str]) -> HttpResponse:
    response = HttpResponseRedirect(f"{base}?{urlencode(params)}")
    response.status_code = 303  # see the result by GET
    return response


def _sorted(sort: str) -> dict[str, str]:
    """The sort to carry in links and forms; nothing for the default."""
    return {} if sort == DEFAULT_SORT else {"sort": sort}


def _carry(
    request: HttpRequest, form: CaseFilterForm, keep: dict[str, str], tab: str, sort: str
) -> dict[str, list[tuple[str, str]]]:
    """Hidden fields of the forms the tabs (carry_tab), the pager (carry_page) and the
    column headers (carry_sort) post, when the page shows a national-ID search; nothing
    otherwise (they are links)."""
    if request.method != "POST":
        return {}
    fields = list({**keep, **form.posted_params()}.items())
    return {
        "carry_tab": [*fields, *_sorted(sort).items()],
        "carry_page": [*fields, ("tab", tab), *_sorted(sort).items()],
        "carry_sort": [*fields, ("tab", tab)],
    }


def _links(base: str, params: dict[str, str], tab: str, sort: str) -> dict[str, str]:
    """Query strings for tabs, paging, sorting and the return after a POST, without the
    national ID (it never goes into a URL we generate)."""
    sorted_ = _sorted(sort)
    return {
        "tab_base": f"{base}?{urlencode({**params, **sorted_})}",
        "page_base": f"{base}?{urlencode({**params, 'tab': tab, **sorted_})}",
        "sort_base": f"{base}?{urlencode({**params, 'tab': tab})}",
        "here": f"{base}?{urlencode({**params, 'tab': tab, **sorted_})}",
    }


# --- claim, release, note -------------------------------------------------------------


def _back(request: HttpRequest, default: str, target: str) -> str:
    """Where to go after a POST: `target` (the posted `next`) on this host, else `default`."""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


def _refused(request: HttpRequest, error: WorkflowError, back: str) -> HttpResponse:
    messages.error(request, error.message)
    status = 409 if isinstance(error, ConcurrentActionError) else 400
    return render(request, "cases/cartable_refused.html", {"back": back}, status=status)


def _reassign(request: HttpRequest, pk: int, act: Callable[..., Any], done: str) -> HttpResponse:
    form = ReassignForm(request.POST)
    valid = form.is_valid()
    back = _back(request, "cases:cartable", form.cleaned_data.get("next", ""))
    if not valid:
        return _refused(request, WorkflowError(form.first_error()), back)
    try:
        case = act(request.user, pk, form.cleaned_data["version"], principal=principal_for(request))
    except WorkflowError as error:
        return _refused(request, error, back)
    messages.success(request, done.format(code=to_persian_digits(case.tracking_code)))
    return HttpResponseRedirect(back)


@require_POST
@role_required(*queries.CARTABLE_ROLES)
def claim(request: HttpRequest, pk: int) -> HttpResponse:
    return _reassign(request, pk, do_claim_case, "پرونده {code} را برداشتید.")


@require_POST
@role_required(*queries.CARTABLE_ROLES)
def release(request: HttpRequest, pk: int) -> HttpResponse:
    return _reassign(request, pk, do_release_case, "پرونده {code} به کارتابل برگشت.")


@require_POST
@role_required(Role.FOLLOW_UP_OFFICER)
def follow_up_note(request: HttpRequest, pk: int) -> HttpResponse:
    form = FollowUpNoteForm(request.POST)
    valid = form.is_valid()
    back = _back(request, "cases:follow_up", form.cleaned_data.get("next", ""))
    if not valid:
        return _refused(request, WorkflowError(form.first_error()), back)
    try:
        event = do_add_follow_up_note(
            request.user, pk, form.cleaned_data["text"], principal=principal_for(request)
        )
    except WorkflowError as error:
        return _refused(request, error, back)
    messages.success(
        request, f"یادداشت پیگیری پرونده {to_persian_digits(event.case.tracking_code)} ثبت شد."
    )
    return HttpResponseRedirect(back)


urlpatterns: list[URLPattern] = [
    path("cartable/", cartable, name="cartable"),
    path("follow-up/", follow_up, name="follow_up"),
    path("<int:pk>/claim/", claim, name="claim"),
    path("<int:pk>/release/", release, name="release"),
    path("<int:pk>/follow-up/note/", follow_up_note, name="follow_up_note"),
]
