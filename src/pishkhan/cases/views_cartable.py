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
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from pishkhan.accounts.access import principal_for, role_required
from pishkhan.cases import cartable as queries
from pishkhan.cases.action_forms import FollowUpNoteForm, ReassignForm
from pishkhan.cases.actions import do_add_follow_up_note, do_claim_case, do_release_case
from pishkhan.cases.errors import ConcurrentActionError, WorkflowError
from pishkhan.core.digits import to_persian_digits
from pishkhan.offices.roles import Role

CARTABLE_VIEWERS = (*queries.CARTABLE_ROLES, Role.FOLLOW_UP_OFFICER, *queries.OVERVIEW_ROLES)


def _choice(value: str | None, allowed: list[str], default: str) -> str:
    return value if value in allowed else default


@require_GET
@role_required(*CARTABLE_VIEWERS)
def cartable(request: HttpRequest) -> HttpResponse:
    principal = principal_for(request)
    roles = queries.cartable_roles(principal)
    if not roles:
        rows, total, overdue = queries.overview()
        context = {"rows": rows, "total": total, "overdue": overdue}
        return render(request, "cases/cartable_overview.html", context)
    role = _choice(request.GET.get("role"), roles, roles[0])
    tab = _choice(request.GET.get("tab"), list(queries.CARTABLE_TABS), "all")
    page = queries.cartable_page(
        request.user, principal, role, tab, request.GET or None, request.GET.get("page")
    )
    links = _links(reverse("cases:cartable"), {"role": role, **page.form.link_params()}, tab)
    hidden = [("role", role), ("tab", tab)]
    context = {"page": page, "hidden_fields": hidden, **links}
    return render(request, "cases/cartable.html", context)


@require_GET
@role_required(Role.FOLLOW_UP_OFFICER)
def follow_up(request: HttpRequest) -> HttpResponse:
    principal = principal_for(request)
    tab = _choice(request.GET.get("tab"), list(queries.FOLLOW_UP_TABS), "all")
    page = queries.follow_up_page(
        request.user, principal, tab, request.GET or None, request.GET.get("page")
    )
    links = _links(reverse("cases:follow_up"), page.form.link_params(), tab)
    context = {"page": page, "hidden_fields": [("tab", tab)], **links}
    return render(request, "cases/follow_up.html", context)


def _links(base: str, params: dict[str, str], tab: str) -> dict[str, str]:
    """Query strings for tabs, paging and the return after a POST, without the national
    ID (it never goes into a URL we generate)."""
    return {
        "tab_base": f"{base}?{urlencode(params)}",
        "page_base": f"{base}?{urlencode({**params, 'tab': tab})}",
        "here": f"{base}?{urlencode({**params, 'tab': tab})}",
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


def _reassign(
    request: HttpRequest, pk: int, act: Callable[[Any, Any, int], Any], done: str
) -> HttpResponse:
    form = ReassignForm(request.POST)
    valid = form.is_valid()
    back = _back(request, "cases:cartable", form.cleaned_data.get("next", ""))
    if not valid:
        return _refused(request, WorkflowError(form.first_error()), back)
    try:
        case = act(request.user, pk, form.cleaned_data["version"])
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
        event = do_add_follow_up_note(request.user, pk, form.cleaned_data["text"])
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
